using Azure.Data.Tables;
using EventFunctions.Shared.Attendance;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Registrations;

/// <summary>
/// Keeps the privacy notice's promises: a site's security-desk details are deleted once its event has
/// ended, and every registration (the participant's personal data) within <see cref="EventFunctionsOptions.RetentionAfterEvent"/>
/// after the event. The event row and its counters stay, as attendance statistics without names, and so does the
/// event's attendance by unit, written as anonymous counts before the first registration is deleted.
/// </summary>
public sealed class RetentionService(EventStore store, AttendanceService attendance, Confirmations.RecipientCaps caps, Admission.NoShowHistory noShows, TimeProvider clock, IOptions<EventFunctionsOptions> options, ILogger<RetentionService> log)
{
    public sealed record Purged(int EventsPurged, int RegistrationsDeleted, int SecurityDetailsCleared);

    public async Task<Purged> PurgeAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var deleteBefore = now - options.Value.RetentionAfterEvent;
        var table = await store.TableAsync(ct);
        int events = 0, deleted = 0, cleared = 0;

        await foreach (var e in table.QueryAsync<EventEntity>(x => x.RowKey == EventEntity.RowKeyValue && x.EndUtc < now, cancellationToken: ct))
        {
            var rows = new List<RegistrationEntity>();
            await foreach (var r in table.QueryAsync<RegistrationEntity>(x => x.PartitionKey == e.PartitionKey && x.RowKey != EventEntity.RowKeyValue && x.RowKey != AttendanceSummaryEntity.RowKeyValue, cancellationToken: ct))
            {
                rows.Add(r);
            }

            // The no-show history first (once per event), while the rows that say who came are there.
            await noShows.RecordAsync(e, rows, ct);
            if (e.EndUtc < deleteBefore)
            {
                // The counts first: a purge killed halfway finds them written from the full set and keeps them.
                if (rows.Count > 0) await attendance.WriteSummaryIfMissingAsync(e, ct);
                // Up to 100 operations per entity-group transaction.
                foreach (var chunk in rows.Chunk(TableLimits.TransactionActions))
                {
                    await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, Azure.ETag.All)), ct);
                }

                if (rows.Count > 0) events++;
                deleted += rows.Count;
            }
            else
            {
                var withDetails = rows.Where(r => r.SecurityDetailsJson != "[]").ToList();
                foreach (var chunk in withDetails.Chunk(TableLimits.TransactionActions))
                {
                    await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                        new TableEntity(r.PartitionKey, r.RowKey) { [nameof(RegistrationEntity.SecurityDetailsJson)] = "[]" }, Azure.ETag.All)), ct);
                }

                cleared += withDetails.Count;
            }
        }

        var counts = await caps.PurgeAsync(ct);
        var forgotten = await noShows.PurgeAsync(ct);
        if (forgotten > 0) log.LogInformation("Retention: forgot {Count} no-show(s) older than the retention period", forgotten);
        log.LogInformation("Retention: deleted {Deleted} registration(s) of {Events} event(s); cleared security details of {Cleared}; forgot {Counts} old per-recipient email count(s)", deleted, events, cleared, counts);
        return new Purged(events, deleted, cleared);
    }
}
