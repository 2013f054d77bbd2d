using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Registrations;

public abstract record SignUpOutcome
{
    public sealed record EventNotFound : SignUpOutcome;
    public sealed record Invalid(EventRecord Event, FieldErrors Errors) : SignUpOutcome;
    public sealed record WindowShut(EventRecord Event, SignUpWindow Window) : SignUpOutcome;
    public sealed record Full(EventRecord Event) : SignUpOutcome;
    /// <summary>A different sign-up with an email already registered for this event.</summary>
    public sealed record AlreadyRegistered(EventRecord Event) : SignUpOutcome;
    /// <summary>Stored (or, when <paramref name="Repeated"/>, stored before by an identical submit).</summary>
    public sealed record Registered(EventRecord Event, RegistrationView Registration, bool Repeated) : SignUpOutcome;
}

public abstract record CancelOutcome
{
    public sealed record NotFound : CancelOutcome;
    public sealed record Cancelled(string? PromotedRegistrationId) : CancelOutcome;
}

/// <summary>Participants' side: sign up, look up and cancel (which deletes their data).</summary>
public sealed class RegistrationService(
    EventStore store,
    SeatAllocator seats,
    ConfirmationQueue confirmations,
    TimeProvider clock,
    IOptions<EventFunctionsOptions> options,
    ILogger<RegistrationService> log)
{
    /// <summary>Names the privacy notice a participant agreed to; change it when the notice's substance changes.</summary>
    public const string ConsentNoticeVersion = "privacy-notice-2026-11";

    /// <summary>How old a copy of the event may be for validating a sign-up (an organiser's edit shows within this).</summary>
    private static readonly TimeSpan RecentEnough = TimeSpan.FromSeconds(5);

    public async Task<SignUpOutcome> SignUpAsync(string eventId, SignUpInput input, UiText text, CancellationToken ct)
    {
        // A busy event was just written by this instance: validate against that copy instead of reading it again.
        var ev = seats.Recent(eventId, RecentEnough) ?? (await store.FindEventAsync(eventId, ct))?.ToRecord();
        if (ev is null) return new SignUpOutcome.EventNotFound();

        // A closed sign-up says so first: no point correcting fields for it.
        var window = ev.WindowAt(clock.GetUtcNow());
        if (window != SignUpWindow.Open) return new SignUpOutcome.WindowShut(ev, window);

        var (signUp, errors) = SignUpValidator.Validate(ev, input, text);
        if (signUp is null) return new SignUpOutcome.Invalid(ev, errors);

        var table = await store.TableAsync(ct);
        var key = Ids.RegistrationKey(signUp.Email);
        var submissionHash = Hash(signUp);

        // No read for an earlier sign-up first: the registration's key makes the insert fail (409) if there is
        // one, and that path answers a double tap with the first result.
        while (true)
        {
            var row = NewRow(eventId, key, signUp, submissionHash, clock.GetUtcNow());
            switch (await seats.TakeAsync(eventId, row, ct))
            {
                case SeatResult.Taken taken:
                    log.LogInformation("Registered {RegistrationId} for event {EventId} as {Status}", row.RegistrationId, eventId, row.Status);
                    await confirmations.EnqueueAsync(table, row, ct);
                    return new SignUpOutcome.Registered(taken.After, ToView(row), Repeated: false);
                case SeatResult.Duplicate:
                    var existing = await FindByKeyAsync(table, eventId, key, ct);
                    if (existing is null) continue; // its twin failed or was cancelled meanwhile: try again
                    return Repeat(ev, existing, submissionHash);
                case SeatResult.Full full:
                    // Full, but perhaps because this very person took the last seat a moment ago (a double tap).
                    var earlier = await FindByKeyAsync(table, eventId, key, ct);
                    return earlier is null ? new SignUpOutcome.Full(full.Event) : Repeat(full.Event, earlier, submissionHash);
                case SeatResult.WindowShut shut:
                    return new SignUpOutcome.WindowShut(shut.Event, shut.Window);
                default:
                    return new SignUpOutcome.EventNotFound();
            }
        }
    }

    /// <summary>Finds a registration by its public id and checks the secret from the participant's link.</summary>
    public async Task<(EventRecord Event, RegistrationEntity Registration)?> FindForManageAsync(string eventId, string registrationId, string? token, CancellationToken ct)
    {
        if (!Ids.IsValidRegistrationId(registrationId) || string.IsNullOrEmpty(token)) return null;
        var eventEntity = await store.FindEventAsync(eventId, ct);
        if (eventEntity is null) return null;
        var table = await store.TableAsync(ct);
        await foreach (var r in table.QueryAsync<RegistrationEntity>(
            x => x.PartitionKey == eventId && x.RegistrationId == registrationId, cancellationToken: ct))
        {
            return Ids.TokensEqual(r.ManageToken, token) ? (eventEntity.ToRecord(), r) : null;
        }

        return null;
    }

    /// <summary>
    /// Cancels a registration and deletes its row (the participant's data) in one transaction with the
    /// event's counters. A freed confirmed seat goes to the first person on the waitlist, in the same transaction.
    /// </summary>
    public async Task<CancelOutcome> CancelAsync(string eventId, string registrationId, string? token, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var deadline = clock.GetUtcNow() + options.Value.ContentionTimeout;
        for (var attempt = 0; ; attempt++)
        {
            var found = await FindForManageAsync(eventId, registrationId, token, ct);
            if (found is null) return new CancelOutcome.NotFound();
            var (ev, registration) = found.Value;
            var eventEntity = await store.FindEventAsync(eventId, ct);
            if (eventEntity is null) return new CancelOutcome.NotFound();
            ev = eventEntity.ToRecord();

            var wasConfirmed = registration.Status == RegistrationStatus.Confirmed;
            RegistrationEntity? promoted = null;
            if (wasConfirmed && ev.Waitlisted > 0 && ev.Confirmed - 1 < ev.Capacity && ev.StartUtc > clock.GetUtcNow())
            {
                await foreach (var w in table.QueryAsync<RegistrationEntity>(
                    x => x.PartitionKey == eventId && x.Status == RegistrationStatus.Waitlisted, cancellationToken: ct))
                {
                    if (promoted is null || w.CreatedUtc < promoted.CreatedUtc) promoted = w;
                }
            }

            var counters = new TableEntity(eventId, EventEntity.RowKeyValue)
            {
                [nameof(EventEntity.Confirmed)] = ev.Confirmed - (wasConfirmed && promoted is null ? 1 : 0),
                [nameof(EventEntity.Waitlisted)] = ev.Waitlisted - (wasConfirmed ? (promoted is null ? 0 : 1) : 1),
            };
            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.UpdateMerge, counters, eventEntity.ETag),
                new(TableTransactionActionType.Delete, registration, registration.ETag),
            };
            if (promoted is not null)
            {
                var now = clock.GetUtcNow();
                actions.Add(new(TableTransactionActionType.UpdateMerge, new TableEntity(eventId, promoted.RowKey)
                {
                    [nameof(RegistrationEntity.Status)] = RegistrationStatus.Confirmed,
                    [nameof(RegistrationEntity.WaitlistPosition)] = 0,
                    [nameof(RegistrationEntity.EmailPending)] = true,
                    [nameof(RegistrationEntity.EmailQueuedUtc)] = now,
                }, promoted.ETag));
            }

            try
            {
                await table.SubmitTransactionAsync(actions, ct);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 412 or 404)
            {
                if (clock.GetUtcNow() > deadline) throw new ContentionTimeoutException($"Event {eventId} stayed busy.");
                await Task.Delay(SeatAllocator.Backoff(attempt), ct);
                continue;
            }

            log.LogInformation("Cancelled {RegistrationId} for event {EventId}; promoted {PromotedId}",
                registrationId, eventId, promoted?.RegistrationId);
            if (promoted is not null)
            {
                await confirmations.EnqueueAsync(table, promoted, ct);
            }

            return new CancelOutcome.Cancelled(promoted?.RegistrationId);
        }
    }

    private SignUpOutcome Repeat(EventRecord ev, RegistrationEntity existing, string submissionHash) =>
        existing.SubmissionHash == submissionHash
            ? new SignUpOutcome.Registered(ev, ToView(existing), Repeated: true)
            : new SignUpOutcome.AlreadyRegistered(ev);

    private static async Task<RegistrationEntity?> FindByKeyAsync(TableClient table, string eventId, string key, CancellationToken ct)
    {
        var response = await table.GetEntityIfExistsAsync<RegistrationEntity>(eventId, key, cancellationToken: ct);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>A new registration row; <see cref="SeatAllocator"/> sets its status and waitlist position.</summary>
    private static RegistrationEntity NewRow(string eventId, string key, ValidSignUp s, string hash, DateTimeOffset now) => new()
    {
        PartitionKey = eventId,
        RowKey = key,
        RegistrationId = Ids.NewRegistrationId(),
        Name = s.Name,
        Email = s.Email,
        Phone = s.Phone,
        Organisation = s.Organisation,
        AnswersJson = JsonSerializer.Serialize(s.Answers, Json.Options),
        SecurityDetailsJson = JsonSerializer.Serialize(s.SecurityDetails, Json.Options),
        Language = s.Language,
        CreatedUtc = now,
        ConsentUtc = now,
        ConsentNotice = ConsentNoticeVersion,
        SubmissionHash = hash,
        ManageToken = Ids.NewToken(),
        EmailPending = true,
        EmailQueuedUtc = now,
    };

    public static RegistrationView ToView(RegistrationEntity r) => new(
        r.RegistrationId, r.PartitionKey, r.Status,
        r.Status == RegistrationStatus.Waitlisted ? r.WaitlistPosition : null,
        Privacy.MaskEmail(r.Email));

    private static string Hash(ValidSignUp s)
    {
        var canonical = JsonSerializer.Serialize(new
        {
            s.Name, s.Phone, s.Email, s.Organisation,
            Answers = s.Answers.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray(),
            s.SecurityDetails,
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
