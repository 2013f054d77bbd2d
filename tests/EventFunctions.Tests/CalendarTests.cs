using System.Text;
using EventFunctions.Shared;
using EventFunctions.Shared.Events;
using EventFunctions.Functions.Participants;
using EventFunctions.Shared.Http;
using EventFunctions.Tests.Infrastructure;
using Ical.Net.CalendarComponents;
using HttpRequest = Microsoft.AspNetCore.Http.HttpRequest;
using Microsoft.AspNetCore.Mvc;

namespace EventFunctions.Tests;

/// <summary>The public calendar: what it lists and hides, its filters and link previews, and its iCalendar feed.</summary>
[Collection(StorageCollection.Name)]
public sealed class CalendarTests(AzuriteFixture azurite)
{
    private static readonly Dictionary<string, string?> FreshReads = new() { ["EventFunctions:CalendarRefresh"] = "00:00:00" };

    private static Calendar Functions(TestApp app) => new(app.Get<CalendarApi>());

    /// <summary>The page, and how long caches may keep it (seconds; 0: not at all).</summary>
    private static async Task<(int Status, string Html, int CacheSeconds)> PageAsync(TestApp app, string query = "", string? language = null)
    {
        var result = await Functions(app).Show(Requests.Get("/api/calendar" + query, language), default);
        var (status, html) = Results.Html(result);
        return (status, html, Assert.IsType<HtmlPageResult>(result).CacheSeconds);
    }

    [Fact]
    public async Task Lists_upcoming_public_events_with_their_seats_and_hides_invitation_only_and_cancelled_ones()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: FreshReads);
        var salon = await app.CreateEventAsync(Seed.Salon(capacity: 2, waitlist: true));
        var visit = await app.CreateEventAsync(Seed.SiteVisit(capacity: 1, waitlist: false));
        var clinic = await app.CreateEventAsync(Seed.Volunteering());
        var cancelled = await app.CreateEventAsync(Seed.Lecture().With("title", "已取消的讲座"));
        var meeting = await app.CreateEventAsync(Seed.Lecture().With("title", "成员单位联席会议"));
        Assert.IsType<EventOutcome.Ok>(await app.Get<EventService>().SetInvitationAsync(meeting.Id, new Invitation([new InvitedUnit(Ids.NewUnitId(), "供水公司", 3)], 0), default));
        Assert.IsType<EventOutcome.Ok>(await app.Get<EventService>().CancelEventAsync(cancelled.Id, default));
        // The salon fills (its waitlist stays open), the visit fills with no waitlist.
        foreach (var (name, email) in new[] { ("甲", "a@example.cn"), ("乙", "b@example.cn") })
        {
            var person = Seed.Person(name, email);
            person["answers"] = new Dictionary<string, string> { ["lunch"] = "yes" };
            Assert.Equal(201, Results.Object<object>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", person), salon.Id, default)).Status);
        }
        var visitor = Seed.Person("丙", "c@example.cn");
        visitor["organisation"] = "街道";
        visitor["securityDetails"] = new[] { "1234" };
        Assert.Equal(201, Results.Object<object>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", visitor), visit.Id, default)).Status);

        var (status, html, cacheSeconds) = await PageAsync(app);
        Assert.Equal(200, status);
        Assert.Contains("近期活动", html);
        Assert.Contains($"href=\"/api/signup/{salon.Id}\"", html);
        Assert.Contains($"href=\"/api/signup/{clinic.Id}\"", html);
        Assert.Contains("志愿服务", html);
        Assert.DoesNotContain(meeting.Id, html);
        Assert.DoesNotContain(cancelled.Id, html);
        Assert.Contains("已满，可候补", Entry(html, salon.Id));
        Assert.Contains(">已满<", Entry(html, visit.Id));
        Assert.Contains("余 8 席", Entry(html, clinic.Id));
        Assert.True(html.IndexOf(clinic.Id, StringComparison.Ordinal) < html.IndexOf(salon.Id, StringComparison.Ordinal), "soonest first");
        Assert.Equal(60, cacheSeconds); // nobody's data on it: caches may keep it a minute
        Assert.DoesNotContain("<script", html);
    }

    [Fact]
    public async Task Filters_by_kind_and_month_in_either_language_and_says_so_when_a_filter_is_not_understood()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: FreshReads);
        var salon = await app.CreateEventAsync(Seed.Salon());
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        var later = await app.CreateEventAsync(Seed.Lecture().With("start", Seed.Local(Seed.Day(70, 19))).With("end", Seed.Local(Seed.Day(70, 20))));

        var (_, lectures, _) = await PageAsync(app, "?kind=lecture");
        Assert.Contains(lecture.Id, lectures);
        Assert.Contains(later.Id, lectures);
        Assert.DoesNotContain(salon.Id, lectures);
        Assert.Contains("aria-current=\"page\">讲座", lectures);

        var month = Seed.Local(Seed.Day(70, 19))[..7];
        var (_, inMonth, _) = await PageAsync(app, $"?kind=lecture&month={month}&lang=en");
        Assert.Contains(later.Id, inMonth);
        Assert.DoesNotContain(lecture.Id, inMonth);
        Assert.Contains("Upcoming events", inMonth);
        Assert.Contains($"href=\"/api/signup/{later.Id}?lang=en\"", inMonth);
        Assert.Contains($"href=\"/api/calendar?kind=lecture&amp;month={month}&amp;lang=zh-CN\"", inMonth);

        var (status, bad, badCache) = await PageAsync(app, "?kind=party&month=2026-13");
        Assert.Equal(400, status);
        Assert.Contains("筛选条件无法识别", bad);
        Assert.Contains(salon.Id, bad);
        Assert.Equal(0, badCache);
    }

    [Fact]
    public async Task Calendar_and_sign_up_pages_carry_a_link_preview_without_a_script()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: FreshReads);
        var salon = await app.CreateEventAsync(Seed.Salon());
        var baseUrl = app.Options.PublicBaseUrl.TrimEnd('/');

        var (_, calendar, _) = await PageAsync(app);
        Assert.Contains("property=\"og:title\" content=\"近期活动 · 街道活动报名\"", calendar);
        Assert.Contains($"property=\"og:image\" content=\"{baseUrl}/api/calendar/card.png\"", calendar);
        Assert.Contains($"property=\"og:url\" content=\"{baseUrl}/api/calendar\"", calendar);

        var form = Results.Html(await app.SignUpForm.Show(Requests.Get($"/api/signup/{salon.Id}"), salon.Id, default)).Html;
        Assert.Contains("property=\"og:title\" content=\"北外滩商会沙龙：《民法典》与企业经营\"", form);
        Assert.Matches("property=\"og:description\" content=\"沙龙 · \\d{4}年[^\"]*白玉兰广场 42 楼 — 律师事务所主讲", form);
        Assert.Contains($"property=\"og:url\" content=\"{baseUrl}/api/signup/{salon.Id}\"", form);

        var imageRequest = Requests.Get("/api/calendar/card.png");
        var image = Assert.IsType<FileContentResult>(Functions(app).Card(imageRequest));
        Assert.Equal("image/png", image.ContentType);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], image.FileContents[..4]);
        // The card's size, as the og:image:width/height say (IHDR: width and height, big-endian, from byte 16).
        Assert.Equal(1200, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(image.FileContents.AsSpan(16)));
        Assert.Equal(630, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(image.FileContents.AsSpan(20)));
    }

    [Fact]
    public async Task Feed_parses_back_and_follows_a_moved_and_a_cancelled_event_and_answers_304_while_unchanged()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: FreshReads);
        var salon = await app.CreateEventAsync(Seed.Salon());
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        var meeting = await app.CreateEventAsync(Seed.Lecture().With("title", "成员单位联席会议"));
        Assert.IsType<EventOutcome.Ok>(await app.Get<EventService>().SetInvitationAsync(meeting.Id, new Invitation([new InvitedUnit(Ids.NewUnitId(), "供水公司", 3)], 0), default));

        var (first, etag, lastModified) = await FeedAsync(app);
        Assert.Equal(2, first.Events.Count);
        var entry = first.Events.Single(e => e.Uid == $"{salon.Id}@eventfunctions");
        Assert.Equal("北外滩商会沙龙：《民法典》与企业经营", entry.Summary);
        Assert.Equal("Asia/Shanghai", entry.Start!.TzId);
        Assert.Equal(Seed.Local(Seed.Day(10, 14)), entry.Start.Value.ToString("yyyy-MM-dd'T'HH:mm"));
        Assert.Equal("CONFIRMED", entry.Status);
        Assert.Contains($"/api/signup/{salon.Id}", entry.Description!);
        Assert.DoesNotContain(first.Events, e => e.Uid!.StartsWith(meeting.Id, StringComparison.Ordinal));

        // Polled again, unchanged: 304 and no body, by ETag or (without one) by date. A sign-up changes nothing in the feed.
        await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person("甲", "a@example.cn")), salon.Id, default);
        Assert.Equal(304, await StatusAsync(app, ("If-None-Match", etag)));
        Assert.Equal(304, await StatusAsync(app, ("If-Modified-Since", DateTimeOffset.UtcNow.AddMinutes(1).ToString("R"))));
        Assert.Equal(200, await StatusAsync(app, ("If-None-Match", "\"something-else\"")));
        Assert.Equal(200, await StatusAsync(app, ("If-Modified-Since", lastModified.AddDays(-1).ToString("R"))));

        // Moved two hours later: the same UID, a higher SEQUENCE, the new time. Cancelled: STATUS:CANCELLED.
        var moved = Seed.Salon().With("start", Seed.Local(Seed.Day(10, 16))).With("end", Seed.Local(Seed.Day(10, 18)));
        Assert.Equal(200, Results.Object<object>(await app.UpdateEvent.Run(Requests.Json("PUT", "/x", moved), salon.Id, default)).Status);
        Assert.IsType<EventOutcome.Ok>(await app.Get<EventService>().CancelEventAsync(lecture.Id, default));

        Assert.Equal(200, await StatusAsync(app, ("If-None-Match", etag)));
        var (second, etag2, _) = await FeedAsync(app);
        Assert.NotEqual(etag, etag2);
        var movedEntry = second.Events.Single(e => e.Uid == $"{salon.Id}@eventfunctions");
        Assert.Equal(Seed.Local(Seed.Day(10, 16)), movedEntry.Start!.Value.ToString("yyyy-MM-dd'T'HH:mm"));
        Assert.True(movedEntry.Sequence > entry.Sequence, $"sequence {movedEntry.Sequence} after {entry.Sequence}");
        var cancelledEntry = second.Events.Single(e => e.Uid == $"{lecture.Id}@eventfunctions");
        Assert.Equal("CANCELLED", cancelledEntry.Status);
        // The cancelled lecture stays in the feed (so calendars show it cancelled) but leaves the page.
        var (_, page, _) = await PageAsync(app);
        Assert.DoesNotContain(lecture.Id, page);

        var (english, _, _) = await FeedAsync(app, "?kind=salon&lang=en");
        Assert.Equal($"{salon.Id}@eventfunctions", Assert.Single(english.Events).Uid);
        var badRequest = Requests.Get("/api/calendar.ics?kind=party");
        Assert.Equal(400, Assert.IsAssignableFrom<ObjectResult>(await Functions(app).Feed(badRequest, default)).StatusCode);
    }

    private static async Task<(Ical.Net.Calendar Calendar, string ETag, DateTimeOffset LastModified)> FeedAsync(TestApp app, string query = "")
    {
        var request = Requests.Get("/api/calendar.ics" + query);
        var file = Assert.IsType<FileContentResult>(await Functions(app).Feed(request, default));
        Assert.Equal("text/calendar; charset=utf-8", file.ContentType);
        var headers = request.HttpContext.Response.Headers;
        return (Ical.Net.Calendar.Load(Encoding.UTF8.GetString(file.FileContents))!, headers.ETag.ToString(), DateTimeOffset.Parse(headers.LastModified.ToString()));
    }

    private static async Task<int> StatusAsync(TestApp app, (string Name, string Value) header)
    {
        var request = Requests.Get("/api/calendar.ics");
        request.Headers[header.Name] = header.Value;
        return await Functions(app).Feed(request, default) switch
        {
            StatusCodeResult s => s.StatusCode,
            FileContentResult => 200,
            var other => throw new InvalidOperationException(other.GetType().Name),
        };
    }

    /// <summary>The calendar entry of one event (its list item).</summary>
    private static string Entry(string html, string eventId)
    {
        var at = html.IndexOf($"data-event=\"{eventId}\"", StringComparison.Ordinal);
        return at < 0 ? "" : html[at..html.IndexOf("</li>", at, StringComparison.Ordinal)];
    }
}

internal static class SeedExtensions
{
    public static Dictionary<string, object?> With(this Dictionary<string, object?> input, string key, object? value)
    {
        input[key] = value;
        return input;
    }
}
