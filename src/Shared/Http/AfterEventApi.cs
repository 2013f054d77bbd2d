using EventFunctions.Shared.Events;
using EventFunctions.Shared.Listings;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Volunteering;
using EventFunctions.Shared.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Shared.Http;

/// <summary>
/// A participant's pages after the event, opened from their manage link (its secret is the credential, no account):
/// the one feedback question (answered once, by people who came) and a volunteer's printable hours certificate.
/// </summary>
public sealed class AfterEventApi(RegistrationService registrations, Feedback.FeedbackService feedback, PageRenderer pages, PublicLimits limits, TimeProvider clock, ILogger<AfterEventApi> log)
{
    // ---- GET/POST /api/feedback/{eventId}/{registrationId}?t=…[&r=1..5] ----

    public Task<IActionResult> FeedbackFormAsync(HttpRequest request, string eventId, string registrationId, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        if (limits.Refuse(request, PublicAction.Page) is { } wait) return PublicLimits.TooManyPageAsync(request, wait, text, pages);
        return HttpIO.GuardPageAsync(request, log, text, pages, async () =>
        {
            var token = request.Query["t"].FirstOrDefault();
            var found = await registrations.FindForManageAsync(eventId, registrationId, token, ct);
            if (found is null) return HttpIO.Html(await MessageAsync(text, text.ManageLinkInvalid, []), 404);
            var (e, row) = found.Value;
            if (await AnsweredOrRefusedAsync(e, row, text, ct) is { } answer) return answer;
            int? rating = int.TryParse(request.Query["r"].FirstOrDefault(), out var r) && r is >= 1 and <= 5 ? r : null;
            return HttpIO.Html(await FeedbackPageAsync(e, row.RegistrationId, token!, text, rating, null, null));
        });
    }

    public async Task<IActionResult> SubmitFeedbackAsync(HttpRequest request, string eventId, string registrationId, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        var read = await HttpIO.ReadFormAsync(request, text, pages, ct); // over 64 kB: 413 before anything is read into memory
        if (read.Error is not null) return read.Error;
        var form = read.Value!;
        text = HttpIO.Language(request, form["lang"].FirstOrDefault());
        if (limits.Refuse(request, PublicAction.Page) is { } wait) return await PublicLimits.TooManyPageAsync(request, wait, text, pages);
        return await HttpIO.GuardPageAsync(request, log, text, pages, async () =>
        {
            var token = form["t"].FirstOrDefault();
            var found = await registrations.FindForManageAsync(eventId, registrationId, token, ct);
            if (found is null) return HttpIO.Html(await MessageAsync(text, text.ManageLinkInvalid, []), 404);
            var (e, row) = found.Value;
            var ui = CalendarUi.For(text);
            var rating = form["rating"].FirstOrDefault();
            var comment = form["comment"].FirstOrDefault();
            return await feedback.SubmitAsync(e, row, rating, comment, text.Code == "en", ct) switch
            {
                Feedback.FeedbackOutcome.Saved s => HttpIO.Html(await MessageAsync(text, ui.FeedbackThanks, [string.Format(ui.FeedbackYourRatingFormat, ui.RatingNames[s.Answer.Rating - 1])], success: true)),
                Feedback.FeedbackOutcome.AlreadyAnswered a => HttpIO.Html(await MessageAsync(text, ui.FeedbackAlready, [string.Format(ui.FeedbackYourRatingFormat, ui.RatingNames[a.Answer.Rating - 1])]), 409),
                Feedback.FeedbackOutcome.Invalid i => HttpIO.Html(await FeedbackPageAsync(e, row.RegistrationId, token!, text, int.TryParse(rating, out var r) && r is >= 1 and <= 5 ? r : null, comment, i.Errors), 400),
                Feedback.FeedbackOutcome.NotYetHeld => HttpIO.Html(await MessageAsync(text, ui.FeedbackNotYet, []), 409),
                _ => HttpIO.Html(await MessageAsync(text, ui.FeedbackNotAttended, []), 403),
            };
        });
    }

    /// <summary>The page instead of the form: answered before (the answer shown), not yet held, or never checked in.</summary>
    private async Task<IActionResult?> AnsweredOrRefusedAsync(EventRecord e, RegistrationEntity row, UiText text, CancellationToken ct)
    {
        var ui = CalendarUi.For(text);
        switch (Feedback.FeedbackService.Refusal(e, row, clock.GetUtcNow()))
        {
            case Feedback.FeedbackOutcome.NotYetHeld: return HttpIO.Html(await MessageAsync(text, ui.FeedbackNotYet, []), 409);
            case Feedback.FeedbackOutcome.NotAttended: return HttpIO.Html(await MessageAsync(text, ui.FeedbackNotAttended, []), 403);
        }
        return await feedback.FindAsync(e.Id, row.RegistrationId, ct) is { } answer
            ? HttpIO.Html(await MessageAsync(text, ui.FeedbackAlready, [string.Format(ui.FeedbackYourRatingFormat, ui.RatingNames[answer.Rating - 1])]))
            : null;
    }

    private Task<string> FeedbackPageAsync(EventRecord e, string registrationId, string token, UiText text, int? rating, string? comment, FieldErrors? errors) =>
        pages.RenderAsync<FeedbackPage>(new()
        {
            [nameof(FeedbackPage.Text)] = text,
            [nameof(FeedbackPage.Event)] = e,
            [nameof(FeedbackPage.FormAction)] = Paths.Feedback(e.Id, registrationId),
            [nameof(FeedbackPage.Token)] = token,
            [nameof(FeedbackPage.SwitchUrl)] = $"{Paths.Feedback(e.Id, registrationId)}?t={Uri.EscapeDataString(token)}&lang={text.OtherCode}" + (rating is { } r ? $"&r={r}" : ""),
            [nameof(FeedbackPage.Rating)] = rating,
            [nameof(FeedbackPage.Comment)] = comment,
            [nameof(FeedbackPage.Errors)] = errors,
        });

    public Task<IActionResult> CertificateAsync(HttpRequest request, string eventId, string registrationId, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        if (limits.Refuse(request, PublicAction.Page) is { } wait) return PublicLimits.TooManyPageAsync(request, wait, text, pages);
        return HttpIO.GuardPageAsync(request, log, text, pages, async () =>
        {
            var token = request.Query["t"].FirstOrDefault();
            var found = await registrations.FindForManageAsync(eventId, registrationId, token, ct);
            if (found is null) return HttpIO.Html(await MessageAsync(text, text.ManageLinkInvalid, []), 404);
            var (e, row) = found.Value;
            var ui = CalendarUi.For(text);
            var now = clock.GetUtcNow();
            var manage = $"{Paths.Manage(eventId, registrationId)}?t={Uri.EscapeDataString(token!)}&lang={text.Code}";
            if (e.Kind != EventKind.Volunteering || VolunteerHours.Served(e, row, now) is not { } time)
                return HttpIO.Html(await MessageAsync(text, ui.CertificateNone, [], manage), 404);
            if (time.Open) return HttpIO.Html(await MessageAsync(text, ui.CertificateNotYet, [], manage), 409);
            return HttpIO.Html(await pages.RenderAsync<CertificatePage>(new()
            {
                [nameof(CertificatePage.Text)] = text,
                [nameof(CertificatePage.Event)] = e,
                [nameof(CertificatePage.Name)] = row.Name,
                [nameof(CertificatePage.RegistrationId)] = row.RegistrationId,
                [nameof(CertificatePage.Time)] = time,
                [nameof(CertificatePage.Now)] = now,
                [nameof(CertificatePage.ManageUrl)] = manage,
                [nameof(CertificatePage.SwitchUrl)] = $"{Paths.ManageCertificate(eventId, registrationId)}?t={Uri.EscapeDataString(token!)}&lang={text.OtherCode}",
            }));
        });
    }

    /// <summary>The certificate's link on the manage page: a volunteering shift the person was checked in at, once it is closed.</summary>
    public static string? CertificateUrl(EventRecord e, RegistrationEntity r, string token, UiText text, DateTimeOffset now) =>
        e.Kind == EventKind.Volunteering && VolunteerHours.Served(e, r, now) is { Open: false }
            ? $"{Paths.ManageCertificate(e.Id, r.RegistrationId)}?t={Uri.EscapeDataString(token)}&lang={text.Code}"
            : null;

    private Task<string> MessageAsync(UiText text, string heading, IReadOnlyList<string> lines, string? back = null, bool success = false) =>
        HttpIO.MessagePageAsync(pages, text, heading, lines, success, back, back is null ? null : text.ManageHeading);
}
