using EventFunctions.Shared.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Participants;

/// <summary>After the event, from the participant's manage link: the feedback question and a volunteer's hours certificate.</summary>
public sealed class AfterEvent(AfterEventApi api)
{
    [Function("FeedbackForm")]
    public Task<IActionResult> Feedback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Feedback)] HttpRequest request,
        string eventId,
        string registrationId,
        CancellationToken ct) => api.FeedbackFormAsync(request, eventId, registrationId, ct);

    [Function("SubmitFeedback")]
    public Task<IActionResult> SubmitFeedback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Feedback)] HttpRequest request,
        string eventId,
        string registrationId,
        CancellationToken ct) => api.SubmitFeedbackAsync(request, eventId, registrationId, ct);

    [Function("VolunteerCertificate")]
    public Task<IActionResult> Certificate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ManageCertificate)] HttpRequest request,
        string eventId,
        string registrationId,
        CancellationToken ct) => api.CertificateAsync(request, eventId, registrationId, ct);
}
