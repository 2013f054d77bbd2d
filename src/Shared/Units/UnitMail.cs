using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Web;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Shared.Units;

/// <summary>What sending the invitations did: emails queued, and the invited units without a contact email to send to.</summary>
public sealed record InvitationsQueued(int Queued, IReadOnlyList<string> WithoutEmail);

/// <summary>
/// Emails to invited units' contacts: the invitation (sent when the organiser says, again if asked) and, a day before
/// sign-up closes, a reminder to each unit that has signed nobody up (once per unit: the row's key is the guard). Each
/// is a row in the event's partition (<see cref="RegistrationStatus.UnitInvitation"/>), written and queued like any
/// email the app owes, so it goes through the one outbox (claimed, sent once, recorded, swept if its message is lost,
/// counted against the recipient's daily cap) and stays as the record that it went.
/// </summary>
public sealed class UnitMail(EventStore store, UnitDirectory units, UnitLinks links, ConfirmationQueue queue, PageRenderer renderer, TimeProvider clock, ILogger<UnitMail> log)
{
    /// <summary>How long before sign-up closes a unit that has signed nobody up is reminded.</summary>
    public static readonly TimeSpan ReminderBeforeClose = TimeSpan.FromHours(24);

    public async Task<InvitationsQueued> SendInvitationsAsync(EventRecord e, CancellationToken ct)
    {
        if (e.Invitation is not { } invitation) return new(0, []);
        var contacts = (await units.ListAsync(ct)).ToDictionary(u => u.Id, StringComparer.Ordinal);
        var rows = new List<RegistrationEntity>();
        var without = new List<string>();
        foreach (var u in invitation.Units)
        {
            if (contacts.GetValueOrDefault(u.UnitId) is not { ContactEmail: { } email } unit) { without.Add(u.Name); continue; }
            rows.Add(Row(e.Id, u, unit, email, reminder: false));
        }

        return new(await WriteAndQueueAsync(e.Id, rows, ct), without);
    }

    /// <summary>The reminders now due: invitation events whose sign-up closes within a day, to units with nobody signed up.</summary>
    public async Task<int> RemindDueAsync(CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var now = clock.GetUtcNow();
        var filter = TableClient.CreateQueryFilter($"RowKey eq {EventEntity.RowKeyValue} and SignUpClosesUtc gt {now} and SignUpClosesUtc le {now + ReminderBeforeClose} and InvitationJson ne {""}");
        var queued = 0;
        Dictionary<string, UnitView>? contacts = null;
        await foreach (var entity in table.QueryAsync<EventEntity>(filter, cancellationToken: ct))
        {
            var e = entity.ToRecord();
            if (e.Invitation is null || e.Cancelled || e.WindowAt(now) != SignUpWindow.Open) continue;
            contacts ??= (await units.ListAsync(ct)).ToDictionary(u => u.Id, StringComparer.Ordinal);
            var rows = e.Invitation.Units
                .Where(u => UnitSeatRules.Used(e.UnitUsed, u.UnitId) == 0 && contacts.GetValueOrDefault(u.UnitId) is { ContactEmail: not null })
                .Select(u => Row(e.Id, u, contacts[u.UnitId], contacts[u.UnitId].ContactEmail!, reminder: true)).ToList();
            queued += await WriteAndQueueAsync(e.Id, rows, ct);
        }

        return queued;
    }

    private RegistrationEntity Row(string eventId, InvitedUnit invited, UnitView unit, string email, bool reminder)
    {
        var now = clock.GetUtcNow();
        return new RegistrationEntity
        {
            PartitionKey = eventId,
            RowKey = Ids.UnitMailKey(invited.UnitId, reminder),
            RegistrationId = Ids.NewRegistrationId(),
            Status = reminder ? RegistrationStatus.UnitReminder : RegistrationStatus.UnitInvitation,
            StateVersion = 1,
            Name = unit.Contact ?? unit.Name,
            Email = email,
            Organisation = invited.Name,
            UnitId = invited.UnitId,
            Language = "zh-CN",
            CreatedUtc = now,
            EmailPending = true,
            EmailQueuedUtc = now,
        };
    }

    /// <summary>Writes the rows (a reminder already written is not written again) and queues their emails; how many were queued.</summary>
    private async Task<int> WriteAndQueueAsync(string eventId, List<RegistrationEntity> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return 0;
        var table = await store.TableAsync(ct);
        var written = new List<string>();
        foreach (var row in rows)
        {
            try
            {
                await table.AddEntityAsync(row, ct);
                written.Add(row.RowKey);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // The reminder went (or is on its way) already: once per unit.
            }
        }

        // A message lost here is not an email lost: the row says it is owed, and the confirmation sweep queues it again.
        foreach (var chunk in written.Chunk(ConfirmationQueue.MaxKeysPerMessage)) await queue.EnqueueAsync(eventId, chunk, ct);
        if (written.Count > 0) log.LogInformation("Event {EventId}: {Count} email(s) to invited units' contacts queued", eventId, written.Count);
        return written.Count;
    }

    /// <summary>The invitation or the reminder, in Chinese (the units' contacts are the street office's), with the unit's QR code inline.</summary>
    public async Task<EmailMessage> ComposeAsync(EventRecord ev, RegistrationEntity row)
    {
        var text = UiText.ForCode(row.Language);
        var e = Notifications.NoticeState.For(ev, text);
        var unit = ev.Invitation?.Find(row.UnitId);
        var reminder = row.Status == RegistrationStatus.UnitReminder;
        var subject = string.Format(reminder ? text.UnitReminderSubjectFormat : text.UnitInvitationSubjectFormat, e.Title);
        var lead = reminder
            ? string.Format(text.UnitReminderBodyFormat, row.Organisation, text.FormatDateTimeIn(e.ToLocal(e.SignUpClosesUtc), e.TimeZoneId))
            : string.Format(text.UnitInvitationBodyFormat, row.Organisation, unit?.Seats ?? 0);
        var signUp = links.SignUpLink(ev, row.UnitId ?? "");
        var contact = links.ContactLink(ev, row.UnitId ?? "");
        var html = await renderer.RenderAsync<UnitInvitationEmail>(new()
        {
            [nameof(UnitInvitationEmail.Text)] = text,
            [nameof(UnitInvitationEmail.Event)] = e,
            [nameof(UnitInvitationEmail.Subject)] = subject,
            [nameof(UnitInvitationEmail.Name)] = row.Name,
            [nameof(UnitInvitationEmail.Lead)] = lead,
            [nameof(UnitInvitationEmail.SignUpUrl)] = signUp,
            [nameof(UnitInvitationEmail.ContactUrl)] = contact,
        });
        var plain = $"{string.Format(text.GreetingFormat, row.Name)}\n\n{lead}\n\n{text.UnitSignUpLinkLabel}: {signUp}\n\n{e.Title}\n"
            + $"{text.When}: {text.FormatRange(e.ToLocal(e.StartUtc), e.ToLocal(e.EndUtc), e.TimeZoneId)}\n\n{text.UnitContactLinkLabel}: {contact}\n\n{text.UnitEmailFooter}\n";
        var qr = new EmailAttachment("signup-qr.png", "image/png", Console.QrCodes.Png(signUp, 8)) { ContentId = UnitInvitationEmail.ContentId };
        return new EmailMessage(row.Email, row.Name, e.OrganiserEmail, subject, html, plain, [qr], reminder ? "unit-reminder" : "unit-invitation")
        {
            Tags = new Dictionary<string, string>
            {
                ["eventId"] = e.Id,
                ["registrationId"] = row.RegistrationId,
                ["registrationStatus"] = row.Status,
                ["version"] = "1",
            },
        };
    }
}
