using System.Globalization;
using EventFunctions.Shared.Console;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Series;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Web;
using EventFunctions.Shared.Web.Console;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Http;

/// <summary>Series in the console: repeating an event into a series, the series' sessions and attendance, editing from one session on.</summary>
public sealed class ConsoleSeriesApi(ConsolePolicy policy, SeriesService series, AuditLog audit, PageRenderer pages, TimeProvider clock, IOptions<Storage.EventFunctionsOptions> options)
{
    public Task<IActionResult> RepeatFormAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
        e.SeriesId is { } existing ? ConsolePolicy.SeeOther(Paths.Console.Series(existing)) : await RepeatPageAsync(user, e, new Dictionary<string, string> { ["title"] = e.Title, ["repeat"] = "weekly", ["count"] = "4" }, null, 200));

    /// <summary>Form fields: title, description, repeat (weekly | fortnightly | monthly | dates), count, dates (one per line).</summary>
    public Task<IActionResult> RepeatAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, form) =>
    {
        var values = new[] { "title", "description", "repeat", "count", "dates", "english.title", "english.description" }.ToDictionary(k => k, k => form![k].FirstOrDefault() ?? "", StringComparer.Ordinal);
        var errors = new FieldErrors();
        var repeat = values["repeat"] switch { "fortnightly" => Repeat.Fortnightly, "monthly" => Repeat.Monthly, "dates" => Repeat.Dates, _ => Repeat.Weekly };
        var count = 0;
        if (repeat != Repeat.Dates && !int.TryParse(values["count"], NumberStyles.None, CultureInfo.InvariantCulture, out count)) errors.Add("count", SeriesText.AtLeastTwo);
        var dates = new List<DateOnly>();
        if (repeat == Repeat.Dates)
        {
            foreach (var line in values["dates"].Split(['\n', '\r', ',', '，', ' '], StringSplitOptions.RemoveEmptyEntries))
            {
                if (DateOnly.TryParseExact(line.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) dates.Add(d);
                else { errors.Add("dates", SeriesText.BadDate); break; }
            }
            if (dates.Count > SeriesService.MaxSessions) errors.Add("dates", SeriesText.TooManySessions(SeriesService.MaxSessions));
        }
        if (errors.Any) return await RepeatPageAsync(user, e, values, errors, 400);
        var (made, problems) = await series.CreateAsync(e, values["title"], values["description"], repeat, count, dates, ct, values["english.title"], values["english.description"]);
        if (made is null) return await RepeatPageAsync(user, e, values, problems, 400);
        await audit.RecordAsync(e.Id, user, SeriesText.AuditMade.Inline, $"{made.RowKey}: {made.SessionIds.Count}", "OK", ct);
        return ConsolePolicy.SeeOther(Paths.Console.Series(made.RowKey) + "?done=made");
    }, isChange: true);

    public Task<IActionResult> SeriesAsync(HttpRequest request, string seriesId, CancellationToken ct) => policy.ForUser(request, ct, async (user, _) =>
    {
        var s = await series.FindAsync(seriesId, ct);
        if (s is null || !(user.IsAdmin || s.Unit == user.Unit)) return await policy.MessageAsync(user, 404, SeriesText.Series.Inline, ConsoleMessages.EventNotFoundExplain.Inline);
        var flash = request.Query["done"].FirstOrDefault() == "made" ? SeriesText.FlashCreated.Inline : null;
        return await SeriesPageAsync(user, s, flash, null, null, 200, ct);
    });

    /// <summary>Makes the sessions a crash left unmade (the console shows "N of M made").</summary>
    public Task<IActionResult> FinishAsync(HttpRequest request, string seriesId, CancellationToken ct) => policy.ForUser(request, ct, async (user, _) =>
    {
        var s = await series.FindAsync(seriesId, ct);
        if (s is null || !(user.IsAdmin || s.Unit == user.Unit)) return await policy.MessageAsync(user, 404, SeriesText.Series.Inline, ConsoleMessages.EventNotFoundExplain.Inline);
        var made = await series.FinishMissingAsync(s, ct);
        await audit.RecordAsync(null, user, SeriesText.AuditMade.Inline, $"{s.RowKey}: finished, {made} of {s.SessionIds.Count}", "OK", ct);
        return await SeriesPageAsync(user, s, SeriesText.Missing(made, s.SessionIds.Count).Inline, null, null, 200, ct);
    }, isChange: true);

    /// <summary>Form fields: from (a session's event id), and any of title, description, venue, address, capacity, startTime, endTime.</summary>
    public Task<IActionResult> EditAsync(HttpRequest request, string seriesId, CancellationToken ct) => policy.ForUser(request, ct, async (user, form) =>
    {
        var s = await series.FindAsync(seriesId, ct);
        if (s is null || !(user.IsAdmin || s.Unit == user.Unit)) return await policy.MessageAsync(user, 404, SeriesText.Series.Inline, ConsoleMessages.EventNotFoundExplain.Inline);
        var changes = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new FieldErrors();
        foreach (var field in new[] { "title", "description", "venue", "address", "capacity", "startTime", "endTime" })
        {
            if (Input.Clean(form![field].FirstOrDefault()) is not { } value) continue;
            if (field.EndsWith("Time", StringComparison.Ordinal) && !TimeOnly.TryParseExact(value, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                errors.Add(field, SeriesText.BadTime);
            changes[field] = value;
        }
        var from = form!["from"].FirstOrDefault() ?? "";
        if (errors.Any) return await SeriesPageAsync(user, s, null, errors, form, 400, ct);
        var (changed, problems, refused) = await series.EditFollowingAsync(s, from, changes, ct);
        if (problems is not null)
        {
            var shown = new FieldErrors();
            foreach (var message in problems.AllBoth()) shown.Add("edit", $"{refused?.Title} {ConsoleFormat.Local(refused!, refused!.StartUtc)}: {message}");
            return await SeriesPageAsync(user, s, null, shown, form, 400, ct);
        }
        await audit.RecordAsync(null, user, SeriesText.AuditEdited.Inline, $"{s.RowKey} from {from}: {string.Join(", ", changes.Keys)} ({changed})", "OK", ct);
        return await SeriesPageAsync(user, s, SeriesText.FlashEdited(changed).Inline, null, null, 200, ct);
    }, isChange: true);

    private async Task<IActionResult> RepeatPageAsync(ConsoleUser user, EventRecord e, IReadOnlyDictionary<string, string> values, FieldErrors? errors, int status) =>
        ConsolePolicy.Page(await pages.RenderAsync<RepeatPage>(new()
        {
            [nameof(RepeatPage.User)] = user,
            [nameof(RepeatPage.Csrf)] = policy.Csrf(user),
            [nameof(RepeatPage.Event)] = e,
            [nameof(RepeatPage.Values)] = values,
            [nameof(RepeatPage.Errors)] = errors,
        }), status);

    private async Task<IActionResult> SeriesPageAsync(ConsoleUser user, SeriesEntity s, string? flash, FieldErrors? errors, IFormCollection? form, int status, CancellationToken ct)
    {
        var sessions = await series.SessionsAsync(s, ct);
        return ConsolePolicy.Page(await pages.RenderAsync<SeriesConsolePage>(new()
        {
            [nameof(SeriesConsolePage.User)] = user,
            [nameof(SeriesConsolePage.Csrf)] = policy.Csrf(user),
            [nameof(SeriesConsolePage.Series)] = s,
            [nameof(SeriesConsolePage.Sessions)] = sessions,
            [nameof(SeriesConsolePage.People)] = await series.AttendanceAsync(sessions, ct),
            [nameof(SeriesConsolePage.PublicUrl)] = options.Value.PublicBaseUrl.TrimEnd('/') + Paths.Series(s.RowKey),
            [nameof(SeriesConsolePage.Now)] = clock.GetUtcNow(),
            [nameof(SeriesConsolePage.Flash)] = flash,
            [nameof(SeriesConsolePage.Errors)] = errors,
            [nameof(SeriesConsolePage.Form)] = form?.Keys.ToDictionary(k => k, k => form[k].FirstOrDefault() ?? "", StringComparer.Ordinal),
        }), status);
    }
}
