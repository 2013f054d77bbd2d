using EventFunctions.Shared.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Organisers;

public sealed class UpdateEvent(OrganiserApi api)
{
    [Function(nameof(UpdateEvent))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = Routes.Event)] HttpRequest request,
        string eventId,
        CancellationToken ct) => api.UpdateAsync(request, eventId, ct);
}
