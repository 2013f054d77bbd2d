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
/// row under its own ETag), and recorded as their sends finish, in transactions shared with the instance's other
/// messages of the event (all through the <see cref="EmailOutbox"/>). Anything a transaction
/// could not do (a row changed or gone meanwhile) falls back to the per-row path for those rows.
/// </summary>
public sealed partial class ConfirmationSender
{
    private async Task SendManyAsync(IReadOnlyList<ConfirmationMessage> messages, CancellationToken ct)
    {
        var eventId = messages[0].EventId;
        var table = await store.TableAsync(ct);
        var batch = new SendBatch(store, eventId, _waitlists);
        var failed = new ConcurrentBag<string>();
        var parallelism = Math.Max(1, options.Value.ConfirmationParallelism);

        // 1. Read every row with a few partition queries (a read that fails returns the whole message: nothing was sent).
        var byKey = messages.ToDictionary(m => m.RegistrationKey, StringComparer.Ordinal);
        var keys = Ids.IsValidEventId(eventId) ? messages.Select(m => m.RegistrationKey).Where(Ids.IsEmailRowKey).ToList() : [];
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
        var (claimed, unclaimed) = await outbox.ClaimManyAsync(table, claimable, Lane, ct);
        var started = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        // 3. Send, parallelism at a time; 4. record as sends finish (the outbox bounds what is sent and not yet recorded).
        var recorder = outbox.StartRecorder(table, RecordChanges);
        var work = claimed.Select(c => (Claimed: (RegistrationEntity?)c, Message: byKey[c.RowKey]))
            .Concat(unclaimed.Select(r => (Claimed: (RegistrationEntity?)null, Message: byKey[r.RowKey])))
            .ToList();
        try
        {
            await outbox.TakeCapsAsync(claimed, Lane, ct); // the recipient cap, for the batch at once
            await Task.WhenAll(stale.Select(async row =>
            {
                try
                {
                    await outbox.CorrectAsync(table, row, r => RecordChanges(r, row, r.EmailError));
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
                        if (w.Claimed is { } row)
                        {
                            started[row.RowKey] = true; // from here on this send releases or records the claim itself
                            await SendClaimedAsync(table, row, w.Message, batch, recorder, token);
                        }
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
            // Claimed but never started (cancelled): let them go now rather than after the claim runs out.
            await Task.WhenAll(claimed.Where(c => !started.ContainsKey(c.RowKey)).Select(c => outbox.ReleaseAsync(table, c, Lane, null)));
        }

        foreach (var key in recorder.Failed) failed.Add(key);
        await ForgetRemovedAsync(table, recorder.Recorded.Select(r => r.Row));
        // A row that moved on while its email was on the way (a promotion) owes its new state's email: go round again.
        var moved = recorder.Recorded.Where(r => StillOwed(r.Merge)).Select(r => r.Row.RowKey).Distinct(StringComparer.Ordinal).ToList();
        await Parallel.ForEachAsync(moved, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
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

    /// <summary>The rows of <paramref name="keys"/> that exist, by RowKey: one query per <see cref="TableLimits.RowKeysPerFilter"/> keys.</summary>
    private static async Task<Dictionary<string, RegistrationEntity>> ReadRowsAsync(TableClient table, string eventId, List<string> keys, int parallelism, CancellationToken ct)
    {
        var rows = new ConcurrentDictionary<string, RegistrationEntity>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(keys.Chunk(TableLimits.RowKeysPerFilter), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
            async (chunk, token) =>
            {
                var filter = TableLimits.RowKeysFilter(eventId, chunk);
                await foreach (var row in table.QueryAsync<RegistrationEntity>(filter, maxPerPage: TableLimits.RowKeysPerFilter, cancellationToken: token)) rows[row.RowKey] = row;
            });
        return new Dictionary<string, RegistrationEntity>(rows, StringComparer.Ordinal);
    }

    /// <summary>Renders and sends one claimed row's email and hands the result to the recorder (the per-row path's middle part).</summary>
    private async Task SendClaimedAsync(TableClient table, RegistrationEntity row, ConfirmationMessage message, SendBatch batch,
        EmailOutbox.Recorder recorder, CancellationToken ct)
    {
        var eventEntity = await batch.EventAsync(ct);
        if (eventEntity is null)
        {
            await outbox.ReleaseAsync(table, row, Lane, null);
            return; // the event is gone; so is the registration
        }

        Handover handover;
        try
        {
            var position = await batch.WaitlistPositionAsync(row, ct);
            var email = await ComposeAsync(eventEntity.ToRecord(), row, position);
            handover = await outbox.HandOverAsync(table, row, Lane, email, ct);
        }
        catch (Exception ex) when (ex is not TransientEmailException)
        {
            // A read, the render or the wait for an in-flight place failed: nothing was sent (the outbox released a failed send itself).
            await outbox.ReleaseAsync(table, row, Lane, null);
            throw;
        }

        if (handover.Outcome == HandOverOutcome.ClaimLost)
        {
            await SendAsync(message, ct, batch); // changed since the claim: judged afresh on its own
            return;
        }

        if (handover.Outcome == HandOverOutcome.Sent) log.LogInformation("Sent the {Status} email (state {Version}) for {RegistrationId}", row.Status, row.StateVersion, row.RegistrationId);
        recorder.Add(row, handover);
    }
}
