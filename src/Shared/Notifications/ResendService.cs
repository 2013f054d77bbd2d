using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Shared.Notifications;

public abstract record ResendOutcome
{
    /// <summary>Queued: the confirmation goes again to <paramref name="MaskedEmail"/>.</summary>
    public sealed record Queued(string MaskedEmail) : ResendOutcome;
    /// <summary>Asked too often: it may be asked again from <paramref name="RetryAtUtc"/>.</summary>
    public sealed record Limited(DateTimeOffset RetryAtUtc) : ResendOutcome;
    public sealed record NotFound : ResendOutcome;
    /// <summary>Nothing recorded (storage busy or down): trying again is safe.</summary>
    public sealed record NotSaved : ResendOutcome;
}

/// <summary>
/// "Send my confirmation again": the participant from the manage page (rate-limited per registration), or an
/// organiser for a participant (barely limited: only a double click is caught). A request is recorded on the row
/// (<see cref="RegistrationEntity.ResendRequested"/>) under its ETag and queued; the notification sender answers it
/// once, with the confirmation for the row's current state (requests made before that email went out are answered
/// by the same email: one email, not a burst).
/// </summary>
public sealed class ResendService(EventStore store, NotificationQueue queue, TimeProvider clock, ILogger<ResendService> log)
{
    /// <summary>A participant may ask at most this often…</summary>
    public static readonly TimeSpan ParticipantMinInterval = TimeSpan.FromMinutes(5);
    /// <summary>…and at most <see cref="ParticipantMaxPerDay"/> times in 24 hours.</summary>
    public const int ParticipantMaxPerDay = 3;
    /// <summary>An organiser's second click within this is the same request…</summary>
    public static readonly TimeSpan OrganiserMinInterval = TimeSpan.FromSeconds(30);
    /// <summary>…and organisers together resend one person's confirmation at most this often in 24 hours (the console is no mail cannon).</summary>
    public const int OrganiserMaxPerDay = 5;
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);

    /// <summary>The participant's request for the registration their link opened (the caller checked the link's secret).</summary>
    public Task<ResendOutcome> RequestAsync(RegistrationEntity row, CancellationToken ct) => RecordAsync(row, organiser: null, ct);

    /// <summary>
    /// A sign-up with an address already registered (an event that needs a confirmed email): the registered person is
    /// sent their registration again, within the participant's limits; nothing tells the asker which happened.
    /// </summary>
    public Task<ResendOutcome> RepeatSignUpAsync(RegistrationEntity row, CancellationToken ct) => RecordAsync(row, organiser: null, ct);

    /// <summary>An organiser's resend for one registration (the organiser console calls this); <paramref name="actor"/> is logged, never the participant.</summary>
    public async Task<ResendOutcome> ResendAsync(string eventId, string registrationId, string actor, CancellationToken ct)
    {
        var row = await FindAsync(eventId, registrationId, ct);
        if (row is null) return new ResendOutcome.NotFound();
        return await RecordAsync(row, actor, ct);
    }

    private async Task<ResendOutcome> RecordAsync(RegistrationEntity row, string? organiser, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var now = clock.GetUtcNow();
            var windowStart = row.ResendWindowStartUtc is { } w && now - w < Day ? w : now;
            var inWindow = windowStart == now ? 0 : row.ResendsInWindow;
            if (organiser is null)
            {
                if (row.LastResendUtc is { } last && now - last < ParticipantMinInterval) return new ResendOutcome.Limited(last + ParticipantMinInterval);
                if (inWindow >= ParticipantMaxPerDay) return new ResendOutcome.Limited(windowStart + Day);
            }
            else if (row.LastResendUtc is { } last && now - last < OrganiserMinInterval && row.ResendSentCount < row.ResendRequested)
            {
                return new ResendOutcome.Queued(Privacy.MaskEmail(row.Email)); // the same click again: already on its way
            }

            var organiserInWindow = windowStart == now ? 0 : row.OrganiserResendsInWindow;
            if (organiser is not null && organiserInWindow >= OrganiserMaxPerDay) return new ResendOutcome.Limited(windowStart + Day);

            var changes = new TableEntity(row.PartitionKey, row.RowKey)
            {
                [nameof(RegistrationEntity.ResendRequested)] = row.ResendRequested + 1,
                [nameof(RegistrationEntity.LastResendUtc)] = now,
            };
            changes[nameof(RegistrationEntity.ResendWindowStartUtc)] = windowStart;
            if (windowStart == now) changes[nameof(RegistrationEntity.ResendsInWindow)] = 0; // a new window: the old counts lapse
            if (organiser is null) changes[nameof(RegistrationEntity.ResendsInWindow)] = inWindow + 1;
            changes[nameof(RegistrationEntity.OrganiserResendsInWindow)] = organiser is null ? organiserInWindow : organiserInWindow + 1;

            try
            {
                await table.UpdateEntityAsync(changes, row.ETag, TableUpdateMode.Merge, ct);
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                var fresh = await table.GetEntityIfExistsAsync<RegistrationEntity>(row.PartitionKey, row.RowKey, cancellationToken: ct);
                if (!fresh.HasValue) return new ResendOutcome.NotFound();
                row = fresh.Value!;
                continue;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return new ResendOutcome.NotFound();
            }

            try
            {
                await queue.EnqueueBatchesAsync(NotificationKinds.Resend, row.PartitionKey, 0, [row.RowKey], ct);
            }
            catch (Exception ex) when (StorageFaults.IsTransient(ex))
            {
                // Recorded, so it is owed: the sweep queues it after RequeueAfter.
                log.LogWarning(ex, "Could not queue the resend for {RegistrationId}; the sweep will", row.RegistrationId);
            }

            if (organiser is null) log.LogInformation("Participant asked to resend the confirmation for {RegistrationId} of event {EventId}", row.RegistrationId, row.PartitionKey);
            else log.LogInformation("Organiser {Actor} resent the confirmation for {RegistrationId} of event {EventId}", organiser, row.RegistrationId, row.PartitionKey);
            return new ResendOutcome.Queued(Privacy.MaskEmail(row.Email));
        }

        return new ResendOutcome.NotSaved();
    }

    private async Task<RegistrationEntity?> FindAsync(string eventId, string registrationId, CancellationToken ct)
    {
        if (!Ids.IsValidEventId(eventId) || !Ids.IsValidRegistrationId(registrationId)) return null;
        var table = await store.TableAsync(ct);
        await foreach (var r in table.QueryAsync<RegistrationEntity>(x => x.PartitionKey == eventId && x.RegistrationId == registrationId, cancellationToken: ct))
        {
            if (r.IsRegistration) return r; // a removal notice is not resent
        }

        return null;
    }
}
