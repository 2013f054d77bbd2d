using EventFunctions.Shared.Notifications;
using EventFunctions.Shared.Operations;
using EventFunctions.Shared.Storage;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Notifications;

/// <summary>
/// Fans out change and cancellation notices and sends batches of notices, reminders and resent confirmations.
/// Throwing returns the message (a failed or held email in the batch; the rest are recorded and skipped next
/// time); after host.json's maxDequeueCount it moves to "notifications-poison".
/// </summary>
public sealed class SendNotifications(NotificationSender sender, QueueFailures failures)
{
    [Function(nameof(SendNotifications))]
    public Task Run([QueueTrigger(QueueNames.Notifications)] string message, CancellationToken ct) =>
        failures.RunAsync(QueueNames.Notifications, message, async () =>
        {
            var parsed = NotificationQueue.Parse(message)
                ?? throw new FormatException("Not a notification message; it will end in the poison queue.");
            await sender.HandleAsync(parsed, ct);
        }, ct);
}
