using EventFunctions.Shared.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Organisers;

public sealed class GetEvent(OrganiserApi api)
{
    [Function(nameof(GetEvent))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Event)] HttpRequest request,
        string eventId,
        CancellationToken ct) => api.GetAsync(request, eventId, ct);
}
