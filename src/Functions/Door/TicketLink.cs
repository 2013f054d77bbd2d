using EventFunctions.Shared.Http;
using EventFunctions.Shared.Attendance;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Door;

/// <summary>
/// What a ticket's QR code opens: on a phone holding the event's door credential, the check-in screen for that
/// ticket; for anyone else, a neutral page naming the event (no personal data).
/// </summary>
public sealed class TicketLink(DoorApi api)
{
    [Function(nameof(TicketLink))]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Ticket)] HttpRequest request,
        string eventId,
        string code,
        CancellationToken ct) => api.TicketAsync(request, eventId, code, ct);
}
