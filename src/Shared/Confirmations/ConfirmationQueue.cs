using System.Text.Json;
using Azure.Data.Tables;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Confirmations;

/// <summary>The email owed to one registration: keys only, never personal data.</summary>
public sealed record ConfirmationMessage(string EventId, string RegistrationKey);

/// <summary>
/// The queue message. One registration: <c>{"eventId":…,"registrationKey":…}</c> (the only format before batch
/// messages, and still what one key is written as, so messages from either version are read by both). Several
/// (every email one ledger commit owes): <c>{"eventId":…,"registrationKeys":[…]}</c>. Keys only, never personal data.
/// </summary>
internal sealed record ConfirmationQueueMessage(string? EventId, string? RegistrationKey, IReadOnlyList<string>? RegistrationKeys)
{
    /// <summary>The W3C traceparent of the commit that wrote the message (absent when nothing was traced).</summary>
    public string? TraceParent { get; init; }
}

public sealed class ConfirmationQueue(EventStore store, TimeProvider clock, IOptions<EventFunctionsOptions> options, ILogger<ConfirmationQueue> log)
{
    /// <summary>Most registration keys one message carries (a key is 44 characters; a message may hold 48 kB before Base64).</summary>
    public const int MaxKeysPerMessage = 100;

    /// <summary>
    /// Queues the email for a stored registration. A failure here loses nothing and is never the caller's
    /// failure: the row says an email is owed (<see cref="RegistrationEntity.EmailPending"/>) and the sweep
    /// queues it again.
    /// </summary>
    public Task EnqueueAsync(string eventId, string registrationKey, CancellationToken ct) => EnqueueAsync(eventId, [registrationKey], ct);

    /// <summary>
    /// Queues the emails for stored registrations of one event as one message (per <see cref="MaxKeysPerMessage"/>
    /// keys): the ledger writes one per commit, not one per sign-up. Never throws, as above.
    /// </summary>
    public async Task EnqueueAsync(string eventId, IReadOnlyList<string> registrationKeys, CancellationToken ct)
    {
        try
        {
            await SendAsync(eventId, registrationKeys, delay: null, ct);
        }
        catch (Exception ex)
        {
            log.LogWarning(ex, "Could not queue the email(s) for {Count} registration(s) of event {EventId}; the sweep will queue them", registrationKeys.Count, eventId);
        }
    }

    /// <summary>
    /// Puts registrations of a batch message whose email failed back on the queue, each as its own message
    /// visible after <paramref name="delay"/>, so each is retried (and in the end poisoned) on its own. Throws
    /// when the queue cannot be written (the batch message then comes back whole).
    /// </summary>
    public async Task RequeueEachAsync(string eventId, IEnumerable<string> registrationKeys, TimeSpan delay, CancellationToken ct) =>
        await Task.WhenAll(registrationKeys.Select(key => SendAsync(eventId, [key], delay, ct)));

    private async Task SendAsync(string eventId, IReadOnlyList<string> keys, TimeSpan? delay, CancellationToken ct)
    {
        if (keys.Count == 0) return;
        var queue = await store.QueueAsync(ct);
        await Task.WhenAll(keys.Chunk(MaxKeysPerMessage).Select(chunk => queue.SendMessageAsync(Format(eventId, chunk), delay, timeToLive: null, ct)));
    }

    /// <summary>One key in the single-registration format, several in the batch format.</summary>
    public static string Format(string eventId, IReadOnlyList<string> keys) => JsonSerializer.Serialize((keys.Count == 1
        ? new ConfirmationQueueMessage(eventId, keys[0], null)
        : new ConfirmationQueueMessage(eventId, null, keys)) with { TraceParent = Hosting.Telemetry.CurrentTraceParent() }, Json.Options);

    /// <summary>The trace the message was written in, or null.</summary>
    public static string? TraceParent(string message)
    {
        try
        {
            return JsonSerializer.Deserialize<ConfirmationQueueMessage>(message, Json.Options)?.TraceParent;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A message for exactly one registration (either format), or null.</summary>
    public static ConfirmationMessage? Parse(string message) => ParseAll(message) is [var one] ? one : null;

    /// <summary>The registrations a message (either format) owes an email, each once; null when it is not a confirmation message.</summary>
    public static IReadOnlyList<ConfirmationMessage>? ParseAll(string message)
    {
        try
        {
            var parsed = JsonSerializer.Deserialize<ConfirmationQueueMessage>(message, Json.Options);
            if (parsed is not { EventId.Length: > 0 } || (parsed.RegistrationKey is null) == (parsed.RegistrationKeys is null)) return null;
            var keys = parsed.RegistrationKeys ?? [parsed.RegistrationKey!];
            if (keys.Count == 0 || keys.Any(string.IsNullOrEmpty)) return null;
            return keys.Distinct(StringComparer.Ordinal).Select(k => new ConfirmationMessage(parsed.EventId, k)).ToList();
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
