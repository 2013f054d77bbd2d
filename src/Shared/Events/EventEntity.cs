using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace EventFunctions.Shared.Events;

/// <summary>The stored event row: one per partition (the event's id), RowKey <see cref="RowKeyValue"/>.</summary>
public sealed class EventEntity : ITableEntity
{
    public const string RowKeyValue = "event";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = RowKeyValue;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Kind { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public string? Venue { get; set; }
    public string? Address { get; set; }
    public DateTimeOffset StartUtc { get; set; }
    public DateTimeOffset EndUtc { get; set; }
    public string TimeZoneId { get; set; } = "";
    public int Capacity { get; set; }
    public bool WaitlistAllowed { get; set; }
    /// <summary>0 on rows stored before waitlist limits: the default applies (see <see cref="EventRecord.EffectiveWaitlistLimit"/>).</summary>
    public int WaitlistLimit { get; set; }
    /// <summary>See <see cref="EventRecord.ConfirmEmail"/>; false on rows stored before holds.</summary>
    public bool ConfirmEmail { get; set; }
    public bool RequiresApproval { get; set; }
    public DateTimeOffset SignUpOpensUtc { get; set; }
    public DateTimeOffset SignUpClosesUtc { get; set; }
    public string OrganiserName { get; set; } = "";
    public string OrganiserEmail { get; set; } = "";
    /// <summary>The owning member unit (see <see cref="EventRecord.Unit"/>).</summary>
    public string Unit { get; set; } = "";
    /// <summary>Kind details and custom questions as JSON (they are read with the event, never queried).</summary>
    public string DetailsJson { get; set; } = "{}";
    public DateTimeOffset CreatedUtc { get; set; }
    /// <summary>Cancelled by its organiser: sign-up is shut and the event stays for the record.</summary>
    public bool Cancelled { get; set; }

    // The ledger's state (see EventLedger): only the ledger writes these, always under the row's ETag.
    public int Confirmed { get; set; }
    public int Waitlisted { get; set; }
    /// <summary>Of <see cref="Confirmed"/>, seats held until confirmed from the email.</summary>
    public int Held { get; set; }
    /// <summary>Sign-ups not yet confirmed from the email (held seats and waitlist places): the hold sweep looks at events with any.</summary>
    public int Unconfirmed { get; set; }
    /// <summary>Sign-ups waiting for the organiser's approval (counted in <see cref="Unconfirmed"/> too, so the hold sweep expires them).</summary>
    public int Pending { get; set; }
    /// <summary>
    /// Seats handed to instances in blocks (<see cref="Ledger.SeatBlockEntity"/>), given to people or not: the block
    /// rows count those given until a commit here folds them in. Seats taken = <see cref="Confirmed"/> + this, always.
    /// </summary>
    public int Blocked { get; set; }
    /// <summary>The last arrival number given to a registration; the waitlist is ordered by it.</summary>
    public long NextSequence { get; set; }
    /// <summary>
    /// Until when instances may put sign-ups in the waitlist inbox (see Ledger/WaitlistInbox.cs); every commit
    /// looks in the inbox first while this is recent, so nobody is numbered ahead of someone already told "waiting".
    /// </summary>
    public DateTimeOffset? InboxUntil { get; set; }
    /// <summary>Counts the ledger's commits on this event.</summary>
    public long Version { get; set; }
    /// <summary>The ids of the latest commits, newest first: how a commit whose answer was lost is found out.</summary>
    public string RecentCommits { get; set; } = "";

    // Attendance counters (see Attendance/), kept by the ledger so a dashboard reads one row.
    /// <summary>Confirmed registrations checked in at the door (walk-ins not included).</summary>
    public int CheckedIn { get; set; }
    /// <summary>People added at the door without a registration, counted as attended.</summary>
    public int WalkIns { get; set; }
    /// <summary>Registrations cancelled by their participant (confirmed or waitlisted).</summary>
    public int Withdrawn { get; set; }

    // Keeping participants informed (see Notifications/NoticeState): set with the definition, in the ledger's change commit.
    /// <summary>The English text of the event as JSON (<see cref="EventEnglish"/>); empty, not null, when there is none (a merge skips nulls).</summary>
    public string? EnglishJson { get; set; }
    /// <summary>Hours before the start to remind; null (older rows) means the default.</summary>
    public int? ReminderHoursBefore { get; set; }
    public int CalendarSequence { get; set; }
    /// <summary>See <see cref="EventRecord.OfferHoursBefore"/>; 0 (off) on older rows.</summary>
    public int OfferHoursBefore { get; set; }
    public int ReconfirmHoursBefore { get; set; }
    /// <summary>0 on rows stored before reconfirmation: the default applies.</summary>
    public int ReconfirmDeadlineHoursBefore { get; set; }
    public int NoticeVersion { get; set; }
    /// <summary>The notice revisions (what was told at each version) as JSON.</summary>
    public string? NoticeHistoryJson { get; set; }
    public DateTimeOffset? DoorLinksRevokedUtc { get; set; }
    /// <summary>The series the event is a session of; null when it stands alone.</summary>
    public string? SeriesId { get; set; }

    /// <summary>The invited units and their seats as JSON (<see cref="EventRecord.Invitation"/>); empty for an open event.</summary>
    public string? InvitationJson { get; set; }
    /// <summary>The ledger's per-unit seat counts as JSON (<see cref="EventRecord.UnitUsed"/>); written under the row's ETag with every commit that changes them.</summary>
    public string? UnitUsedJson { get; set; }
    /// <summary>
    /// When the invitation's unused unit seats are to be released, for the hold sweep's query; <see cref="NotDue"/> once
    /// they are, or when no time is set (not null: a merge skips nulls, so null could never clear it).
    /// </summary>
    public DateTimeOffset? UnitReleaseDueUtc { get; set; }

    /// <summary>The lottery (<see cref="EventRecord.Lottery"/>) as JSON; empty for first come. Written by changes and by the draw's commits.</summary>
    public string? LotteryJson { get; set; }
    /// <summary>Lottery entries (<see cref="EventRecord.Entries"/>): a ledger counter.</summary>
    public int Entries { get; set; }
    /// <summary>When the lottery is to be drawn, for the hold sweep's query; <see cref="NotDue"/> once drawn, cancelled, or without one.</summary>
    public DateTimeOffset? LotteryDueUtc { get; set; }

    /// <summary>When this ended event's no-shows were written to the no-show history (once; see Admission/NoShowHistory).</summary>
    public DateTimeOffset? NoShowsRecordedUtc { get; set; }

    public static readonly DateTimeOffset NotDue = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    private sealed record Details(SalonDetails? Salon, SiteVisitDetails? SiteVisit, LectureDetails? Lecture, IReadOnlyList<Question>? Questions)
    {
        public VolunteeringDetails? Volunteering { get; init; }
    }

    public static EventEntity From(EventRecord e) => new()
    {
        PartitionKey = e.Id,
        Kind = e.Kind.ToString(),
        Title = e.Title,
        Description = e.Description,
        Venue = e.Venue,
        Address = e.Address,
        StartUtc = e.StartUtc,
        EndUtc = e.EndUtc,
        TimeZoneId = e.TimeZoneId,
        Capacity = e.Capacity,
        WaitlistAllowed = e.WaitlistAllowed,
        WaitlistLimit = e.WaitlistLimit,
        ConfirmEmail = e.ConfirmEmail,
        RequiresApproval = e.RequiresApproval,
        Pending = e.Pending,
        SignUpOpensUtc = e.SignUpOpensUtc,
        SignUpClosesUtc = e.SignUpClosesUtc,
        OrganiserName = e.OrganiserName,
        OrganiserEmail = e.OrganiserEmail,
        Unit = e.Unit,
        DetailsJson = JsonSerializer.Serialize(new Details(e.Salon, e.SiteVisit, e.Lecture, e.Questions) { Volunteering = e.Volunteering }, Json.Options),
        Confirmed = e.Confirmed,
        Waitlisted = e.Waitlisted,
        Held = e.Held,
        Unconfirmed = e.Unconfirmed,
        Blocked = e.Blocked,
        CreatedUtc = e.CreatedUtc,
        Cancelled = e.Cancelled,
        EnglishJson = e.English is null ? "" : JsonSerializer.Serialize(e.English, Json.Options),
        ReminderHoursBefore = e.ReminderHoursBefore,
        CalendarSequence = e.CalendarSequence,
        NoticeVersion = e.NoticeVersion,
        NoticeHistoryJson = e.NoticeHistory.Count == 0 ? "" : JsonSerializer.Serialize(e.NoticeHistory, Json.Options),
        DoorLinksRevokedUtc = e.DoorLinksRevokedUtc,
        InvitationJson = e.Invitation is null ? "" : JsonSerializer.Serialize(e.Invitation, Json.Options),
        UnitUsedJson = e.Invitation is null ? "" : JsonSerializer.Serialize(e.UnitUsed, Json.Options),
        SeriesId = e.SeriesId,
        OfferHoursBefore = e.OfferHoursBefore,
        ReconfirmHoursBefore = e.ReconfirmHoursBefore,
        ReconfirmDeadlineHoursBefore = e.ReconfirmDeadlineHoursBefore,
        UnitReleaseDueUtc = e.Invitation is { Released: false, ReleaseUtc: { } release } ? release : NotDue,
        LotteryJson = e.Lottery is null ? "" : JsonSerializer.Serialize(e.Lottery, Json.Options),
        Entries = e.Entries,
        LotteryDueUtc = e.Lottery is { DrawnUtc: null } lottery && !e.Cancelled ? lottery.DrawUtc : NotDue,
    };

    public EventRecord ToRecord()
    {
        var details = JsonSerializer.Deserialize<Details>(DetailsJson, Json.Options);
        return new EventRecord
        {
            Id = PartitionKey,
            Kind = Enum.Parse<EventKind>(Kind),
            Title = Title,
            Description = Description,
            Venue = Venue,
            Address = Address,
            StartUtc = StartUtc,
            EndUtc = EndUtc,
            TimeZoneId = TimeZoneId,
            Capacity = Capacity,
            WaitlistAllowed = WaitlistAllowed,
            WaitlistLimit = WaitlistLimit,
            ConfirmEmail = ConfirmEmail,
            RequiresApproval = RequiresApproval,
            Pending = Pending,
            SignUpOpensUtc = SignUpOpensUtc,
            SignUpClosesUtc = SignUpClosesUtc,
            OrganiserName = OrganiserName,
            OrganiserEmail = OrganiserEmail,
            Unit = string.IsNullOrEmpty(Unit) ? EventValidator.DefaultUnit : Unit,
            Salon = details?.Salon,
            SiteVisit = details?.SiteVisit,
            Lecture = details?.Lecture,
            Volunteering = details?.Volunteering,
            Questions = details?.Questions ?? [],
            Confirmed = Confirmed,
            Waitlisted = Waitlisted,
            Held = Held,
            Unconfirmed = Unconfirmed,
            Blocked = Blocked,
            CreatedUtc = CreatedUtc,
            Cancelled = Cancelled,
            English = string.IsNullOrEmpty(EnglishJson) ? null : JsonSerializer.Deserialize<EventEnglish>(EnglishJson, Json.Options),
            ReminderHoursBefore = ReminderHoursBefore ?? Notifications.NoticeState.DefaultReminderHours,
            CalendarSequence = CalendarSequence,
            NoticeVersion = NoticeVersion,
            NoticeHistory = string.IsNullOrEmpty(NoticeHistoryJson) ? [] : JsonSerializer.Deserialize<List<Notifications.NoticeRevision>>(NoticeHistoryJson, Json.Options) ?? [],
            DoorLinksRevokedUtc = DoorLinksRevokedUtc,
            SeriesId = string.IsNullOrEmpty(SeriesId) ? null : SeriesId,
            OfferHoursBefore = OfferHoursBefore,
            ReconfirmHoursBefore = ReconfirmHoursBefore,
            ReconfirmDeadlineHoursBefore = ReconfirmDeadlineHoursBefore > 0 ? ReconfirmDeadlineHoursBefore : EventRecord.DefaultReconfirmDeadlineHours,
            Invitation = string.IsNullOrEmpty(InvitationJson) ? null : JsonSerializer.Deserialize<Invitation>(InvitationJson, Json.Options),
            Lottery = string.IsNullOrEmpty(LotteryJson) ? null : JsonSerializer.Deserialize<Admission.Lottery>(LotteryJson, Json.Options),
            Entries = Entries,
            UnitUsed = string.IsNullOrEmpty(UnitUsedJson) ? Invitation.NoneUsed
                : new Dictionary<string, int>(JsonSerializer.Deserialize<Dictionary<string, int>>(UnitUsedJson, Json.Options) ?? [], StringComparer.Ordinal),
        };
    }
}
