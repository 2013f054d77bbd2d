using System.Globalization;
using System.Text;
using EventFunctions.Shared.Console;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Web;
using EventFunctions.Shared.Web.Console;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Http;

/// <summary>The event page, the event form and its preview, as the events and people features render them.</summary>
public sealed class ConsoleEventPages(
    ConsolePolicy policy,
    EventService events,
    ConsoleQueries queries,
    OrganiserDirectory directory,
    Attendance.AttendanceService attendance,
    Attendance.DoorLinks doorLinks,
    Feedback.FeedbackService feedback,
    AuditLog audit,
    PageRenderer pages,
    TimeProvider clock)
{
    public async Task<IActionResult> ShowAsync(ConsoleUser user, EventRecord e, string? search, string? flash, string? error, int status, CancellationToken ct)
    {
        var fresh = await events.FindAsync(e.Id, ct) ?? e;
        return ConsolePolicy.Page(await pages.RenderAsync<EventDetailPage>(new()
        {
            [nameof(EventDetailPage.User)] = user,
            [nameof(EventDetailPage.Csrf)] = policy.Csrf(user),
            [nameof(EventDetailPage.Event)] = fresh,
            [nameof(EventDetailPage.Tally)] = await queries.TallyAsync(fresh.Id, ct) ?? new EventTally(0, 0, 0, 0, 0, 0),
            [nameof(EventDetailPage.WalkIns)] = await queries.WalkInsAsync(fresh.Id, ct),
            [nameof(EventDetailPage.Attendance)] = await attendance.ReportAsync(fresh.Id, ct),
            [nameof(EventDetailPage.DoorLink)] = fresh.Cancelled ? null : doorLinks.Create(fresh),
            [nameof(EventDetailPage.Lines)] = await queries.RegistrationsAsync(fresh.Id, search, ct),
            [nameof(EventDetailPage.Now)] = clock.GetUtcNow(),
            [nameof(EventDetailPage.Audit)] = await audit.ListAsync(fresh.Id, 20, ct),
            [nameof(EventDetailPage.Feedback)] = clock.GetUtcNow() >= fresh.EndUtc ? await feedback.SummaryAsync(fresh.Id, ct) : null,
            [nameof(EventDetailPage.Search)] = search,
            [nameof(EventDetailPage.Flash)] = flash,
            [nameof(EventDetailPage.Error)] = error,
        }), status);
    }

    public async Task<IActionResult> AfterChangeAsync(HttpRequest request, ConsoleUser user, EventRecord e, EventOutcome outcome, string done, CancellationToken ct) => outcome switch
    {
        EventOutcome.Ok => ConsolePolicy.SeeOther($"{Paths.Console.Event(e.Id)}?done={done}"),
        EventOutcome.Invalid invalid => await ShowAsync(user, e, null, null, string.Join(" ", invalid.Errors.AllBoth()), 400, ct),
        EventOutcome.NotFound => await policy.MessageAsync(user, 404, ConsoleMessages.EventNotFound.Inline, ConsoleMessages.EventNotFoundExplain.Inline),
        EventOutcome.Unknown => HttpIO.Unavailable(request, await ShowAsync(user, e, null, null, ConsolePolicy.Unknown, 503, ct)),
        _ => HttpIO.Unavailable(request, await ShowAsync(user, e, null, null, ConsolePolicy.Busy, 503, ct)),
    };

    public async Task<IActionResult> FormPageAsync(ConsoleUser user, string? eventId, IReadOnlyDictionary<string, string> values, FieldErrors? errors, string? message, int status, CancellationToken ct, HttpRequest? unavailable = null)
    {
        var page = ConsolePolicy.Page(await pages.RenderAsync<EventFormPage>(new()
        {
            [nameof(EventFormPage.User)] = user,
            [nameof(EventFormPage.Csrf)] = policy.Csrf(user),
            [nameof(EventFormPage.EventId)] = eventId,
            [nameof(EventFormPage.Values)] = values,
            [nameof(EventFormPage.Errors)] = errors,
            [nameof(EventFormPage.Message)] = message,
            [nameof(EventFormPage.Units)] = user.IsAdmin ? await directory.UnitsAsync(ct) : (IReadOnlyList<string>)[user.Unit],
        }), status);
        return unavailable is null ? page : HttpIO.Unavailable(unavailable, page);
    }

    /// <summary>The draft as participants will see it (the real sign-up page), with a banner to go back or publish.</summary>
    public async Task<IActionResult> PreviewAsync(ConsoleUser user, EventRecord? existing, Dictionary<string, string> values, EventInput input, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (draft, errors) = EventValidator.Validate(input, existing?.Id ?? "preview", now, existing);
        if (draft is null) return await FormPageAsync(user, existing?.Id, values, errors, null, 400, ct);
        var action = existing is null ? Paths.Console.NewEvent : Paths.Console.EditEvent(existing.Id);
        var save = existing is null ? ConsoleMessages.Publish.Inline : ConsoleMessages.Save.Inline;
        return ConsolePolicy.Page(await pages.RenderAsync<SignUpPage>(new()
        {
            [nameof(SignUpPage.Event)] = draft,
            [nameof(SignUpPage.Text)] = UiText.Chinese,
            [nameof(SignUpPage.Now)] = draft.SignUpOpensUtc > now ? draft.SignUpOpensUtc : now,
            [nameof(SignUpPage.FormAction)] = action,
            [nameof(SignUpPage.SwitchUrl)] = "#",
            [nameof(SignUpPage.Preview)] = new PreviewInfo(action, policy.Csrf(user), values, save),
        }));
    }
}
