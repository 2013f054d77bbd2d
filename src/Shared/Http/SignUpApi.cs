using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Shared.Http;

/// <summary>
/// The participants' side behind the anonymous HTTP functions: the web form (HTML in, HTML out, no JavaScript
/// needed) and the same operations as JSON for other clients.
/// </summary>
public sealed class SignUpApi(
    EventService events,
    Storage.EventStore store,
    RegistrationService registrations,
    Notifications.ResendService resends,
    Security.IdentifierKeys ids,
    PageRenderer pages,
    PublicLimits limits,
    Security.FormTokens formTokens,
    Units.UnitLinks unitLinks,
    Series.SeriesService series,
    TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<Storage.EventFunctionsOptions> options,
    ILogger<SignUpApi> log)
{
    /// <summary>The form's hidden field only a script fills in (see the sign-up page).</summary>
    public const string HoneypotField = "website";

    // ---- Web form ----

    public Task<IActionResult> FormAsync(HttpRequest request, string eventId, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        if (limits.Refuse(request, PublicAction.Page) is { } wait) return PublicLimits.TooManyPageAsync(request, wait, text, pages);
        return GuardHtml(request, text, async () =>
        {
            var e = await events.FindAsync(eventId, ct);
            if (e is null) return await NotFoundPageAsync(text);
            var token = request.Query[Units.UnitLinks.Parameter].FirstOrDefault();
            if (!e.IsPublic && InvitedBy(e, token) is null) return await NotInvitedPageAsync(text);
            return HttpIO.Html(await FormPageAsync(e, text, values: null, errors: null, message: null, unitToken: token));
        });
    }

    public async Task<IActionResult> SubmitFormAsync(HttpRequest request, string eventId, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        var read = await HttpIO.ReadFormAsync(request, text, pages, ct);
        if (read.Error is not null) return read.Error;
        var form = read.Value!;
        text = HttpIO.Language(request, form["lang"].FirstOrDefault());
        var input = FromForm(form, text);
        if (limits.Refuse(request, PublicAction.SignUp, LimitedEvent(eventId), Mailbox(input)) is { } wait) return await PublicLimits.TooManyPageAsync(request, wait, text, pages);

        var trap = !string.IsNullOrEmpty(form[HoneypotField].FirstOrDefault());
        return await GuardHtml(request, text, async () =>
        {
            if (trap)
            {
                // Filled by a script (people never see the field): nothing is stored or sent; the form comes back as if to be
                // checked, so a person whose browser filled it by mistake just sends it again.
                log.LogWarning("Sign-up form for event {EventId} refused: the hidden field was filled in", eventId);
                return await SendBackAsync(eventId, "honeypot", text, input, ct);
            }

            if (formTokens.Check(eventId, form[Security.FormTokens.Field].FirstOrDefault()) is var check and not Security.FormTokenCheck.Valid)
            {
                // Not sent from a form this site served (a script posting blind), or sent faster than anyone types:
                // nothing is stored; the form comes back filled in, with a fresh token, to be sent again.
                log.LogWarning("Sign-up form for event {EventId} refused: form token {Check}", eventId, check);
                return await SendBackAsync(eventId, check == Security.FormTokenCheck.TooFast ? "form-too-fast" : "form-token", text, input, ct);
            }

            var token = form[Units.UnitLinks.Parameter].FirstOrDefault();
            var outcome = await registrations.SignUpAsync(eventId, input, text, ct, unitLinks.SignUpUnit(eventId, token));
            return outcome switch
            {
                SignUpOutcome.EventNotFound => await NotFoundPageAsync(text),
                SignUpOutcome.NotInvited => await NotInvitedPageAsync(text),
                SignUpOutcome.Invalid i => HttpIO.Html(await FormPageAsync(i.Event, text, input, i.Errors, null, unitToken: token), 400),
                SignUpOutcome.WindowShut w => HttpIO.Html(await FormPageAsync(w.Event, text, input, null, null, unitToken: token), 409),
                SignUpOutcome.Full f => HttpIO.Html(await FormPageAsync(f.Event, text, input, null, text.Full, unitToken: token), 409),
                SignUpOutcome.AlreadyRegistered a => HttpIO.Html(await FormPageAsync(a.Event, text, input, null, text.AlreadyRegistered, unitToken: token), 409),
                SignUpOutcome.Registered r => HttpIO.Html(await ResultPageAsync(r, text)),
                SignUpOutcome.CheckEmail c => HttpIO.Html(await CheckEmailPageAsync(c, text)),
                SignUpOutcome.NotSaved n => HttpIO.Unavailable(request, HttpIO.Html(await FormPageAsync(n.Event, text, input, null, text.Unavailable, seatsKnown: false, unitToken: token), 503)),
                SignUpOutcome.Unknown u => HttpIO.Unavailable(request, HttpIO.Html(await FormPageAsync(u.Event, text, input, null, text.OutcomeUnknown, seatsKnown: false, unitToken: token), 503)),
                _ => throw new InvalidOperationException(outcome.GetType().Name),
            };
        });
    }

    // ---- JSON API ----

    public Task<IActionResult> RegisterJsonAsync(HttpRequest request, string eventId, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        return HttpIO.GuardAsync(request, log, async () =>
        {
            var read = await HttpIO.ReadJsonAsync<SignUpInput>(request, text, ct);
            if (read.Error is not null) return read.Error;
            var input = read.Value!;
            var language = UiText.Pick(input.Language, request.Headers.AcceptLanguage.ToString());
            if (limits.Refuse(request, PublicAction.SignUp, LimitedEvent(eventId), Mailbox(input)) is { } wait) return PublicLimits.TooManyJson(request, wait, language);
            var outcome = await registrations.SignUpAsync(eventId, input, language, ct, unitLinks.SignUpUnit(eventId, request.Query[Units.UnitLinks.Parameter].FirstOrDefault()));
            return outcome switch
            {
                SignUpOutcome.EventNotFound => HttpIO.Problem(404, language.EventNotFound, null, Problems.EventNotFound),
                SignUpOutcome.NotInvited => HttpIO.Problem(403, language.InvitationOnlyHeading, language.InvitationOnly, Problems.NotInvited),
                SignUpOutcome.Invalid i => HttpIO.Validation(i.Errors, language.FixErrors),
                SignUpOutcome.WindowShut w => WindowProblem(w, language),
                SignUpOutcome.Full => HttpIO.Problem(409, language.Full, null, Problems.EventFull),
                SignUpOutcome.AlreadyRegistered => HttpIO.Problem(409, language.AlreadyRegistered, null, Problems.AlreadyRegistered),
                SignUpOutcome.Registered { Repeated: true } r => new OkObjectResult(r.Registration),
                SignUpOutcome.Registered r => new CreatedResult(Paths.Registration(eventId, r.Registration.RegistrationId), r.Registration),
                // The same 202 whether the address is new or registered already: the email says which.
                SignUpOutcome.CheckEmail c => new AcceptedResult((string?)null, new PendingSignUp(eventId, PendingSignUp.CheckEmailStatus, c.MaskedEmail,
                    HoldMinutes, string.Format(language.CheckEmailFormat, c.MaskedEmail, HoldMinutes))),
                SignUpOutcome.NotSaved => HttpIO.Unavailable(request, HttpIO.Problem(503, language.Unavailable, null, Problems.Unavailable)),
                SignUpOutcome.Unknown => HttpIO.Unavailable(request, HttpIO.Problem(503, language.OutcomeUnknown, null, Problems.OutcomeUnknown)),
                _ => throw new InvalidOperationException(outcome.GetType().Name),
            };
        }, () => HttpIO.Problem(503, text.Unavailable, null, Problems.Unavailable));
    }

    /// <summary>DELETE with the secret from the confirmation email: cancels and deletes the participant's data.</summary>
    public Task<IActionResult> CancelJsonAsync(HttpRequest request, string eventId, string registrationId, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        if (limits.Refuse(request, PublicAction.Page) is { } wait) return Task.FromResult(PublicLimits.TooManyJson(request, wait, text));
        return HttpIO.GuardAsync(request, log, async () =>
        {
            var outcome = await registrations.CancelAsync(eventId, registrationId, request.Query["t"].FirstOrDefault(), ct);
            return outcome switch
            {
                CancelOutcome.Cancelled => new NoContentResult(),
                CancelOutcome.NotSaved => HttpIO.Unavailable(request, HttpIO.Problem(503, text.Unavailable, null, Problems.Unavailable)),
                CancelOutcome.Unknown => HttpIO.Unavailable(request, HttpIO.Problem(503, text.CancelOutcomeUnknown, null, Problems.OutcomeUnknown)),
                _ => HttpIO.Problem(404, text.ManageLinkInvalid, null, Problems.RegistrationNotFound),
            };
        }, () => HttpIO.Problem(503, text.Unavailable, null, Problems.Unavailable));
    }

    // ---- Cancel and delete, from the link in the email ----

    public Task<IActionResult> ManageFormAsync(HttpRequest request, string eventId, string registrationId, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        if (limits.Refuse(request, PublicAction.Page) is { } wait) return PublicLimits.TooManyPageAsync(request, wait, text, pages);
        return GuardHtml(request, text, async () =>
        {
            var token = request.Query["t"].FirstOrDefault();
            var found = await registrations.FindForManageAsync(eventId, registrationId, token, ct);
            if (found is null) return HttpIO.Html(await MessagePageAsync(text, text.ManageLinkInvalid, []), 404);
            return HttpIO.Html(await ManagePageAsync(found.Value.Event, found.Value.Registration, token!, text, message: null, ct));
        });
    }

    /// <summary>The manage page: the registration, everything needed to attend, resend, calendar file, cancel.</summary>
    private async Task<string> ManagePageAsync(EventRecord e, RegistrationEntity r, string token, UiText text, string? message, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var confirmed = r.Status == RegistrationStatus.Confirmed;
        var position = await RegistrationService.WaitlistPositionAsync(table, r, ct);
        var t = Uri.EscapeDataString(token);
        var by = r.AwaitsConfirmation ? text.FormatDateTimeIn(e.ToLocal(r.ConfirmBy!.Value), e.TimeZoneId) : "";
        return await pages.RenderAsync<CancelPage>(new()
        {
            [nameof(CancelPage.Text)] = text,
            [nameof(CancelPage.Event)] = e,
            [nameof(CancelPage.RegistrationId)] = r.RegistrationId,
            [nameof(CancelPage.Token)] = token,
            [nameof(CancelPage.FormAction)] = Paths.Manage(e.Id, r.RegistrationId),
            [nameof(CancelPage.StatusText)] = r.Status == RegistrationStatus.Entry && e.Lottery is { } entered
                    ? string.Format(r.AwaitsConfirmation ? Admission.LotteryUi.For(text).StatusEntryUnconfirmedFormat : Admission.LotteryUi.For(text).StatusEntryFormat,
                        text.FormatDateTimeIn(e.ToLocal(entered.DrawUtc), e.TimeZoneId))
                : confirmed ? text.StatusConfirmed
                : r.Status == RegistrationStatus.Pending ? text.StatusPending
                : r.Status == RegistrationStatus.Declined ? text.StatusDeclined
                : r.Status == RegistrationStatus.Held ? string.Format(text.StatusHeldFormat, by)
                : position is { } p ? $"{text.StatusWaitlisted} · {string.Format(text.WaitlistPositionFormat, p)}" : text.StatusWaitlisted,
            [nameof(CancelPage.ConfirmAction)] = r.AwaitsConfirmation && !e.Cancelled ? Paths.ManageConfirm(e.Id, r.RegistrationId) : null,
            [nameof(CancelPage.ConfirmNote)] = r.AwaitsConfirmation && r.Status == RegistrationStatus.Waitlisted ? string.Format(text.ConfirmWaitNoteFormat, by) : null,
            [nameof(CancelPage.CalendarUrl)] = confirmed && !e.Cancelled ? $"{Paths.ManageCalendar(e.Id, r.RegistrationId)}?t={t}&lang={text.Code}" : null,
            [nameof(CancelPage.ResendAction)] = e.Cancelled ? null : Paths.ManageResend(e.Id, r.RegistrationId),
            [nameof(CancelPage.CertificateUrl)] = AfterEventApi.CertificateUrl(e, r, token, text, clock.GetUtcNow()),
            [nameof(CancelPage.SeriesSessions)] = await SeriesSessionsAsync(e, r, text, ct),
            [nameof(CancelPage.Message)] = message,
            [nameof(CancelPage.Ticket)] = e.Cancelled ? null : Attendance.TicketInfo.For(options.Value.PublicBaseUrl, e, r.Status, ids.TicketOf(r), text),
        });
    }

    /// <summary>On a session of a series: the person's sessions of it (each its own manage link), and the series' page.</summary>
    private async Task<IReadOnlyList<(string Label, string Url, string Status)>> SeriesSessionsAsync(EventRecord e, RegistrationEntity r, UiText text, CancellationToken ct)
    {
        if (e.SeriesId is null || await series.FindAsync(e.SeriesId, ct) is not { } s) return [];
        var ui = Listings.CalendarUi.For(text);
        var sessions = await series.SessionsAsync(s, ct);
        var mine = await series.RegistrationsOfAsync(s, r.RowKey, ct);
        var lines = mine.Select(m => (
            $"{string.Format(ui.SessionFormat, sessions.ToList().FindIndex(x => x.Id == m.Session.Id) + 1)} · {text.FormatDateTime(m.Session.ToLocal(m.Session.StartUtc))}",
            $"{Paths.Manage(m.Session.Id, m.Row.RegistrationId)}?t={Uri.EscapeDataString(ids.ManageToken(m.Row))}&lang={text.Code}",
            m.Row.Status switch
            {
                RegistrationStatus.Confirmed => text.StatusConfirmed,
                RegistrationStatus.Waitlisted => text.StatusWaitlisted,
                _ => string.Format(text.StatusHeldFormat, m.Row.ConfirmBy is { } by ? text.FormatDateTimeIn(m.Session.ToLocal(by), m.Session.TimeZoneId) : ""),
            })).ToList();
        lines.Add((s.For(text).Title, $"{Paths.Series(s.RowKey)}?lang={text.Code}", ui.SeriesBadge));
        return lines;
    }

    /// <summary>"Send my confirmation again" from the manage page: 200 with the page and a note, 429 (Retry-After) when asked too often, 409 once the event is cancelled.</summary>
    public Task<IActionResult> ResendFormAsync(HttpRequest request, string eventId, string registrationId, CancellationToken ct) =>
        ManagePostAsync(request, ct, async (text, token) =>
        {
            var found = await registrations.FindForManageAsync(eventId, registrationId, token, ct);
            if (found is null) return HttpIO.Html(await MessagePageAsync(text, text.ManageLinkInvalid, []), 404);
            var (e, r) = found.Value;
            if (e.Cancelled) // the button is not shown; a post from an old page is refused, nothing is recorded
            {
                return HttpIO.Html(await ManagePageAsync(e, r, token!, text, text.ResendEventCancelled, ct), 409);
            }

            switch (await resends.RequestAsync(r, ct))
            {
                case Notifications.ResendOutcome.Queued q:
                    return HttpIO.Html(await ManagePageAsync(e, r, token!, text, string.Format(text.ResendSentFormat, q.MaskedEmail), ct));
                case Notifications.ResendOutcome.Limited l:
                    var page = HttpIO.Html(await ManagePageAsync(e, r, token!, text,
                        string.Format(text.ResendLimitedFormat, text.FormatDateTimeIn(e.ToLocal(l.RetryAtUtc), e.TimeZoneId)), ct), 429);
                    var seconds = Math.Max(1, (int)Math.Ceiling((l.RetryAtUtc - clock.GetUtcNow()).TotalSeconds));
                    request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return page;
                case Notifications.ResendOutcome.NotSaved:
                    return HttpIO.Unavailable(request, HttpIO.Html(await MessagePageAsync(text, text.Unavailable, []), 503));
                default:
                    return HttpIO.Html(await MessagePageAsync(text, text.ManageLinkInvalid, []), 404);
            }
        });

    /// <summary>The registration's calendar file, the same the confirmation carries (current time and place, current SEQUENCE).</summary>
    public Task<IActionResult> CalendarAsync(HttpRequest request, string eventId, string registrationId, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        if (limits.Refuse(request, PublicAction.Page) is { } wait) return PublicLimits.TooManyPageAsync(request, wait, text, pages);
        return GuardHtml(request, text, async () =>
        {
            var found = await registrations.FindForManageAsync(eventId, registrationId, request.Query["t"].FirstOrDefault(), ct);
            if (found is null) return HttpIO.Html(await MessagePageAsync(text, text.ManageLinkInvalid, []), 404);
            var e = Notifications.NoticeState.For(found.Value.Event, text);
            var location = Confirmations.CalendarFile.Location(e, text);
            var bytes = e.Cancelled
                ? Confirmations.CalendarFile.Cancel(e, registrationId, location, e.Description ?? "")
                : Confirmations.CalendarFile.Create(e, registrationId, location, e.Description ?? "");
            request.HttpContext.Response.Headers.CacheControl = "no-store";
            return new FileContentResult(bytes, e.Cancelled ? Confirmations.CalendarFile.CancelContentType : Confirmations.CalendarFile.ContentType)
            {
                FileDownloadName = "event.ics",
            };
        });
    }

    /// <summary>
    /// "Confirm my sign-up" from the manage page the email links to (a post, so a mail scanner that opens links
    /// confirms nothing): the manage page again with the outcome, 410 when the time has passed.
    /// </summary>
    public Task<IActionResult> ConfirmFormAsync(HttpRequest request, string eventId, string registrationId, CancellationToken ct) =>
        ManagePostAsync(request, ct, async (text, token) =>
        {
            switch (await registrations.ConfirmAsync(eventId, registrationId, token, ct))
            {
                case ConfirmOutcome.Confirmed c:
                    var note = c.Registration.Status == RegistrationStatus.Entry ? Admission.LotteryUi.For(text).EntryConfirmedNow
                        : c.Registration.Status == RegistrationStatus.Waitlisted ? text.ConfirmedWaitNow : text.ConfirmedNow;
                    return HttpIO.Html(await ManagePageAsync(c.Event, c.Registration, token!, text, note, ct));
                case ConfirmOutcome.Expired x:
                    return HttpIO.Html(await MessagePageAsync(text, text.ConfirmExpired, [], linkUrl: Paths.SignUp(x.Event.Id) + $"?lang={text.Code}", linkText: x.Event.Title), 410);
                case ConfirmOutcome.NotSaved:
                    return HttpIO.Unavailable(request, HttpIO.Html(await MessagePageAsync(text, text.Unavailable, []), 503));
                case ConfirmOutcome.Unknown:
                    return HttpIO.Unavailable(request, HttpIO.Html(await MessagePageAsync(text, text.OutcomeUnknown, []), 503));
                default:
                    return HttpIO.Html(await MessagePageAsync(text, text.ManageLinkInvalid, []), 404);
            }
        });

    public Task<IActionResult> CancelFormAsync(HttpRequest request, string eventId, string registrationId, CancellationToken ct) =>
        ManagePostAsync(request, ct, async (text, token) =>
        {
            var outcome = await registrations.CancelAsync(eventId, registrationId, token, ct);
            return outcome switch
            {
                CancelOutcome.Cancelled => HttpIO.Html(await MessagePageAsync(text,
                    (await events.FindAsync(eventId, ct))?.Cancelled == true ? text.DataDeletedHeading : text.CancelledHeading, [text.CancelledBody], success: true)),
                CancelOutcome.NotSaved => HttpIO.Unavailable(request, HttpIO.Html(await MessagePageAsync(text, text.Unavailable, []), 503)),
                CancelOutcome.Unknown => HttpIO.Unavailable(request, HttpIO.Html(await MessagePageAsync(text, text.CancelOutcomeUnknown, []), 503)),
                _ => HttpIO.Html(await MessagePageAsync(text, text.ManageLinkInvalid, []), 404),
            };
        });

    // ---- Helpers ----

    /// <summary>
    /// A post from the manage page (resend, confirm, cancel): the form read (refused as such when unreadable), its
    /// language, the per-address page limit, then <paramref name="action"/> with the link's secret (field t), storage
    /// faults answered 503.
    /// </summary>
    private async Task<IActionResult> ManagePostAsync(HttpRequest request, CancellationToken ct, Func<UiText, string?, Task<IActionResult>> action)
    {
        var text = HttpIO.Language(request);
        var read = await HttpIO.ReadFormAsync(request, text, pages, ct);
        if (read.Error is not null) return read.Error;
        text = HttpIO.Language(request, read.Value!["lang"].FirstOrDefault());
        if (limits.Refuse(request, PublicAction.Page) is { } wait) return await PublicLimits.TooManyPageAsync(request, wait, text, pages);
        var token = read.Value!["t"].FirstOrDefault();
        return await GuardHtml(request, text, () => action(text, token));
    }

    /// <summary>
    /// A form post refused before anything is stored (a script's tell: the hidden field, the form token): the form back
    /// as sent, with a fresh token and "check and send again", 400; counted under <paramref name="limit"/>.
    /// </summary>
    private async Task<IActionResult> SendBackAsync(string eventId, string limit, UiText text, SignUpInput input, CancellationToken ct)
    {
        Hosting.Telemetry.RateLimited.Add(1, new KeyValuePair<string, object?>("limit", limit));
        var shown = await events.FindAsync(eventId, ct);
        return shown is null ? await NotFoundPageAsync(text) : HttpIO.Html(await FormPageAsync(shown, text, input, null, text.CheckAndSendAgain), 400);
    }

    /// <summary>The hold time as the answer states it: whole minutes, rounded up.</summary>
    private int HoldMinutes => Math.Max(1, (int)Math.Ceiling(options.Value.HoldTime.TotalMinutes));

    /// <summary>The event a sign-up's per-event limit counts against (only a well-formed id: made-up ones get no bucket).</summary>
    private static string? LimitedEvent(string eventId) => Ids.IsValidEventId(eventId) ? eventId : null;

    /// <summary>The mailbox a sign-up's per-mailbox limit counts against (as the duplicate check sees it), if the address reads.</summary>
    internal static string? Mailbox(SignUpInput input) => Input.NormaliseEmail(input.Email) is { } email ? Input.MailboxIdentity(email) : null;

    public static SignUpInput FromForm(IFormCollection form, UiText text)
    {
        string? Field(string name) => form[name].FirstOrDefault();
        var answers = form.Keys.Where(k => k.StartsWith("q_", StringComparison.Ordinal))
            .ToDictionary(k => k[2..], k => Field(k), StringComparer.Ordinal);
        var security = form.Keys.Where(k => k.StartsWith("sec_", StringComparison.Ordinal) && int.TryParse(k[4..], out var i) && i is >= 0 and < 10)
            .OrderBy(k => int.Parse(k[4..]))
            .Select(Field).ToList();
        return new SignUpInput
        {
            Name = Field("name"),
            Phone = Field("phone"),
            Email = Field("email"),
            Organisation = Field("organisation"),
            Answers = answers,
            SecurityDetails = security,
            Consent = Field("consent") is "true" or "on" or "yes",
            Language = text.Code,
        };
    }

    private static IActionResult WindowProblem(SignUpOutcome.WindowShut w, UiText text) => w.Window switch
    {
        SignUpWindow.NotYetOpen => HttpIO.Problem(409, string.Format(text.NotYetOpenFormat, text.FormatDateTimeIn(w.Event.ToLocal(w.Event.SignUpOpensUtc), w.Event.TimeZoneId)), null, Problems.SignUpNotOpen),
        SignUpWindow.Closed => HttpIO.Problem(409, text.Closed, null, Problems.SignUpClosed),
        SignUpWindow.EventCancelled => HttpIO.Problem(409, text.EventCancelled, null, Problems.SignUpClosed),
        SignUpWindow.Drawing => HttpIO.Problem(409, Admission.LotteryUi.For(text).DrawingNow, null, Problems.SignUpClosed),
        _ => HttpIO.Problem(409, text.EventStarted, null, Problems.SignUpClosed),
    };

    /// <summary>The invited unit a sign-up token on this event stands for, or null.</summary>
    private InvitedUnit? InvitedBy(EventRecord e, string? token) => e.Invitation?.Find(unitLinks.SignUpUnit(e.Id, token));

    private async Task<IActionResult> NotInvitedPageAsync(UiText text) =>
        HttpIO.Html(await MessagePageAsync(text, text.InvitationOnlyHeading, [text.InvitationOnly]), 403);

    private Task<string> FormPageAsync(EventRecord e, UiText text, SignUpInput? values, FieldErrors? errors, string? message, bool seatsKnown = true, string? unitToken = null) =>
        pages.RenderAsync<SignUpPage>(new()
        {
            [nameof(SignUpPage.Unit)] = InvitedBy(e, unitToken),
            [nameof(SignUpPage.UnitToken)] = InvitedBy(e, unitToken) is null ? null : unitToken,
            [nameof(SignUpPage.Event)] = e,
            [nameof(SignUpPage.Text)] = text,
            [nameof(SignUpPage.Now)] = clock.GetUtcNow(),
            [nameof(SignUpPage.FormAction)] = Paths.SignUp(e.Id),
            [nameof(SignUpPage.SwitchUrl)] = $"{Paths.SignUp(e.Id)}?lang={text.OtherCode}" + (InvitedBy(e, unitToken) is null ? "" : $"&{Units.UnitLinks.Parameter}={Uri.EscapeDataString(unitToken!)}"),
            [nameof(SignUpPage.Values)] = values,
            [nameof(SignUpPage.Errors)] = errors,
            [nameof(SignUpPage.Message)] = message,
            [nameof(SignUpPage.SeatsKnown)] = seatsKnown,
            [nameof(SignUpPage.FormToken)] = formTokens.Issue(e.Id),
            [nameof(SignUpPage.Card)] = Card(e, text),
            [nameof(SignUpPage.LotterySeedHash)] = e.Lottery is null ? null : Admission.LotteryDraw.SeedHash(ids.LotterySeed(e.Id)),
        });

    /// <summary>The sign-up link's preview in a chat: title, kind, when and where, the start of the description.</summary>
    private Web.LinkCard Card(EventRecord e, UiText text)
    {
        var shown = Notifications.NoticeState.For(e, text);
        var baseUrl = options.Value.PublicBaseUrl.TrimEnd('/');
        var when = text.FormatRange(e.ToLocal(e.StartUtc), e.ToLocal(e.EndUtc), e.TimeZoneId);
        var where = shown.Venue ?? shown.SiteVisit?.MeetingPoint ?? (shown.Lecture?.OnlineUrl is null ? null : text.OnlineLink);
        var line = string.Join(" · ", new[] { text.KindName(e.Kind), when, where }.Where(p => !string.IsNullOrEmpty(p)));
        var site = Listings.CalendarUi.For(text).SiteName;
        return new Web.LinkCard(site, shown.Title, Web.LinkCard.Shorten(line + (shown.Description is { } d ? " — " + d : "")),
            baseUrl + Paths.SignUp(e.Id) + (text.Code == "en" ? "?lang=en" : ""), baseUrl + Paths.CalendarCard);
    }

    private Task<string> ResultPageAsync(SignUpOutcome.Registered r, UiText text)
    {
        var confirmed = r.Registration.Status == RegistrationStatus.Confirmed;
        var pending = r.Registration.Status == RegistrationStatus.Pending;
        var lines = new List<string>();
        if (pending) lines.Add(text.PendingLine);
        if (r.Repeated) lines.Add(text.AlreadyRegistered);
        if (!confirmed && r.Registration.WaitlistPosition is { } position) lines.Add(string.Format(text.WaitlistPositionFormat, position));
        else if (r.Registration.Status == RegistrationStatus.Waitlisted) lines.Add(text.WaitlistPlaceByEmail);
        lines.Add(string.Format(text.EmailOnItsWayFormat, r.Registration.Email));
        lines.Add(string.Format(text.ReferenceFormat, r.Registration.RegistrationId));
        return pages.RenderAsync<ResultPage>(new()
        {
            [nameof(ResultPage.Text)] = text,
            [nameof(ResultPage.Heading)] = confirmed ? text.ConfirmedHeading : pending ? text.PendingHeading : text.WaitlistedHeading,
            [nameof(ResultPage.Lines)] = lines,
            [nameof(ResultPage.Success)] = true,
            [nameof(ResultPage.Event)] = r.Event,
            [nameof(ResultPage.Ticket)] = Attendance.TicketInfo.For(options.Value.PublicBaseUrl, r.Event, r.Registration.Status, r.Registration.TicketCode, text),
        });
    }

    /// <summary>The one answer to a sign-up on an event that needs a confirmed email, whether the address was new or not.</summary>
    private Task<string> CheckEmailPageAsync(SignUpOutcome.CheckEmail c, UiText text)
    {
        // A lottery entry is confirmed by the draw time, not within the hold time (one reading of the clock for both lines).
        var draw = c.Event.TakesEntriesAt(clock.GetUtcNow()) ? c.Event.Lottery : null;
        var lottery = Admission.LotteryUi.For(text);
        return pages.RenderAsync<ResultPage>(new()
        {
            [nameof(ResultPage.Text)] = text,
            [nameof(ResultPage.Heading)] = draw is null ? text.CheckEmailHeading : lottery.CheckEmailHeading,
            [nameof(ResultPage.Lines)] = new[]
            {
                draw is null
                    ? string.Format(text.CheckEmailFormat, c.MaskedEmail, HoldMinutes)
                    : string.Format(lottery.CheckEmailFormat, c.MaskedEmail, text.FormatDateTimeIn(c.Event.ToLocal(draw.DrawUtc), c.Event.TimeZoneId)),
            },
            [nameof(ResultPage.Success)] = true,
            [nameof(ResultPage.Event)] = c.Event,
        });
    }

    private Task<string> MessagePageAsync(UiText text, string heading, IReadOnlyList<string> lines, bool success = false, string? linkUrl = null, string? linkText = null) =>
        HttpIO.MessagePageAsync(pages, text, heading, lines, success, linkUrl, linkText);

    private async Task<IActionResult> NotFoundPageAsync(UiText text) =>
        HttpIO.Html(await MessagePageAsync(text, text.EventNotFound, []), 404);

    /// <summary>
    /// Storage down: a page that says nothing was saved and to try again, status 503 with Retry-After
    /// (the browser's back button still has what they typed).
    /// </summary>
    private Task<IActionResult> GuardHtml(HttpRequest request, UiText text, Func<Task<IActionResult>> endpoint) =>
        HttpIO.GuardPageAsync(request, log, text, pages, endpoint);
}
