using System.Globalization;
using EventFunctions.Shared.Listings;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace EventFunctions.Shared.Http;

/// <summary>The public calendar: the page of upcoming events, its iCalendar feed and the link preview's image.</summary>
public sealed class CalendarApi(PublicCalendar calendar, PageRenderer pages, PublicLimits limits, TimeProvider clock, IOptions<EventFunctionsOptions> options, ILogger<CalendarApi> log)
{
    /// <summary>How long browsers and caches may keep the page and the feed (the seats shown may be this old).</summary>
    public const int CacheSeconds = 60;

    /// <summary>Months offered as filters: this one and the next five.</summary>
    public const int MonthsOffered = 6;

    public Task<IActionResult> PageAsync(HttpRequest request, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        if (limits.Refuse(request, PublicAction.Page) is { } wait) return PublicLimits.TooManyPageAsync(request, wait, text, pages);
        return HttpIO.GuardPageAsync(request, log, text, pages, async () =>
        {
            var parsed = CalendarFilter.Parse(request.Query["kind"].FirstOrDefault(), request.Query["month"].FirstOrDefault());
            var filter = parsed ?? CalendarFilter.All;
            var now = clock.GetUtcNow();
            var (events, _) = await calendar.EventsAsync(ct);
            var ui = CalendarUi.For(text);
            var thisMonth = TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
            var first = new DateTime(thisMonth.Year, thisMonth.Month, 1);
            var query = string.Join("&", request.Query.Where(q => q.Key is "kind" or "month" && parsed is not null).Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}"));
            var html = await pages.RenderAsync<CalendarPage>(new()
            {
                [nameof(CalendarPage.Text)] = text,
                [nameof(CalendarPage.Events)] = PublicCalendar.Listed(events, filter, now),
                [nameof(CalendarPage.Filter)] = filter,
                [nameof(CalendarPage.BadFilter)] = parsed is null,
                [nameof(CalendarPage.Months)] = Enumerable.Range(0, MonthsOffered).Select(first.AddMonths).ToList(),
                [nameof(CalendarPage.Now)] = now,
                [nameof(CalendarPage.SwitchUrl)] = Paths.Calendar + "?" + (query.Length > 0 ? query + "&" : "") + "lang=" + text.OtherCode,
                [nameof(CalendarPage.FeedUrl)] = BaseUrl + Paths.CalendarFeed + (text.Code == "en" ? "?lang=en" : ""),
                [nameof(CalendarPage.Card)] = new LinkCard(ui.SiteName, ui.CalendarHeading + " · " + ui.SiteName, LinkCard.Shorten(ui.CalendarIntro),
                    BaseUrl + Paths.Calendar + (text.Code == "en" ? "?lang=en" : ""), BaseUrl + Paths.CalendarCard),
            });
            // A filter not understood still shows every event, and says so (400: the link was wrong, the page is not).
            return new HtmlPageResult { Content = html, ContentType = "text/html; charset=utf-8", StatusCode = parsed is null ? 400 : 200, CacheSeconds = parsed is null ? 0 : CacheSeconds };
        });
    }

    /// <summary>
    /// The feed, with a strong ETag of its bytes and Last-Modified: a calendar app polling with If-None-Match (or,
    /// without one, If-Modified-Since) gets 304 and no body while nothing changed.
    /// </summary>
    public Task<IActionResult> FeedAsync(HttpRequest request, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        if (limits.Refuse(request, PublicAction.Page) is { } wait) return Task.FromResult<IActionResult>(PublicLimits.TooManyJson(request, wait, text));
        return HttpIO.GuardAsync(request, log, async () =>
        {
            var filter = CalendarFilter.Parse(request.Query["kind"].FirstOrDefault(), null);
            if (filter is null) return HttpIO.Problem(400, CalendarUi.For(text).BadFilter, null, "bad-filter");
            var (events, lastChanged) = await calendar.EventsAsync(ct);
            var feed = calendar.Feed(events, lastChanged, filter, text);
            var headers = request.HttpContext.Response.Headers;
            headers[HeaderNames.ETag] = feed.ETag;
            headers[HeaderNames.LastModified] = feed.LastModified.ToString("R", CultureInfo.InvariantCulture);
            headers[HeaderNames.CacheControl] = $"public, max-age={CacheSeconds}";
            return NotModified(request, feed) ? new StatusCodeResult(304)
                : new FileContentResult(feed.Body, "text/calendar; charset=utf-8");
        }, () => HttpIO.Problem(503, text.Unavailable, null, Problems.Unavailable));
    }

    /// <summary>RFC 9110 §13.2.2: If-None-Match decides when present; If-Modified-Since only without it.</summary>
    public static bool NotModified(HttpRequest request, CalendarFeed feed)
    {
        var ifNoneMatch = request.Headers.IfNoneMatch.ToString();
        if (!string.IsNullOrEmpty(ifNoneMatch))
            return ifNoneMatch.Split(',').Select(t => t.Trim()).Any(t => t == "*" || t == feed.ETag || t == "W/" + feed.ETag);
        return DateTimeOffset.TryParseExact(request.Headers.IfModifiedSince.ToString(), "R", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since)
            && feed.LastModified.ToUnixTimeSeconds() <= since.ToUnixTimeSeconds();
    }

    public IActionResult Card(HttpRequest request)
    {
        request.HttpContext.Response.Headers[HeaderNames.CacheControl] = "public, max-age=86400";
        return new FileContentResult(LinkCard.ImageBytes(), "image/png");
    }

    private string BaseUrl => options.Value.PublicBaseUrl.TrimEnd('/');
}
