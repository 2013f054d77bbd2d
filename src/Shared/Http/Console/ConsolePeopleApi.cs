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

/// <summary>What organisers do for one person on the event page: remove them, resend their confirmation, check them in or undo it.</summary>
public sealed class ConsolePeopleApi(
    ConsolePolicy policy,
    ConsoleEventPages eventPages,
    ConsoleQueries queries,
    EventLedger ledger,
    Attendance.AttendanceService attendance,
    Notifications.ResendService resend,
    AuditLog audit,
    TimeProvider clock)
{
    public Task<IActionResult> RemoveRegistrationAsync(HttpRequest request, string eventId, string registrationId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, form) =>
    {
        var row = await queries.FindRegistrationAsync(e.Id, registrationId, ct);
        if (row is null) return await eventPages.ShowAsync(user, e, null, null, ConsoleMessages.NoSuchRegistration.Inline, 404, ct);
        if (form!["confirm"].FirstOrDefault() != "yes")
            return await eventPages.ShowAsync(user, e, null, null, ConsoleMessages.TickSureToRemove.Inline, 400, ct);
        // The person is told (an email in their language) unless the organiser ticks "do not notify"; nobody is told
        // about an event already over or cancelled (its notices have said what there is to say).
        var notify = form!["quiet"].FirstOrDefault() != "yes" && !e.Cancelled && e.EndUtc > clock.GetUtcNow();
        var result = await ledger.CancelAsync(e.Id, row.RowKey, row.RegistrationId, notifyRemoved: notify);
        await audit.RecordAsync(e.Id, user, notify ? ConsoleMessages.AuditRemovedAndTold.Inline : ConsoleMessages.AuditRemovedQuietly.Inline,
            row.RegistrationId, result.GetType().Name, ct);
        return result switch
        {
            CancelResult.Cancelled => ConsolePolicy.SeeOther($"{Paths.Console.Event(e.Id)}?done={(notify ? "removed-notified" : "removed")}"),
            CancelResult.NotFound => await eventPages.ShowAsync(user, e, null, null, ConsoleMessages.NoSuchRegistration.Inline, 404, ct),
            CancelResult.Unknown => HttpIO.Unavailable(request, await eventPages.ShowAsync(user, e, null, null, ConsolePolicy.Unknown, 503, ct)),
            _ => HttpIO.Unavailable(request, await eventPages.ShowAsync(user, e, null, null, ConsolePolicy.Busy, 503, ct)),
        };
    }, isChange: true);

    /// <summary>Sends a person's confirmation again (for their current status), e.g. after a bounce.</summary>
    public Task<IActionResult> ResendAsync(HttpRequest request, string eventId, string registrationId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
    {
        var outcome = await resend.ResendAsync(e.Id, registrationId, "organiser:" + user.Email, ct);
        await audit.RecordAsync(e.Id, user, ConsoleMessages.AuditResent.Inline, registrationId, outcome.GetType().Name, ct);
        return outcome switch
        {
            Notifications.ResendOutcome.Queued => ConsolePolicy.SeeOther($"{Paths.Console.Event(e.Id)}?done=resent"),
            Notifications.ResendOutcome.Limited => await eventPages.ShowAsync(user, e, null, null, ConsoleMessages.ResendDailyCap(Notifications.ResendService.OrganiserMaxPerDay).Inline, 429, ct),
            Notifications.ResendOutcome.NotFound => await eventPages.ShowAsync(user, e, null, null, ConsoleMessages.NoSuchRegistration.Inline, 404, ct),
            _ => HttpIO.Unavailable(request, await eventPages.ShowAsync(user, e, null, null, ConsolePolicy.Busy, 503, ct)),
        };
    }, isChange: true);

    /// <summary>An organiser checks someone in from the event page (or takes a check-in back): the same ledger operation as the door's.</summary>
    public Task<IActionResult> CheckInAsync(HttpRequest request, string eventId, string registrationId, bool undo, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, form) =>
    {
        var key = form!["key"].FirstOrDefault();
        // The row the form names must be the person the route names: the history records, and the change acts on, one id.
        var row = key is not null && (key.StartsWith("reg-", StringComparison.Ordinal) || key.StartsWith("walkin-", StringComparison.Ordinal))
            ? await queries.FindRowAsync(e.Id, key, ct) : null;
        if (row is null || row.RegistrationId != registrationId)
            return await eventPages.ShowAsync(user, e, null, null, ConsoleMessages.NoSuchPerson.Inline, 404, ct);
        var actor = "organiser:" + user.Email;
        var outcome = undo ? await attendance.UndoAsync(e.Id, row.RowKey, actor, ct) : await attendance.CheckInAsync(e.Id, row.RowKey, actor, ct);
        await audit.RecordAsync(e.Id, user, undo ? ConsoleMessages.AuditUndidCheckIn.Inline : ConsoleMessages.AuditCheckedIn.Inline, row.RegistrationId, outcome.GetType().Name, ct);
        return outcome switch
        {
            Attendance.CheckInOutcome.CheckedIn or Attendance.CheckInOutcome.Undone => ConsolePolicy.SeeOther($"{Paths.Console.Event(e.Id)}?done={(undo ? "undone" : "checkedin")}"),
            Attendance.CheckInOutcome.AlreadyCheckedIn a => await eventPages.ShowAsync(user, e, null, ConsoleMessages.AlreadyCheckedIn(ConsoleFormat.Local(e, a.At)).Inline, null, 200, ct),
            Attendance.CheckInOutcome.NotCheckedIn => await eventPages.ShowAsync(user, e, null, ConsoleMessages.NotCheckedIn.Inline, null, 200, ct),
            Attendance.CheckInOutcome.Refused r => await eventPages.ShowAsync(user, e, null, null, Attendance.DoorApi.Refusal(Attendance.DoorText.Chinese, r.Reason), 409, ct),
            Attendance.CheckInOutcome.Unknown => HttpIO.Unavailable(request, await eventPages.ShowAsync(user, e, null, null, ConsolePolicy.Unknown, 503, ct)),
            _ => HttpIO.Unavailable(request, await eventPages.ShowAsync(user, e, null, null, ConsolePolicy.Busy, 503, ct)),
        };
    }, isChange: true);
}
