using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Delivery;

/// <summary>What one webhook batch came to, for the response and the log.</summary>
public sealed record DeliveryOutcome(int Recorded, int Duplicates, int UnknownRegistrations, int Ignored, int NotOurs);

/// <summary>
/// Records SendGrid's delivery events on the registration rows. Each event's <c>sg_event_id</c> gets a marker row in
/// its own table (<see cref="EmailOptions.DeliveryEventsTable"/>, not the event's partition, which the ledger owns),
/// written only after the registration row has the event: if anything fails in between, SendGrid's retry finds no
/// marker and does the work again, and doing it again changes nothing (an event never replaces a newer one). So a
/// replayed or retried event is recorded once, and nothing is lost to a marker written too early.
/// </summary>
public sealed class DeliveryRecorder
{
    /// <summary>Markers are kept this long after their event (SendGrid retries for 72 hours), then purged.</summary>
    public static readonly TimeSpan MarkerRetention = TimeSpan.FromDays(7);

    /// <summary>Registrations worked on at once for one batch (events of one registration go one after another).</summary>
    private const int Parallelism = 8;

    private readonly EventStore _store;
    private readonly TableClient _markers;
    private readonly TimeProvider _clock;
    private readonly ILogger<DeliveryRecorder> _log;
    private Task? _markersCreated;

    public DeliveryRecorder(EventStore store, TableServiceClient tables, IOptions<EventFunctionsOptions> options, TimeProvider clock, ILogger<DeliveryRecorder> log)
    {
        _store = store;
        _markers = tables.GetTableClient(options.Value.Email.DeliveryEventsTable);
        _clock = clock;
        _log = log;
    }

    public async Task<DeliveryOutcome> RecordAsync(DeliveryBatch batch, CancellationToken ct)
    {
        var table = await _store.TableAsync(ct);
        var markers = await MarkersAsync(ct);
        int recorded = 0, duplicates = 0, unknown = 0;
        var groups = batch.Events.GroupBy(e => (e.EventId, e.RegistrationId)).ToList();
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (group, token) =>
        {
            var (r, d, u) = await RecordRegistrationAsync(table, markers, group.Key.EventId, group.Key.RegistrationId, group.ToList(), token);
            Interlocked.Add(ref recorded, r);
            Interlocked.Add(ref duplicates, d);
            Interlocked.Add(ref unknown, u);
        });
        return new DeliveryOutcome(recorded, duplicates, unknown, batch.Ignored, batch.NotOurs);
    }

    private async Task<(int Recorded, int Duplicates, int Unknown)> RecordRegistrationAsync(
        TableClient table, TableClient markers, string eventId, string registrationId, List<DeliveryEvent> events, CancellationToken ct)
    {
        // One event may come twice in one batch too; then only its first copy counts.
        var seen = await SeenAsync(markers, events, ct);
        var fresh = new List<DeliveryEvent>();
        var seenHere = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = 0;
        foreach (var e in events)
        {
            if (e.SgEventId is { } id && (!seenHere.Add(id) || seen.Contains(MarkerKey(e))))
            {
                duplicates++;
                continue;
            }

            fresh.Add(e);
        }

        if (fresh.Count == 0) return (0, duplicates, 0);

        var row = await FindAsync(table, eventId, registrationId, ct);
        if (row is null)
        {
            // Cancelled (the row and its data are deleted) or purged: nothing to record, and SendGrid must not retry.
            _log.LogInformation("Dropped {Count} delivery event(s) for registration {RegistrationId} of event {EventId}: no such registration",
                fresh.Count, registrationId, eventId);
            return (0, duplicates, fresh.Count);
        }

        for (var attempt = 0; ; attempt++)
        {
            DeliveryEvent? winner = null;
            foreach (var e in fresh)
            {
                if (winner is null ? e.Supersedes(Status(row), Version(row), When(row)) : e.Supersedes(winner.State, winner.Version, winner.OccurredUtc))
                {
                    winner = e;
                }
            }

            if (winner is null) break; // the row already has this or something newer

            // Only these columns, under the ETag of the row as read: the ledger's and the sender's writes stay.
            var changes = new TableEntity(row.PartitionKey, row.RowKey)
            {
                [nameof(RegistrationEntity.DeliveryStatus)] = winner.State,
                [nameof(RegistrationEntity.DeliveryDetail)] = winner.Detail ?? "",
                [nameof(RegistrationEntity.DeliveryUpdatedUtc)] = winner.OccurredUtc,
                [nameof(RegistrationEntity.DeliveryVersion)] = winner.Version,
            };
            try
            {
                await table.UpdateEntityAsync(changes, row.ETag, TableUpdateMode.Merge, ct);
                _log.LogInformation("Registration {RegistrationId} of event {EventId}: email version {Version} {State}",
                    registrationId, eventId, winner.Version, winner.State);
                break;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                if (attempt >= 20) throw new ContentionTimeoutException($"Registration {registrationId} kept changing; the batch is answered 503 and sent again.");
                // Changed meanwhile (the ledger, the sender, another webhook instance): judge again against the row as it is.
                row = await ReadAsync(table, row.PartitionKey, row.RowKey, registrationId, ct);
                if (row is null) return (0, duplicates, fresh.Count);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return (0, duplicates, fresh.Count);
            }
        }

        // Only now that the row has them: mark the events seen (one transaction per day; writing a marker twice,
        // as two instances with the same event may, is harmless: their work was the same).
        foreach (var day in fresh.Where(e => e.SgEventId is not null).Select(Marker).GroupBy(m => m.PartitionKey))
        {
            foreach (var chunk in day.Chunk(TableLimits.TransactionActions))
            {
                await markers.SubmitTransactionAsync(chunk.Select(m => new TableTransactionAction(TableTransactionActionType.UpsertReplace, m)), ct);
            }
        }

        return (fresh.Count, duplicates, 0);
    }

    /// <summary>Deletes markers of events older than <see cref="MarkerRetention"/> (whole days: the partitions are days).</summary>
    public async Task<int> PurgeMarkersAsync(CancellationToken ct)
    {
        var markers = await MarkersAsync(ct);
        var cutoff = Day(_clock.GetUtcNow() - MarkerRetention);
        var deleted = 0;
        var old = new List<TableEntity>();
        await foreach (var m in markers.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey lt {cutoff}"), select: ["PartitionKey", "RowKey"], cancellationToken: ct))
        {
            old.Add(m);
        }

        foreach (var day in old.GroupBy(m => m.PartitionKey))
        {
            foreach (var chunk in day.Chunk(TableLimits.TransactionActions))
            {
                await markers.SubmitTransactionAsync(chunk.Select(m => new TableTransactionAction(TableTransactionActionType.Delete, m, ETag.All)), ct);
                deleted += chunk.Length;
            }
        }

        if (deleted > 0) _log.LogInformation("Purged {Count} delivery event marker(s) older than {Cutoff}", deleted, cutoff);
        return deleted;
    }

    private async Task<TableClient> MarkersAsync(CancellationToken ct)
    {
        var task = _markersCreated;
        if (task is null || task.IsFaulted || task.IsCanceled) task = _markersCreated = _markers.CreateIfNotExistsAsync(ct);
        await task;
        return _markers;
    }

    /// <summary>The markers that exist among these events' (one query per day and 50 events).</summary>
    private static async Task<HashSet<string>> SeenAsync(TableClient markers, List<DeliveryEvent> events, CancellationToken ct)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var day in events.Where(e => e.SgEventId is not null).Select(Marker).GroupBy(m => m.PartitionKey))
        {
            foreach (var chunk in day.Select(m => m.RowKey).Distinct().Chunk(50))
            {
                var rows = string.Join(" or ", chunk.Select(k => TableClient.CreateQueryFilter($"RowKey eq {k}")));
                var filter = TableClient.CreateQueryFilter($"PartitionKey eq {day.Key}") + $" and ({rows})";
                await foreach (var m in markers.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: ct))
                {
                    seen.Add(m.PartitionKey + "/" + m.RowKey);
                }
            }
        }

        return seen;
    }

    private static string MarkerKey(DeliveryEvent e)
    {
        var m = Marker(e);
        return m.PartitionKey + "/" + m.RowKey;
    }

    /// <summary>
    /// A marker: partition = the event's day (SendGrid's timestamp, the same on every retry), row = a hash of the
    /// sg_event_id (any characters may be in it). It holds ids only.
    /// </summary>
    private static TableEntity Marker(DeliveryEvent e) => new(Day(e.OccurredUtc),
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(e.SgEventId!)))[..40])
    {
        ["EventId"] = e.EventId,
        ["RegistrationId"] = e.RegistrationId,
        ["Version"] = e.Version,
        ["State"] = e.State,
    };

    private static string Day(DateTimeOffset t) => t.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>
    /// The registration's delivery columns (and nothing personal): the row key is a hash of the email, so it is found by
    /// its RegistrationId within the event's partition.
    /// </summary>
    private static readonly string[] Columns =
    [
        "PartitionKey", "RowKey", nameof(RegistrationEntity.RegistrationId), nameof(RegistrationEntity.DeliveryStatus),
        nameof(RegistrationEntity.DeliveryVersion), nameof(RegistrationEntity.DeliveryUpdatedUtc),
    ];

    private static async Task<TableEntity?> FindAsync(TableClient table, string eventId, string registrationId, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {eventId} and RegistrationId eq {registrationId}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: Columns, cancellationToken: ct))
        {
            if (row.RowKey.StartsWith("reg-", StringComparison.Ordinal)) return row;
        }

        return null;
    }

    private static async Task<TableEntity?> ReadAsync(TableClient table, string partitionKey, string rowKey, string registrationId, CancellationToken ct)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, select: Columns, cancellationToken: ct);
        // The same email may have signed up again after a cancel: a new registration on the same row key is not ours.
        return found.HasValue && found.Value!.GetString(nameof(RegistrationEntity.RegistrationId)) == registrationId ? found.Value : null;
    }

    private static string? Status(TableEntity row) => row.GetString(nameof(RegistrationEntity.DeliveryStatus)) is { Length: > 0 } s ? s : null;

    private static int Version(TableEntity row) => row.GetInt32(nameof(RegistrationEntity.DeliveryVersion)) ?? 0;

    private static DateTimeOffset? When(TableEntity row) => row.GetDateTimeOffset(nameof(RegistrationEntity.DeliveryUpdatedUtc));
}
