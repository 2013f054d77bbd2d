using EventFunctions.Shared.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Participants;

/// <summary>The public sign-up link: GET shows the form, POST (urlencoded) signs up and shows the result.</summary>
public sealed class SignUpForm(SignUpApi api)
{
    [Function(nameof(SignUpForm))]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.SignUpForm)] HttpRequest request,
        string eventId,
        CancellationToken ct) => api.FormAsync(request, eventId, ct);

    [Function("SubmitSignUpForm")]
    public Task<IActionResult> Submit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.SignUpForm)] HttpRequest request,
        string eventId,
        CancellationToken ct) => api.SubmitFormAsync(request, eventId, ct);
}
