using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Storage;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Confirmations;

/// <summary>
/// Sends a registration's email. Throwing returns the message to the queue (SendGrid 429/5xx, timeouts);
/// after host.json's maxDequeueCount it moves to "confirmations-poison", where organisers can see it.
/// </summary>
public sealed class SendConfirmation(ConfirmationSender sender)
{
    [Function(nameof(SendConfirmation))]
    public async Task Run([QueueTrigger(QueueNames.Confirmations)] string message, CancellationToken ct)
    {
        var parsed = ConfirmationQueue.Parse(message)
            ?? throw new FormatException("Not a confirmation message; it will end in the poison queue.");
        await sender.SendAsync(parsed, ct);
    }
}
