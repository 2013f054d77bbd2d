using EventFunctions.Shared.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Participants;

/// <summary>
/// Cancel and delete one's own data, authorised by the secret in the confirmation email's link:
/// a page with a confirm button (GET/POST), and DELETE for API clients.
/// </summary>
public sealed class CancelRegistration(SignUpApi api)
{
    [Function("ManageRegistration")]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Manage)] HttpRequest request,
        string eventId,
        string registrationId,
        CancellationToken ct) => api.ManageFormAsync(request, eventId, registrationId, ct);

    [Function(nameof(CancelRegistration))]
    public Task<IActionResult> Confirm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Manage)] HttpRequest request,
        string eventId,
        string registrationId,
        CancellationToken ct) => api.CancelFormAsync(request, eventId, registrationId, ct);

    [Function("DeleteRegistration")]
    public Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Routes.Registration)] HttpRequest request,
        string eventId,
        string registrationId,
        CancellationToken ct) => api.CancelJsonAsync(request, eventId, registrationId, ct);
}
