using EventFunctions.Shared.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Organisers;

public sealed class ListEvents(OrganiserApi api)
{
    [Function(nameof(ListEvents))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Events)] HttpRequest request,
        CancellationToken ct) => api.ListAsync(request, ct);
}
