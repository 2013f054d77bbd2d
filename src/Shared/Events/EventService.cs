using Azure.Data.Tables;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Events;

public abstract record EventOutcome
{
    public sealed record Ok(EventView Event) : EventOutcome
    {
        /// <summary>The change asked for was already so: nothing was written (and nothing is worth recording).</summary>
        public bool Unchanged { get; init; }
    }
    public sealed record Created(EventView Event) : EventOutcome;
    public sealed record Invalid(FieldErrors Errors) : EventOutcome;
    public sealed record NotFound : EventOutcome;
    /// <summary>Not changed (storage busy or down): trying again is safe.</summary>
    public sealed record NotSaved : EventOutcome;
    /// <summary>Storage would not say whether the change was made; read the event to see.</summary>
    public sealed record Unknown : EventOutcome;
}

/// <summary>Organisers' side: create, read, list and update events.</summary>
public sealed class EventService(EventStore store, EventLedger ledger, Security.IdentifierKeys ids, Notifications.NotificationQueue notifications, TimeProvider clock, IOptions<EventFunctionsOptions> options, ILogger<EventService> log)
{
    public async Task<EventOutcome> CreateAsync(EventInput input, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (record, errors) = EventValidator.Validate(input, Ids.NewEventId(), now);
        if (record is null) return new EventOutcome.Invalid(errors);

        var table = await store.TableAsync(ct);
        await table.AddEntityAsync(EventEntity.From(record), ct);
        log.LogInformation("Created {Kind} event {EventId} with {Capacity} seats", record.Kind, record.Id, record.Capacity);
        return new EventOutcome.Created(ToView(record, now));
    }

    public async Task<EventOutcome> GetAsync(string eventId, CancellationToken ct)
    {
        var entity = await store.FindEventAsync(eventId, ct);
        return entity is null ? new EventOutcome.NotFound() : new EventOutcome.Ok(ToView(entity.ToRecord(), clock.GetUtcNow()));
    }

    public async Task<EventRecord?> FindAsync(string eventId, CancellationToken ct) =>
        (await store.FindEventAsync(eventId, ct))?.ToRecord();

    /// <summary>Upcoming events first (soonest first), then, if asked for, past ones (latest first).</summary>
    public async Task<IReadOnlyList<EventView>> ListAsync(bool includePast, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var table = await store.TableAsync(ct);
        var events = new List<EventRecord>();
        await foreach (var e in table.QueryAsync<EventEntity>(x => x.RowKey == EventEntity.RowKeyValue, cancellationToken: ct))
        {
            events.Add(e.ToRecord());
        }

        var upcoming = events.Where(e => e.EndUtc > now).OrderBy(e => e.StartUtc);
        var past = includePast ? events.Where(e => e.EndUtc <= now).OrderByDescending(e => e.StartUtc) : Enumerable.Empty<EventRecord>();
        return upcoming.Concat(past).Select(e => ToView(e, now)).ToList();
    }

    /// <summary>
    /// Replaces an event's definition through the ledger; its counters stay. Capacity may not go below the
    /// confirmed count; seats it adds go to the waitlist first, in order, in the same transaction.
    /// </summary>
    public Task<EventOutcome> UpdateAsync(string eventId, EventInput input, CancellationToken ct) =>
        ChangeAsync(eventId, (current, now) => EventValidator.Validate(input, eventId, now, current), "Updated");

    /// <summary>Revokes every door link made so far (a new one made afterwards works): for a link passed on too far.</summary>
    public Task<EventOutcome> RevokeDoorLinksAsync(string eventId, CancellationToken ct) =>
        ChangeAsync(eventId, (current, now) => (current with { DoorLinksRevokedUtc = now }, null), "Revoked the door links of");

    /// <summary>Makes the event a session of a series (through the ledger, as every change of the event row).</summary>
    public Task<EventOutcome> SetSeriesAsync(string eventId, string seriesId, CancellationToken ct) =>
        ChangeAsync(eventId, (current, now) => current.SeriesId == seriesId ? (null, null) : (current with { SeriesId = seriesId }, null), "Made a series session of");

    /// <summary>Closes sign-up now (the end of the sign-up window moves to now); registrations stay.</summary>
    public Task<EventOutcome> CloseSignUpAsync(string eventId, CancellationToken ct) =>
        ChangeAsync(eventId, (current, now) => current.SignUpClosesUtc <= now ? (null, null) : (current with { SignUpClosesUtc = now }, null), "Closed sign-up of");

    /// <summary>Cancels the event: sign-up shuts and nobody is promoted any more; the event and its registrations stay.</summary>
    public Task<EventOutcome> CancelEventAsync(string eventId, CancellationToken ct) =>
        ChangeAsync(eventId, (current, _) => current.Cancelled ? (null, null) : (current with { Cancelled = true }, null), "Cancelled");

    /// <summary>
    /// Sets the number of seats (raising it is the usual case); never below the people already confirmed. Seats it
    /// adds go to the waitlist first, in order, in the same transaction.
    /// </summary>
    public Task<EventOutcome> SetCapacityAsync(string eventId, int capacity, CancellationToken ct) =>
        ChangeAsync(eventId, (current, _) =>
        {
            var errors = new FieldErrors();
            if (capacity == current.Capacity) return (null, null);
            if (Ledger.SeatRules.CapacityError(capacity, current.Confirmed) is { } error) errors.Add("capacity", error);
            // On an invitation event the seats beyond the units' own are the shared pool.
            if (current.Invitation is { } invitation && capacity < invitation.UnitSeats) errors.Add("capacity", EventRuleText.CapacityBelowUnitSeats(invitation.UnitSeats));
            if (errors.Any) return (null, errors);
            return (current.Invitation is { } inv ? current with { Capacity = capacity, Invitation = inv with { Pool = capacity - inv.UnitSeats } } : current with { Capacity = capacity }, null);
        }, "Set the capacity of");

    /// <summary>
    /// Makes the event one by invitation, or changes who is invited and their seats (null: open to anyone again). The
    /// seats become the units' plus the pool; an open event with people registered cannot become one by invitation
    /// (their seats are no unit's), nor the other way; a unit cannot be given fewer seats than its people hold unless
    /// the pool covers them (the ledger checks that against its counts at commit).
    /// </summary>
    public Task<EventOutcome> SetInvitationAsync(string eventId, Invitation? invitation, CancellationToken ct) =>
        ChangeAsync(eventId, (current, now) =>
        {
            var errors = new FieldErrors();
            if ((current.Invitation is null) != (invitation is null) && current.Confirmed + current.Waitlisted > 0)
            {
                errors.Add("invitation", invitation is null ? EventRuleText.InvitationHasPeople : EventRuleText.OpenHasPeople);
                return (null, errors);
            }

            if (invitation is null) return current.Invitation is null ? (null, null) : (current with { Invitation = null, UnitUsed = Invitation.NoneUsed }, null);
            if (current.Lottery is not null)
            {
                errors.Add("invitation", EventRuleText.LotteryNotWith);
                return (null, errors);
            }

            var capacity = invitation.UnitSeats + invitation.Pool;
            if (capacity < 1) errors.Add("invitation", EventRuleText.InvitationNoSeats);
            if (invitation.ReleaseUtc is { } release && release >= current.StartUtc) errors.Add("releaseAt", EventRuleText.ReleaseAfterStart);
            if (errors.Any) return (null, errors);
            var next = invitation with { Released = current.Invitation?.Released == true };
            return current.Invitation == next && current.Capacity == capacity ? (null, null) : (current with { Invitation = next, Capacity = capacity }, null);
        }, "Set the invitation of");

    /// <summary>Gives the seats units have not used to the shared pool now (the waitlist takes them in order, in the same commit).</summary>
    public Task<EventOutcome> ReleaseUnitSeatsAsync(string eventId, DateTimeOffset? dueBy, CancellationToken ct) =>
        ChangeAsync(eventId, (current, now) => current.Invitation is not { Released: false } invitation || (dueBy is not null && !(invitation.ReleaseUtc <= now))
            ? (null, null)
            : (current with { Invitation = invitation with { Released = true } }, null), "Released the unused unit seats of");

    private async Task<EventOutcome> ChangeAsync(string eventId, EventChange decide, string what)
    {
        if (!Ids.IsValidEventId(eventId)) return new EventOutcome.NotFound();
        // A change of time, place or meeting point, or cancelling, is recorded (calendar SEQUENCE, notice version,
        // what it was) in the same commit as the change itself; the emails go out afterwards through the queue.
        var noticed = 0;
        EventChange change = (current, now) =>
        {
            var (updated, errors) = decide(current, now);
            if (updated is null || errors is { Any: true }) return (updated, errors);
            var recorded = Notifications.NoticeState.Record(current, updated, now);
            noticed = recorded.NoticeVersion > current.NoticeVersion ? recorded.NoticeVersion : 0;
            return (recorded, errors);
        };
        var result = await ledger.ChangeAsync(eventId, change);
        log.LogInformation("{What} event {EventId}: {Result}", what, eventId, result.GetType().Name);
        if (result is ChangeResult.Changed { After.NoticeVersion: > 0 } changed && noticed > 0)
        {
            // Never the organiser's failure: the sweep finds participants still owed this notice.
            await notifications.EnqueueFanOutAsync(eventId, changed.After.NoticeVersion, CancellationToken.None);
        }

        return result switch
        {
            ChangeResult.Changed c => new EventOutcome.Ok(ToView(c.After, clock.GetUtcNow())),
            ChangeResult.Unchanged u => new EventOutcome.Ok(ToView(u.Event, clock.GetUtcNow())) { Unchanged = true },
            ChangeResult.Rejected r => new EventOutcome.Invalid(r.Errors),
            ChangeResult.NotSaved => new EventOutcome.NotSaved(),
            ChangeResult.Unknown => new EventOutcome.Unknown(),
            _ => new EventOutcome.NotFound(),
        };
    }

    public string SignUpUrl(string eventId) => options.Value.PublicBaseUrl.TrimEnd('/') + Http.Paths.SignUp(eventId);

    public EventView ToView(EventRecord e, DateTimeOffset now) => new(
        e.Id, e.Kind, e.Title, e.Description, e.Venue, e.Address,
        e.ToLocal(e.StartUtc), e.ToLocal(e.EndUtc), e.TimeZoneId, e.Capacity, e.WaitlistAllowed,
        e.ToLocal(e.SignUpOpensUtc), e.ToLocal(e.SignUpClosesUtc), e.OrganiserName, e.OrganiserEmail, e.Unit,
        e.Salon,
        e.SiteVisit is { } v ? new SiteVisitView(v.MeetingPoint, e.ToLocal(v.MeetingTimeUtc), v.SecurityFields) { Bring = v.Bring, OptionalSecurityFields = v.OptionalSecurityFields } : null,
        e.Lecture,
        e.Questions,
        new EventCounts(e.Confirmed, e.Waitlisted, e.SeatsLeft) { Held = e.Held },
        SignUpStatus(e, now),
        SignUpUrl(e.Id))
    {
        English = e.English,
        ReminderHoursBefore = e.ReminderHoursBefore,
        CalendarSequence = e.CalendarSequence,
        WaitlistLimit = e.WaitlistAllowed ? e.EffectiveWaitlistLimit : null,
        ConfirmEmail = e.ConfirmEmail,
        Volunteering = e.Volunteering,
        SeriesId = e.SeriesId,
        Lottery = e.Lottery is { } l
            ? new LotteryView(e.ToLocal(l.DrawUtc), e.Entries, Admission.LotteryDraw.SeedHash(ids.LotterySeed(e.Id)), l.EntryListHash, l.DrawnUtc is { } d ? e.ToLocal(d) : null, l.Seed, Http.Paths.Lottery(e.Id))
            : null,
    };

    private static string SignUpStatus(EventRecord e, DateTimeOffset now) => e.WindowAt(now) switch
    {
        SignUpWindow.Open when e.SeatsLeft == 0 => e.WaitlistOpen ? "waitlist" : "full",
        SignUpWindow.Open => "open",
        SignUpWindow.NotYetOpen => "notYetOpen",
        SignUpWindow.Closed => "closed",
        SignUpWindow.EventCancelled => "cancelled",
        SignUpWindow.Drawing => "drawing",
        _ => "started",
    };
}
