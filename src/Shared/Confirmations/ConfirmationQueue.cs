using System.Text.Json;
using Azure.Data.Tables;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Confirmations;

/// <summary>The queue message: keys only, never personal data.</summary>
public sealed record ConfirmationMessage(string EventId, string RegistrationKey);

public sealed class ConfirmationQueue(EventStore store, TimeProvider clock, IOptions<EventFunctionsOptions> options, ILogger<ConfirmationQueue> log)
{
    /// <summary>
    /// Queues the email for a stored registration. A failure here loses nothing and is never the caller's
    /// failure: the row says an email is owed (<see cref="RegistrationEntity.EmailPending"/>) and the sweep
    /// queues it again.
    /// </summary>
    public async Task EnqueueAsync(string eventId, string registrationKey, CancellationToken ct)
    {
        try
        {
            var queue = await store.QueueAsync(ct);
            await queue.SendMessageAsync(JsonSerializer.Serialize(new ConfirmationMessage(eventId, registrationKey), Json.Options), ct);
        }
        catch (Exception ex)
        {
            log.LogWarning(ex, "Could not queue the email for {RegistrationKey} of event {EventId}; the sweep will queue it", registrationKey, eventId);
        }
    }

    public static ConfirmationMessage? Parse(string message)
    {
        try
        {
            var parsed = JsonSerializer.Deserialize<ConfirmationMessage>(message, Json.Options);
            return parsed is { EventId.Length: > 0, RegistrationKey.Length: > 0 } ? parsed : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The outbox sweep: queues every registration still owed an email whose last queueing is older than
    /// <paramref name="requeueAfter"/>. Sending is idempotent, so a message queued twice still sends once.
    /// After <see cref="EventFunctionsOptions.EmailSweepAttempts"/> sweeps of the same owed email it stops,
    /// and records on the row that the email could not be sent, for organisers to see and resend.
    /// </summary>
    public async Task<int> SweepAsync(TimeSpan requeueAfter, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var cutoff = clock.GetUtcNow() - requeueAfter;
        int queued = 0, gaveUp = 0;
        await foreach (var row in table.QueryAsync<RegistrationEntity>(
            r => r.EmailPending == true && r.EmailQueuedUtc < cutoff, cancellationToken: ct))
        {
            if (row.EmailClaimUntil > clock.GetUtcNow()) continue; // a sender is on it right now: not an attempt lost
            var giveUp = row.EmailAttempts >= options.Value.EmailSweepAttempts;
            var changes = new TableEntity(row.PartitionKey, row.RowKey);
            if (giveUp)
            {
                changes[nameof(RegistrationEntity.EmailPending)] = false;
                changes[nameof(RegistrationEntity.EmailError)] = $"Not sent after {row.EmailAttempts + 1} attempts" + (string.IsNullOrEmpty(row.EmailError) ? "" : $"; last error: {row.EmailError}");
            }
            else
            {
                changes[nameof(RegistrationEntity.EmailQueuedUtc)] = clock.GetUtcNow();
                changes[nameof(RegistrationEntity.EmailAttempts)] = row.EmailAttempts + 1;
            }

            try
            {
                await table.UpdateEntityAsync(changes, row.ETag, TableUpdateMode.Merge, ct);
            }
            catch (Azure.RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                continue; // changed or cancelled meanwhile: its own path handles it
            }

            if (giveUp)
            {
                gaveUp++;
                log.LogWarning("Gave up emailing {RegistrationId} of event {EventId} after {Attempts} attempts", row.RegistrationId, row.PartitionKey, row.EmailAttempts + 1);
                continue;
            }

            await EnqueueAsync(row.PartitionKey, row.RowKey, ct);
            queued++;
        }

        if (queued + gaveUp > 0) log.LogInformation("Sweep queued {Count} unsent email(s), gave up on {GaveUp}", queued, gaveUp);
        return queued;
    }
}
