using System.Globalization;
using System.Text;
using EventFunctions.Shared.Console;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Web;
using EventFunctions.Shared.Web.Console;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Http;

/// <summary>Organisers create, edit and run their events: the form (with preview), the event page and its actions, sharing.</summary>
public sealed class ConsoleEventsApi(
    ConsolePolicy policy,
    ConsoleEventPages eventPages,
    EventService events,
    AuditLog audit,
    PageRenderer pages,
    TimeProvider clock)
{
    public Task<IActionResult> NewEventFormAsync(HttpRequest request, CancellationToken ct) => policy.ForUser(request, ct, async (user, _) =>
    {
        var start = clock.GetUtcNow().AddDays(14);
        var local = TimeZoneInfo.ConvertTime(start, TimeZoneInfo.FindSystemTimeZoneById(EventValidator.DefaultTimeZone)).Date.AddHours(14);
        var values = new Dictionary<string, string>
        {
            ["kind"] = "salon",
            ["start"] = local.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture),
            ["end"] = local.AddHours(2).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture),
            ["capacity"] = "30",
            ["waitlistAllowed"] = "on",
            ["organiserName"] = user.Unit,
            ["organiserEmail"] = user.Email,
            ["unit"] = user.Unit,
        };
        return await eventPages.FormPageAsync(user, null, values, null, null, 200, ct);
    });

    public Task<IActionResult> CreateEventAsync(HttpRequest request, CancellationToken ct) => policy.ForUser(request, ct, async (user, form) =>
    {
        var values = EventForm.Values(form!);
        var unit = UnitFor(user, values);
        var input = EventForm.ToInput(values, unit);
        var action = form!["action"].FirstOrDefault();
        if (action == "edit") return await eventPages.FormPageAsync(user, null, values, null, null, 200, ct);
        if (action == "preview") return await eventPages.PreviewAsync(user, null, values, input, ct);

        var outcome = await events.CreateAsync(input, ct);
        switch (outcome)
        {
            case EventOutcome.Created created:
                await audit.RecordAsync(created.Event.Id, user, "创建 Created", $"{created.Event.Kind}, {created.Event.Capacity} seats", "OK", ct);
                return ConsolePolicy.SeeOther($"{Paths.Console.Event(created.Event.Id)}?done=created");
            case EventOutcome.Invalid invalid:
                return await eventPages.FormPageAsync(user, null, values, invalid.Errors, null, 400, ct);
            default:
                return await eventPages.FormPageAsync(user, null, values, null, ConsolePolicy.Busy, 503, ct, unavailable: request);
        }
    }, isChange: true);

    public Task<IActionResult> EditEventFormAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
        await eventPages.FormPageAsync(user, e.Id, EventForm.FromRecord(e), null, null, 200, ct));

    public Task<IActionResult> UpdateEventAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, form) =>
    {
        var values = EventForm.Values(form!);
        var unit = UnitFor(user, values, e.Unit);
        var input = EventForm.ToInput(values, unit);
        var action = form!["action"].FirstOrDefault();
        if (action == "edit") return await eventPages.FormPageAsync(user, e.Id, values, null, null, 200, ct);
        if (action == "preview") return await eventPages.PreviewAsync(user, e, values, input, ct);

        var outcome = await events.UpdateAsync(e.Id, input, ct);
        await RecordAsync(e, user, "编辑 Edited", Changes(e, outcome), outcome, ct);
        return outcome switch
        {
            EventOutcome.Ok => ConsolePolicy.SeeOther($"{Paths.Console.Event(e.Id)}?done=updated"),
            EventOutcome.Invalid invalid => await eventPages.FormPageAsync(user, e.Id, values, invalid.Errors, null, 400, ct),
            EventOutcome.NotFound => await policy.MessageAsync(user, 404, "找不到活动 Event not found", "此活动不存在。No event has this id."),
            EventOutcome.Unknown => await eventPages.FormPageAsync(user, e.Id, values, null, ConsolePolicy.Unknown, 503, ct, unavailable: request),
            _ => await eventPages.FormPageAsync(user, e.Id, values, null, ConsolePolicy.Busy, 503, ct, unavailable: request),
        };
    }, isChange: true);

    // ---- Event page and actions ----

    public Task<IActionResult> EventPageAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
    {
        var search = Input.Clean(request.Query["q"].FirstOrDefault());
        var flash = request.Query["done"].FirstOrDefault() switch
        {
            "created" => "活动已发布 The event is published.",
            "updated" => "已保存 Saved.",
            "capacity" => "名额已修改 Seats changed.",
            "closed" => "报名已截止 Sign-up is closed.",
            "door-revoked" => "旧签到链接已停用，请把下方新链接发给签到志愿者 The old door links no longer work: give door staff the new one below.",
            "cancelled" => "活动已取消 The event is cancelled.",
            "removed" => "已移除该报名 The registration is removed.",
            "removed-notified" => "已移除该报名，并已发邮件通知本人 The registration is removed; they are told by email.",
            "resent" => "确认邮件将重新发送 The confirmation will be sent again.",
            "checkedin" => "已签到 Checked in.",
            "undone" => "已撤销签到 Check-in taken back.",
            _ => null,
        };
        return await eventPages.ShowAsync(user, e, search, flash, null, 200, ct);
    });

    public Task<IActionResult> SetCapacityAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, form) =>
    {
        if (!int.TryParse(form!["capacity"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var capacity))
            return await eventPages.ShowAsync(user, e, null, null, "名额须为正整数 Seats must be a whole number.", 400, ct);
        var outcome = await events.SetCapacityAsync(e.Id, capacity, ct);
        await RecordAsync(e, user, "修改名额 Seats", $"{e.Capacity} → {capacity}", outcome, ct);
        return await eventPages.AfterChangeAsync(request, user, e, outcome, "capacity", ct);
    }, isChange: true);

    public Task<IActionResult> CloseSignUpAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
    {
        var outcome = await events.CloseSignUpAsync(e.Id, ct);
        await RecordAsync(e, user, "截止报名 Closed sign-up", "", outcome, ct);
        return await eventPages.AfterChangeAsync(request, user, e, outcome, "closed", ct);
    }, isChange: true);

    public Task<IActionResult> RevokeDoorLinksAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
    {
        var outcome = await events.RevokeDoorLinksAsync(e.Id, ct);
        await RecordAsync(e, user, "停用签到链接 Revoked door links", "", outcome, ct);
        return await eventPages.AfterChangeAsync(request, user, e, outcome, "door-revoked", ct);
    }, isChange: true);

    public Task<IActionResult> CancelEventAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, form) =>
    {
        if (form!["confirm"].FirstOrDefault() != "yes")
            return await eventPages.ShowAsync(user, e, null, null, "请勾选“确认取消”再取消活动 Tick “I am sure” to cancel the event.", 400, ct);
        var outcome = await events.CancelEventAsync(e.Id, ct);
        await RecordAsync(e, user, "取消活动 Cancelled the event", "", outcome, ct);
        return await eventPages.AfterChangeAsync(request, user, e, outcome, "cancelled", ct);
    }, isChange: true);

    public Task<IActionResult> SharePageAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
        ConsolePolicy.Page(await pages.RenderAsync<SharePage>(new()
        {
            [nameof(SharePage.User)] = user,
            [nameof(SharePage.Csrf)] = policy.Csrf(user),
            [nameof(SharePage.Event)] = e,
            [nameof(SharePage.SignUpUrl)] = events.SignUpUrl(e.Id),
        })));

    public Task<IActionResult> QrCodeAsync(HttpRequest request, string eventId, string format, CancellationToken ct) => policy.ForEvent(request, eventId, ct, (_, e, _) =>
    {
        var url = events.SignUpUrl(e.Id);
        IActionResult result = format == "svg"
            ? new FileContentResult(Encoding.UTF8.GetBytes(QrCodes.Svg(url)), "image/svg+xml")
            : new FileContentResult(QrCodes.Png(url), "image/png");
        request.HttpContext.Response.Headers.CacheControl = "private, max-age=3600";
        return Task.FromResult(result);
    });

    public Task<IActionResult> PosterAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (_, e, _) =>
        ConsolePolicy.Page(await pages.RenderAsync<PosterPage>(new()
        {
            [nameof(PosterPage.Event)] = e,
            [nameof(PosterPage.SignUpUrl)] = events.SignUpUrl(e.Id),
        })));

    private static string UnitFor(ConsoleUser user, IReadOnlyDictionary<string, string> values, string? current = null) =>
        user.IsAdmin ? (values.TryGetValue("unit", out var u) && !string.IsNullOrWhiteSpace(u) ? u : current ?? user.Unit) : current ?? user.Unit;

    private static string Changes(EventRecord before, EventOutcome outcome)
    {
        if (outcome is not EventOutcome.Ok { Event: var after }) return "";
        var changed = new List<string>();
        if (before.Title != after.Title) changed.Add("title");
        if (before.Capacity != after.Capacity) changed.Add($"capacity {before.Capacity}→{after.Capacity}");
        if (before.ToLocal(before.StartUtc) != after.Start || before.ToLocal(before.EndUtc) != after.End) changed.Add("time");
        if (before.Venue != after.Venue || before.Address != after.Address) changed.Add("place");
        if (before.Unit != after.Unit) changed.Add($"unit {before.Unit}→{after.Unit}");
        return changed.Count == 0 ? "details" : string.Join(", ", changed);
    }

    /// <summary>An organiser's action in the event's history, unless it changed nothing (closing an event already closed).</summary>
    private Task RecordAsync(EventRecord e, ConsoleUser user, string action, string detail, EventOutcome outcome, CancellationToken ct) =>
        outcome is EventOutcome.Ok { Unchanged: true } ? Task.CompletedTask : audit.RecordAsync(e.Id, user, action, detail, outcome.GetType().Name, ct);
}
