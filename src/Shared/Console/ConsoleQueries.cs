using Azure.Data.Tables;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Notifications;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;

namespace EventFunctions.Shared.Console;

/// <summary>An event as the dashboard lists it, with its live counts.</summary>
public sealed record EventSummaryRow(EventRecord Event, EventTally Tally);

/// <summary>Counts read from an event's partition (the event row's counters and one pass over its registrations).</summary>
/// <summary>An event's counts for the console; <see cref="Confirmed"/> excludes the seats <see cref="Held"/> for people yet to confirm from the email.</summary>
public sealed record EventTally(int Confirmed, int Waitlisted, int Cancelled, int CheckedIn, int WalkIns, int EmailsNotDelivered)
{
    public int Held { get; init; }
}

/// <summary>One registration as an organiser sees it on the event page.</summary>
public sealed record RegistrationLine(RegistrationEntity Row, int? WaitlistPosition)
{
    public string PhoneLast4 => Row.Phone is { Length: >= 4 } p ? p[^4..] : "";
}

/// <summary>What the console reads: the events a person may see, and an event's registrations.</summary>
public sealed class ConsoleQueries(EventStore store)
{
    public async Task<IReadOnlyList<EventRecord>> EventsForAsync(ConsoleUser user, CancellationToken ct) =>
        (await EntitiesForAsync(user, ct)).Select(e => e.ToRecord()).ToList();

    private async Task<List<EventEntity>> EntitiesForAsync(ConsoleUser user, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var list = new List<EventEntity>();
        await foreach (var e in table.QueryAsync<EventEntity>(x => x.RowKey == EventEntity.RowKeyValue, cancellationToken: ct))
        {
            if (user.CanManage(e.ToRecord())) list.Add(e);
        }
        return list;
    }

    public async Task<IReadOnlyList<EventSummaryRow>> DashboardAsync(ConsoleUser user, CancellationToken ct)
    {
        var events = await EntitiesForAsync(user, ct);
        var table = await store.TableAsync(ct);
        // A few partition queries at a time: a street office has tens of events, not thousands.
        using var gate = new SemaphoreSlim(8);
        var rows = await Task.WhenAll(events.Select(async e =>
        {
            await gate.WaitAsync(ct);
            try
            {
                return new EventSummaryRow(e.ToRecord(), await TallyAsync(table, e, ct));
            }
            finally
            {
                gate.Release();
            }
        }));
        return rows;
    }

    /// <summary>The event's counts as they stand now (null: the event is gone).</summary>
    public async Task<EventTally?> TallyAsync(string eventId, CancellationToken ct) =>
        await store.FindEventAsync(eventId, ct) is { } e ? await TallyAsync(await store.TableAsync(ct), e, ct) : null;

    /// <summary>Seat and door counters from the event row (the ledger keeps them); undelivered emails counted from the rows.</summary>
    private static async Task<EventTally> TallyAsync(TableClient table, EventEntity e, CancellationToken ct)
    {
        var notDelivered = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {e.PartitionKey} and RowKey ge 'reg-' and RowKey lt 'reg.'");
        await foreach (var r in table.QueryAsync<RegistrationEntity>(filter, cancellationToken: ct))
        {
            if (IsUndelivered(r)) notDelivered++;
        }
        return new EventTally(e.Confirmed - e.Held, e.Waitlisted, e.Withdrawn, e.CheckedIn, e.WalkIns, notDelivered) { Held = e.Held };
    }

    /// <summary>The walk-ins added at the door, latest first.</summary>
    public async Task<IReadOnlyList<RegistrationEntity>> WalkInsAsync(string eventId, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var list = new List<RegistrationEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {eventId} and RowKey ge 'walkin-' and RowKey lt 'walkin.'");
        await foreach (var r in table.QueryAsync<RegistrationEntity>(filter, cancellationToken: ct)) list.Add(r);
        return list.OrderByDescending(r => r.CheckedInUtc).ToList();
    }

    /// <summary>An email of any kind owed and not yet sent, deferred, bounced, dropped or given up on (a notice too).</summary>
    public static bool IsUndelivered(RegistrationEntity r) =>
        Delivery.DeliveryText.Classify(r).Kind is not (Delivery.DeliveryKind.Delivered or Delivery.DeliveryKind.Sent) || !string.IsNullOrEmpty(r.NoticeError);

    /// <summary>
    /// The event's registrations, confirmed first then the waitlist in order, filtered by a search: part of a
    /// name or unit, the last four digits of a phone, or a registration id.
    /// </summary>
    public async Task<IReadOnlyList<RegistrationLine>> RegistrationsAsync(string eventId, string? search, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var rows = new List<RegistrationEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {eventId} and RowKey ge 'reg-' and RowKey lt 'reg.'");
        await foreach (var r in table.QueryAsync<RegistrationEntity>(filter, cancellationToken: ct)) rows.Add(r);

        var waitlist = rows.Where(r => r.Status == RegistrationStatus.Waitlisted).OrderBy(r => r.Sequence).Select((r, i) => (r.RowKey, Position: i + 1))
            .ToDictionary(x => x.RowKey, x => x.Position);
        var lines = rows
            .OrderBy(r => r.Status switch { RegistrationStatus.Confirmed => 0, RegistrationStatus.Held => 1, _ => 2 }).ThenBy(r => r.Sequence)
            .Select(r => new RegistrationLine(r, waitlist.TryGetValue(r.RowKey, out var p) ? p : null));

        var q = Input.Clean(search);
        if (q is null) return lines.ToList();
        return lines.Where(l =>
            l.Row.Name.Contains(q, StringComparison.OrdinalIgnoreCase)
            || (l.Row.Organisation?.Contains(q, StringComparison.OrdinalIgnoreCase) ?? false)
            || (q.Length == 4 && q.All(char.IsAsciiDigit) && l.PhoneLast4 == q)
            || string.Equals(l.Row.RegistrationId, q, StringComparison.OrdinalIgnoreCase)).ToList();
    }

    /// <summary>One row of the event by its key (a registration or a walk-in), or null.</summary>
    public async Task<RegistrationEntity?> FindRowAsync(string eventId, string rowKey, CancellationToken ct)
    {
        if (!Ids.IsValidEventId(eventId)) return null;
        var table = await store.TableAsync(ct);
        var found = await table.GetEntityIfExistsAsync<RegistrationEntity>(eventId, rowKey, cancellationToken: ct);
        return found.HasValue ? found.Value : null;
    }

    public async Task<RegistrationEntity?> FindRegistrationAsync(string eventId, string registrationId, CancellationToken ct)
    {
        if (!Ids.IsValidRegistrationId(registrationId)) return null;
        var table = await store.TableAsync(ct);
        await foreach (var r in table.QueryAsync<RegistrationEntity>(x => x.PartitionKey == eventId && x.RegistrationId == registrationId, cancellationToken: ct))
        {
            if (r.IsRegistration) return r; // not a walk-in, not a removal notice
        }

        return null;
    }
}
