using EventFunctions.Shared.Events;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Shared.Attendance;

/// <summary>
/// The door staff's side behind the anonymous door functions: the check-in page, its actions, and the ticket
/// link a participant's QR code opens.
/// <para>
/// Credential: the door token from the check-in link (<see cref="DoorLinks"/>), taken from the query or form field
/// <c>k</c>, else from the cookie the link left on the phone (<c>door_{eventId}</c>, HttpOnly, SameSite=Lax,
/// Secure on https, on the paths <c>/api/door</c> and <c>/api/t</c> only, expiring with the token), so a ticket QR
/// opened later by the phone's camera or WeChat's scanner lands on the check-in screen.
/// </para>
/// <para>
/// Cross-site request forgery: every POST must carry an anti-forgery token (<c>af</c>) signed for this event and
/// this link, which only our own pages hold. An Origin check alone would not do: our pages send no referrer, and
/// with that policy browsers send <c>Origin: null</c> on form posts, and some in-app browsers send none. The
/// headers are still checked when they say something: <c>Sec-Fetch-Site: cross-site</c>, or an Origin of another
/// host, is refused.
/// </para>
/// </summary>
public sealed class DoorApi(
    EventService events,
    AttendanceService attendance,
    Volunteering.VolunteerHours volunteers,
    TimeProvider clock,
    DoorLinks links,
    PageRenderer pages,
    PublicLimits limits,
    Microsoft.Extensions.Options.IOptions<Storage.EventFunctionsOptions> options,
    ILogger<DoorApi> log)
{
    public const string CookiePrefix = "door_";
    private const int RecentShown = 10;

    public static readonly string[] CookiePaths = [Http.Paths.DoorRoot, Http.Paths.TicketRoot];

    // ---- GET /api/door/{eventId}?k=…[&q=…] ----

    public Task<IActionResult> PageAsync(HttpRequest request, string eventId, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        return Guard(request, text, async () =>
        {
            var fromQuery = links.Verify(eventId, request.Query["k"].FirstOrDefault());
            var credential = fromQuery ?? FromCookie(request, eventId);
            if (limits.Refuse(request, PublicAction.Door, doorLink: credential?.LinkId) is { } wait) return await PublicLimits.TooManyPageAsync(request, wait, text, pages);
            if (credential is null) return await DeniedAsync();
            var e = await events.FindAsync(eventId, ct);
            if (e is null) return await NotFoundAsync(text);
            if (credential.RevokedBy(e)) return await DeniedAsync(); // the organiser revoked the links made until then
            if (fromQuery is not null) Remember(request, fromQuery);
            var q = request.Query["q"].FirstOrDefault();
            return HttpIO.Html(await RenderAsync(e, credential, text, q, message: null, ok: false, ct));
        });
    }

    // ---- POST /api/door/{eventId}: action = checkin (key or code) | undo (key) | walkin (name, unit, wid) ----

    public async Task<IActionResult> PostAsync(HttpRequest request, string eventId, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        var read = await HttpIO.ReadFormAsync(request, text, pages, ct);
        if (read.Error is not null) return read.Error;
        var form = read.Value!;
        text = HttpIO.Language(request, form["lang"].FirstOrDefault());
        var door = DoorText.For(text);
        string? Field(string name) => form[name].FirstOrDefault();

        return await Guard(request, text, async () =>
        {
            var credential = links.Verify(eventId, Field("k")) ?? FromCookie(request, eventId);
            if (limits.Refuse(request, PublicAction.Door, doorLink: credential?.LinkId) is { } wait) return await PublicLimits.TooManyPageAsync(request, wait, text, pages);
            if (credential is null) return await DeniedAsync();
            if (!SameOriginOrUnknown(request, options.Value.PublicBaseUrl) || !links.CheckFormToken(credential, Field("af")))
            {
                log.LogWarning("Door action on event {EventId} refused: no valid anti-forgery token or a cross-site request", eventId);
                // A link back to a fresh door page (reloading this answer would only send the refused form again).
                return HttpIO.Html(await MessageAsync(text, door.FormExpired, [],
                    link: ($"{Http.Paths.Door(eventId)}?k={Uri.EscapeDataString(credential.Token)}&lang={text.Code}", door.BackToDoor)), 403);
            }

            var e = await events.FindAsync(eventId, ct);
            if (e is null) return await NotFoundAsync(text);
            if (credential.RevokedBy(e)) return await DeniedAsync();
            var q = Field("q");
            var action = Field("action");
            var target = Input.Clean(Field("key")) ?? Input.Clean(Field("code"));
            if (action == "checkout" && target is not null)
            {
                // A volunteer leaving: their hours run from check-in to now.
                var checkOut = await volunteers.CheckOutAsync(e, target, credential.Actor, ct);
                var (text2, ok2, status2) = checkOut switch
                {
                    Volunteering.CheckOutOutcome.CheckedOut c => (string.Format(door.CheckedOutFormat, c.Row.Name, e.ToLocal(c.At).ToString("HH:mm"),
                        Volunteering.VolunteerHours.Served(e, c.Row, clock.GetUtcNow())?.Hours.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)), true, 200),
                    Volunteering.CheckOutOutcome.AlreadyCheckedOut a => (a.Row.Name + " · " + string.Format(door.AlreadyCheckedOutFormat, e.ToLocal(a.At).ToString("HH:mm")), true, 200),
                    Volunteering.CheckOutOutcome.NotCheckedIn n => (n.Row.Name + " · " + door.CheckOutBeforeCheckIn, false, 409),
                    Volunteering.CheckOutOutcome.NotSaved => (door.Busy, false, 503),
                    _ => (door.RefusedNotFound, false, 404),
                };
                var page = await RenderAsync(e, credential, text, q, text2, ok2, ct);
                return status2 == 503 ? HttpIO.Unavailable(request, HttpIO.Html(page, 503)) : HttpIO.Html(page, status2);
            }

            CheckInOutcome outcome;
            if (action == "walkin")
            {
                outcome = await attendance.AddWalkInAsync(eventId, Field("name"), Field("unit"), credential.Actor, Field("wid"), text, ct);
            }
            else if (action is "checkin" or "undo" && target is not null)
            {
                outcome = action == "checkin"
                    ? await attendance.CheckInAsync(eventId, target, credential.Actor, ct)
                    : await attendance.UndoAsync(eventId, target, credential.Actor, ct);
            }
            else
            {
                return HttpIO.Html(await RenderAsync(e, credential, text, q, door.RefusedNotFound, ok: false, ct), 400);
            }

            string Time(DateTimeOffset at) => e.ToLocal(at).ToString("HH:mm");
            var (message, ok, status) = outcome switch
            {
                CheckInOutcome.CheckedIn c when c.Person.Status == Registrations.RegistrationStatus.WalkIn =>
                    (string.Format(door.WalkInAddedFormat, c.Person.Name), true, 200),
                CheckInOutcome.CheckedIn c => (string.Format(door.CheckedInFormat, c.Person.Name, Time(c.At)), true, 200),
                CheckInOutcome.AlreadyCheckedIn { Person: { Status: Registrations.RegistrationStatus.WalkIn } p } =>
                    (string.Format(door.WalkInAddedFormat, p.Name), true, 200),
                CheckInOutcome.AlreadyCheckedIn a => ((a.Person is null ? "" : a.Person.Name + " · ") + string.Format(door.AlreadyCheckedInFormat, Time(a.At)), true, 200),
                CheckInOutcome.Undone u => (string.Format(door.UndoneFormat, u.Person.Name), true, 200),
                CheckInOutcome.NotCheckedIn n => (n.Person.Name + " · " + door.NotCheckedIn, false, 409),
                CheckInOutcome.Refused r => ((r.Person is null ? "" : r.Person.Name + " · ") + Refusal(door, r.Reason), false, r.Reason is CheckInRefusal.NotFound or CheckInRefusal.EventGone ? 404 : 409),
                CheckInOutcome.Invalid => (text.FixErrors, false, 400),
                CheckInOutcome.Unknown => (door.OutcomeUnknown, false, 503),
                _ => (door.Busy, false, 503),
            };

            var html = await RenderAsync(e, credential, text, q, message, ok, ct,
                errors: (outcome as CheckInOutcome.Invalid)?.Errors,
                walkIn: outcome is CheckInOutcome.Invalid or CheckInOutcome.NotSaved or CheckInOutcome.Unknown && action == "walkin"
                    ? (Field("name"), Field("unit"), Field("wid")) : null);
            return status == 503 ? HttpIO.Unavailable(request, HttpIO.Html(html, 503)) : HttpIO.Html(html, status);
        });
    }

    // ---- GET /api/t/{eventId}/{code}: the ticket's QR code ----

    public Task<IActionResult> TicketAsync(HttpRequest request, string eventId, string code, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        var door = DoorText.For(text);
        return Guard(request, text, async () =>
        {
            if (limits.Refuse(request, PublicAction.Page) is { } wait) return await PublicLimits.TooManyPageAsync(request, wait, text, pages);
            var e = await events.FindAsync(eventId, ct);
            if (e is null) return await NotFoundAsync(text);
            var normal = Tickets.Normalise(code);

            var fromQuery = links.Verify(eventId, request.Query["k"].FirstOrDefault());
            var credential = fromQuery ?? FromCookie(request, eventId);
            if (credential is not null && !credential.RevokedBy(e))
            {
                // A door phone: straight to the check-in screen for this ticket.
                if (fromQuery is not null) Remember(request, fromQuery);
                var person = normal is null ? null : await attendance.FindByCodeAsync(eventId, normal, ct);
                return person is null
                    ? HttpIO.Html(await RenderAsync(e, credential, text, normal ?? code, door.RefusedNotFound, ok: false, ct, results: []), 404)
                    : HttpIO.Html(await RenderAsync(e, credential, text, normal, message: null, ok: false, ct, results: [person]));
            }

            if (OtherEventCredential(request, eventId) is { } other && await events.FindAsync(other.EventId, ct) is { } otherEvent && !other.RevokedBy(otherEvent))
            {
                // A door phone of another event: say so on that event's door page.
                return HttpIO.Html(await RenderAsync(otherEvent, other, text, null, string.Format(door.RefusedOtherEventFormat, e.Title), ok: false, ct), 409);
            }

            // Anyone else: a neutral page, no name.
            if (normal is null) return HttpIO.Html(await MessageAsync(text, door.TicketUnknown, [], e), 404);
            return HttpIO.Html(await MessageAsync(text, string.Format(door.TicketPageFormat, e.Title), [door.TicketPageExplain], e));
        });
    }

    public static string Refusal(DoorText door, CheckInRefusal reason) => reason switch
    {
        CheckInRefusal.Waitlisted => door.RefusedWaitlisted,
        CheckInRefusal.NotApproved => door.RefusedNotApproved,
        CheckInRefusal.EventCancelled => door.RefusedEventCancelled,
        _ => door.RefusedNotFound,
    };

    private DoorCredential? FromCookie(HttpRequest request, string eventId) =>
        Ids.IsValidEventId(eventId) ? links.Verify(eventId, request.Cookies[CookiePrefix + eventId]) : null;

    private DoorCredential? OtherEventCredential(HttpRequest request, string eventId)
    {
        foreach (var (name, value) in request.Cookies)
        {
            if (!name.StartsWith(CookiePrefix, StringComparison.Ordinal)) continue;
            var other = name[CookiePrefix.Length..];
            if (other != eventId && Ids.IsValidEventId(other) && links.Verify(other, value) is { } c) return c;
        }

        return null;
    }

    /// <summary>Leaves the credential on the phone for the door and ticket paths, until the token expires.</summary>
    private void Remember(HttpRequest request, DoorCredential c)
    {
        // Behind the Functions front end the worker may see plain http: the public address says https too.
        var secure = request.IsHttps || options.Value.PublicBaseUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        foreach (var path in CookiePaths)
        {
            request.HttpContext.Response.Cookies.Append(CookiePrefix + c.EventId, c.Token, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                Secure = secure,
                Path = path,
                Expires = c.ExpiresUtc,
                IsEssential = true,
            });
        }
    }

    /// <summary>False when the browser says the request came from another site (Sec-Fetch-Site, or a real Origin of another host than this one or the public address).</summary>
    public static bool SameOriginOrUnknown(HttpRequest request, string publicBaseUrl)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site is "cross-site" or "same-site") return false;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0 || origin == "null") return true; // none, or hidden by our no-referrer policy: the token decides
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && (string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
                || (Uri.TryCreate(publicBaseUrl, UriKind.Absolute, out var pub) && string.Equals(uri.Authority, pub.Authority, StringComparison.OrdinalIgnoreCase)));
    }

    private async Task<string> RenderAsync(EventRecord e, DoorCredential credential, UiText text, string? q, string? message, bool ok, CancellationToken ct,
        IReadOnlyList<Attendee>? results = null, FieldErrors? errors = null, (string? Name, string? Unit, string? Id)? walkIn = null)
    {
        var query = Input.Clean(q);
        results ??= query is null ? null : await attendance.SearchAsync(e.Id, query, ct);
        var counts = await attendance.CountsAsync(e.Id, ct) ?? new DoorCounts(e.Confirmed, 0, 0);
        var recent = await attendance.RecentAsync(e.Id, RecentShown, ct);
        var k = Uri.EscapeDataString(credential.Token);
        var action = Http.Paths.Door(e.Id);
        return await pages.RenderAsync<DoorPage>(new()
        {
            [nameof(DoorPage.Text)] = text,
            [nameof(DoorPage.Door)] = DoorText.For(text),
            [nameof(DoorPage.Event)] = e,
            [nameof(DoorPage.Counts)] = counts,
            [nameof(DoorPage.K)] = credential.Token,
            [nameof(DoorPage.Af)] = links.FormToken(credential),
            [nameof(DoorPage.Action)] = action,
            [nameof(DoorPage.PageUrl)] = $"{action}?k={k}&lang={text.Code}",
            [nameof(DoorPage.SwitchUrl)] = $"{action}?k={k}&lang={text.OtherCode}" + (query is null ? "" : "&q=" + Uri.EscapeDataString(query)),
            [nameof(DoorPage.WalkInId)] = walkIn?.Id is { } id && Ids.IsValidRegistrationId(id) ? id : Ids.NewRegistrationId(),
            [nameof(DoorPage.WalkInName)] = walkIn?.Name,
            [nameof(DoorPage.WalkInUnit)] = walkIn?.Unit,
            [nameof(DoorPage.Query)] = query,
            [nameof(DoorPage.Results)] = results,
            [nameof(DoorPage.Recent)] = recent,
            [nameof(DoorPage.Message)] = message,
            [nameof(DoorPage.MessageOk)] = ok,
            [nameof(DoorPage.Errors)] = errors,
        });
    }

    /// <summary>403 for a wrong, expired or other event's link: in Chinese and English, with what to do.</summary>
    private async Task<IActionResult> DeniedAsync() =>
        HttpIO.Html(await MessageAsync(UiText.Chinese, DoorText.LinkInvalidHeading, DoorText.LinkInvalidLines), 403);

    private async Task<IActionResult> NotFoundAsync(UiText text) => HttpIO.Html(await MessageAsync(text, text.EventNotFound, []), 404);

    private Task<string> MessageAsync(UiText text, string heading, IReadOnlyList<string> lines, EventRecord? e = null, (string Url, string Text)? link = null) =>
        pages.RenderAsync<ResultPage>(new()
        {
            [nameof(ResultPage.Text)] = text,
            [nameof(ResultPage.Heading)] = heading,
            [nameof(ResultPage.Lines)] = lines,
            [nameof(ResultPage.Event)] = e,
            [nameof(ResultPage.LinkUrl)] = link?.Url,
            [nameof(ResultPage.LinkText)] = link?.Text,
        });

    private async Task<IActionResult> Guard(HttpRequest request, UiText text, Func<Task<IActionResult>> endpoint)
    {
        var result = await HttpIO.GuardAsync(request, log, endpoint, () => new StatusCodeResult(503));
        if (result is not StatusCodeResult { StatusCode: 503 }) return result;
        return HttpIO.Html(await MessageAsync(text, text.Unavailable, []), 503);
    }
}
