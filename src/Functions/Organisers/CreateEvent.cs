using EventFunctions.Shared.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Organisers;

public sealed class CreateEvent(OrganiserApi api)
{
    [Function(nameof(CreateEvent))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.Events)] HttpRequest request,
        CancellationToken ct) => api.CreateAsync(request, ct);
}
