using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Operations;
using EventFunctions.Shared.Storage;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Confirmations;

/// <summary>
/// Sends the emails a message names: one registration, or every registration one ledger commit owes an email
/// (each handled on its own, idempotently). Throwing returns the message to the queue (SendGrid 429/5xx,
/// timeouts); a batch's failed registrations are queued again each on its own instead. After host.json's
/// maxDequeueCount a message moves to "confirmations-poison", where organisers can see it.
/// </summary>
public sealed class SendConfirmation(ConfirmationSender sender, QueueFailures failures)
{
    [Function(nameof(SendConfirmation))]
    public Task Run([QueueTrigger(QueueNames.Confirmations)] string message, CancellationToken ct) =>
        failures.RunAsync(QueueNames.Confirmations, message, () => sender.HandleAsync(message, ct), ct);
}
