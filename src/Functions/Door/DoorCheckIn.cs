using EventFunctions.Shared.Http;
using EventFunctions.Shared.Attendance;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Door;

/// <summary>
/// The door staff's check-in page, opened from the event's check-in link (<c>?k=</c>, a signed door token); POST
/// checks in, undoes, or adds a walk-in. Anonymous at the Functions level: the door token is the credential.
/// </summary>
public sealed class DoorCheckIn(DoorApi api)
{
    [Function("DoorPage")]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Door)] HttpRequest request,
        string eventId,
        CancellationToken ct) => api.PageAsync(request, eventId, ct);

    [Function("DoorAction")]
    public Task<IActionResult> Act(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Door)] HttpRequest request,
        string eventId,
        CancellationToken ct) => api.PostAsync(request, eventId, ct);
}
