using System.Text.Json;
using Azure.Storage.Queues;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Notifications;

public static class NotificationKinds
{
    /// <summary>Splits an event's notice into <see cref="Notice"/> batches of the registrations owed it.</summary>
    public const string FanOut = "fan-out";
    /// <summary>A change or cancellation email for each registration in <see cref="NotificationMessage.Keys"/>.</summary>
    public const string Notice = "notice";
    public const string Reminder = "reminder";
    /// <summary>The confirmation again, as its participant or an organiser asked.</summary>
    public const string Resend = "resend";
    /// <summary>After the event: thanks, and the one feedback question, to people who were checked in.</summary>
    public const string Thanks = "thanks";
    /// <summary>Before the day: please confirm you are still coming (reconfirmation), with the deadline.</summary>
    public const string Reconfirm = "reconfirm";
}

/// <summary>The queue message: keys only, never personal data. <see cref="Version"/> is the event's notice version (fan-out).</summary>
public sealed record NotificationMessage(string Kind, string EventId, int Version, IReadOnlyList<string>? Keys);

/// <summary>
/// The notifications queue (<see cref="QueueNames.Notifications"/>), apart from the confirmations: change and
/// cancellation notices fan out from one message into batches, reminders and resends go in batches too.
/// </summary>
public sealed class NotificationQueue(QueueServiceClient queues, IOptions<EventFunctionsOptions> options, ILogger<NotificationQueue> log)
{
    /// <summary>Registrations per batch message: one message's work stays well inside the queue's visibility timeout.</summary>
    public const int BatchSize = 25;

    private readonly QueueClient _queue = queues.GetQueueClient(options.Value.NotificationQueue);
    private Task? _created;

    public async Task<QueueClient> QueueAsync(CancellationToken ct)
    {
        var created = _created;
        if (created is null || created.IsFaulted || created.IsCanceled) created = _created = _queue.CreateIfNotExistsAsync(cancellationToken: ct);
        await created;
        return _queue;
    }

    /// <summary>After a change commit: never the organiser's failure (the sweep finds whoever is still owed the notice).</summary>
    public async Task EnqueueFanOutAsync(string eventId, int version, CancellationToken ct)
    {
        try
        {
            await SendAsync(new NotificationMessage(NotificationKinds.FanOut, eventId, version, null), ct);
        }
        catch (Exception ex)
        {
            log.LogWarning(ex, "Could not queue notice {Version} of event {EventId}; the sweep will", version, eventId);
        }
    }

    /// <summary>Queues <paramref name="keys"/> in batches of <see cref="BatchSize"/>; throws if the queue refuses.</summary>
    public async Task EnqueueBatchesAsync(string kind, string eventId, int version, IReadOnlyList<string> keys, CancellationToken ct)
    {
        foreach (var chunk in keys.Chunk(BatchSize))
        {
            await SendAsync(new NotificationMessage(kind, eventId, version, chunk), ct);
        }
    }

    private async Task SendAsync(NotificationMessage message, CancellationToken ct)
    {
        var queue = await QueueAsync(ct);
        await queue.SendMessageAsync(JsonSerializer.Serialize(message, Json.Options), ct);
    }

    public static NotificationMessage? Parse(string message)
    {
        try
        {
            var parsed = JsonSerializer.Deserialize<NotificationMessage>(message, Json.Options);
            if (parsed is not { Kind.Length: > 0, EventId.Length: > 0 } || !Ids.IsValidEventId(parsed.EventId)) return null;
            var known = parsed.Kind is NotificationKinds.FanOut or NotificationKinds.Notice or NotificationKinds.Reminder or NotificationKinds.Resend or NotificationKinds.Thanks or NotificationKinds.Reconfirm;
            var keysOk = parsed.Kind == NotificationKinds.FanOut
                || parsed.Keys is { Count: > 0 and <= BatchSize } keys && keys.All(k => k.StartsWith("reg-", StringComparison.Ordinal) && k.Length <= 60);
            return known && keysOk ? parsed : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
