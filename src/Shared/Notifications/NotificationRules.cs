using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;

namespace EventFunctions.Shared.Notifications;

/// <summary>What a registration is owed besides its confirmation: the event's latest notice, a reminder.</summary>
public static class NotificationRules
{
    extension(RegistrationEntity row)
    {
        /// <summary>The latest time this person was emailed everything about the event (sign-up, promotion, a notice).</summary>
        public DateTimeOffset LastTold => new[] { row.CreatedUtc, row.EmailQueuedUtc ?? default, row.NoticeSentUtc ?? default }.Max();

        /// <summary>
        /// A registration (confirmed, held, waitlisted, pending the organiser's approval, or a lottery entry): the people who are told about the event. Its partition holds other
        /// rows too: walk-ins added at the door (no email, no manage link) and the anonymous attendance summary.
        /// </summary>
        public bool IsRegistration => row.Status is RegistrationStatus.Confirmed or RegistrationStatus.Held or RegistrationStatus.Waitlisted or RegistrationStatus.Pending or RegistrationStatus.Entry;

        /// <summary>Whether the event's latest notice is owed to this registration (changed since it was last told, or cancelled).</summary>
        public bool NoticeOwed(EventRecord e) =>
            row.IsRegistration
            && e.NoticeVersion > Math.Max(row.NoticeSentVersion, row.NoticeGaveUpVersion)
            && (e.Cancelled || NoticeSnapshot.Of(e).DiffersFrom(NoticeState.Baseline(e, row.NoticeSentVersion, row.CreatedUtc)));

        /// <summary>
        /// Whether a reminder is due now: confirmed, not reminded, inside the event's reminder window, not told
        /// everything already inside that window (signed up, promoted or sent a change notice there), no notice
        /// still owed (it goes first and covers it), and the event neither cancelled nor started.
        /// </summary>
        /// <summary>
        /// Whether this person is to be asked to reconfirm now: confirmed before the request's time (someone who signed
        /// up or was given a seat inside the window has just said they are coming), not asked yet, not checked in, the
        /// request's window open (after its time, before the deadline), the event not cancelled.
        /// </summary>
        public bool ReconfirmDue(EventRecord e, DateTimeOffset now) =>
            e.Reconfirmation is var (ask, due) && !e.Cancelled && now >= ask && now < due
            && row.Status == RegistrationStatus.Confirmed && row.ReconfirmAskedUtc is null && row.CheckedInUtc is null && !row.AwaitsConfirmation
            && row.LastTold < ask;

        /// <summary>The email asking to reconfirm is owed: asked, still awaiting, not sent.</summary>
        public bool ReconfirmEmailOwed(EventRecord e, DateTimeOffset now) =>
            row.ReconfirmAskedUtc is not null && row.ReconfirmSentUtc is null && row.AwaitsConfirmation && row.Status == RegistrationStatus.Confirmed && row.ConfirmBy > now;

        public bool ReminderDue(EventRecord e, DateTimeOffset now)
        {
            if (e.ReminderHoursBefore <= 0 || e.Cancelled || row.Status != RegistrationStatus.Confirmed || row.ReminderSentUtc is not null) return false;
            var windowStart = e.StartUtc - TimeSpan.FromHours(e.ReminderHoursBefore);
            return now >= windowStart && now < e.StartUtc && row.LastTold < windowStart && !row.NoticeOwed(e);
        }
    }
}
