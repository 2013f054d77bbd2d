using EventFunctions.Shared.Events;
using EventFunctions.Shared.Listings;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Series;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Http;

/// <summary>
/// A series' public page: its sessions with their seats, and one form to sign up for the whole series (a seat in
/// every session or none) or for the sessions ticked (each on its own). The same defences as an event's form: the
/// per-address and per-mailbox limits, the form token, the script trap.
/// </summary>
public sealed class SeriesApi(
    SeriesService series,
    RegistrationService registrations,
    PageRenderer pages,
    PublicLimits limits,
    Security.FormTokens formTokens,
    TimeProvider clock,
    IOptions<Storage.EventFunctionsOptions> options,
    ILogger<SeriesApi> log)
{
    public Task<IActionResult> PageAsync(HttpRequest request, string seriesId, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        if (limits.Refuse(request, PublicAction.Page) is { } wait) return PublicLimits.TooManyPageAsync(request, wait, text, pages);
        return HttpIO.GuardPageAsync(request, log, text, pages, async () =>
        {
            var s = await series.FindAsync(seriesId, ct);
            if (s is null) return await NotFoundAsync(text);
            return HttpIO.Html(await RenderAsync(s, await series.SessionsAsync(s, ct), text, null, null, null, null, new HashSet<string>()));
        });
    }

    public async Task<IActionResult> SubmitAsync(HttpRequest request, string seriesId, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        var read = await HttpIO.ReadFormAsync(request, text, pages, ct);
        if (read.Error is not null) return read.Error;
        var form = read.Value!;
        text = HttpIO.Language(request, form["lang"].FirstOrDefault());
        var ui = CalendarUi.For(text);
        var input = SignUpApi.FromForm(form, text);
        if (limits.Refuse(request, PublicAction.SignUp, Ids.IsValidEventId(seriesId) ? seriesId : null, SignUpApi.Mailbox(input)) is { } wait)
            return await PublicLimits.TooManyPageAsync(request, wait, text, pages);
        var mode = form["mode"].FirstOrDefault();
        var picked = form.Keys.Where(k => k.StartsWith("s.", StringComparison.Ordinal) && form[k].FirstOrDefault() == "on").Select(k => k[2..]).ToHashSet(StringComparer.Ordinal);

        return await HttpIO.GuardPageAsync(request, log, text, pages, async () =>
        {
            var s = await series.FindAsync(seriesId, ct);
            if (s is null) return await NotFoundAsync(text);
            var sessions = await series.SessionsAsync(s, ct);
            // The form again, filled in, with what to correct (rendered asynchronously: no thread blocked on the render).
            async Task<IActionResult> Again(int status, string? message, FieldErrors? errors = null) =>
                HttpIO.Html(await RenderAsync(s, sessions, text, input, errors, message, mode, picked), status);

            if (!string.IsNullOrEmpty(form[SignUpApi.HoneypotField].FirstOrDefault()) || formTokens.Check(seriesId, form[Security.FormTokens.Field].FirstOrDefault()) != Security.FormTokenCheck.Valid)
            {
                // A script, or a form not served here or sent faster than anyone types: nothing stored, the form back to send again.
                log.LogWarning("Series form {SeriesId} refused: the trap was filled or the form token did not hold", seriesId);
                Hosting.Telemetry.RateLimited.Add(1, new KeyValuePair<string, object?>("limit", "form-token"));
                return await Again(400, text.CheckAndSendAgain);
            }

            if (mode == "all")
            {
                var outcome = await series.JoinAllAsync(s, input, text, ct);
                string Named(EventRecord session) => $"“{string.Format(ui.SessionFormat, sessions.ToList().FindIndex(x => x.Id == session.Id) + 1)}”";
                return outcome switch
                {
                    SeriesJoinOutcome.Joined j => HttpIO.Html(await ResultAsync(text, ui.SeriesJoined,
                        (j.CheckEmail ? new[] { string.Format(ui.SeriesCheckEmailFormat, j.Seats.Count) } : [])
                        .Concat(j.Seats.Select(x => $"{Named(x.Session)} {text.FormatDateTimeIn(x.Session.ToLocal(x.Session.StartUtc), x.Session.TimeZoneId)} · {x.Row.RegistrationId}")).ToList(), success: !j.CheckEmail)),
                    SeriesJoinOutcome.Invalid i => await Again(400, null, i.Errors),
                    SeriesJoinOutcome.SessionUnavailable u => await Again(u.Problem == SessionProblem.NotSaved ? 503 : 409, string.Format(u.Problem switch
                    {
                        SessionProblem.Full => ui.SeriesFullFormat,
                        SessionProblem.Closed => ui.SeriesClosedFormat,
                        SessionProblem.AlreadyRegistered => ui.SeriesAlreadyThereFormat,
                        SessionProblem.NeedsApproval => ui.SeriesNeedsApprovalFormat,
                        _ => ui.SeriesNotSavedFormat,
                    }, Named(u.Session))),
                    SeriesJoinOutcome.AlreadyJoined => await Again(409, ui.SeriesAlready),
                    SeriesJoinOutcome.InProgress => await Again(409, ui.SeriesInProgress),
                    _ => await Again(409, text.Closed),
                };
            }

            var chosen = sessions.Where(x => picked.Contains(x.Id)).ToList();
            if (mode != "some" || chosen.Count == 0)
            {
                var errors = new FieldErrors();
                errors.Add("sessions", ui.PickSessions);
                return await Again(400, null, errors);
            }
            // Each ticked session on its own, in date order, as its own page would: the answer lists each.
            var lines = new List<string>();
            foreach (var session in chosen)
            {
                var name = string.Format(ui.SessionFormat, sessions.ToList().FindIndex(x => x.Id == session.Id) + 1);
                var result = await registrations.SignUpAsync(session.Id, input, text, ct);
                if (result is SignUpOutcome.Invalid invalid && lines.Count == 0) return await Again(400, null, invalid.Errors);
                lines.Add($"{name} · " + result switch
                {
                    SignUpOutcome.Registered { Registration.Status: RegistrationStatus.Confirmed } => text.StatusConfirmed,
                    SignUpOutcome.Registered { Registration.Status: RegistrationStatus.Pending } => text.StatusPending,
                    SignUpOutcome.Registered r => $"{text.StatusWaitlisted}" + (r.Registration.WaitlistPosition is { } p ? " · " + string.Format(text.WaitlistPositionFormat, p) : ""),
                    SignUpOutcome.CheckEmail => text.CheckEmailHeading,
                    SignUpOutcome.Full => text.Full,
                    SignUpOutcome.AlreadyRegistered => text.AlreadyRegistered,
                    SignUpOutcome.WindowShut => text.Closed,
                    SignUpOutcome.Invalid i => string.Join(" ", i.Errors.ToDictionary().Values.SelectMany(v => v)),
                    _ => text.Unavailable,
                });
            }
            return HttpIO.Html(await ResultAsync(text, ui.SomeDone, lines, success: false));
        });
    }

    private Task<string> RenderAsync(SeriesEntity s, IReadOnlyList<EventRecord> sessions, UiText text, SignUpInput? values, FieldErrors? errors, string? message, string? mode, IReadOnlySet<string> picked)
    {
        var baseUrl = options.Value.PublicBaseUrl.TrimEnd('/');
        var ui = CalendarUi.For(text);
        return pages.RenderAsync<SeriesPage>(new()
        {
            [nameof(SeriesPage.Text)] = text,
            [nameof(SeriesPage.Title)] = s.For(text).Title,
            [nameof(SeriesPage.Description)] = s.For(text).Description,
            [nameof(SeriesPage.Sessions)] = sessions,
            [nameof(SeriesPage.Now)] = clock.GetUtcNow(),
            [nameof(SeriesPage.FormAction)] = Paths.Series(s.RowKey),
            [nameof(SeriesPage.SwitchUrl)] = $"{Paths.Series(s.RowKey)}?lang={text.OtherCode}",
            [nameof(SeriesPage.FormToken)] = formTokens.Issue(s.RowKey),
            [nameof(SeriesPage.Values)] = values,
            [nameof(SeriesPage.Errors)] = errors,
            [nameof(SeriesPage.Message)] = message,
            [nameof(SeriesPage.Mode)] = mode,
            [nameof(SeriesPage.Picked)] = picked,
            [nameof(SeriesPage.Card)] = new LinkCard(ui.SiteName, s.For(text).Title, LinkCard.Shorten($"{ui.SeriesBadge} · {sessions.Count} · {s.For(text).Description}"),
                baseUrl + Paths.Series(s.RowKey) + (text.Code == "en" ? "?lang=en" : ""), baseUrl + Paths.CalendarCard),
        });
    }

    private Task<string> ResultAsync(UiText text, string heading, IReadOnlyList<string> lines, bool success) =>
        HttpIO.MessagePageAsync(pages, text, heading, lines, success);

    private async Task<IActionResult> NotFoundAsync(UiText text) =>
        HttpIO.Html(await ResultAsync(text, CalendarUi.For(text).SeriesNotFound, [], success: false), 404);
}
