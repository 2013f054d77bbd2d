using System.Globalization;
using System.Text;
using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Web;

namespace EventFunctions.Shared.Notifications;

/// <summary>
/// Composes the emails that tell a participant about something other than their sign-up's status: a change
/// notice, a cancellation, a reminder, and a removal by the organiser. Rendering only: the senders decide what is
/// owed and the <see cref="EmailOutbox"/> sends it.
/// </summary>
public sealed class NoticeComposer(PageRenderer renderer, Http.Links links, Security.IdentifierKeys ids)
{
    /// <summary>A change notice (old beside new, with the updated calendar entry) or, for a cancelled event, the cancellation.</summary>
    public async Task<EmailMessage> ComposeNoticeAsync(EventRecord ev, RegistrationEntity row)
    {
        var text = UiText.ForCode(row.Language);
        var e = ev.For(text);
        var confirmed = row.Status == RegistrationStatus.Confirmed;
        var location = CalendarFile.Location(e, text);
        if (ev.Cancelled)
        {
            var subject = string.Format(text.EventCancelledSubjectFormat, e.Title);
            var attachments = confirmed
                ? new[] { new EmailAttachment("event.ics", CalendarFile.CancelContentType, CalendarFile.Cancel(e, row.RegistrationId, location, e.Description ?? "")) }
                : [];
            return await RenderAsync(e, row, text, subject, text.EventCancelledBody, [], [], confirmed ? text.CalendarCancelled : null, attachments, "cancellation");
        }

        var changes = NoticeState.Changes(ev, NoticeState.Baseline(ev, row.NoticeSentVersion, row.CreatedUtc), text);
        var updated = confirmed
            ? new[] { new EmailAttachment("event.ics", CalendarFile.ContentType, CalendarFile.Create(e, row.RegistrationId, location, e.Description ?? "")) }
            : [];
        return await RenderAsync(e, row, text, string.Format(text.ChangeSubjectFormat, e.Title), text.ChangeBody, changes, [],
            confirmed ? text.CalendarUpdated : null, updated, "change");
    }

    /// <summary>The reminder: when and where, and for a site visit when and where to meet and what to bring.</summary>
    public async Task<EmailMessage> ComposeReminderAsync(EventRecord ev, RegistrationEntity row)
    {
        var text = UiText.ForCode(row.Language);
        var e = ev.For(text);
        var lines = new List<string>();
        if (e.SiteVisit is { } visit)
        {
            lines.Add(string.Format(text.ReminderMeetFormat, text.FormatDateTimeIn(e.ToLocal(visit.MeetingTimeUtc), e.TimeZoneId), visit.MeetingPoint));
            if (visit.Bring is { } bring) lines.Add($"{text.Bring}: {bring}");
        }

        var subject = string.Format(text.ReminderSubjectFormat, e.Title, text.FormatDateTimeIn(e.ToLocal(e.StartUtc), e.TimeZoneId));
        return await RenderAsync(e, row, text, subject, text.ReminderBody, [], lines, null, [], "reminder");
    }

    /// <summary>
    /// After the event, to someone who came: thanks, and the one question, its five ratings as links to the feedback
    /// page (the rating ticked there; answering is a post, so a mail scanner opening the links answers nothing).
    /// </summary>
    public async Task<EmailMessage> ComposeThanksAsync(EventRecord ev, RegistrationEntity row)
    {
        var text = UiText.ForCode(row.Language);
        var ui = Listings.CalendarUi.For(text);
        var e = ev.For(text);
        var token = ids.ManageToken(row);
        var actions = ui.RatingNames.Select((name, i) => (name, links.Feedback(e.Id, row.RegistrationId, token, text.Code, i + 1))).ToList();
        return await RenderAsync(e, row, text, string.Format(ui.ThanksSubjectFormat, e.Title), ui.ThanksLead, [], [ui.RateQuestion], null, [], "thanks", actions);
    }

    /// <summary>Before the day: are you still coming? One button (to the manage page, where one tap confirms), and the deadline.</summary>
    public async Task<EmailMessage> ComposeReconfirmAsync(EventRecord ev, RegistrationEntity row)
    {
        var text = UiText.ForCode(row.Language);
        var ui = Listings.CalendarUi.For(text);
        var e = ev.For(text);
        var by = text.FormatDateTimeIn(e.ToLocal(row.ConfirmBy!.Value), e.TimeZoneId);
        var manage = links.Manage(e.Id, row.RegistrationId, ids.ManageToken(row), text.Code);
        return await RenderAsync(e, row, text, string.Format(ui.ReconfirmSubjectFormat, e.Title), string.Format(ui.ReconfirmBodyFormat, by), [], [], null, [], "reconfirm",
            [(text.ConfirmButton, manage)]);
    }

    private async Task<EmailMessage> RenderAsync(EventRecord e, RegistrationEntity row, UiText text, string subject, string lead,
        IReadOnlyList<NoticeChange> changes, IReadOnlyList<string> lines, string? calendarNote, IReadOnlyList<EmailAttachment> attachments, string category,
        IReadOnlyList<(string Label, string Url)>? actions = null)
    {
        var removed = row.Status == RegistrationStatus.Removed;
        var manageUrl = removed ? null : links.Manage(e.Id, row.RegistrationId, ids.ManageToken(row), text.Code);
        var html = await renderer.RenderAsync<NoticeEmail>(new()
        {
            [nameof(NoticeEmail.Text)] = text,
            [nameof(NoticeEmail.Event)] = e,
            [nameof(NoticeEmail.Subject)] = subject,
            [nameof(NoticeEmail.Name)] = row.Name,
            [nameof(NoticeEmail.Lead)] = lead,
            [nameof(NoticeEmail.Changes)] = changes,
            [nameof(NoticeEmail.Lines)] = lines,
            [nameof(NoticeEmail.RegistrationId)] = row.RegistrationId,
            [nameof(NoticeEmail.CalendarNote)] = calendarNote,
            [nameof(NoticeEmail.ManageUrl)] = manageUrl,
            [nameof(NoticeEmail.Actions)] = actions ?? [],
        });

        var plain = new StringBuilder()
            .AppendLine(string.Format(text.GreetingFormat, row.Name)).AppendLine()
            .AppendLine(lead).AppendLine();
        foreach (var c in changes) plain.AppendLine($"{c.Label}: {text.Was} {c.Old} → {text.Now} {c.New}");
        if (changes.Count > 0) plain.AppendLine();
        foreach (var line in lines) plain.AppendLine(line);
        foreach (var (label, url) in actions ?? []) plain.AppendLine($"{label}: {url}");
        plain.AppendLine(e.Title)
            .AppendLine($"{text.When}: {text.FormatRange(e.ToLocal(e.StartUtc), e.ToLocal(e.EndUtc), e.TimeZoneId)}")
            .AppendLine($"{(e.SiteVisit is null ? text.Venue : text.MeetingPoint)}: {CalendarFile.Location(e, text)}")
            .AppendLine(string.Format(text.ReferenceFormat, row.RegistrationId)).AppendLine();
        if (calendarNote is not null) plain.AppendLine(calendarNote).AppendLine();
        if (manageUrl is null) plain.AppendLine(text.EmailFooterRemoved);
        else plain.AppendLine(e.Cancelled ? text.EmailFooterCancelled : text.EmailFooter).AppendLine($"{(e.Cancelled ? text.DeleteDataLink : text.ManageLink)}: {manageUrl}");

        return new EmailMessage(row.Email, row.Name, e.OrganiserEmail, subject, html, plain.ToString(), attachments, category)
        {
            Tags = new Dictionary<string, string>
            {
                ["eventId"] = e.Id,
                ["registrationId"] = row.RegistrationId,
                ["notice"] = category,
                ["noticeVersion"] = e.NoticeVersion.ToString(CultureInfo.InvariantCulture),
            },
        };
    }

    /// <summary>
    /// The email to someone an organiser removed: what they were removed from, that their details are deleted, and
    /// that a reply reaches the organiser. No ticket, no calendar entry, no manage link (there is nothing left to manage).
    /// </summary>
    public async Task<EmailMessage> ComposeRemovalAsync(EventRecord ev, RegistrationEntity row)
    {
        var text = UiText.ForCode(row.Language);
        var e = ev.For(text);
        var expired = row.RemovedReason == RemovedReasons.Expired;
        if (row.RemovedReason == RemovedReasons.OfferLapsed)
        {
            var ui = Listings.CalendarUi.For(text);
            return await RenderAsync(e, row, text, string.Format(ui.OfferLapsedSubjectFormat, e.Title), ui.OfferLapsedBody, [], [], null, [], "removal");
        }
        if (row.RemovedReason is RemovedReasons.NotDrawn or RemovedReasons.EntryUnconfirmed)
        {
            var ui = Admission.LotteryUi.For(text);
            var notDrawn = row.RemovedReason == RemovedReasons.NotDrawn;
            var body = notDrawn ? ui.NotDrawnBody + " " + string.Format(ui.CheckTheDrawFormat, links.Lottery(e.Id, text.Code)) : ui.EntryUnconfirmedBody;
            return await RenderAsync(e, row, text, string.Format(notDrawn ? ui.NotDrawnSubjectFormat : ui.EntryUnconfirmedSubjectFormat, e.Title), body, [], [], null, [], "removal");
        }
        if (row.RemovedReason == RemovedReasons.NotReconfirmed)
        {
            var ui = Listings.CalendarUi.For(text);
            return await RenderAsync(e, row, text, string.Format(ui.NotReconfirmedSubjectFormat, e.Title), ui.NotReconfirmedBody, [], [], null, [], "removal");
        }
        return await RenderAsync(e, row, text, string.Format(expired ? text.ExpiredPendingSubjectFormat : text.RemovedSubjectFormat, e.Title),
            expired ? text.ExpiredPendingBody : text.RemovedBody, [], [], null, [], "removal");
    }
}
