using System.Text;
using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Web;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Confirmations;

public enum SendOutcome
{
    Sent,
    AlreadySent,
    RegistrationGone,
    Rejected,
}

/// <summary>
/// Sends the email a registration is owed, exactly once per registration state although queue delivery is
/// at-least-once. Every status change (made by the ledger) raises the row's StateVersion and marks an email
/// as owed; the sender decides what the row is owed and composes it, and the <see cref="EmailOutbox"/> claims the
/// row, hands the email over and records that version as sent under the ETag of its claim. If the row changed
/// meanwhile (a promotion while the waitlist email was on its way), the record keeps the mark, and the sender goes
/// round again for the new state.
/// </summary>
public sealed partial class ConfirmationSender(
    EventStore store,
    ConfirmationQueue queue,
    EmailOutbox outbox,
    Security.IdentifierKeys ids,
    Http.Links links,
    PageRenderer renderer,
    Notifications.NoticeComposer notices,
    Units.UnitMail unitMail,
    TimeProvider clock,
    IOptions<EventFunctionsOptions> options,
    ILogger<ConfirmationSender> log)
{
    private static readonly OutboxLane Lane = OutboxLane.Confirmation;

    /// <summary>
    /// Handles one queue message (either format): every registration it names is sent on its own, exactly as a
    /// single message would be (<see cref="SendAsync"/>), several at a time; a message naming several reads,
    /// claims and records its rows together (<see cref="SendManyAsync"/>). Registrations whose email failed
    /// (SendGrid down, the row held by another delivery) go back on the queue each as its own message, so one
    /// failure neither holds the others back nor sends them twice, and each is retried and poisoned on its own.
    /// Throws (the whole message comes back; what was sent is then found sent) only when a single-registration
    /// message fails or the failed ones cannot be queued again.
    /// </summary>
    public async Task HandleAsync(string message, CancellationToken ct)
    {
        using var activity = Hosting.Telemetry.StartConsumer("confirmations process", ConfirmationQueue.TraceParent(message));
        var messages = ConfirmationQueue.ParseAll(message)
            ?? throw new FormatException("Not a confirmation message; it will end in the poison queue.");
        if (messages is [var single])
        {
            await SendAsync(single, ct);
            return;
        }

        await SendManyAsync(messages, ct);
    }

    public async Task<SendOutcome> SendAsync(ConfirmationMessage message, CancellationToken ct) => await SendAsync(message, ct, batch: null);

    private async Task<SendOutcome> SendAsync(ConfirmationMessage message, CancellationToken ct, SendBatch? batch)
    {
        var table = await store.TableAsync(ct);
        SendOutcome? outcome = null;
        for (var round = 0; round < 5; round++)
        {
            var row = await FindAsync(table, message, ct);
            if (row is null)
            {
                log.LogInformation("Registration in event {EventId} no longer exists (cancelled); nothing to send", message.EventId);
                return outcome ?? SendOutcome.RegistrationGone;
            }

            if (row.EmailSentVersion >= row.StateVersion)
            {
                if (row.EmailPending) await outbox.CorrectAsync(table, row, r => RecordChanges(r, row, r.EmailError)); // a stale mark: nothing is owed
                return outcome ?? SendOutcome.AlreadySent;
            }

            if (row.EmailClaimUntil > clock.GetUtcNow())
            {
                // Another delivery is sending right now; this message comes back later and finds the result.
                throw new TransientEmailException("Another delivery holds this registration's email; trying again later.");
            }

            if (!await outbox.ClaimAsync(table, row, Lane, ct)) continue; // changed first by someone else: judge it afresh

            var eventEntity = batch is null ? await store.FindEventAsync(message.EventId, ct) : await batch.EventAsync(ct);
            if (eventEntity is null) return SendOutcome.RegistrationGone;
            var position = batch is null ? await RegistrationService.WaitlistPositionAsync(table, row, ct) : await batch.WaitlistPositionAsync(row, ct);
            var email = await ComposeAsync(eventEntity.ToRecord(), row, position);

            var handover = await outbox.HandOverAsync(table, row, Lane, email, ct);
            if (handover.Outcome == HandOverOutcome.ClaimLost) continue;
            await outbox.RecordAsync(table, row, handover, r => RecordChanges(r, row, handover.Error));
            if (row.Status == RegistrationStatus.Removed) await ForgetRemovedAsync(table, [row]);
            if (handover.Outcome == HandOverOutcome.Rejected)
            {
                outcome = SendOutcome.Rejected;
            }
            else
            {
                log.LogInformation("Sent the {Status} email (state {Version}) for {RegistrationId}", row.Status, row.StateVersion, row.RegistrationId);
                outcome = SendOutcome.Sent;
            }
        }

        return outcome ?? SendOutcome.AlreadySent;
    }

    /// <summary>
    /// The merge that records the email for <paramref name="sent"/>'s version on <paramref name="row"/> (the row as
    /// last read: the claimed row itself, or a fresher read of it), to be written under <paramref name="row"/>'s ETag.
    /// It clears the owed mark unless the row moved on meanwhile (a promotion while the waitlist email was on its
    /// way): then the mark stays, and <see cref="StillOwed"/> tells the sender to go round again.
    /// </summary>
    private TableEntity RecordChanges(RegistrationEntity row, RegistrationEntity sent, string? error)
    {
        var version = sent.StateVersion;
        var changes = new TableEntity(row.PartitionKey, row.RowKey)
        {
            [nameof(RegistrationEntity.EmailClaimUntil)] = EmailOutbox.Released,
            [nameof(RegistrationEntity.EmailError)] = error ?? "",
        };
        if (version > row.EmailSentVersion)
        {
            changes[nameof(RegistrationEntity.EmailSentVersion)] = version;
            changes[nameof(RegistrationEntity.EmailSentStatus)] = sent.Status;
            changes[nameof(RegistrationEntity.EmailSentUtc)] = clock.GetUtcNow();
        }

        changes[nameof(RegistrationEntity.EmailPending)] = row.StateVersion > Math.Max(version, row.EmailSentVersion);
        return changes;
    }

    /// <summary>Whether a record left an email owed (the row moved on to a newer state while this one was on its way).</summary>
    private static bool StillOwed(TableEntity? merge) => merge?.GetBoolean(nameof(RegistrationEntity.EmailPending)) == true;

    /// <summary>
    /// Deletes removal notices whose email is recorded: the person's name and email were kept only to write to them.
    /// A notice that failed to delete stays until the retention purge (it is recorded as sent, so never sent twice).
    /// </summary>
    private async Task ForgetRemovedAsync(TableClient table, IEnumerable<RegistrationEntity> rows)
    {
        foreach (var row in rows.Where(r => r.Status == RegistrationStatus.Removed))
        {
            try
            {
                await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, CancellationToken.None);
            }
            catch (Exception ex) when (ex is RequestFailedException || StorageFaults.IsTransient(ex))
            {
                log.LogInformation(ex, "Could not delete the removal notice {RegistrationId} of event {EventId}; the retention purge will", row.RegistrationId, row.PartitionKey);
            }
        }
    }

    /// <summary>A seat that was held and then confirmed from the email (not one given from the waitlist to someone who had confirmed).</summary>
    private static bool ConfirmedHold(RegistrationEntity r) => r.EmailConfirmedUtc is not null && r.EmailSentStatus == RegistrationStatus.Held;

    public async Task<EmailMessage> ComposeAsync(EventRecord e, RegistrationEntity r, int? waitlistPosition)
    {
        if (r.Status is RegistrationStatus.UnitInvitation or RegistrationStatus.UnitReminder) return await unitMail.ComposeAsync(e, r);

        if (r.Status == RegistrationStatus.Removed)
        {
            var removal = await notices.ComposeRemovalAsync(e, r);
            return removal with { Tags = new Dictionary<string, string>(removal.Tags) { ["registrationStatus"] = r.Status, ["version"] = r.StateVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        }

        var text = UiText.ForCode(r.Language);
        e = Notifications.NoticeState.For(e, text); // the event's own text in the participant's language where given
        var confirmed = r.Status == RegistrationStatus.Confirmed;
        // The organiser's decision on a pending sign-up, told once (a later promotion from the waitlist is told as one).
        var approved = r.DecidedUtc is not null && r.EmailSentStatus is null or RegistrationStatus.Pending;
        // Confirmed in a later state than the first: the status changed, and the only changes to confirmed are a
        // promotion from the waitlist (seats are never taken back) and a held seat confirmed from the email.
        var promoted = confirmed && r.StateVersion > 1 && !ConfirmedHold(r) && !approved;
        // Not yet confirmed from the email (a held seat, an unconfirmed waitlist place): this email asks for it.
        var asks = r.AwaitsConfirmation;
        var by = asks ? text.FormatDateTimeIn(e.ToLocal(r.ConfirmBy!.Value), e.TimeZoneId) : "";
        var pending = r.Status == RegistrationStatus.Pending;
        var declined = r.Status == RegistrationStatus.Declined;
        var subject = string.Format(pending ? text.PendingSubjectFormat : declined ? text.DeclinedSubjectFormat : asks ? text.ConfirmSubjectFormat
            : approved ? text.ApprovedSubjectFormat : promoted ? text.PromotedSubjectFormat : confirmed ? text.ConfirmedSubjectFormat : text.WaitlistedSubjectFormat, e.Title);
        var body = pending ? text.PendingBody : declined ? text.DeclinedBody
            : asks ? string.Format(r.Status == RegistrationStatus.Held ? text.ConfirmHeldBodyFormat : text.ConfirmWaitBodyFormat, by)
            : promoted ? text.PromotedBody : confirmed ? text.ConfirmedBody : approved ? text.ApprovedWaitlistedBody : text.WaitlistedBody;
        // A whole-series sign-up's one "please confirm": it confirms every session's seat.
        if (asks && r.SeriesJoin is not null) body += " " + Listings.CalendarUi.For(text).SeriesConfirmNote;
        // A late seat offered (see EventRecord.OfferHoursBefore): said as an offer, to take by its time.
        if (asks && r.OfferedUtc is not null && r.Status == RegistrationStatus.Held)
        {
            subject = string.Format(Listings.CalendarUi.For(text).OfferSubjectFormat, e.Title);
            body = string.Format(Listings.CalendarUi.For(text).OfferBodyFormat, by);
        }
        // A lottery entry (asked to confirm it before the draw), and the draw's result, told once.
        var lottery = Admission.LotteryUi.For(text);
        if (r.Status == RegistrationStatus.Entry && e.Lottery is { } entered)
        {
            subject = string.Format(lottery.EntrySubjectFormat, e.Title);
            body = string.Format(lottery.EntryBodyFormat, text.FormatDateTimeIn(e.ToLocal(entered.DrawUtc), e.TimeZoneId));
        }
        else if (r.DrawRank is { } rank && r.EmailSentStatus is null or RegistrationStatus.Entry && r.Status is RegistrationStatus.Confirmed or RegistrationStatus.Waitlisted)
        {
            subject = string.Format(confirmed ? lottery.WonSubjectFormat : lottery.WaitlistedSubjectFormat, e.Title);
            body = string.Format(confirmed ? lottery.WonBodyFormat : lottery.WaitlistedBodyFormat, rank) + " " + string.Format(lottery.CheckTheDrawFormat, links.Lottery(e.Id, text.Code));
        }
        var manageUrl = links.Manage(e.Id, r.RegistrationId, ids.ManageToken(r), text.Code);
        var ticket = Attendance.TicketInfo.For(options.Value.PublicBaseUrl, e, r.Status, ids.TicketOf(r), text, "cid:" + Attendance.TicketInfo.EmailContentId);
        var html = await renderer.RenderAsync<ConfirmationEmail>(new()
        {
            [nameof(ConfirmationEmail.Text)] = text,
            [nameof(ConfirmationEmail.Event)] = e,
            [nameof(ConfirmationEmail.Subject)] = subject,
            [nameof(ConfirmationEmail.Name)] = r.Name,
            [nameof(ConfirmationEmail.Confirmed)] = confirmed,
            [nameof(ConfirmationEmail.Body)] = body,
            [nameof(ConfirmationEmail.WaitlistPosition)] = waitlistPosition ?? 0,
            [nameof(ConfirmationEmail.RegistrationId)] = r.RegistrationId,
            [nameof(ConfirmationEmail.ManageUrl)] = manageUrl,
            [nameof(ConfirmationEmail.Ticket)] = ticket,
            [nameof(ConfirmationEmail.ConfirmUrl)] = asks ? manageUrl : null,
        });

        var location = Location(e, text);
        var plain = new StringBuilder()
            .AppendLine(string.Format(text.GreetingFormat, r.Name)).AppendLine()
            .AppendLine(body).AppendLine()
            .AppendLine(asks ? $"{text.ConfirmButton}: {manageUrl}\n" : "")
            .AppendLine(e.Title)
            .AppendLine($"{text.When}: {text.FormatRange(e.ToLocal(e.StartUtc), e.ToLocal(e.EndUtc), e.TimeZoneId)}")
            .AppendLine($"{(e.SiteVisit is null ? text.Venue : text.MeetingPoint)}: {location}")
            .AppendLine(string.Format(text.ReferenceFormat, r.RegistrationId))
            .AppendLine(ticket is null ? "" : $"{ticket.Text.TicketCodeLabel}: {ticket.Code} ({ticket.Text.TicketExplain} {ticket.Url})\n")
            .AppendLine(text.EmailFooter)
            .AppendLine($"{text.ManageLink}: {manageUrl}")
            .ToString();

        var attachments = confirmed
            ? new List<EmailAttachment> { new EmailAttachment("event.ics", CalendarFile.ContentType, CalendarFile.Create(e, r.RegistrationId, location, e.Description ?? "")) }
            : [];
        if (ticket is not null) attachments.Add(new EmailAttachment("ticket.png", "image/png", Attendance.Tickets.QrPng(ticket.Url)) { ContentId = Attendance.TicketInfo.EmailContentId });
        return new EmailMessage(r.Email, r.Name, e.OrganiserEmail, subject, html, plain, attachments,
            confirmed ? "confirmation" : "waitlist")
        {
            Tags = new Dictionary<string, string>
            {
                ["eventId"] = e.Id,
                ["registrationId"] = r.RegistrationId,
                ["registrationStatus"] = r.Status,
                ["version"] = r.StateVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
    }

    private static string Location(EventRecord e, UiText text)
    {
        if (e.SiteVisit is { } visit)
        {
            // Where to meet first, then the site itself, so a map app finds it.
            var meeting = $"{visit.MeetingPoint} ({text.MeetingTime} {e.ToLocal(visit.MeetingTimeUtc):HH:mm})";
            return string.Join(", ", new[] { meeting, e.Venue, e.Address }.Where(p => !string.IsNullOrWhiteSpace(p)));
        }

        var parts = new[] { e.Venue, e.Address, e.Lecture?.OnlineUrl }.Where(p => p is not null);
        return string.Join(", ", parts);
    }

    /// <summary>
    /// The arrival numbers of the people waiting on each event, as of an event-row version, shared by the batches this
    /// instance sends. Exact: the waitlist changes only through commits on the event row (sign-ups, cancellations,
    /// promotions, decisions, the draw), each of which raises its version, so a list read after the row at version v
    /// holds that version's waitlist or a later one; a batch that read v, or later, never counts from an older list. On a
    /// rush many batch messages follow one commit, and each used to scan the waitlist (the whole partition, on the service
    /// as on Azurite) for the same answer.
    /// </summary>
    private sealed class WaitlistCache
    {
        private const int MaxEvents = 256;
        private readonly object _gate = new();
        private readonly Dictionary<string, (long Version, Task<long[]> Waiting)> _byEvent = new(StringComparer.Ordinal);

        /// <summary>The list as of <paramref name="version"/> or later: one read in flight per event (the rows of a batch ask at once).</summary>
        public Task<long[]> GetAsync(EventStore store, string eventId, long version, CancellationToken ct)
        {
            lock (_gate)
            {
                if (_byEvent.TryGetValue(eventId, out var known) && known.Version >= version && known.Waiting is { IsFaulted: false, IsCanceled: false }) return known.Waiting;
                if (_byEvent.Count >= MaxEvents) _byEvent.Clear(); // a bound, not a policy: a miss only costs one scan
                var read = ReadAsync(store, eventId, ct);
                _byEvent[eventId] = (version, read);
                return read;
            }
        }

        private static async Task<long[]> ReadAsync(EventStore store, string eventId, CancellationToken ct)
        {
            var table = await store.TableAsync(ct);
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {eventId} and Status eq {RegistrationStatus.Waitlisted}");
            var sequences = new List<long>();
            await foreach (var w in table.QueryAsync<TableEntity>(filter, select: [nameof(RegistrationEntity.Sequence)], cancellationToken: ct))
            {
                if (w.GetInt64(nameof(RegistrationEntity.Sequence)) is { } sequence) sequences.Add(sequence);
            }

            sequences.Sort();
            return [.. sequences];
        }
    }

    private readonly WaitlistCache _waitlists = new();

    /// <summary>
    /// What the registrations of one batch message share, read once for all of them: the event row, and the
    /// arrival numbers of the people waiting (a waitlisted person's position is 1 + those before them), as of the
    /// event row read (see <see cref="WaitlistCache"/>).
    /// </summary>
    private sealed class SendBatch(EventStore store, string eventId, WaitlistCache waitlists)
    {
        private readonly object _gate = new();
        private Task<EventEntity?>? _event;

        public Task<EventEntity?> EventAsync(CancellationToken ct)
        {
            lock (_gate) return _event is { IsFaulted: false, IsCanceled: false } e ? e : _event = store.FindEventAsync(eventId, ct);
        }

        public async Task<int?> WaitlistPositionAsync(RegistrationEntity row, CancellationToken ct)
        {
            if (row.Status != RegistrationStatus.Waitlisted) return null;
            // The event row first, then the list: a list read after the row is of its version or a later one.
            if (await EventAsync(ct) is not { } e) return null; // the event is gone: nothing is sent
            return Ledger.SeatRules.WaitlistPosition(row.Sequence, await waitlists.GetAsync(store, eventId, e.Version, ct));
        }
    }

    private static async Task<RegistrationEntity?> FindAsync(TableClient table, ConfirmationMessage message, CancellationToken ct)
    {
        if (!Ids.IsValidEventId(message.EventId) || !Ids.IsEmailRowKey(message.RegistrationKey)) return null;
        var response = await table.GetEntityIfExistsAsync<RegistrationEntity>(message.EventId, message.RegistrationKey, cancellationToken: ct);
        return response.HasValue ? response.Value : null;
    }
}
