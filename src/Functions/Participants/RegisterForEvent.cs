using EventFunctions.Shared.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Participants;

/// <summary>The sign-up as a JSON API, for clients other than the web form.</summary>
public sealed class RegisterForEvent(SignUpApi api)
{
    [Function(nameof(RegisterForEvent))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Registrations)] HttpRequest request,
        string eventId,
        CancellationToken ct) => api.RegisterJsonAsync(request, eventId, ct);
}
