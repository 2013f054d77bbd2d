using EventFunctions.Shared.Ledger;

namespace EventFunctions.Shared.Attendance;

/// <summary>One person as the door and the console see them: a registration or a walk-in. The phone is masked.</summary>
public sealed record Attendee(
    string Key,
    string RegistrationId,
    string Name,
    string? MaskedPhone,
    string Unit,
    string Status,
    string? TicketCode,
    DateTimeOffset? CheckedInUtc,
    string? CheckedInBy)
{
    /// <summary>A volunteer's check-out (volunteering events).</summary>
    public DateTimeOffset? CheckedOutUtc { get; init; }
}

/// <summary>What became of a check-in, an undo or a walk-in.</summary>
public abstract record CheckInOutcome
{
    public sealed record CheckedIn(Attendee Person, DateTimeOffset At) : CheckInOutcome;
    /// <summary>Nothing written: checked in before, at <paramref name="At"/> (for a walk-in sent twice: added before).</summary>
    public sealed record AlreadyCheckedIn(Attendee? Person, DateTimeOffset At) : CheckInOutcome;
    public sealed record Undone(Attendee Person) : CheckInOutcome;
    public sealed record NotCheckedIn(Attendee Person) : CheckInOutcome;
    public sealed record Refused(CheckInRefusal Reason, Attendee? Person) : CheckInOutcome;
    /// <summary>A walk-in's fields are wrong (the name is missing, too long...).</summary>
    public sealed record Invalid(FieldErrors Errors) : CheckInOutcome;
    /// <summary>Known not to be saved: try again.</summary>
    public sealed record NotSaved : CheckInOutcome;
    /// <summary>Storage did not say: look again (a check-in repeated is harmless).</summary>
    public sealed record Unknown : CheckInOutcome;
}

/// <summary>The door's live counts, from the event row.</summary>
public sealed record DoorCounts(int Confirmed, int CheckedIn, int WalkIns);

/// <summary>One unit's line in an event's attendance.</summary>
public sealed record UnitAttendance(string Unit, int Registered, int Waitlisted, int Attended, int NoShows, int WalkIns)
{
    /// <summary>On an invitation event, the seats the unit was invited with; null for a unit that was not invited.</summary>
    public int? Seats { get; init; }

    /// <summary>An invited unit of which nobody came, once the event is over: the line the office's report is for.</summary>
    public bool NoOneCame(bool ended) => Seats is not null && ended && Attended == 0;
}

/// <summary>
/// An event's attendance: registered (confirmed), waitlisted, cancelled (withdrawn), attended (checked-in confirmed
/// plus walk-ins), no-shows (confirmed, not checked in, once the event has ended; 0 before), walk-ins; by unit too.
/// </summary>
public sealed record EventAttendance(
    string EventId,
    string Title,
    DateOnly LocalDate,
    bool Ended,
    int Registered,
    int Waitlisted,
    int Withdrawn,
    int Attended,
    int NoShows,
    int WalkIns,
    IReadOnlyList<UnitAttendance> ByUnit,
    bool FromSummary);

/// <summary>One event a unit took part in, and how many of its people attended it.</summary>
public sealed record UnitEvent(string EventId, string Title, DateOnly LocalDate, int Attended)
{
    /// <summary>The unit was invited to it (an invitation event).</summary>
    public bool Invited { get; init; }
    public bool Ended { get; init; }
    /// <summary>Its people with a seat who did not come (counted once the event has ended).</summary>
    public int NoShows { get; init; }
}

/// <summary>
/// A unit over a date range: the events it took part in (attended ≥ 1) and its attendances in all; with invitations,
/// how many events it was invited to and those of them nobody of it came to.
/// </summary>
public sealed record UnitParticipation(string Unit, IReadOnlyList<UnitEvent> Events, int Attended)
{
    public int Invited { get; init; }
    public IReadOnlyList<UnitEvent> Missed { get; init; } = [];
    /// <summary>Its people with a seat who did not come, over the period (events ended).</summary>
    public int NoShows { get; init; }
    /// <summary>No-shows of the seats its people had at ended events; null when it had none.</summary>
    public double? NoShowRate => Attended + NoShows == 0 ? null : NoShows / (double)(Attended + NoShows);
}
