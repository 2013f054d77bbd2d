using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Units;
using EventFunctions.Shared.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Shared.Http;

/// <summary>
/// An invited unit's contact, from the link the invitation emails them (signed for the event and the unit, never the
/// sign-up link colleagues pass round): who from the unit signed up, and cancelling for one of them (they are told by
/// email, as when an organiser removes someone). Nothing of other units is shown or reachable.
/// </summary>
public sealed class UnitContactApi(
    EventService events,
    Attendance.AttendanceService attendance,
    EventLedger ledger,
    UnitLinks links,
    Security.Signer signer,
    PublicLimits limits,
    PageRenderer pages,
    TimeProvider clock,
    ILogger<UnitContactApi> log)
{
    private static readonly TimeSpan FormLifetime = TimeSpan.FromHours(12);

    public async Task<IActionResult> PageAsync(HttpRequest request, string eventId, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        if (limits.Refuse(request, PublicAction.Page) is { } wait) return await PublicLimits.TooManyPageAsync(request, wait, text, pages);
        return await HttpIO.GuardPageAsync(request, log, text, pages, async () =>
        {
            var token = request.Query["k"].FirstOrDefault();
            var (e, unit) = await FindAsync(eventId, token, ct);
            if (e is null || unit is null) return await InvalidAsync(text);
            return HttpIO.Html(await RenderAsync(e, unit, token!, text, null, ct));
        });
    }

    public async Task<IActionResult> CancelAsync(HttpRequest request, string eventId, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        var read = await HttpIO.ReadFormAsync(request, text, pages, ct);
        if (read.Error is not null) return read.Error;
        var form = read.Value!;
        text = HttpIO.Language(request, form["lang"].FirstOrDefault());
        if (limits.Refuse(request, PublicAction.Page) is { } wait) return await PublicLimits.TooManyPageAsync(request, wait, text, pages);
        return await HttpIO.GuardPageAsync(request, log, text, pages, async () =>
        {
            var token = form["k"].FirstOrDefault();
            var (e, unit) = await FindAsync(eventId, token, ct);
            if (e is null || unit is null) return await InvalidAsync(text);
            // The page's own form (a site elsewhere cannot post it: it cannot read the page's token).
            if (signer.Verify("unit-form:" + e.Id, form["af"].FirstOrDefault()) != unit.UnitId) return HttpIO.Html(await RenderAsync(e, unit, token!, text, null, ct), 403);

            var registrationId = form["r"].FirstOrDefault();
            var row = (await attendance.ListAsync(e.Id, ct)).FirstOrDefault(r => r.RegistrationId == registrationId && r.UnitId == unit.UnitId
                && r.Status is RegistrationStatus.Confirmed or RegistrationStatus.Held or RegistrationStatus.Waitlisted);
            if (row is null) return HttpIO.Html(await RenderAsync(e, unit, token!, text, null, ct), 404);
            var notify = !e.Cancelled && e.EndUtc > clock.GetUtcNow();
            var result = await ledger.CancelAsync(e.Id, row.RowKey, row.RegistrationId, notifyRemoved: notify);
            log.LogInformation("Event {EventId}: unit {UnitId}'s contact cancelled {RegistrationId}: {Result}", e.Id, unit.UnitId, row.RegistrationId, result.GetType().Name);
            return result switch
            {
                CancelResult.Cancelled => HttpIO.Html(await RenderAsync((await events.FindAsync(e.Id, ct)) ?? e, unit, token!, text, text.UnitCancelled, ct)),
                CancelResult.NotFound => HttpIO.Html(await RenderAsync(e, unit, token!, text, null, ct), 404),
                _ => HttpIO.Unavailable(request, HttpIO.Html(await RenderAsync(e, unit, token!, text, text.Unavailable, ct), 503)),
            };
        });
    }

    private async Task<(EventRecord? Event, InvitedUnit? Unit)> FindAsync(string eventId, string? token, CancellationToken ct)
    {
        if (!Ids.IsValidEventId(eventId) || links.ContactUnit(eventId, token) is not { } unitId) return (null, null);
        var e = await events.FindAsync(eventId, ct);
        return (e, e?.Invitation?.Find(unitId));
    }

    private async Task<string> RenderAsync(EventRecord e, InvitedUnit unit, string token, UiText text, string? message, CancellationToken ct)
    {
        var people = (await attendance.ListAsync(e.Id, ct))
            .Where(r => r.UnitId == unit.UnitId && r.Status is RegistrationStatus.Confirmed or RegistrationStatus.Held or RegistrationStatus.Waitlisted)
            .OrderBy(r => r.Status == RegistrationStatus.Waitlisted).ThenBy(r => r.Sequence).ToList();
        return await pages.RenderAsync<UnitContactPage>(new()
        {
            [nameof(UnitContactPage.Event)] = e,
            [nameof(UnitContactPage.Unit)] = unit,
            [nameof(UnitContactPage.Text)] = text,
            [nameof(UnitContactPage.People)] = people,
            [nameof(UnitContactPage.Token)] = token,
            [nameof(UnitContactPage.FormToken)] = signer.Sign("unit-form:" + e.Id, unit.UnitId, clock.GetUtcNow() + FormLifetime),
            [nameof(UnitContactPage.SignUpLink)] = links.SignUpLink(e, unit.UnitId),
            [nameof(UnitContactPage.SwitchUrl)] = $"{Paths.UnitContact(e.Id)}?k={Uri.EscapeDataString(token)}&lang={text.OtherCode}",
            [nameof(UnitContactPage.Message)] = message,
        });
    }

    private async Task<IActionResult> InvalidAsync(UiText text) =>
        HttpIO.Html(await pages.RenderAsync<ResultPage>(new()
        {
            [nameof(ResultPage.Text)] = text,
            [nameof(ResultPage.Heading)] = text.UnitContactLinkInvalid,
            [nameof(ResultPage.Lines)] = Array.Empty<string>(),
        }), 403);
}
