using System.Globalization;
using System.Text;
using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Web;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Notifications;

/// <summary>What one notification message did (for tests and logs).</summary>
public sealed record NotificationResult(int Sent, int Skipped, int Held, int Failed, int Queued);

/// <summary>
/// Handles the notifications queue: a fan-out splits an event's notice into batches of the registrations owed it;
/// a batch sends each of its registrations the email it is owed, exactly once although delivery is
/// at-least-once and instances die mid-batch. As with confirmations, the row is the outbox: the
/// <see cref="EmailOutbox"/> claims it under its ETag (<see cref="RegistrationEntity.NoticeClaimUntil"/>), sends what the row and the event say is owed
/// <em>now</em> (so a notice always carries the event's latest state), and records it
/// (<see cref="RegistrationEntity.NoticeSentVersion"/>, <see cref="RegistrationEntity.ReminderSentUtc"/>,
/// <see cref="RegistrationEntity.ResendSentCount"/>). A row already recorded is skipped; a row claimed by another
/// delivery makes the message come back later; a row whose email failed is released and the message comes back.
/// </summary>
public sealed class NotificationSender(
    EventStore store,
    NotificationQueue queue,
    EmailOutbox outbox,
    NoticeComposer composer,
    ConfirmationSender confirmations,
    TimeProvider clock,
    ILogger<NotificationSender> log)
{
    private static readonly OutboxLane Lane = OutboxLane.Notification;
    private const int Parallelism = 4;

    private enum RowOutcome { Sent, Skipped, Held, Failed }

    public async Task<NotificationResult> HandleAsync(NotificationMessage message, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var eventEntity = await store.FindEventAsync(message.EventId, ct);
        if (eventEntity is null)
        {
            log.LogInformation("Event {EventId} no longer exists; {Kind} message dropped", message.EventId, message.Kind);
            return new(0, message.Keys?.Count ?? 0, 0, 0, 0);
        }

        var ev = eventEntity.ToRecord();
        if (message.Kind == NotificationKinds.FanOut) return await FanOutAsync(table, ev, ct);

        int sent = 0, skipped = 0, held = 0, failed = 0;
        Exception? firstFailure = null;
        await Parallel.ForEachAsync(message.Keys ?? [], new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (key, token) =>
        {
            try
            {
                switch (await HandleRowAsync(table, ev, message.Kind, key, token))
                {
                    case RowOutcome.Sent: Interlocked.Increment(ref sent); break;
                    case RowOutcome.Held: Interlocked.Increment(ref held); break;
                    default: Interlocked.Increment(ref skipped); break;
                }
            }
            catch (Exception ex) when (ex is TransientEmailException || StorageFaults.IsTransient(ex))
            {
                Interlocked.Increment(ref failed);
                Interlocked.CompareExchange(ref firstFailure, ex, null);
            }
        });

        log.LogInformation("{Kind} batch for event {EventId}: {Sent} sent, {Skipped} not owed or done, {Held} held by another delivery, {Failed} failed",
            message.Kind, ev.Id, sent, skipped, held, failed);
        // The rest of the batch is done and recorded; the message comes back for what is left.
        if (firstFailure is not null) throw new TransientEmailException($"{failed} email(s) of the batch failed; the message comes back for them.", firstFailure);
        if (held > 0) throw new TransientEmailException($"{held} registration(s) of the batch are held by another delivery; the message comes back for them.");
        return new(sent, skipped, held, failed, 0);
    }

    /// <summary>Queues the event's latest notice, in batches, for every registration still owed it.</summary>
    private async Task<NotificationResult> FanOutAsync(TableClient table, EventRecord ev, CancellationToken ct)
    {
        var owed = new List<string>();
        await foreach (var row in table.QueryAsync<RegistrationEntity>(r => r.PartitionKey == ev.Id && r.RowKey != EventEntity.RowKeyValue, cancellationToken: ct))
        {
            if (row.NoticeOwed(ev)) owed.Add(row.RowKey);
        }

        await queue.EnqueueBatchesAsync(NotificationKinds.Notice, ev.Id, ev.NoticeVersion, owed, ct);
        log.LogInformation("Notice {Version} of event {EventId}: {Count} registration(s) queued in batches", ev.NoticeVersion, ev.Id, owed.Count);
        return new(0, 0, 0, 0, owed.Count);
    }

    private async Task<RowOutcome> HandleRowAsync(TableClient table, EventRecord ev, string kind, string key, CancellationToken ct)
    {
        for (var round = 0; round < 5; round++)
        {
            var found = await table.GetEntityIfExistsAsync<RegistrationEntity>(ev.Id, key, cancellationToken: ct);
            if (!found.HasValue) return RowOutcome.Skipped; // cancelled: the row and its data are gone
            var row = found.Value!;
            var now = clock.GetUtcNow();
            var owed = kind switch
            {
                NotificationKinds.Notice => row.NoticeOwed(ev),
                NotificationKinds.Reminder => row.ReminderDue(ev, now),
                NotificationKinds.Resend => row.ResendSentCount < row.ResendRequested,
                NotificationKinds.Thanks => Feedback.FeedbackService.ThanksDue(ev, row, now),
                NotificationKinds.Reconfirm => row.ReconfirmEmailOwed(ev, now),
                _ => false,
            };
            if (!owed) return RowOutcome.Skipped;
            if (row.NoticeClaimUntil > now) return RowOutcome.Held;
            if (!await outbox.ClaimAsync(table, row, Lane, ct)) continue; // changed first by someone else: judge it afresh

            var (email, record) = await ComposeAsync(kind, ev, row, now);
            var handover = await outbox.HandOverAsync(table, row, Lane, email, ct);
            if (handover.Outcome == HandOverOutcome.ClaimLost) continue;

            // Only this sender's columns are written, so the record merges over whatever else changed meanwhile (a
            // promotion, the confirmation sender's record); a row gone is a cancel.
            var rejected = handover.Outcome == HandOverOutcome.Rejected;
            record[Lane.ClaimColumn] = EmailOutbox.Released;
            // Retrying cannot help a refusal (a 4xx for the address): recorded as done, with the reason, for organisers.
            record[Lane.ErrorColumn] = rejected ? $"{kind} {handover.Error}" : "";
            await outbox.RecordAsync(table, row, handover, r => new TableEntity(record) { PartitionKey = r.PartitionKey, RowKey = r.RowKey });
            if (rejected) return RowOutcome.Skipped;
            log.LogInformation("Sent the {Kind} email for {RegistrationId} of event {EventId} (notice version {Version})", kind, row.RegistrationId, ev.Id, ev.NoticeVersion);
            return RowOutcome.Sent;
        }

        return RowOutcome.Held; // the row kept changing under us: the message comes back
    }

    private async Task<(EmailMessage Email, Dictionary<string, object> Record)> ComposeAsync(string kind, EventRecord ev, RegistrationEntity row, DateTimeOffset now)
    {
        switch (kind)
        {
            case NotificationKinds.Notice:
                var email = await composer.ComposeNoticeAsync(ev, row);
                return (email, new()
                {
                    [nameof(RegistrationEntity.NoticeSentVersion)] = ev.NoticeVersion,
                    [nameof(RegistrationEntity.NoticeSentUtc)] = now,
                    [nameof(RegistrationEntity.NoticeAttempts)] = 0,
                });
            case NotificationKinds.Reminder:
                return (await composer.ComposeReminderAsync(ev, row), new() { [nameof(RegistrationEntity.ReminderSentUtc)] = now });
            case NotificationKinds.Reconfirm:
                return (await composer.ComposeReconfirmAsync(ev, row), new() { [nameof(RegistrationEntity.ReconfirmSentUtc)] = now });
            case NotificationKinds.Thanks:
                return (await composer.ComposeThanksAsync(ev, row), new() { [nameof(RegistrationEntity.ThanksSentUtc)] = now });
            default:
                // The confirmation as the confirmation sender writes it, for the row's current state.
                var table = await store.TableAsync(CancellationToken.None);
                var registration = row;
                var confirmation = await confirmations.ComposeAsync(ev, registration, await RegistrationService.WaitlistPositionAsync(table, registration, CancellationToken.None));
                var tags = new Dictionary<string, string>(confirmation.Tags) { ["resend"] = row.ResendRequested.ToString(CultureInfo.InvariantCulture) };
                return (confirmation with { Tags = tags, Category = "resend" }, new() { [nameof(RegistrationEntity.ResendSentCount)] = row.ResendRequested });
        }
    }
}
