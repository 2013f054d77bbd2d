using Azure;
using Azure.Data.Tables;

namespace EventFunctions.Shared.Registrations;

/// <summary>What a participant sends, from the web form or the JSON API.</summary>
public sealed record SignUpInput
{
    public string? Name { get; init; }
    public string? Phone { get; init; }
    public string? Email { get; init; }
    public string? Organisation { get; init; }
    /// <summary>Answers to the event's custom questions, by question id.</summary>
    public Dictionary<string, string?>? Answers { get; init; }
    /// <summary>The site's security-desk fields, in the order the event lists them.</summary>
    public List<string?>? SecurityDetails { get; init; }
    public bool Consent { get; init; }
    /// <summary>zh-CN or en: the language of the confirmation email.</summary>
    public string? Language { get; init; }
}

/// <summary>A sign-up that passed validation, normalised.</summary>
public sealed record ValidSignUp(
    string Name,
    string? Phone,
    string Email,
    string? Organisation,
    IReadOnlyDictionary<string, string> Answers,
    IReadOnlyList<string> SecurityDetails,
    string Language);

/// <summary>Why a removal notice is owed (<see cref="RegistrationEntity.RemovedReason"/>; none: an organiser removed them).</summary>
public static class RemovedReasons
{
    public const string Expired = "expired";
    /// <summary>A late seat offered and not taken by its confirm-by time.</summary>
    public const string OfferLapsed = "offer-lapsed";
    /// <summary>Asked to reconfirm before the day and did not by the deadline: the seat went to the waitlist.</summary>
    public const string NotReconfirmed = "not-reconfirmed";
    /// <summary>A lottery entry not confirmed from the email by the draw: not in the draw.</summary>
    public const string EntryUnconfirmed = "entry-unconfirmed";
    /// <summary>A lottery entry not drawn, on an event without a waitlist (or with it full).</summary>
    public const string NotDrawn = "not-drawn";
}

public static class RegistrationStatus
{
    public const string Confirmed = "Confirmed";
    public const string Waitlisted = "Waitlisted";
    /// <summary>
    /// A seat kept for someone who has not yet confirmed from the email (events with
    /// <see cref="Events.EventRecord.ConfirmEmail"/>): it counts as taken, carries no ticket, and goes to the next
    /// person if not confirmed by <see cref="RegistrationEntity.ConfirmBy"/>.
    /// </summary>
    public const string Held = "Held";
    /// <summary>Waiting for the organiser's approval (<see cref="Events.EventRecord.RequiresApproval"/>): no seat or place yet; expires at <see cref="RegistrationEntity.DecideBy"/>.</summary>
    public const string Pending = "Pending";
    /// <summary>Declined by the organiser: kept (until the retention purge) so the same address cannot sign up again unless the organiser allows it.</summary>
    public const string Declined = "Declined";
    /// <summary>Someone added at the door without a registration (RowKey <c>walkin-…</c>), counted as attended.</summary>
    public const string WalkIn = "WalkIn";
    /// <summary>
    /// Not a registration: what is kept of one an organiser removed until the person is emailed about it (RowKey
    /// <c>removed-…</c>, see <see cref="Ids.RemovalNoticeKey"/>).
    /// </summary>
    public const string Removed = "Removed";
    /// <summary>
    /// A lottery entry (see <see cref="Admission.Lottery"/>): no seat and no waitlist place until the draw makes it one
    /// (or tells them they were not drawn); confirmed from the email by the draw time, or not in the draw.
    /// </summary>
    public const string Entry = "Entry";
    /// <summary>
    /// Answered "on the waitlist" and stored, not yet numbered: the waitlist inbox's (see Ledger/WaitlistInbox.cs). The
    /// next commit on the event row gives it its arrival number, in the order the inbox holds them, and owes its email;
    /// counted nowhere until then. Shown as waitlisted, its place to follow.
    /// </summary>
    public const string Queued = "Queued";
    /// <summary>
    /// Not a registration: an email to an invited unit's contact (the invitation, or the reminder to a unit that has
    /// signed nobody up), RowKey <c>unitmail-…</c> (<see cref="Ids.UnitMailKey"/>), kept as the record that it went.
    /// </summary>
    public const string UnitInvitation = "UnitInvitation";
    public const string UnitReminder = "UnitReminder";
}

/// <summary>One row per registration, in its event's partition. RowKey from the email's hash (see <see cref="Ids.RegistrationKey"/>).</summary>
public sealed class RegistrationEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>The public reference (shown to the participant, used in the cancel link).</summary>
    public string RegistrationId { get; set; } = "";
    public string Status { get; set; } = "";
    /// <summary>
    /// Arrival order on the event, given by the ledger when the registration is stored. The waitlist is this
    /// sequence: promotion takes the lowest, and a waitlist position is computed from it when read.
    /// </summary>
    public long Sequence { get; set; }
    /// <summary>Goes up by one with every status change (the ledger sets it); each version is owed one email.</summary>
    public int StateVersion { get; set; }
    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
    public string? Phone { get; set; }
    public string? Organisation { get; set; }
    /// <summary>On an invitation event, the member unit whose link signed them up (<see cref="Organisation"/> is its name).</summary>
    public string? UnitId { get; set; }
    public string AnswersJson { get; set; } = "{}";
    public string SecurityDetailsJson { get; set; } = "[]";
    public string Language { get; set; } = "zh-CN";
    public DateTimeOffset CreatedUtc { get; set; }
    /// <summary>When consent to the privacy notice was given, and which notice.</summary>
    public DateTimeOffset ConsentUtc { get; set; }
    public string ConsentNotice { get; set; } = "";
    /// <summary>Hash of the normalised submission: an identical repeat (a double tap) gets the first result back.</summary>
    public string SubmissionHash { get; set; } = "";
    /// <summary>
    /// The manage link's secret on rows stored before links were derived (<see cref="Security.IdentifierKeys.ManageToken"/>);
    /// empty on rows stored since. Old links keep working with it until the retention purge deletes the row.
    /// </summary>
    public string ManageToken { get; set; } = "";
    /// <summary>
    /// On events that need a confirmed email: the sign-up is dropped (its seat or waitlist place going to the next
    /// person) unless confirmed from the email by then. Null: no confirmation was asked.
    /// </summary>
    public DateTimeOffset? ConfirmBy { get; set; }
    /// <summary>When the participant confirmed from the email (or was checked in at the door, which proves as much).</summary>
    public DateTimeOffset? EmailConfirmedUtc { get; set; }

    /// <summary>A pending sign-up's deadline for the organiser's decision (the event's start): then it expires and the person is told.</summary>
    public DateTimeOffset? DecideBy { get; set; }
    /// <summary>When the organiser approved or declined the sign-up, and who.</summary>
    public DateTimeOffset? DecidedUtc { get; set; }
    public string? DecidedBy { get; set; }
    /// <summary>On a removal notice: why (null: an organiser removed them; <c>expired</c>: a pending sign-up nobody decided on in time).</summary>
    public string? RemovedReason { get; set; }

    /// <summary>Asked to confirm from the email and not done yet (held seat or waitlist place).</summary>
    public bool AwaitsConfirmation => ConfirmBy is not null && (EmailConfirmedUtc is null || OfferedUtc > EmailConfirmedUtc);

    /// <summary>A late seat offered to them (see <see cref="Events.EventRecord.OfferHoursBefore"/>): to take by <see cref="ConfirmBy"/>, confirmed again even if the email was before.</summary>
    public DateTimeOffset? OfferedUtc { get; set; }
    /// <summary>Asked to reconfirm before the day (once); the email asking it sent.</summary>
    public DateTimeOffset? ReconfirmAskedUtc { get; set; }
    /// <summary>A lottery entry's place in the drawn order (1 first); set by the draw, null otherwise.</summary>
    public int? DrawRank { get; set; }
    /// <summary>While <see cref="RegistrationStatus.Queued"/>: its inbox row and its name's slot there, <c>{RowKey}/{slot}</c> (see Ledger/WaitlistInbox.cs).</summary>
    public string? InboxKey { get; set; }
    public DateTimeOffset? ReconfirmSentUtc { get; set; }
    public DateTimeOffset? ReconfirmQueuedUtc { get; set; }

    // Outbox state: the row itself records what email is owed and what was sent.
    /// <summary>
    /// True while the email for the current <see cref="StateVersion"/> is owed. Set by every status change;
    /// cleared only by recording that exact version as sent (or given up), under the row's ETag.
    /// </summary>
    public bool EmailPending { get; set; }
    public DateTimeOffset? EmailQueuedUtc { get; set; }
    /// <summary>The <see cref="StateVersion"/> the last email was sent for (0: none yet).</summary>
    public int EmailSentVersion { get; set; }
    /// <summary>The status the last email was sent for.</summary>
    public string? EmailSentStatus { get; set; }
    public DateTimeOffset? EmailSentUtc { get; set; }
    /// <summary>A sender working on this row holds it until then, so two deliveries of one message never both send.</summary>
    public DateTimeOffset? EmailClaimUntil { get; set; }
    public string? EmailError { get; set; }
    /// <summary>How often the sweep has queued the owed email again; it gives up (and says so in <see cref="EmailError"/>) at a limit.</summary>
    public int EmailAttempts { get; set; }

    // Notices, reminders and resends (src/Shared/Notifications): their own claim and records, so a notice and a
    // confirmation of the same row can be on their way at once. Written only by merges of these columns.
    /// <summary>A notification sender working on this row holds it until then (one claim for notices, reminders, resends).</summary>
    public DateTimeOffset? NoticeClaimUntil { get; set; }
    /// <summary>
    /// Why the last change notice, reminder or resend could not be sent (empty after one goes out), so the console
    /// counts every kind of email, not only confirmations.
    /// </summary>
    public string? NoticeError { get; set; }
    /// <summary>The event's notice version this registration was last emailed about (0: none).</summary>
    public int NoticeSentVersion { get; set; }
    public DateTimeOffset? NoticeSentUtc { get; set; }
    /// <summary>A notice version the sweep gave up on (see <see cref="NoticeError"/>).</summary>
    public int NoticeGaveUpVersion { get; set; }
    public DateTimeOffset? NoticeQueuedUtc { get; set; }
    public int NoticeAttempts { get; set; }
    /// <summary>Reminders: at most one per registration.</summary>
    public DateTimeOffset? ReminderSentUtc { get; set; }
    public DateTimeOffset? ReminderQueuedUtc { get; set; }
    /// <summary>The confirmation sent again on request: each request is owed one email.</summary>
    public int ResendRequested { get; set; }
    public int ResendSentCount { get; set; }
    public DateTimeOffset? LastResendUtc { get; set; }
    public DateTimeOffset? ResendWindowStartUtc { get; set; }
    public int ResendsInWindow { get; set; }
    /// <summary>Resends organisers asked for in the same window (capped separately, see ResendService).</summary>
    public int OrganiserResendsInWindow { get; set; }

    // Delivery state, from SendGrid's Event Webhook (src/Shared/Delivery): written only by DeliveryRecorder, merged
    // under the row's ETag, never going back to an older event.
    /// <summary>Delivered, Bounced, Dropped, Deferred or Processed (see <see cref="Delivery.DeliveryStates"/>); null: no event yet.</summary>
    public string? DeliveryStatus { get; set; }
    /// <summary>The provider's reason or response (bounces, drops, deferrals), shortened, addresses masked.</summary>
    public string? DeliveryDetail { get; set; }
    /// <summary>When SendGrid says the event happened (its timestamp), not when it reached us.</summary>
    public DateTimeOffset? DeliveryUpdatedUtc { get; set; }
    /// <summary>The <see cref="StateVersion"/> of the email the delivery status is about.</summary>
    public int DeliveryVersion { get; set; }
    // Tickets and door check-in (see Attendance/).
    /// <summary>The short code on the ticket, derived from <see cref="Sequence"/> (unique in the event); null on rows stored before tickets.</summary>
    public string? TicketCode { get; set; }
    /// <summary>When the person was checked in at the door (walk-ins: when they were added).</summary>
    public DateTimeOffset? CheckedInUtc { get; set; }
    /// <summary>Who checked them in: <c>door:&lt;link id&gt;</c> or <c>organiser:&lt;email&gt;</c>.</summary>
    public string? CheckedInBy { get; set; }
    /// <summary>A volunteer's check-out at the door (see Volunteering/); with <see cref="CheckedInUtc"/>, their hours.</summary>
    public DateTimeOffset? CheckedOutUtc { get; set; }
    public string? CheckedOutBy { get; set; }
    /// <summary>When an organiser last corrected the check-in or check-out time (the reason is in the change log).</summary>
    public DateTimeOffset? TimesCorrectedUtc { get; set; }
    /// <summary>The thank-you email with the feedback question (see Feedback/): sent once, to people who came.</summary>
    public DateTimeOffset? ThanksSentUtc { get; set; }
    /// <summary>
    /// Signed up with the whole series in one form: the key of that sign-up (<see cref="Series.SeriesJoinEntity"/>),
    /// whose state says whether this held seat is to be confirmed or released with the others.
    /// </summary>
    public string? SeriesJoin { get; set; }
    public DateTimeOffset? ThanksQueuedUtc { get; set; }
}

/// <summary>
/// The API's answer (202) to a sign-up on an event that needs a confirmed email, the same whether the address was new
/// or registered already: the email says which, and carries the link to confirm.
/// </summary>
public sealed record PendingSignUp(string EventId, string Status, string Email, int ConfirmWithinMinutes, string Message)
{
    public const string CheckEmailStatus = "checkEmail";
}

/// <summary>The API shape of a registration as its participant sees it.</summary>
public sealed record RegistrationView(string RegistrationId, string EventId, string Status, int? WaitlistPosition, string Email)
{
    /// <summary>The ticket's short code, for confirmed registrations only.</summary>
    public string? TicketCode { get; init; }
    /// <summary>Until when the participant can confirm from the email (held seats and unconfirmed waitlist places).</summary>
    public DateTimeOffset? ConfirmBy { get; init; }
}
