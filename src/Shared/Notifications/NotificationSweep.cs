using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Notifications;

/// <summary>What one sweep queued.</summary>
public sealed record SweepResult(int Reminders, int Notices, int Resends, int GaveUp)
{
    /// <summary>Thank-you emails (with the feedback question) queued to people checked in at events just over.</summary>
    public int Thanks { get; init; }
    /// <summary>Emails asking to reconfirm before the day queued.</summary>
    public int Reconfirms { get; init; }
    /// <summary>Reminders queued to invited units that have signed nobody up (see <see cref="Units.UnitMail"/>).</summary>
    public int UnitReminders { get; init; }
}

/// <summary>
/// The reminder timer's work. For every event not yet over it looks at its registrations and queues, in batches:
/// reminders now due (see <see cref="RegistrationEntity.ReminderDue"/>), and — the outbox sweep — change and
/// cancellation notices and resends still owed whose queue message was lost or failed for longer than
/// <see cref="EventFunctionsOptions.RequeueAfter"/>. A notice swept <see cref="EventFunctionsOptions.EmailSweepAttempts"/>
/// times without being sent is given up on and the reason kept on the row (<see cref="RegistrationEntity.NoticeError"/>).
/// Sending is idempotent, so queueing something twice still sends it once. Last, the reminders to invited units that
/// have signed nobody up a day before sign-up closes (<see cref="Units.UnitMail.RemindDueAsync"/>).
/// </summary>
public sealed class NotificationSweep(EventStore store, NotificationQueue queue, Units.UnitMail units, Ledger.EventLedger ledger, TimeProvider clock, IOptions<EventFunctionsOptions> options, ILogger<NotificationSweep> log)
{
    public async Task<SweepResult> RunAsync(CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var now = clock.GetUtcNow();
        var cutoff = now - options.Value.RequeueAfter;
        int reminders = 0, notices = 0, resends = 0, gaveUp = 0, thanks = 0, reconfirms = 0;
        var events = new List<EventRecord>();
        // Events still to come or just over (a cancellation notice is still worth sending on the day; thanks go for two).
        var since = now - Feedback.FeedbackService.AskWithin;
        await foreach (var e in table.QueryAsync<EventEntity>(x => x.RowKey == EventEntity.RowKeyValue && x.EndUtc > since, cancellationToken: ct))
        {
            events.Add(e.ToRecord());
        }

        foreach (var ev in events)
        {
            var remindNow = ev.ReminderHoursBefore > 0 && !ev.Cancelled && now < ev.StartUtc && now >= ev.StartUtc - TimeSpan.FromHours(ev.ReminderHoursBefore);
            var noticeLate = ev.NoticeVersion > 0 && ev.NoticeHistory.Count > 0 && ev.NoticeHistory[^1].AtUtc <= cutoff;
            var due = new List<RegistrationEntity>();
            var noticesOwed = new List<RegistrationEntity>();
            var resendsOwed = new List<RegistrationEntity>();
            var thanksOwed = new List<RegistrationEntity>();
            var toAsk = new List<RegistrationEntity>();
            var reconfirmOwed = new List<RegistrationEntity>();
            await foreach (var row in table.QueryAsync<RegistrationEntity>(r => r.PartitionKey == ev.Id && r.RowKey != EventEntity.RowKeyValue, cancellationToken: ct))
            {
                var free = !(row.NoticeClaimUntil > now);
                if (remindNow && row.ReminderDue(ev, now) && !(row.ReminderQueuedUtc > cutoff)) due.Add(row);
                if (noticeLate && free && row.NoticeOwed(ev) && !(row.NoticeQueuedUtc > cutoff)) noticesOwed.Add(row);
                if (free && row.ResendSentCount < row.ResendRequested && row.LastResendUtc <= cutoff && ev.EndUtc > now) resendsOwed.Add(row);
                if (free && Feedback.FeedbackService.ThanksDue(ev, row, now) && !(row.ThanksQueuedUtc > cutoff)) thanksOwed.Add(row);
                if (row.ReconfirmDue(ev, now)) toAsk.Add(row);
                else if (free && row.ReconfirmEmailOwed(ev, now) && !(row.ReconfirmQueuedUtc > cutoff)) reconfirmOwed.Add(row);
            }

            // Each row is marked before its message is queued, so the next sweep does not queue it again too soon.
            var queuedReminders = await MarkAsync(table, due, _ => new() { [nameof(RegistrationEntity.ReminderQueuedUtc)] = now }, ct);
            await queue.EnqueueBatchesAsync(NotificationKinds.Reminder, ev.Id, ev.NoticeVersion, queuedReminders, ct);
            reminders += queuedReminders.Count;

            var giveUp = noticesOwed.Where(r => r.NoticeAttempts >= options.Value.EmailSweepAttempts).ToList();
            var retry = noticesOwed.Except(giveUp).ToList();
            gaveUp += (await MarkAsync(table, giveUp, r => new()
            {
                [nameof(RegistrationEntity.NoticeGaveUpVersion)] = ev.NoticeVersion,
                [nameof(RegistrationEntity.NoticeError)] = $"Notice {ev.NoticeVersion} not sent after {r.NoticeAttempts + 1} attempts" + (string.IsNullOrEmpty(r.NoticeError) ? "" : $"; last error: {r.NoticeError}"),
            }, ct)).Count;
            var queuedNotices = await MarkAsync(table, retry, r => new()
            {
                [nameof(RegistrationEntity.NoticeQueuedUtc)] = now,
                [nameof(RegistrationEntity.NoticeAttempts)] = r.NoticeAttempts + 1,
            }, ct);
            await queue.EnqueueBatchesAsync(NotificationKinds.Notice, ev.Id, ev.NoticeVersion, queuedNotices, ct);
            notices += queuedNotices.Count;

            var queuedResends = await MarkAsync(table, resendsOwed, _ => new() { [nameof(RegistrationEntity.LastResendUtc)] = now }, ct);
            await queue.EnqueueBatchesAsync(NotificationKinds.Resend, ev.Id, ev.NoticeVersion, queuedResends, ct);
            resends += queuedResends.Count;

            // Reconfirmation: each person asked through the ledger (the seat awaits their confirmation until the deadline,
            // then the hold sweep releases it in order), then the email asking it.
            if (ev.Reconfirmation is var (_, deadline))
            {
                foreach (var row in toAsk)
                {
                    if (await ledger.AskToReconfirmAsync(ev.Id, row.RowKey, row.RegistrationId, deadline) is not Ledger.ConfirmResult.Confirmed { AlreadyDone: false }) continue;
                    // Read again: the ask changed the row (its ETag), and the email's mark is written under the new one.
                    if (await table.GetEntityIfExistsAsync<RegistrationEntity>(ev.Id, row.RowKey, cancellationToken: ct) is { HasValue: true } fresh) reconfirmOwed.Add(fresh.Value!);
                }
            }
            var queuedAsks = await MarkAsync(table, reconfirmOwed, _ => new() { [nameof(RegistrationEntity.ReconfirmQueuedUtc)] = now }, ct);
            await queue.EnqueueBatchesAsync(NotificationKinds.Reconfirm, ev.Id, ev.NoticeVersion, queuedAsks, ct);
            reconfirms += queuedAsks.Count;

            var queuedThanks = await MarkAsync(table, thanksOwed, _ => new() { [nameof(RegistrationEntity.ThanksQueuedUtc)] = now }, ct);
            await queue.EnqueueBatchesAsync(NotificationKinds.Thanks, ev.Id, ev.NoticeVersion, queuedThanks, ct);
            thanks += queuedThanks.Count;
        }

        if (reminders + notices + resends + gaveUp + thanks > 0)
        {
            log.LogInformation("Notification sweep queued {Reminders} reminder(s), {Notices} owed notice(s), {Resends} resend(s), {Thanks} thank-you email(s); gave up on {GaveUp}", reminders, notices, resends, thanks, gaveUp);
        }

        return new(reminders, notices, resends, gaveUp) { Thanks = thanks, Reconfirms = reconfirms, UnitReminders = await units.RemindDueAsync(ct) };
    }

    /// <summary>Merges each row's marks under its ETag; a row changed or deleted meanwhile is left to its own path.</summary>
    private static async Task<List<string>> MarkAsync(TableClient table, List<RegistrationEntity> rows, Func<RegistrationEntity, Dictionary<string, object>> marks, CancellationToken ct)
    {
        var marked = new List<string>();
        foreach (var row in rows)
        {
            var entity = new TableEntity(row.PartitionKey, row.RowKey);
            foreach (var (k, v) in marks(row)) entity[k] = v;
            try
            {
                await table.UpdateEntityAsync(entity, row.ETag, TableUpdateMode.Merge, ct);
                marked.Add(row.RowKey);
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                // Changed (sent, claimed) or cancelled since it was read: the next sweep judges it afresh.
            }
        }

        return marked;
    }
}
