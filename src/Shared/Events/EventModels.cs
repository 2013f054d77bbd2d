namespace EventFunctions.Shared.Events;

public enum EventKind
{
    Salon,
    SiteVisit,
    Lecture,
    /// <summary>Volunteers serving a shift (a legal clinic, a clean-up): check-in and check-out at the door give their hours.</summary>
    Volunteering,
}

public enum QuestionType
{
    Text,
    Choice,
    YesNo,
}

/// <summary>What an organiser sends to create or replace an event. Times are local to <see cref="TimeZone"/>.</summary>
public sealed record EventInput
{
    public string? Kind { get; init; }
    public string? Title { get; init; }
    public string? Description { get; init; }
    public string? Venue { get; init; }
    public string? Address { get; init; }
    /// <summary>Local start, e.g. <c>2026-12-05T14:00</c>.</summary>
    public string? Start { get; init; }
    public string? End { get; init; }
    /// <summary>IANA zone; Asia/Shanghai when omitted.</summary>
    public string? TimeZone { get; init; }
    public int? Capacity { get; init; }
    public bool? WaitlistAllowed { get; init; }
    /// <summary>Most people on the waitlist; <see cref="EventRecord.DefaultWaitlistLimit"/> (three times the seats) when omitted.</summary>
    public int? WaitlistLimit { get; init; }
    /// <summary>
    /// Whether a sign-up must be confirmed from the email before it counts (see <see cref="EventRecord.ConfirmEmail"/>);
    /// on when a new event omits it, unchanged when an edit omits it.
    /// </summary>
    public bool? ConfirmEmail { get; init; }
    /// <summary>Each sign-up waits for the organiser's approval (see <see cref="EventRecord.RequiresApproval"/>); off when omitted on a new event, unchanged on an edit.</summary>
    public bool? RequiresApproval { get; init; }
    /// <summary>Local time sign-up opens; now when omitted.</summary>
    public string? SignUpOpens { get; init; }
    /// <summary>Local time sign-up closes; the event's start when omitted.</summary>
    public string? SignUpCloses { get; init; }
    public string? OrganiserName { get; init; }
    public string? OrganiserEmail { get; init; }
    /// <summary>The member unit that owns the event (its organisers see and change it); <see cref="EventValidator.DefaultUnit"/> when omitted.</summary>
    public string? Unit { get; init; }
    public SalonDetails? Salon { get; init; }
    public SiteVisitInput? SiteVisit { get; init; }
    public LectureDetails? Lecture { get; init; }
    public VolunteeringDetails? Volunteering { get; init; }
    public List<QuestionInput>? Questions { get; init; }
    /// <summary>Optional English text of the event, shown to participants who read English (Chinese where missing).</summary>
    public EventEnglish? English { get; init; }
    /// <summary>Hours before the start a reminder goes to confirmed participants; 24 when omitted, 0 for none.</summary>
    public int? ReminderHoursBefore { get; init; }
    /// <summary>Hours before the start from which a freed seat is offered to the next person waiting with a confirm-by time (see <see cref="EventRecord.OfferHoursBefore"/>); 0 or omitted: off.</summary>
    public int? OfferHoursBefore { get; init; }
    /// <summary>Hours before the start confirmed people are asked to reconfirm (see <see cref="EventRecord.ReconfirmHoursBefore"/>); 0 or omitted: off.</summary>
    public int? ReconfirmHoursBefore { get; init; }
    /// <summary>Hours before the start by which they must have reconfirmed; 24 when omitted.</summary>
    public int? ReconfirmDeadlineHoursBefore { get; init; }
    /// <summary>Local time of the lottery draw (see <see cref="EventRecord.Lottery"/>): sign-ups until then are entries; empty or omitted on a new event: first come. An edit that omits it keeps it.</summary>
    public string? LotteryDraw { get; init; }
    /// <summary>Draw people with no-shows on record after everyone else (see <see cref="Admission.Lottery.NoShowsLast"/>).</summary>
    public bool? LotteryNoShowsLast { get; init; }
}

/// <summary>The English version of an event's own text; any field left out falls back to the Chinese.</summary>
public sealed record EventEnglish(string? Title, string? Description, string? Venue, string? Address, string? MeetingPoint, string? Topic)
{
    /// <summary>A site visit's "what to bring", in English.</summary>
    public string? Bring { get; init; }
}

public sealed record SalonDetails(string? HostOrganisation, string? Topic, string? Speaker);

public sealed record SiteVisitInput(string? MeetingPoint, string? MeetingTime, List<string>? SecurityFields)
{
    /// <summary>Which of <see cref="SecurityFields"/> a visitor may leave empty (a car plate for someone on foot).</summary>
    public List<string>? OptionalSecurityFields { get; init; }

    /// <summary>What participants should bring (ID card, closed shoes), named in the reminder.</summary>
    public string? Bring { get; init; }
}

public sealed record SiteVisitDetails(string MeetingPoint, DateTimeOffset MeetingTimeUtc, IReadOnlyList<string> SecurityFields)
{
    /// <summary>The security-desk fields a visitor may leave empty; every other one is required.</summary>
    public IReadOnlyList<string> OptionalSecurityFields { get; init; } = [];

    public string? Bring { get; init; }
}

public sealed record LectureDetails(string? Speaker, string? OnlineUrl);

/// <summary>A volunteering shift: the team whose volunteers serve (their hours are reported per team) and what they do.</summary>
public sealed record VolunteeringDetails(string? Team, string? Activity);

public sealed record QuestionInput(string? Id, string? Label, string? Type, List<string>? Options, bool Required);

public sealed record Question(string Id, string Label, QuestionType Type, IReadOnlyList<string> Options, bool Required);

/// <summary>A validated event as the services use it. Times in UTC; <see cref="TimeZoneId"/> says how to show them.</summary>
public sealed record EventRecord
{
    public required string Id { get; init; }
    public required EventKind Kind { get; init; }
    public required string Title { get; init; }
    public string? Description { get; init; }
    public string? Venue { get; init; }
    public string? Address { get; init; }
    public required DateTimeOffset StartUtc { get; init; }
    public required DateTimeOffset EndUtc { get; init; }
    public required string TimeZoneId { get; init; }
    public required int Capacity { get; init; }
    public required bool WaitlistAllowed { get; init; }
    /// <summary>
    /// Most people waiting at once (the organiser's, or three times the seats): a waitlist without end is a list a
    /// script fills, and everyone on it is sent email. Lowering it below those already waiting removes nobody.
    /// </summary>
    public int WaitlistLimit { get; init; }
    /// <summary>
    /// Seats that need a real person: a sign-up is held (a seat, or a place on the waitlist) until its participant
    /// follows the link in the email, and given to the next person if not in time
    /// (<see cref="Storage.EventFunctionsOptions.HoldTime"/>). Off on rows stored before holds.
    /// </summary>
    public bool ConfirmEmail { get; init; }
    /// <summary>
    /// Each sign-up waits as pending until the organiser approves it (a seat through the ledger, or the waitlist when
    /// none is free) or declines it; one nobody decides on before the event starts expires. The organiser's check
    /// stands in for the email confirmation, which such an event does not ask.
    /// </summary>
    public bool RequiresApproval { get; init; }
    /// <summary>Sign-ups waiting for the organiser's decision (no seat, no waitlist place yet).</summary>
    public int Pending { get; init; }
    public required DateTimeOffset SignUpOpensUtc { get; init; }
    public required DateTimeOffset SignUpClosesUtc { get; init; }
    public required string OrganiserName { get; init; }
    public required string OrganiserEmail { get; init; }
    /// <summary>The member unit that owns the event: its organisers see and change it.</summary>
    public string Unit { get; init; } = EventValidator.DefaultUnit;
    public SalonDetails? Salon { get; init; }
    public SiteVisitDetails? SiteVisit { get; init; }
    public LectureDetails? Lecture { get; init; }
    public VolunteeringDetails? Volunteering { get; init; }
    public IReadOnlyList<Question> Questions { get; init; } = [];
    /// <summary>Seats given (confirmed and <see cref="Held"/>).</summary>
    public int Confirmed { get; init; }
    public int Waitlisted { get; init; }
    /// <summary>Of the seats given, those held until their participant confirms from the email.</summary>
    public int Held { get; init; }
    /// <summary>Sign-ups (held seats and waitlist places) not yet confirmed from the email; each expires.</summary>
    public int Unconfirmed { get; init; }
    /// <summary>
    /// On the event row as stored: seats handed to instances in blocks (see <see cref="Ledger.SeatBlockEntity"/>), not
    /// free for the event row's commits. Zero in the view people are shown (<see cref="Storage.EventStore.FindEventAsync"/>),
    /// where what the blocks gave is confirmed and the rest free.
    /// </summary>
    public int Blocked { get; init; }
    public DateTimeOffset CreatedUtc { get; init; }
    public bool Cancelled { get; init; }
    /// <summary>English text of the event (see <see cref="EventEnglish"/>); null when none was given.</summary>
    public EventEnglish? English { get; init; }
    /// <summary>Hours before the start confirmed participants are reminded; 0 for no reminder.</summary>
    public int ReminderHoursBefore { get; init; } = Notifications.NoticeState.DefaultReminderHours;
    /// <summary>
    /// Late seats as offers: from this many hours before the start, a seat freed is not given outright to the next
    /// person waiting but offered with a confirm-by time (<see cref="Storage.EventFunctionsOptions.OfferTime"/>, never
    /// past the start), through the one held-until-a-deadline mechanism; an offer not taken in time, or declined, moves
    /// on in order. 0: off (a freed seat is given).
    /// </summary>
    public int OfferHoursBefore { get; init; }

    /// <summary>Whether a seat freed now is offered rather than given (see <see cref="OfferHoursBefore"/>).</summary>
    /// <summary>
    /// Reconfirmation before the day: this many hours before the start each confirmed person is asked to confirm again
    /// with one click, by <see cref="ReconfirmDeadlineHoursBefore"/> hours before; a seat not reconfirmed then is released
    /// to the waitlist in order (both told). 0: off.
    /// </summary>
    public int ReconfirmHoursBefore { get; init; }
    public int ReconfirmDeadlineHoursBefore { get; init; } = DefaultReconfirmDeadlineHours;
    public const int DefaultReconfirmDeadlineHours = 24;

    /// <summary>When reconfirmation is asked and when it is due; null when the event asks none.</summary>
    public (DateTimeOffset Ask, DateTimeOffset Due)? Reconfirmation => ReconfirmHoursBefore > 0
        ? (StartUtc - TimeSpan.FromHours(ReconfirmHoursBefore), StartUtc - TimeSpan.FromHours(ReconfirmDeadlineHoursBefore))
        : null;

    public bool OffersAt(DateTimeOffset now) => OfferHoursBefore > 0 && now < StartUtc && now >= StartUtc - TimeSpan.FromHours(OfferHoursBefore);

    /// <summary>The calendar SEQUENCE: raised with every change of time or place and with cancelling.</summary>
    public int CalendarSequence { get; init; }
    /// <summary>Raised with every change participants must be told of (time, place, meeting point, cancelled).</summary>
    public int NoticeVersion { get; init; }
    /// <summary>What participants were told at each notice version (0: as created), latest last.</summary>
    public IReadOnlyList<Notifications.NoticeRevision> NoticeHistory { get; init; } = [];
    /// <summary>Door links made until then no longer work (the organiser revoked them, e.g. one was passed on).</summary>
    public DateTimeOffset? DoorLinksRevokedUtc { get; init; }
    /// <summary>The series this event is a session of (see Series/); null when it stands alone.</summary>
    public string? SeriesId { get; init; }

    /// <summary>A lottery window (see <see cref="Admission.Lottery"/>); null: first come.</summary>
    public Admission.Lottery? Lottery { get; init; }
    /// <summary>Lottery entries waiting for the draw (no seat, no waitlist place yet).</summary>
    public int Entries { get; init; }

    /// <summary>Sign-ups taken now are lottery entries.</summary>
    public bool TakesEntriesAt(DateTimeOffset now) => Lottery is { } l && l.TakesEntriesAt(now);

    public int SeatsLeft => Math.Max(0, Capacity - Confirmed - Blocked);

    /// <summary>Seats the public can still have: all left on an open event; on one with reserved seats, what is left of the pool.</summary>
    public int PublicSeatsLeft => Invitation is { } inv ? (inv.Public ? Math.Max(0, Capacity - Ledger.UnitSeatRules.Taken(inv, UnitUsed)) : 0) : SeatsLeft;

    /// <summary>Listed and open to anyone: an open event, or one whose reserved seats leave a public pool.</summary>
    public bool IsPublic => Invitation is null or { Public: true };

    /// <summary>
    /// By invitation (null: open to anyone with the link): the invited member units, each with its seats, and a
    /// shared pool. <see cref="Capacity"/> is their sum. Only a unit's signed link signs up, as that unit.
    /// </summary>
    public Invitation? Invitation { get; init; }

    /// <summary>On an invitation event, the seats each unit's people hold (confirmed and held), by unit id: the ledger's.</summary>
    public IReadOnlyDictionary<string, int> UnitUsed { get; init; } = Invitation.NoneUsed;

    /// <summary>The waitlist's size when the organiser sets none.</summary>
    public static int DefaultWaitlistLimit(int capacity) => Math.Min(EventValidator.MaxCapacity, 3 * Math.Max(1, capacity));

    /// <summary>The waitlist in force: the organiser's limit, or the default for rows stored before limits.</summary>
    public int EffectiveWaitlistLimit => WaitlistLimit > 0 ? WaitlistLimit : DefaultWaitlistLimit(Capacity);

    /// <summary>Whether someone who finds no seat can still join the waitlist.</summary>
    public bool WaitlistOpen => WaitlistAllowed && Waitlisted < EffectiveWaitlistLimit;

    /// <summary>Whether people come through a door (a venue, a meeting point): an online-only lecture has none, so no ticket.</summary>
    public bool HasDoor => Venue is not null || SiteVisit is not null || Lecture?.OnlineUrl is null;

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);

    public DateTimeOffset ToLocal(DateTimeOffset utc) => TimeZoneInfo.ConvertTime(utc, Zone);

    public SignUpWindow WindowAt(DateTimeOffset now) =>
        Cancelled ? SignUpWindow.EventCancelled
        : now >= StartUtc ? SignUpWindow.EventStarted
        : now < SignUpOpensUtc ? SignUpWindow.NotYetOpen
        : Lottery is { DrawnUtc: null } l && (now >= l.DrawUtc || l.DrawStartedUtc is not null) ? SignUpWindow.Drawing
        : now >= SignUpClosesUtc ? SignUpWindow.Closed
        : SignUpWindow.Open;

    /// <summary>The participant fields this kind of event asks for; nothing more is collected.</summary>
    public FieldPolicy Fields => FieldPolicy.For(this);
}

/// <summary>A member unit invited to an event, with the seats kept for its people.</summary>
public sealed record InvitedUnit(string UnitId, string Name, int Seats);

/// <summary>
/// Who is invited and how many seats each unit has (see <see cref="Ledger.UnitSeatRules"/>): a unit's people take its
/// own seats first, then the shared <paramref name="Pool"/>. At <see cref="ReleaseUtc"/> (or when the organiser says
/// so) the seats units have not used are <see cref="Released"/> to the pool, and the waitlist takes them in order.
/// </summary>
public sealed record Invitation(IReadOnlyList<InvitedUnit> Units, int Pool)
{
    public static readonly IReadOnlyDictionary<string, int> NoneUsed = new Dictionary<string, int>(StringComparer.Ordinal);

    public DateTimeOffset? ReleaseUtc { get; init; }
    public bool Released { get; init; }

    /// <summary>
    /// Reserved seats (fair admission): the units' seats are kept for their links, and the pool is open to anyone with
    /// the public link, who signs up as <see cref="PublicKey"/> and can take only pool seats (released unit seats join
    /// the pool). False: by invitation only.
    /// </summary>
    public bool Public { get; init; }

    /// <summary>The unit key of the public's sign-ups on an event with reserved seats (never a real unit's id).</summary>
    public const string PublicKey = "public";

    public int UnitSeats => Units.Sum(u => u.Seats);

    public InvitedUnit? Find(string? unitId) => unitId is null ? null : Units.FirstOrDefault(u => u.UnitId == unitId);

    /// <summary>Whether <paramref name="unitId"/> may sign up: an invited unit, or the public where the pool is public.</summary>
    public bool Admits(string? unitId) => Find(unitId) is not null || Public && unitId == PublicKey;
}

public enum SignUpWindow
{
    Open,
    NotYetOpen,
    Closed,
    EventStarted,
    EventCancelled,
    /// <summary>The lottery's draw time has come and its result is not yet all in: no sign-up until it is (then first come, if still open).</summary>
    Drawing,
}

/// <summary>Which participant fields an event collects (PIPL: only what the event needs).</summary>
public sealed record FieldPolicy(bool AsksPhone, bool PhoneRequired, bool OrganisationRequired, IReadOnlyList<string> SecurityFields)
{
    public IReadOnlyList<string> OptionalSecurityFields { get; init; } = [];

    /// <summary>Whether the security-desk field at <paramref name="index"/> must be filled in.</summary>
    public bool SecurityFieldRequired(int index) => !OptionalSecurityFields.Contains(SecurityFields[index]);

    public static FieldPolicy For(EventRecord e) => e.Kind switch
    {
        // Site visits: the site's security desk needs a contact phone, the unit and its own extra fields.
        EventKind.SiteVisit => new(true, true, true, e.SiteVisit?.SecurityFields ?? []) { OptionalSecurityFields = e.SiteVisit?.OptionalSecurityFields ?? [] },
        // Salons: organisers call people about changes of room or time.
        EventKind.Salon => new(true, true, false, []),
        // Volunteering: the hours are certified to a person, and volunteer platforms match them by phone.
        EventKind.Volunteering => new(true, true, false, []),
        // Lectures: an email is enough to confirm a seat or send the online link.
        _ => new(false, false, false, []),
    };
}

/// <summary>The API shape of an event, as organisers and clients read it.</summary>
public sealed record EventView(
    string Id,
    EventKind Kind,
    string Title,
    string? Description,
    string? Venue,
    string? Address,
    DateTimeOffset Start,
    DateTimeOffset End,
    string TimeZone,
    int Capacity,
    bool WaitlistAllowed,
    DateTimeOffset SignUpOpens,
    DateTimeOffset SignUpCloses,
    string OrganiserName,
    string OrganiserEmail,
    string Unit,
    SalonDetails? Salon,
    SiteVisitView? SiteVisit,
    LectureDetails? Lecture,
    IReadOnlyList<Question> Questions,
    EventCounts Counts,
    string SignUpStatus,
    string SignUpUrl)
{
    public EventEnglish? English { get; init; }
    public int ReminderHoursBefore { get; init; }
    public int CalendarSequence { get; init; }
    /// <summary>Most people waiting (see <see cref="EventRecord.WaitlistLimit"/>); null without a waitlist.</summary>
    public int? WaitlistLimit { get; init; }
    /// <summary>Sign-ups must be confirmed from the email (see <see cref="EventRecord.ConfirmEmail"/>).</summary>
    public bool ConfirmEmail { get; init; }
    public VolunteeringDetails? Volunteering { get; init; }
    /// <summary>The series the event is a session of; null when it stands alone.</summary>
    public string? SeriesId { get; init; }
    /// <summary>The lottery window, if the event has one: its local draw time, state and the draw's public commitments (see <see cref="Admission.Lottery"/>).</summary>
    public LotteryView? Lottery { get; init; }
}

public sealed record SiteVisitView(string MeetingPoint, DateTimeOffset MeetingTime, IReadOnlyList<string> SecurityFields)
{
    public IReadOnlyList<string> OptionalSecurityFields { get; init; } = [];

    /// <summary>What participants should bring (as <see cref="SiteVisitInput.Bring"/>); null when none was given.</summary>
    public string? Bring { get; init; }
}

public sealed record EventCounts(int Confirmed, int Waitlisted, int SeatsLeft)
{
    /// <summary>Of <see cref="Confirmed"/>, the seats held until their participant confirms from the email.</summary>
    public int Held { get; init; }
}

/// <summary>A lottery as the JSON API shows it: nothing secret (the seed only once revealed).</summary>
public sealed record LotteryView(DateTimeOffset Draw, int Entries, string SeedSha256, string? EntryListSha256, DateTimeOffset? Drawn, string? Seed, string VerifyUrl);
