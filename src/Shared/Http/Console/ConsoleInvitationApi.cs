using System.Globalization;
using EventFunctions.Shared.Console;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Units;
using EventFunctions.Shared.Web;
using EventFunctions.Shared.Web.Console;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace EventFunctions.Shared.Http;

/// <summary>
/// An event's invitation, from its console page: which member units are invited and their seats, the shared pool,
/// when unused seats are released; each unit's signed sign-up link and QR code, and its contact's link.
/// </summary>
public sealed class ConsoleInvitationApi(ConsolePolicy policy, EventService events, UnitDirectory units, UnitLinks links, UnitMail mail, Storage.EventStore store, AuditLog audit, PageRenderer pages)
{
    public const int MaxSeatsPerUnit = 1000;

    public Task<IActionResult> PageAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
    {
        var flash = request.Query["done"].FirstOrDefault() switch
        {
            "saved" => UnitText.FlashInvitationSaved.Inline,
            "opened" => UnitText.FlashOpened.Inline,
            "released" => UnitText.FlashReleased.Inline,
            _ => null,
        };
        return await PageAsync(user, e, null, null, flash, 200, ct);
    });

    public Task<IActionResult> SaveAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, form) =>
    {
        var directory = await units.ListAsync(ct);
        var values = form!.Keys.Where(k => k.StartsWith("seats.", StringComparison.Ordinal) || k is "pool" or "releaseAt" or "seatsEach" or "public")
            .ToDictionary(k => k, k => form[k].FirstOrDefault() ?? "", StringComparer.Ordinal);
        var action = form["action"].FirstOrDefault();
        var errors = new FieldErrors();
        Invitation? invitation = null;
        if (action != "open")
        {
            if (action == "all")
            {
                // "Invite every active unit, N each": fills the form's seats, then saved as any other.
                if (!TryWhole(values.GetValueOrDefault("seatsEach"), MaxSeatsPerUnit, out var each)) errors.Add("seatsEach", UnitText.SeatsWholeNumber);
                else foreach (var u in directory.Where(u => u.Active)) values["seats." + u.Id] = each.ToString(CultureInfo.InvariantCulture);
            }

            invitation = Read(e, directory, values, errors);
        }

        if (errors.Any) return await PageAsync(user, e, values, errors, null, 400, ct);
        var outcome = await events.SetInvitationAsync(e.Id, invitation, ct);
        if (outcome is EventOutcome.Ok { Unchanged: false } or EventOutcome.Unknown)
        {
            var detail = invitation is null ? UnitText.OpenEvent.Inline : $"{invitation.Units.Count} × {string.Join(", ", invitation.Units.Select(u => $"{u.Name} {u.Seats}"))}; pool {invitation.Pool}";
            await audit.RecordAsync(e.Id, user, UnitText.AuditInvitation.Inline, detail, outcome.GetType().Name, ct);
        }

        return outcome switch
        {
            EventOutcome.Ok => ConsolePolicy.SeeOther($"{Paths.Console.Invitation(e.Id)}?done={(invitation is null ? "opened" : "saved")}"),
            EventOutcome.Invalid invalid => await PageAsync(user, e, values, invalid.Errors, null, 400, ct),
            EventOutcome.NotFound => await policy.MessageAsync(user, 404, ConsoleMessages.EventNotFound.Inline, ConsoleMessages.EventNotFoundExplain.Inline),
            EventOutcome.Unknown => HttpIO.Unavailable(request, await PageAsync(user, e, values, null, ConsolePolicy.Unknown, 503, ct)),
            _ => HttpIO.Unavailable(request, await PageAsync(user, e, values, null, ConsolePolicy.Busy, 503, ct)),
        };
    }, isChange: true);

    public Task<IActionResult> ReleaseAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
    {
        var outcome = await events.ReleaseUnitSeatsAsync(e.Id, dueBy: null, ct);
        await audit.RecordAsync(e.Id, user, UnitText.AuditReleased.Inline, "", outcome.GetType().Name, ct);
        return outcome switch
        {
            EventOutcome.Ok => ConsolePolicy.SeeOther($"{Paths.Console.Invitation(e.Id)}?done=released"),
            EventOutcome.Unknown => HttpIO.Unavailable(request, await PageAsync(user, e, null, null, ConsolePolicy.Unknown, 503, ct)),
            _ => HttpIO.Unavailable(request, await PageAsync(user, e, null, null, ConsolePolicy.Busy, 503, ct)),
        };
    }, isChange: true);

    public Task<IActionResult> SendAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
    {
        var sent = await mail.SendInvitationsAsync(e, ct);
        var flash = UnitText.FlashInvitationsSent(sent.Queued, sent.WithoutEmail);
        await audit.RecordAsync(e.Id, user, UnitText.AuditSentInvitations.Inline, flash.Inline, "OK", ct);
        return await PageAsync(user, e, null, null, flash.Inline, 200, ct);
    }, isChange: true);

    /// <summary>An invited unit's sign-up link as a QR code (PNG), for its contact to forward or print.</summary>
    public Task<IActionResult> QrAsync(HttpRequest request, string eventId, string unitId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
    {
        if (e.Invitation?.Find(unitId) is null) return await policy.MessageAsync(user, 404, UnitText.UnitNotFound.Inline, UnitText.UnitNotFound.Inline, Paths.Console.Invitation(e.Id), UnitText.Invitation.Inline);
        request.HttpContext.Response.Headers.CacheControl = "private, max-age=300";
        return new FileContentResult(QrCodes.Png(links.SignUpLink(e, unitId)), "image/png");
    });

    /// <summary>The invitation the form asks for, or null with <paramref name="errors"/> saying what is wrong where.</summary>
    private static Invitation? Read(EventRecord e, IReadOnlyList<UnitView> directory, Dictionary<string, string> values, FieldErrors errors)
    {
        var invited = new List<InvitedUnit>();
        foreach (var u in directory)
        {
            var field = "seats." + u.Id;
            if (Input.Clean(values.GetValueOrDefault(field)) is not { } text) continue;
            if (!TryWhole(text, MaxSeatsPerUnit, out var seats)) errors.Add(field, UnitText.SeatsWholeNumber);
            else if (!u.Active && e.Invitation?.Find(u.Id) is null) errors.Add(field, UnitText.UnitInactive);
            else invited.Add(new InvitedUnit(u.Id, u.Name, seats));
        }

        // A unit invited before and since deleted from the form's list cannot be (units are never deleted), so the
        // list above is every unit there is.
        var pool = 0;
        if (Input.Clean(values.GetValueOrDefault("pool")) is { } poolText && !TryWhole(poolText, EventValidator.MaxCapacity, out pool))
            errors.Add("pool", UnitText.PoolWholeNumber);
        var release = EventValidator.LocalTime(values.GetValueOrDefault("releaseAt"), "releaseAt", e.Zone, required: false, errors);
        if (invited.Count == 0 && pool == 0 && !errors.Any) errors.Add("invitation", EventRuleText.InvitationNoSeats);
        return errors.Any ? null : new Invitation(invited, pool) { ReleaseUtc = release, Public = values.GetValueOrDefault("public") is "on" or "true" };
    }

    private static bool TryWhole(string? text, int max, out int value) =>
        int.TryParse(Input.Clean(text), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 0 && value <= max;

    private async Task<IActionResult> PageAsync(ConsoleUser user, EventRecord e, IReadOnlyDictionary<string, string>? values, FieldErrors? errors, string? flash, int status, CancellationToken ct)
    {
        var directory = await units.ListAsync(ct);
        var shown = directory.Where(u => u.Active || e.Invitation?.Find(u.Id) is not null).ToList();
        var form = values ?? Values(e);
        return ConsolePolicy.Page(await pages.RenderAsync<InvitationPage>(new()
        {
            [nameof(InvitationPage.User)] = user,
            [nameof(InvitationPage.Csrf)] = policy.Csrf(user),
            [nameof(InvitationPage.Event)] = e,
            [nameof(InvitationPage.Units)] = shown,
            [nameof(InvitationPage.Values)] = form,
            [nameof(InvitationPage.Errors)] = errors,
            [nameof(InvitationPage.Flash)] = flash,
            [nameof(InvitationPage.Links)] = e.Invitation?.Units.ToDictionary(u => u.UnitId, u => (links.SignUpLink(e, u.UnitId), links.ContactLink(e, u.UnitId))) ?? [],
            [nameof(InvitationPage.Mail)] = e.Invitation is null ? new Dictionary<string, string>() : await MailStateAsync(e, directory, ct),
        }), status);
    }

    /// <summary>Each invited unit's latest invitation email as the console says it: sent when, on its way, failed, or none.</summary>
    private async Task<Dictionary<string, string>> MailStateAsync(EventRecord e, IReadOnlyList<UnitView> directory, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var latest = new Dictionary<string, Registrations.RegistrationEntity>(StringComparer.Ordinal);
        var filter = Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {e.Id} and RowKey ge {Ids.UnitMailPrefix} and RowKey lt {"unitmail."} and Status eq {Registrations.RegistrationStatus.UnitInvitation}");
        await foreach (var row in table.QueryAsync<Registrations.RegistrationEntity>(filter, cancellationToken: ct))
        {
            if (row.UnitId is { } id && (!latest.TryGetValue(id, out var seen) || seen.CreatedUtc < row.CreatedUtc)) latest[id] = row;
        }

        var state = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var u in e.Invitation!.Units)
        {
            state[u.UnitId] = latest.GetValueOrDefault(u.UnitId) is not { } row
                ? directory.FirstOrDefault(d => d.Id == u.UnitId)?.ContactEmail is null ? UnitText.NoContactEmail.Inline : UnitText.NotSentYet.Inline
                : row.EmailSentUtc is { } at ? $"{ConsoleFormat.Local(e, at)}{(string.IsNullOrEmpty(row.EmailError) ? "" : " · " + row.EmailError)}{(row.DeliveryStatus is { } d ? " · " + d : "")}"
                : UnitText.Sending.Inline;
        }

        return state;
    }

    private static Dictionary<string, string> Values(EventRecord e)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (e.Invitation is not { } invitation) return values;
        foreach (var u in invitation.Units) values["seats." + u.UnitId] = u.Seats.ToString(CultureInfo.InvariantCulture);
        values["pool"] = invitation.Pool.ToString(CultureInfo.InvariantCulture);
        if (invitation.Public) values["public"] = "on";
        if (invitation.ReleaseUtc is { } release) values["releaseAt"] = e.ToLocal(release).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
        return values;
    }
}
