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
/// a volunteer's printable hours certificate.
/// </summary>
public sealed class AfterEventApi(RegistrationService registrations, PageRenderer pages, PublicLimits limits, TimeProvider clock, ILogger<AfterEventApi> log)
{
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

    private Task<string> MessageAsync(UiText text, string heading, IReadOnlyList<string> lines, string? back = null) =>
        pages.RenderAsync<ResultPage>(new()
        {
            [nameof(ResultPage.Text)] = text,
            [nameof(ResultPage.Heading)] = heading,
            [nameof(ResultPage.Lines)] = lines,
            [nameof(ResultPage.LinkUrl)] = back,
            [nameof(ResultPage.LinkText)] = back is null ? null : text.ManageHeading,
        });
}
