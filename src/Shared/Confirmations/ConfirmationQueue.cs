using System.Text.Json;
using Azure.Data.Tables;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Shared.Confirmations;

/// <summary>The queue message: keys only, never personal data.</summary>
public sealed record ConfirmationMessage(string EventId, string RegistrationKey);

public sealed class ConfirmationQueue(EventStore store, TimeProvider clock, ILogger<ConfirmationQueue> log)
{
    /// <summary>
    /// Queues the email for a stored registration. A failure here loses nothing: the row says an email is
    /// owed (<see cref="RegistrationEntity.EmailPending"/>) and the sweep queues it again.
    /// </summary>
    public async Task EnqueueAsync(TableClient table, RegistrationEntity row, CancellationToken ct)
    {
        try
        {
            var queue = await store.QueueAsync(ct);
            await queue.SendMessageAsync(JsonSerializer.Serialize(new ConfirmationMessage(row.PartitionKey, row.RowKey), Json.Options), ct);
        }
        catch (Exception ex) when (StorageFaults.IsTransient(ex))
        {
            log.LogWarning(ex, "Could not queue the confirmation for {RegistrationId}; the sweep will queue it", row.RegistrationId);
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
    /// </summary>
    public async Task<int> SweepAsync(TimeSpan requeueAfter, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var cutoff = clock.GetUtcNow() - requeueAfter;
        var queued = 0;
        await foreach (var row in table.QueryAsync<RegistrationEntity>(
            r => r.EmailPending == true && r.EmailQueuedUtc < cutoff, cancellationToken: ct))
        {
            row.EmailQueuedUtc = clock.GetUtcNow();
            try
            {
                await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge, ct);
            }
            catch (Azure.RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                continue; // changed or cancelled meanwhile: its own path handles it
            }

            await EnqueueAsync(table, row, ct);
            queued++;
        }

        if (queued > 0) log.LogInformation("Sweep queued {Count} unsent confirmation(s)", queued);
        return queued;
    }
}
