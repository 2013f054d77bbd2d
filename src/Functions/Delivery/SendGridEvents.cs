using EventFunctions.Shared.Http;
using EventFunctions.Shared.Delivery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Delivery;

/// <summary>
/// SendGrid's Event Webhook: delivered, bounced, dropped and deferred, recorded on each registration. Anonymous to the
/// host because SendGrid cannot send a function key; every request must carry SendGrid's ECDSA signature instead.
/// </summary>
public sealed class SendGridEvents(DeliveryWebhook webhook)
{
    [Function(nameof(SendGridEvents))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.SendGridEvents)] HttpRequest request,
        CancellationToken ct) => webhook.ReceiveAsync(request, ct);
}
