using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;

namespace EventFunctions.Shared.Notifications;

/// <summary>
/// A registration row as the notification senders read it: the fields an email needs, and the columns of its
/// own outbox state. These columns are written only here, by merges that touch nothing else (the ledger's
/// promotions and the confirmation sender's records leave them be, and the other way round).
/// </summary>
public sealed class NotificationRow : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string RegistrationId { get; set; } = "";
    public string Status { get; set; } = "";
    public long Sequence { get; set; }
    public int StateVersion { get; set; }
    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
    public string Language { get; set; } = "zh-CN";
    public string ManageToken { get; set; } = "";
    public DateTimeOffset CreatedUtc { get; set; }
    public DateTimeOffset? EmailQueuedUtc { get; set; }
    public string? TicketCode { get; set; }

    /// <summary>A notification sender working on this row holds it until then (one claim for notices, reminders, resends).</summary>
    public DateTimeOffset? NoticeClaimUntil { get; set; }

    // Change and cancellation notices: one per notice version of the event.
    /// <summary>The event's notice version this registration was last emailed about (0: none).</summary>
    public int NoticeSentVersion { get; set; }
    public DateTimeOffset? NoticeSentUtc { get; set; }
    /// <summary>A notice version the sweep gave up on (see <see cref="NoticeError"/>).</summary>
    public int NoticeGaveUpVersion { get; set; }
    public DateTimeOffset? NoticeQueuedUtc { get; set; }
    public int NoticeAttempts { get; set; }
    public string? NoticeError { get; set; }

    // Reminders: at most one per registration.
    public DateTimeOffset? ReminderSentUtc { get; set; }
    public DateTimeOffset? ReminderQueuedUtc { get; set; }

    // Confirmation sent again on request: each request is owed one email.
    public int ResendRequested { get; set; }
    public int ResendSentCount { get; set; }
    public DateTimeOffset? LastResendUtc { get; set; }
    public DateTimeOffset? ResendWindowStartUtc { get; set; }
    public int ResendsInWindow { get; set; }

    /// <summary>The latest time this person was emailed everything about the event (sign-up, promotion, a notice).</summary>
    public DateTimeOffset LastTold => new[] { CreatedUtc, EmailQueuedUtc ?? default, NoticeSentUtc ?? default }.Max();

    /// <summary>
    /// A registration (confirmed or waitlisted): the people who are told about the event. Its partition holds other
    /// rows too: walk-ins added at the door (no email, no manage link) and the anonymous attendance summary.
    /// </summary>
    public bool IsRegistration => Status is RegistrationStatus.Confirmed or RegistrationStatus.Waitlisted;

    /// <summary>Whether the event's latest notice is owed to this registration (changed since it was last told, or cancelled).</summary>
    public bool NoticeOwed(EventRecord e) =>
        IsRegistration
        && e.NoticeVersion > Math.Max(NoticeSentVersion, NoticeGaveUpVersion)
        && (e.Cancelled || NoticeSnapshot.Of(e).DiffersFrom(NoticeState.Baseline(e, NoticeSentVersion, CreatedUtc)));

    /// <summary>
    /// Whether a reminder is due now: confirmed, not reminded, inside the event's reminder window, not told
    /// everything already inside that window (signed up, promoted or sent a change notice there), no notice
    /// still owed (it goes first and covers it), and the event neither cancelled nor started.
    /// </summary>
    public bool ReminderDue(EventRecord e, DateTimeOffset now)
    {
        if (e.ReminderHoursBefore <= 0 || e.Cancelled || Status != RegistrationStatus.Confirmed || ReminderSentUtc is not null) return false;
        var windowStart = e.StartUtc - TimeSpan.FromHours(e.ReminderHoursBefore);
        return now >= windowStart && now < e.StartUtc && LastTold < windowStart && !NoticeOwed(e);
    }

    /// <summary>The registration as the confirmation email is composed from.</summary>
    public RegistrationEntity ToRegistration() => new()
    {
        PartitionKey = PartitionKey,
        RowKey = RowKey,
        ETag = ETag,
        RegistrationId = RegistrationId,
        Status = Status,
        Sequence = Sequence,
        StateVersion = StateVersion,
        Name = Name,
        Email = Email,
        Language = Language,
        ManageToken = ManageToken,
        CreatedUtc = CreatedUtc,
        TicketCode = TicketCode,
    };
}
