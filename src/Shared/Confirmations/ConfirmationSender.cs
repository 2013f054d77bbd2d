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
    /// <summary>Another delivery of the same message holds the row right now.</summary>
    InProgressElsewhere,
    RegistrationGone,
    Rejected,
}

/// <summary>
/// Sends the email a registration is owed, exactly once per registration state although queue delivery is
/// at-least-once: the row records what was sent, and a short claim on the row (by ETag) keeps two
/// deliveries of the same message from both sending.
/// </summary>
public sealed class ConfirmationSender(
    EventStore store,
    IEmailTransport transport,
    PageRenderer renderer,
    TimeProvider clock,
    IOptions<EventFunctionsOptions> options,
    ILogger<ConfirmationSender> log)
{
    public static readonly TimeSpan ClaimDuration = TimeSpan.FromMinutes(2);

    /// <summary>A merge cannot clear a property (nulls are not sent), so a released claim is set in the past.</summary>
    private static readonly DateTimeOffset Released = DateTimeOffset.UnixEpoch;

    public async Task<SendOutcome> SendAsync(ConfirmationMessage message, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var row = await FindAsync(table, message, ct);
        if (row is null)
        {
            log.LogInformation("Registration in event {EventId} no longer exists (cancelled); nothing to send", message.EventId);
            return SendOutcome.RegistrationGone;
        }

        if (row.EmailSentStatus == row.Status) return SendOutcome.AlreadySent;
        var now = clock.GetUtcNow();
        if (row.EmailClaimUntil > now) return SendOutcome.InProgressElsewhere;

        row.EmailClaimUntil = now + ClaimDuration;
        try
        {
            var claimed = await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge, ct);
            row.ETag = claimed.Headers.ETag ?? row.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            // Someone else changed the row first; the message comes back and that state is judged afresh.
            throw new TransientEmailException("The registration changed while claiming it; trying again.", ex);
        }

        var eventEntity = await store.FindEventAsync(message.EventId, ct);
        if (eventEntity is null) return SendOutcome.RegistrationGone;
        var email = await ComposeAsync(eventEntity.ToRecord(), row);

        SendResult result;
        try
        {
            result = await transport.SendAsync(email, ct);
        }
        catch (Exception)
        {
            await ReleaseAsync(table, row, ct);
            throw;
        }

        var sentStatus = row.Status;
        if (result is SendResult.Rejected rejected)
        {
            log.LogWarning("The provider refused the {Status} confirmation for {RegistrationId} with {StatusCode} ({Reason}); not retrying",
                sentStatus, row.RegistrationId, rejected.StatusCode, rejected.Reason);
            await RecordAsync(table, row, new TableEntity(row.PartitionKey, row.RowKey)
            {
                [nameof(RegistrationEntity.EmailPending)] = false,
                [nameof(RegistrationEntity.EmailClaimUntil)] = Released,
                [nameof(RegistrationEntity.EmailError)] = $"{rejected.StatusCode}: {rejected.Reason}",
            }, ct);
            return SendOutcome.Rejected;
        }

        await RecordAsync(table, row, new TableEntity(row.PartitionKey, row.RowKey)
        {
            [nameof(RegistrationEntity.EmailSentStatus)] = sentStatus,
            [nameof(RegistrationEntity.EmailSentUtc)] = clock.GetUtcNow(),
            [nameof(RegistrationEntity.EmailPending)] = false,
            [nameof(RegistrationEntity.EmailClaimUntil)] = Released,
            [nameof(RegistrationEntity.EmailError)] = "",
        }, ct);
        log.LogInformation("Sent the {Status} email for {RegistrationId}", sentStatus, row.RegistrationId);
        return SendOutcome.Sent;
    }

    public async Task<EmailMessage> ComposeAsync(EventRecord e, RegistrationEntity r)
    {
        var text = UiText.ForCode(r.Language);
        var confirmed = r.Status == RegistrationStatus.Confirmed;
        var subject = string.Format(confirmed ? text.ConfirmedSubjectFormat : text.WaitlistedSubjectFormat, e.Title);
        var manageUrl = $"{options.Value.PublicBaseUrl.TrimEnd('/')}/api/manage/{e.Id}/{r.RegistrationId}?t={r.ManageToken}&lang={text.Code}";
        var html = await renderer.RenderAsync<ConfirmationEmail>(new()
        {
            [nameof(ConfirmationEmail.Text)] = text,
            [nameof(ConfirmationEmail.Event)] = e,
            [nameof(ConfirmationEmail.Subject)] = subject,
            [nameof(ConfirmationEmail.Name)] = r.Name,
            [nameof(ConfirmationEmail.Confirmed)] = confirmed,
            [nameof(ConfirmationEmail.WaitlistPosition)] = r.WaitlistPosition,
            [nameof(ConfirmationEmail.RegistrationId)] = r.RegistrationId,
            [nameof(ConfirmationEmail.ManageUrl)] = manageUrl,
        });

        var location = Location(e, text);
        var plain = new StringBuilder()
            .AppendLine(string.Format(text.GreetingFormat, r.Name)).AppendLine()
            .AppendLine(confirmed ? text.ConfirmedBody : text.WaitlistedBody).AppendLine()
            .AppendLine(e.Title)
            .AppendLine($"{text.When}: {text.FormatRange(e.ToLocal(e.StartUtc), e.ToLocal(e.EndUtc), e.TimeZoneId)}")
            .AppendLine($"{(e.SiteVisit is null ? text.Venue : text.MeetingPoint)}: {location}")
            .AppendLine(string.Format(text.ReferenceFormat, r.RegistrationId)).AppendLine()
            .AppendLine(text.EmailFooter)
            .AppendLine($"{text.ManageLink}: {manageUrl}")
            .ToString();

        var attachments = confirmed
            ? new[] { new EmailAttachment("event.ics", "text/calendar", CalendarFile.Create(e, r.RegistrationId, location, e.Description ?? "")) }
            : [];
        return new EmailMessage(r.Email, r.Name, e.OrganiserEmail, subject, html, plain, attachments,
            confirmed ? "confirmation" : "waitlist");
    }

    private static string Location(EventRecord e, UiText text)
    {
        if (e.SiteVisit is { } visit)
        {
            return $"{visit.MeetingPoint} ({text.MeetingTime} {e.ToLocal(visit.MeetingTimeUtc):HH:mm})";
        }

        var parts = new[] { e.Venue, e.Address, e.Lecture?.OnlineUrl }.Where(p => p is not null);
        return string.Join(", ", parts);
    }

    private static async Task<RegistrationEntity?> FindAsync(TableClient table, ConfirmationMessage message, CancellationToken ct)
    {
        if (!Ids.IsValidEventId(message.EventId) || !message.RegistrationKey.StartsWith("reg-", StringComparison.Ordinal)) return null;
        var response = await table.GetEntityIfExistsAsync<RegistrationEntity>(message.EventId, message.RegistrationKey, cancellationToken: ct);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Records the send. Unconditional on purpose: the email went out, and that must not be forgotten.</summary>
    private static async Task RecordAsync(TableClient table, RegistrationEntity row, TableEntity changes, CancellationToken ct)
    {
        try
        {
            await table.UpdateEntityAsync(changes, ETag.All, TableUpdateMode.Merge, CancellationToken.None);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Cancelled while sending: the row (and the participant's data) is gone, which is what they asked for.
        }
    }

    private async Task ReleaseAsync(TableClient table, RegistrationEntity row, CancellationToken ct)
    {
        try
        {
            await table.UpdateEntityAsync(new TableEntity(row.PartitionKey, row.RowKey)
            {
                [nameof(RegistrationEntity.EmailClaimUntil)] = Released,
            }, row.ETag, TableUpdateMode.Merge, ct);
        }
        catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException)
        {
            log.LogDebug(ex, "Could not release the claim on {RegistrationId}; it expires by itself", row.RegistrationId);
        }
    }
}
