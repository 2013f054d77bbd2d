using EventFunctions.Shared.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Notifications;

/// <summary>The manage page's other actions, authorised by the secret in the participant's link.</summary>
public sealed class ManageRegistrationExtras(SignUpApi api)
{
    /// <summary>"Send my confirmation again" (form field t), rate-limited per registration.</summary>
    [Function("ResendConfirmation")]
    public Task<IActionResult> Resend(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ManageResend)] HttpRequest request,
        string eventId,
        string registrationId,
        CancellationToken ct) => api.ResendFormAsync(request, eventId, registrationId, ct);

    /// <summary>"Confirm my sign-up" (form field t): a held seat or waitlist place confirmed from the email.</summary>
    [Function("ConfirmSignUp")]
    public Task<IActionResult> Confirm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ManageConfirm)] HttpRequest request,
        string eventId,
        string registrationId,
        CancellationToken ct) => api.ConfirmFormAsync(request, eventId, registrationId, ct);

    /// <summary>The registration's calendar file (.ics), as the confirmation carries it.</summary>
    [Function("DownloadCalendar")]
    public Task<IActionResult> Calendar(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ManageCalendar)] HttpRequest request,
        string eventId,
        string registrationId,
        CancellationToken ct) => api.CalendarAsync(request, eventId, registrationId, ct);
}
