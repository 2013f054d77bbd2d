using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using EventFunctions.Shared.Hosting;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Operations;

/// <summary>A message in a poison queue, as the console shows it: what kind, which event, when, how often tried, the last error.</summary>
public sealed record PoisonMessage(string Queue, string Kind, string MessageId, string? EventId, string? What, DateTimeOffset? InsertedOn, string? LastError, DateTimeOffset? FailedUtc);

public sealed record QueueDepth(string Queue, long Waiting, long Poison);

/// <summary>
/// The app's queues and their poison queues (<c>{queue}-poison</c>, where the host moves a message after
/// maxDequeueCount failures): how deep they are, what is in the poison queues, and replaying from them. A replay
/// puts the message back on its queue first and only then deletes it from the poison queue, so a crash between the
/// two leaves it in both places, never in neither; the senders are idempotent (a registration's email is recorded
/// on its row), so a message handled twice sends nothing twice.
/// </summary>
public sealed class PoisonQueues(QueueServiceClient queues, IOptions<EventFunctionsOptions> options, QueueFailures failures, ILogger<PoisonQueues> log)
{
    /// <summary>Most messages a page lists per queue (the storage service peeks at most 32 at a time).</summary>
    public const int PeekLimit = 32;

    public IReadOnlyList<(string Queue, string Kind)> Sources =>
    [
        (options.Value.ConfirmationQueue, "confirmation"),
        (options.Value.NotificationQueue, "notification"),
    ];

    public static string PoisonName(string queue) => queue + "-poison";

    private Task? _created;

    public async Task<IReadOnlyList<QueueDepth>> DepthsAsync(CancellationToken ct)
    {
        // Once per process: the queues and their poison queues exist (as infra/ creates them), so a look is one
        // request each and never a logged 404.
        var created = _created;
        if (created is null || created.IsFaulted || created.IsCanceled)
            created = _created = Task.WhenAll(Sources.SelectMany(s => new[] { s.Queue, PoisonName(s.Queue) })
                .Select(q => queues.GetQueueClient(q).CreateIfNotExistsAsync(cancellationToken: CancellationToken.None)));
        await created.WaitAsync(ct);
        var depths = await Task.WhenAll(Sources.Select(async s =>
            new QueueDepth(s.Queue, await CountAsync(s.Queue, ct), await CountAsync(PoisonName(s.Queue), ct))));
        Telemetry.ObservePoison(depths.Sum(d => d.Poison));
        return depths;
    }

    public async Task<IReadOnlyList<PoisonMessage>> ListAsync(CancellationToken ct)
    {
        var list = new List<PoisonMessage>();
        foreach (var (queue, kind) in Sources)
        {
            PeekedMessage[] peeked;
            try
            {
                peeked = (await queues.GetQueueClient(PoisonName(queue)).PeekMessagesAsync(PeekLimit, ct)).Value;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                continue; // no poison queue yet: nothing ever failed
            }

            foreach (var m in peeked)
            {
                var text = m.MessageText;
                var failure = await failures.FindAsync(queue, text, ct);
                var (eventId, what) = Describe(text);
                list.Add(new PoisonMessage(queue, kind, m.MessageId, eventId, what, m.InsertedOn, failure?.Error, failure?.FailedUtc));
            }
        }

        return list;
    }

    /// <summary>
    /// Puts the poison message <paramref name="messageId"/> of <paramref name="queue"/> (or all of them when null) back
    /// on the queue. Returns how many were replayed: 0 when it is no longer there (replayed already), which changes nothing.
    /// </summary>
    public async Task<int> ReplayAsync(string queue, string? messageId, CancellationToken ct)
    {
        if (!Sources.Any(s => s.Queue == queue)) return 0;
        var target = queues.GetQueueClient(queue);
        var poison = queues.GetQueueClient(PoisonName(queue));
        var passedOver = new List<QueueMessage>();
        var replayed = 0;
        // At most what was there when asked (a replayed message that fails again lands here under a new id: it waits
        // for the next replay instead of being replayed round and round).
        long present;
        try
        {
            present = (await poison.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return 0;
        }

        try
        {
            for (var looked = 0L; looked < present;)
            {
                QueueMessage[] received;
                try
                {
                    // Invisible while we look; messages passed over are made visible again at the end.
                    received = (await poison.ReceiveMessagesAsync(PeekLimit, TimeSpan.FromMinutes(1), ct)).Value;
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    return 0;
                }

                if (received.Length == 0) break;
                looked += received.Length;
                foreach (var m in received)
                {
                    if (messageId is not null && m.MessageId != messageId)
                    {
                        passedOver.Add(m);
                        continue;
                    }

                    await target.CreateIfNotExistsAsync(cancellationToken: ct);
                    await target.SendMessageAsync(m.MessageText, ct);
                    await poison.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
                    await failures.ForgetAsync(queue, m.MessageText, ct);
                    replayed++;
                    Telemetry.PoisonReplayed.Add(1, new KeyValuePair<string, object?>("queue", queue));
                }

                if (messageId is not null && replayed > 0) break;
            }
        }
        finally
        {
            foreach (var m in passedOver)
            {
                try
                {
                    await poison.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
                }
                catch (RequestFailedException ex)
                {
                    log.LogWarning("A poison message passed over stays hidden for a minute ({Status})", ex.Status);
                }
            }
        }

        log.LogInformation("Replayed {Count} message(s) from {Queue}", replayed, PoisonName(queue));
        return replayed;
    }

    private async Task<long> CountAsync(string queue, CancellationToken ct)
    {
        try
        {
            return (await queues.GetQueueClient(queue).GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return 0; // not created yet: empty
        }
    }

    /// <summary>The event and the kind of work a message names (both formats hold ids only).</summary>
    private static (string? EventId, string? What) Describe(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null);
            var eventId = root.TryGetProperty("eventId", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            string? what = root.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()
                : root.TryGetProperty("registrationKeys", out var keys) && keys.ValueKind == JsonValueKind.Array ? $"{keys.GetArrayLength()} registrations"
                : root.TryGetProperty("registrationKey", out _) ? "1 registration" : null;
            return (eventId, what);
        }
        catch (JsonException)
        {
            return (null, "unreadable");
        }
    }
}
