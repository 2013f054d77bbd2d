using EventFunctions.Shared.Console;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace EventFunctions.Shared.Http;

/// <summary>
/// Approving and declining pending sign-ups from the event page, one or many at once (each through the ledger: an
/// approval takes a seat or a waitlist place by the seat rules, never more), and letting a declined person sign up
/// again.
/// </summary>
public sealed class ConsoleApprovalApi(ConsolePolicy policy, ConsoleEventPages eventPages, EventLedger ledger, Storage.EventStore store, AuditLog audit)
{
    /// <summary>Form fields <c>r.{registrationId}</c> (ticked) and <c>decision</c> (<c>approve</c> or <c>decline</c>).</summary>
    public Task<IActionResult> DecideAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, form) =>
    {
        var approve = form!["decision"].FirstOrDefault() == "approve";
        var ids = form.Keys.Where(k => k.StartsWith("r.", StringComparison.Ordinal) && form[k].FirstOrDefault() is "on" or "true")
            .Select(k => k[2..]).Where(Ids.IsValidRegistrationId).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0) return await eventPages.ShowAsync(user, e, null, null, ApprovalText.ChooseSomeone.Inline, 400, ct);

        var rows = await PendingAsync(e.Id, ids, ct);
        var results = await Task.WhenAll(ids.Select(id => rows.TryGetValue(id, out var row)
            ? ledger.DecideAsync(e.Id, row.RowKey, id, approve, user.Actor)
            : Task.FromResult<DecideResult>(new DecideResult.NotFound())));
        var decided = results.OfType<DecideResult.Decided>().Select(d => d.Row).ToList();
        int approved = decided.Count(r => r.Status != RegistrationStatus.Declined), waitlisted = decided.Count(r => r.Status == RegistrationStatus.Waitlisted);
        int declined = decided.Count(r => r.Status == RegistrationStatus.Declined);
        int already = results.Count(r => r is DecideResult.AlreadyDecided or DecideResult.NotFound), full = results.Count(r => r is DecideResult.Full);
        var flash = ApprovalText.FlashDecided(approved, waitlisted, declined, already, full);
        await audit.RecordAsync(e.Id, user, ApprovalText.AuditDecided.Inline, $"{string.Join(",", decided.Select(r => r.RegistrationId))}: {flash.En}", decided.Count > 0 ? "OK" : "Unchanged", ct);
        if (results.Any(r => r is DecideResult.NotSaved or DecideResult.Unknown))
            return HttpIO.Unavailable(request, await eventPages.ShowAsync(user, e, null, flash.Inline, ConsolePolicy.Busy, 503, ct));
        return await eventPages.ShowAsync(user, (await FreshAsync(e.Id, ct)) ?? e, null, flash.Inline, null, 200, ct);
    }, isChange: true);

    /// <summary>Deletes a declined person's record, so the same address can sign up again.</summary>
    public Task<IActionResult> AllowAgainAsync(HttpRequest request, string eventId, string registrationId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
    {
        var table = await store.TableAsync(ct);
        RegistrationEntity? row = null;
        await foreach (var r in table.QueryAsync<RegistrationEntity>(x => x.PartitionKey == e.Id && x.RegistrationId == registrationId, cancellationToken: ct))
            if (r.Status == RegistrationStatus.Declined) row = r;
        if (row is null) return await eventPages.ShowAsync(user, e, null, null, ConsoleMessages.NoSuchRegistration.Inline, 404, ct);
        // Not a seat or a place (the ledger's counters never counted it), and declined is final (nothing turns it into
        // anything else): deleted whatever its ETag, since the email sender recording the "declined" email moves it
        // (a delete under the ETag read lost that race now and then, as a 500).
        await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, Azure.ETag.All, ct);
        await audit.RecordAsync(e.Id, user, ApprovalText.AuditAllowed.Inline, registrationId, "OK", ct);
        return await eventPages.ShowAsync(user, e, null, ApprovalText.FlashAllowed.Inline, null, 200, ct);
    }, isChange: true);

    private async Task<Events.EventRecord?> FreshAsync(string eventId, CancellationToken ct) => (await store.FindEventAsync(eventId, ct))?.ToRecord();

    private async Task<Dictionary<string, RegistrationEntity>> PendingAsync(string eventId, IReadOnlyList<string> ids, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var rows = new Dictionary<string, RegistrationEntity>(StringComparer.Ordinal);
        var filter = Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {eventId} and RowKey ge {"reg-"} and RowKey lt {"reg."}");
        await foreach (var r in table.QueryAsync<RegistrationEntity>(filter, select: ["RowKey", nameof(RegistrationEntity.RegistrationId), nameof(RegistrationEntity.Status)], cancellationToken: ct))
            if (ids.Contains(r.RegistrationId)) rows[r.RegistrationId] = r;
        return rows;
    }
}
