using EventFunctions.Shared.Events;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Shared.Http;

/// <summary>The organisers' JSON API behind the Function-level HTTP functions.</summary>
public sealed class OrganiserApi(EventService events, Console.AuditLog audit, ILogger<OrganiserApi> log)
{
    public Task<IActionResult> CreateAsync(HttpRequest request, CancellationToken ct) => Guard(request, async () =>
    {
        var text = HttpIO.Language(request);
        var read = await HttpIO.ReadJsonAsync<EventInput>(request, text, ct);
        if (read.Error is not null) return read.Error;
        var outcome = await events.CreateAsync(read.Value!, ct);
        if (outcome is EventOutcome.Created created)
        {
            // Every change through the key is in the event's history, as the console's are.
            await audit.RecordAsync(created.Event.Id, Console.AuditLog.OrganiserApiActor, Text.ConsoleMessages.AuditCreated.Inline,
                $"{created.Event.Kind}, {created.Event.Capacity} seats, unit {created.Event.Unit}", "OK", ct);
        }

        return Map(outcome, request);
    });

    public Task<IActionResult> UpdateAsync(HttpRequest request, string eventId, CancellationToken ct) => Guard(request, async () =>
    {
        var text = HttpIO.Language(request);
        var read = await HttpIO.ReadJsonAsync<EventInput>(request, text, ct);
        if (read.Error is not null) return read.Error;
        var outcome = await events.UpdateAsync(eventId, read.Value!, ct);
        if (outcome is EventOutcome.Ok { Unchanged: false } or EventOutcome.Unknown) // a change made (or perhaps made), not a refusal or a no-op
        {
            await audit.RecordAsync(eventId, Console.AuditLog.OrganiserApiActor, Text.ConsoleMessages.AuditEdited.Inline,
                outcome is EventOutcome.Ok { Event: var e } ? $"{e.Capacity} seats" : "", outcome.GetType().Name, ct);
        }

        return Map(outcome, request);
    });

    public Task<IActionResult> GetAsync(HttpRequest request, string eventId, CancellationToken ct) =>
        Guard(request, async () => Map(await events.GetAsync(eventId, ct), request));

    public Task<IActionResult> ListAsync(HttpRequest request, CancellationToken ct) => Guard(request, async () =>
    {
        var includePast = bool.TryParse(request.Query["includePast"].FirstOrDefault(), out var p) && p;
        return new OkObjectResult(await events.ListAsync(includePast, ct));
    });

    private static IActionResult Map(EventOutcome outcome, HttpRequest request) => outcome switch
    {
        EventOutcome.Created c => new CreatedResult(Paths.Event(c.Event.Id), c.Event),
        EventOutcome.Ok ok => new OkObjectResult(ok.Event),
        EventOutcome.Invalid invalid => HttpIO.Validation(invalid.Errors, "The event has invalid fields."),
        EventOutcome.NotSaved => HttpIO.Unavailable(request, HttpIO.Problem(503, "The event is busy or storage is unavailable.", $"Nothing was changed; try again in {HttpIO.RetryAfterSeconds} seconds.", Problems.Unavailable)),
        EventOutcome.Unknown => HttpIO.Unavailable(request, HttpIO.Problem(503, "Storage did not confirm the change.", "It may or may not have been made: read the event to see, then try again if needed.", Problems.OutcomeUnknown)),
        _ => HttpIO.Problem(404, "Event not found.", "No event has this id.", Problems.EventNotFound),
    };

    private Task<IActionResult> Guard(HttpRequest request, Func<Task<IActionResult>> endpoint) =>
        HttpIO.GuardAsync(request, log, endpoint,
            () => HttpIO.Problem(503, "Storage is unavailable.", $"Try again in {HttpIO.RetryAfterSeconds} seconds; nothing was changed.", Problems.Unavailable));
}

/// <summary>ProblemDetails type identifiers, one per kind of failure a client may handle.</summary>
public static class Problems
{
    public const string EventNotFound = "urn:eventfunctions:event-not-found";
    public const string SignUpNotOpen = "urn:eventfunctions:sign-up-not-open";
    public const string SignUpClosed = "urn:eventfunctions:sign-up-closed";
    public const string EventFull = "urn:eventfunctions:event-full";
    public const string AlreadyRegistered = "urn:eventfunctions:already-registered";
    /// <summary>403: an event by invitation, and no invited unit's sign-up link (<c>?u=</c>).</summary>
    public const string NotInvited = "urn:eventfunctions:not-invited";
    public const string RegistrationNotFound = "urn:eventfunctions:registration-not-found";
    /// <summary>503: known not saved; trying again is safe.</summary>
    public const string Unavailable = "urn:eventfunctions:unavailable";
    /// <summary>503: storage did not say whether it was saved; the same request again gets the true answer.</summary>
    public const string OutcomeUnknown = "urn:eventfunctions:outcome-unknown";
    /// <summary>429: a rate limit is spent (Retry-After says for how long).</summary>
    public const string TooManyRequests = "urn:eventfunctions:too-many-requests";
}
