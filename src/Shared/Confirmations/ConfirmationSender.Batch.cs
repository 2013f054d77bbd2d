using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Shared.Confirmations;

/// <summary>
/// A message naming several registrations (one ledger commit's emails, all in one event's partition) with the
/// same per-person guarantees as <see cref="SendAsync(ConfirmationMessage, CancellationToken)"/> but far fewer
/// storage requests: the rows are read by a few partition queries, claimed in entity-group transactions (each
/// row under its own ETag), and recorded in small transactions as their sends finish. Anything a transaction
/// could not do (a row changed or gone meanwhile) falls back to the per-row path for those rows.
/// </summary>
public sealed partial class ConfirmationSender
{
    /// <summary>RowKeys per read query: Azure Tables allows 15 comparisons in a $filter, one is the PartitionKey.</summary>
    internal const int KeysPerQuery = 14;

    /// <summary>Most operations in one entity-group transaction.</summary>
    private const int ActionsPerTransaction = Ledger.EventLedger.MaxOperations;

    /// <summary>How many times a claim transaction is tried again without the row that made it fail, before the rest go per row.</summary>
    private const int ClaimAttempts = 3;

    /// <summary>
    /// A row claimed with its batch longer ago than this has its claim renewed (under the claim's ETag) before its
    /// email is handed over, so a slow provider never lets a claim run out while its email is on the way.
    /// </summary>
    private static readonly TimeSpan ClaimFresh = TimeSpan.FromSeconds(15);

    private async Task SendManyAsync(IReadOnlyList<ConfirmationMessage> messages, CancellationToken ct)
    {
        var eventId = messages[0].EventId;
        var table = await store.TableAsync(ct);
        var batch = new SendBatch(store, eventId);
        var failed = new ConcurrentBag<string>();
        var parallelism = Math.Max(1, options.Value.ConfirmationParallelism);

        // 1. Read every row with a few partition queries (a read that fails returns the whole message: nothing was sent).
        var byKey = messages.ToDictionary(m => m.RegistrationKey, StringComparer.Ordinal);
        var keys = Ids.IsValidEventId(eventId) ? messages.Select(m => m.RegistrationKey).Where(k => k.StartsWith("reg-", StringComparison.Ordinal)).ToList() : [];
        var rows = await ReadRowsAsync(table, eventId, keys, parallelism, ct);

        var now = clock.GetUtcNow();
        var claimable = new List<RegistrationEntity>();
        var stale = new List<RegistrationEntity>();
        int gone = 0, alreadySent = 0;
        foreach (var key in keys)
        {
            if (!rows.TryGetValue(key, out var row)) gone++; // cancelled: nothing to send
            else if (row.EmailSentVersion >= row.StateVersion)
            {
                alreadySent++;
                if (row.EmailPending) stale.Add(row); // a stale mark: nothing is owed
            }
            else if (row.EmailClaimUntil > now)
            {
                log.LogInformation("Another delivery holds the email for {RegistrationId} of event {EventId}; it is queued again on its own", row.RegistrationId, eventId);
                failed.Add(key);
            }
            else claimable.Add(row);
        }

        gone += messages.Count - keys.Count;
        if (gone + alreadySent > 0) log.LogInformation("Batch of {Count} for event {EventId}: {Gone} registration(s) no longer exist, {Sent} already emailed", messages.Count, eventId, gone, alreadySent);

        // 2. Claim them together; the rows a transaction could not claim go the per-row way.
        var perRow = new ConcurrentQueue<ConfirmationMessage>();
        var claimed = await ClaimAsync(table, claimable, perRow, byKey, ct);

        // 3. Send, parallelism at a time; 4. record as sends finish, at most `parallelism` sent and not yet recorded.
        var unrecorded = new SemaphoreSlim(parallelism);
        var recorder = new BatchRecorder(table, unrecorded, clock, log);
        var work = claimed.Select(c => (Claimed: (ClaimedRow?)c, Message: byKey[c.Row.RowKey]))
            .Concat(perRow.Select(m => (Claimed: (ClaimedRow?)null, Message: m)))
            .ToList();
        try
        {
            await Task.WhenAll(stale.Select(async row =>
            {
                try
                {
                    await RecordAsync(table, row, row.EmailError, clock.GetUtcNow());
                }
                catch (Exception ex)
                {
                    log.LogWarning(ex, "Could not clear a stale email mark on {RegistrationId}; it is queued again on its own", row.RegistrationId);
                    failed.Add(row.RowKey);
                }
            }));

            await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
                async (w, token) =>
                {
                    try
                    {
                        if (w.Claimed is { } c) await SendClaimedAsync(table, c, w.Message, batch, recorder, unrecorded, token);
                        else await SendAsync(w.Message, token, batch);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                    {
                        log.LogWarning(ex, "Email for a registration of event {EventId} failed in a batch of {Count}; it is queued again on its own", eventId, messages.Count);
                        failed.Add(w.Message.RegistrationKey);
                    }
                });
        }
        finally
        {
            await recorder.DrainAsync(); // never throws; what was sent is recorded even when this message is cancelled
            // Claimed but never handed over (cancelled, or the render failed): let them go now rather than after the claim runs out.
            await Task.WhenAll(claimed.Where(c => !c.Started).Select(c => ReleaseAsync(table, c.Row, null)));
        }

        foreach (var key in recorder.Failed) failed.Add(key);
        // A row that moved on while its email was on the way (a promotion) owes its new state's email: go round again.
        await Parallel.ForEachAsync(recorder.Moved, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
            async (key, token) =>
            {
                try
                {
                    await SendAsync(byKey[key], token, batch);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    log.LogWarning(ex, "Email for the new state of a registration of event {EventId} failed; it is queued again on its own", eventId);
                    failed.Add(key);
                }
            });

        if (!failed.IsEmpty) await queue.RequeueEachAsync(eventId, failed.Distinct(StringComparer.Ordinal), options.Value.ConfirmationRetryDelay, CancellationToken.None);
    }

    /// <summary>The rows of <paramref name="keys"/> that exist, by RowKey: one query per <see cref="KeysPerQuery"/> keys.</summary>
    private static async Task<Dictionary<string, RegistrationEntity>> ReadRowsAsync(TableClient table, string eventId, List<string> keys, int parallelism, CancellationToken ct)
    {
        var rows = new ConcurrentDictionary<string, RegistrationEntity>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(keys.Chunk(KeysPerQuery), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
            async (chunk, token) =>
            {
                var filter = TableClient.CreateQueryFilter($"PartitionKey eq {eventId}")
                    + " and (" + string.Join(" or ", chunk.Select(k => TableClient.CreateQueryFilter($"RowKey eq {k}"))) + ")";
                await foreach (var row in table.QueryAsync<RegistrationEntity>(filter, maxPerPage: KeysPerQuery, cancellationToken: token)) rows[row.RowKey] = row;
            });
        return new Dictionary<string, RegistrationEntity>(rows, StringComparer.Ordinal);
    }

    /// <summary>
    /// Claims <paramref name="rows"/> in transactions, each row under the ETag it was read with. A transaction that
    /// fails claims nothing: the row it names (changed or gone) goes the per-row way and the rest are tried again,
    /// <see cref="ClaimAttempts"/> times at most; whatever is still unclaimed then goes the per-row way too.
    /// </summary>
    private async Task<List<ClaimedRow>> ClaimAsync(TableClient table, List<RegistrationEntity> rows, ConcurrentQueue<ConfirmationMessage> perRow,
        Dictionary<string, ConfirmationMessage> byKey, CancellationToken ct)
    {
        var claimed = new List<ClaimedRow>();
        foreach (var chunk in rows.Chunk(ActionsPerTransaction))
        {
            var pending = chunk.ToList();
            for (var attempt = 0; pending.Count > 0; attempt++)
            {
                if (attempt == ClaimAttempts)
                {
                    foreach (var r in pending) perRow.Enqueue(byKey[r.RowKey]);
                    break;
                }

                var claimedAt = clock.GetUtcNow();
                var until = claimedAt + ClaimDuration;
                try
                {
                    var response = await table.SubmitTransactionAsync(pending.Select(r => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                        new TableEntity(r.PartitionKey, r.RowKey) { [nameof(RegistrationEntity.EmailClaimUntil)] = until }, r.ETag)), ct);
                    for (var i = 0; i < pending.Count; i++)
                    {
                        var row = pending[i];
                        row.EmailClaimUntil = until;
                        // Without the new ETag the record goes the per-row way (412, read, record): slower, still right.
                        if (i < response.Value.Count && response.Value[i].Headers.ETag is { } etag) row.ETag = etag;
                        claimed.Add(new ClaimedRow(row, claimedAt));
                    }

                    break;
                }
                catch (TableTransactionFailedException ex) when (ex.Status is 412 or 404 && ex.FailedTransactionActionIndex is { } i && i >= 0 && i < pending.Count)
                {
                    // Changed (a promotion, a check-in, another delivery's claim) or cancelled since the read: judged afresh on its own.
                    perRow.Enqueue(byKey[pending[i].RowKey]);
                    pending.RemoveAt(i);
                }
                catch (RequestFailedException ex) when (ex.Status is 412 or 404)
                {
                    foreach (var r in pending) perRow.Enqueue(byKey[r.RowKey]);
                    break;
                }
                catch (Exception ex) when (StorageFaults.IsTransient(ex) && !ct.IsCancellationRequested)
                {
                    // Unknown whether it landed: the per-row path reads each row and finds out (a claim of ours that
                    // landed makes that row come back later, after the claim runs out; never a second email).
                    log.LogWarning(ex, "Claiming {Count} rows of event {EventId} failed; they go one by one", pending.Count, pending[0].PartitionKey);
                    foreach (var r in pending) perRow.Enqueue(byKey[r.RowKey]);
                    break;
                }
            }
        }

        return claimed;
    }

    /// <summary>Renders and sends one claimed row's email and hands the result to the recorder (the per-row path's middle part).</summary>
    private async Task SendClaimedAsync(TableClient table, ClaimedRow claimed, ConfirmationMessage message, SendBatch batch,
        BatchRecorder recorder, SemaphoreSlim unrecorded, CancellationToken ct)
    {
        var row = claimed.Row;
        var eventEntity = await batch.EventAsync(ct);
        if (eventEntity is null) return; // the event is gone; so is the registration
        var position = await batch.WaitlistPositionAsync(row, ct);
        var email = await ComposeAsync(eventEntity.ToRecord(), row, position);

        await unrecorded.WaitAsync(ct);
        var handedToRecorder = false;
        try
        {
            claimed.Started = true; // from here on this send releases or records the claim itself
            if (clock.GetUtcNow() - claimed.ClaimedAt > ClaimFresh && !await RenewAsync(table, claimed, ct))
            {
                await SendAsync(message, ct, batch); // changed since the claim: judged afresh on its own
                return;
            }

            var result = await HandOverAsync(table, row, email, ct);
            if (result is SendResult.Rejected rejected)
            {
                recorder.Add(row, $"{rejected.StatusCode}: {rejected.Reason}");
            }
            else
            {
                log.LogInformation("Sent the {Status} email (state {Version}) for {RegistrationId}", row.Status, row.StateVersion, row.RegistrationId);
                recorder.Add(row, null);
            }

            handedToRecorder = true; // the recorder lets the slot go once the row is recorded
        }
        finally
        {
            if (!handedToRecorder) unrecorded.Release();
        }
    }

    /// <summary>Extends a claim that has been held a while, under the claim's ETag; false when the row changed meanwhile.</summary>
    private async Task<bool> RenewAsync(TableClient table, ClaimedRow claimed, CancellationToken ct)
    {
        var row = claimed.Row;
        var now = clock.GetUtcNow();
        try
        {
            var renewed = await table.UpdateEntityAsync(new TableEntity(row.PartitionKey, row.RowKey)
            {
                [nameof(RegistrationEntity.EmailClaimUntil)] = now + ClaimDuration,
            }, row.ETag, TableUpdateMode.Merge, ct);
            row.ETag = renewed.Headers.ETag ?? row.ETag;
            row.EmailClaimUntil = now + ClaimDuration;
            claimed.ClaimedAt = now;
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return false;
        }
    }

    /// <summary>A row this batch claimed: when, and whether its send got as far as the provider (a claim that did not is released).</summary>
    private sealed class ClaimedRow(RegistrationEntity row, DateTimeOffset claimedAt)
    {
        public RegistrationEntity Row { get; } = row;
        public DateTimeOffset ClaimedAt { get; set; } = claimedAt;
        public volatile bool Started;
    }

    /// <summary>
    /// Records sent emails in transactions as the sends finish: one transaction in flight at a time, each taking
    /// whatever finished since the last one, so a sent email waits for its record about one transaction, and at
    /// most ConfirmationParallelism of this message's emails are sent and unrecorded at any moment (each holds a slot of
    /// <paramref name="unrecorded"/> until recorded). A transaction that fails (a row changed or gone after its
    /// send, or storage trouble) records its rows one by one the per-row way, which handles a changed or
    /// cancelled row. Records are never cancelled: a sent email must not be forgotten.
    /// </summary>
    private sealed class BatchRecorder(TableClient table, SemaphoreSlim unrecorded, TimeProvider clock, ILogger log)
    {
        private readonly object _gate = new();
        private List<(RegistrationEntity Row, string? Error)> _pending = [];
        private bool _writing;
        private Task _writer = Task.CompletedTask;

        /// <summary>Rows that moved on while their email was on the way: a newer state is owed an email.</summary>
        public ConcurrentBag<string> Moved { get; } = [];

        /// <summary>Rows whose record could not be written at all: they go back on the queue (and are found sent or claimed).</summary>
        public ConcurrentBag<string> Failed { get; } = [];

        public void Add(RegistrationEntity row, string? error)
        {
            lock (_gate)
            {
                _pending.Add((row, error));
                if (_writing) return;
                _writing = true;
                _writer = Task.Run(WriteAllAsync);
            }
        }

        /// <summary>Completes when everything added so far is recorded (or handed back as failed).</summary>
        public Task DrainAsync()
        {
            lock (_gate) return _writer;
        }

        private async Task WriteAllAsync()
        {
            while (true)
            {
                List<(RegistrationEntity Row, string? Error)> next;
                lock (_gate)
                {
                    if (_pending.Count == 0)
                    {
                        _writing = false;
                        return;
                    }

                    next = _pending;
                    _pending = [];
                }

                foreach (var chunk in next.Chunk(ActionsPerTransaction))
                {
                    await WriteAsync(chunk);
                    unrecorded.Release(chunk.Length);
                }
            }
        }

        private async Task WriteAsync((RegistrationEntity Row, string? Error)[] records)
        {
            try
            {
                await table.SubmitTransactionAsync(records.Select(r => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                    RecordChanges(r.Row, r.Row, r.Error, clock.GetUtcNow()), r.Row.ETag)), CancellationToken.None);
                return;
            }
            catch (Exception ex)
            {
                log.LogInformation(ex is RequestFailedException { Status: 412 or 404 } ? null : ex,
                    "Recording {Count} sent emails of event {EventId} together failed ({Status}); recording them one by one",
                    records.Length, records[0].Row.PartitionKey, (ex as RequestFailedException)?.Status);
            }

            await Task.WhenAll(records.Select(async r =>
            {
                try
                {
                    if (await RecordAsync(table, r.Row, r.Error, clock.GetUtcNow())) Moved.Add(r.Row.RowKey);
                }
                catch (Exception ex)
                {
                    log.LogWarning(ex, "Could not record the sent email for {RegistrationId}; it is queued again", r.Row.RegistrationId);
                    Failed.Add(r.Row.RowKey);
                }
            }));
        }
    }
}
