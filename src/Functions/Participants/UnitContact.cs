using EventFunctions.Shared.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Participants;

/// <summary>An invited unit's contact: who from the unit signed up, and cancelling for them (signed contact link).</summary>
public sealed class UnitContact(UnitContactApi api)
{
    [Function(nameof(UnitContact))]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.UnitContact)] HttpRequest request,
        string eventId,
        CancellationToken ct) => api.PageAsync(request, eventId, ct);

    [Function("UnitContactCancel")]
    public Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.UnitContact)] HttpRequest request,
        string eventId,
        CancellationToken ct) => api.CancelAsync(request, eventId, ct);
}
