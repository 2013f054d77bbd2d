using Azure.Data.Tables;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Admission;

/// <summary>
/// Who had a seat and did not come, kept only as long as the registrations themselves would be (the retention period
/// after each event) and only under a keyed hash of the mailbox (PartitionKey <c>noshow-…</c>, one row per event,
/// RowKey the event id): nobody can read a name or an address out of it, nor test an address without the key. Its one
/// use: a lottery whose organiser turned on "no-shows last" draws people with one after everyone else (tier 1).
/// </summary>
public sealed class NoShowHistory(EventStore store, Security.IdentifierKeys ids, TimeProvider clock, IOptions<EventFunctionsOptions> options, ILogger<NoShowHistory> log)
{
    private const string Prefix = "noshow-";

    private string PartitionOf(string email) => ids.NoShowKey(Input.MailboxIdentity(Input.NormaliseEmail(email) ?? email));

    /// <summary>Writes an ended event's no-shows (idempotent: one row per person and event) once check-in has closed, then marks the event so it is done once.</summary>
    public async Task<int> RecordAsync(EventEntity e, IReadOnlyList<RegistrationEntity> rows, CancellationToken ct)
    {
        // Once check-in has closed (the door links stop working then), so nobody checked in late is kept as a no-show.
        if (e.NoShowsRecordedUtc is not null || e.Cancelled || clock.GetUtcNow() < e.EndUtc + Attendance.DoorLinks.ValidAfterEvent) return 0;
        var table = await store.TableAsync(ct);
        var noShows = rows.Where(Attendance.AttendanceService.NoShow).ToList();
        await Parallel.ForEachAsync(noShows, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (r, token) =>
            await table.UpsertEntityAsync(new TableEntity(PartitionOf(r.Email), e.PartitionKey) { ["EndUtc"] = e.EndUtc }, TableUpdateMode.Replace, token));
        await table.UpdateEntityAsync(new TableEntity(e.PartitionKey, EventEntity.RowKeyValue) { [nameof(EventEntity.NoShowsRecordedUtc)] = clock.GetUtcNow() }, Azure.ETag.All, TableUpdateMode.Merge, ct);
        if (noShows.Count > 0) log.LogInformation("Event {EventId}: {Count} no-show(s) kept in the history", e.PartitionKey, noShows.Count);
        return noShows.Count;
    }

    /// <summary>Each entry's draw tier by registration id: 1 with a no-show within the retention period, else 0.</summary>
    public async Task<IReadOnlyDictionary<string, int>> TiersAsync(IReadOnlyList<RegistrationEntity> entries, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var since = clock.GetUtcNow() - options.Value.RetentionAfterEvent;
        var tiers = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (r, token) =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionOf(r.Email)} and EndUtc ge {since}");
            await foreach (var _ in table.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["RowKey"], cancellationToken: token))
            {
                tiers[r.RegistrationId] = 1;
                break;
            }
        });
        return tiers;
    }

    /// <summary>Forgets no-shows of events that ended more than the retention period ago (the retention purge's).</summary>
    public async Task<int> PurgeAsync(CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var before = clock.GetUtcNow() - options.Value.RetentionAfterEvent;
        var old = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {Prefix} and PartitionKey lt {"noshow."} and EndUtc lt {before}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: ct)) old.Add(row);
        foreach (var row in old) await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, Azure.ETag.All, ct);
        return old.Count;
    }
}
