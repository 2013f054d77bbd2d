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
    Admission.LotteryService lottery,
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
            ["confirmEmail"] = "on", // public sign-ups need a real person unless the organiser says otherwise
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
                await audit.RecordAsync(created.Event.Id, user, ConsoleMessages.AuditCreated.Inline, $"{created.Event.Kind}, {created.Event.Capacity} seats", "OK", ct);
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
        await RecordAsync(e, user, ConsoleMessages.AuditEdited.Inline, Changes(e, outcome), outcome, ct);
        return outcome switch
        {
            EventOutcome.Ok => ConsolePolicy.SeeOther($"{Paths.Console.Event(e.Id)}?done=updated"),
            EventOutcome.Invalid invalid => await eventPages.FormPageAsync(user, e.Id, values, invalid.Errors, null, 400, ct),
            EventOutcome.NotFound => await policy.MessageAsync(user, 404, ConsoleMessages.EventNotFound.Inline, ConsoleMessages.EventNotFoundExplain.Inline),
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
            "created" => ConsoleMessages.FlashCreated.Inline,
            "updated" => ConsoleMessages.FlashUpdated.Inline,
            "capacity" => ConsoleMessages.FlashCapacity.Inline,
            "closed" => ConsoleMessages.FlashClosed.Inline,
            "door-revoked" => ConsoleMessages.FlashDoorRevoked.Inline,
            "cancelled" => ConsoleMessages.FlashCancelled.Inline,
            "removed" => ConsoleMessages.FlashRemoved.Inline,
            "removed-notified" => ConsoleMessages.FlashRemovedNotified.Inline,
            "resent" => ConsoleMessages.FlashResent.Inline,
            "checkedin" => ConsoleMessages.FlashCheckedIn.Inline,
            "undone" => ConsoleMessages.FlashUndone.Inline,
            "drawn" => UnitText.LotteryDrawnNow.Inline,
            _ => null,
        };
        return await eventPages.ShowAsync(user, e, search, flash, null, 200, ct);
    });

    public Task<IActionResult> SetCapacityAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, form) =>
    {
        if (!int.TryParse(form!["capacity"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var capacity))
            return await eventPages.ShowAsync(user, e, null, null, ConsoleMessages.SeatsWholeNumber.Inline, 400, ct);
        var outcome = await events.SetCapacityAsync(e.Id, capacity, ct);
        await RecordAsync(e, user, ConsoleMessages.AuditSeats.Inline, $"{e.Capacity} → {capacity}", outcome, ct);
        return await eventPages.AfterChangeAsync(request, user, e, outcome, "capacity", ct);
    }, isChange: true);

    public Task<IActionResult> CloseSignUpAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
    {
        var outcome = await events.CloseSignUpAsync(e.Id, ct);
        await RecordAsync(e, user, ConsoleMessages.AuditClosed.Inline, "", outcome, ct);
        return await eventPages.AfterChangeAsync(request, user, e, outcome, "closed", ct);
    }, isChange: true);

    /// <summary>
    /// "Draw now": the organiser's way of running a due draw without waiting for the sweep (never before its time,
    /// which keeps the draw out of anyone's hands); a second press, or one after the sweep drew, is told it is drawn.
    /// </summary>
    public Task<IActionResult> DrawLotteryAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
    {
        var result = await lottery.DrawAsync(e.Id, ct);
        if (result is Ledger.DrawResult.Drawn) await audit.RecordAsync(e.Id, user, UnitText.LotteryDrawNow.Inline, "", result.GetType().Name, ct);
        return result switch
        {
            Ledger.DrawResult.Drawn => ConsolePolicy.SeeOther($"{Paths.Console.Event(e.Id)}?done=drawn"),
            Ledger.DrawResult.AlreadyDrawn => await eventPages.ShowAsync(user, e, null, null, UnitText.LotteryAlreadyDrawn.Inline, 409, ct),
            Ledger.DrawResult.NotDue => await eventPages.ShowAsync(user, e, null, null, UnitText.LotteryNotDue.Inline, 409, ct),
            Ledger.DrawResult.EventGone => await policy.MessageAsync(user, 404, ConsoleMessages.EventNotFound.Inline, ConsoleMessages.EventNotFoundExplain.Inline),
            _ => HttpIO.Unavailable(request, await eventPages.ShowAsync(user, e, null, null, ConsolePolicy.Busy, 503, ct)),
        };
    }, isChange: true);

    public Task<IActionResult> RevokeDoorLinksAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
    {
        var outcome = await events.RevokeDoorLinksAsync(e.Id, ct);
        await RecordAsync(e, user, ConsoleMessages.AuditRevokedDoor.Inline, "", outcome, ct);
        return await eventPages.AfterChangeAsync(request, user, e, outcome, "door-revoked", ct);
    }, isChange: true);

    public Task<IActionResult> CancelEventAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, form) =>
    {
        if (form!["confirm"].FirstOrDefault() != "yes")
            return await eventPages.ShowAsync(user, e, null, null, ConsoleMessages.TickSureToCancel.Inline, 400, ct);
        var outcome = await events.CancelEventAsync(e.Id, ct);
        await RecordAsync(e, user, ConsoleMessages.AuditCancelled.Inline, "", outcome, ct);
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
