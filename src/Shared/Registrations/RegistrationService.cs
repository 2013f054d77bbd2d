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
    ConfirmationQueue confirmations,
    TimeProvider clock,
    IOptions<EventFunctionsOptions> options,
    ILogger<RegistrationService> log)
{
    /// <summary>Names the privacy notice a participant agreed to; change it when the notice's substance changes.</summary>
    public const string ConsentNoticeVersion = "privacy-notice-2026-11";

    public async Task<SignUpOutcome> SignUpAsync(string eventId, SignUpInput input, UiText text, CancellationToken ct)
    {
        var eventEntity = await store.FindEventAsync(eventId, ct);
        if (eventEntity is null) return new SignUpOutcome.EventNotFound();
        var ev = eventEntity.ToRecord();

        var (signUp, errors) = SignUpValidator.Validate(ev, input, text);
        if (signUp is null) return new SignUpOutcome.Invalid(ev, errors);

        var table = await store.TableAsync(ct);
        var key = Ids.RegistrationKey(signUp.Email);
        var submissionHash = Hash(signUp);

        // The common double tap: answer from the stored row without touching the event row.
        var existing = await FindByKeyAsync(table, eventId, key, ct);
        if (existing is not null) return Repeat(ev, existing, submissionHash);

        var deadline = clock.GetUtcNow() + options.Value.ContentionTimeout;
        for (var attempt = 0; ; attempt++)
        {
            var now = clock.GetUtcNow();
            var window = ev.WindowAt(now);
            if (window != SignUpWindow.Open) return new SignUpOutcome.WindowShut(ev, window);

            string status;
            if (ev.Confirmed < ev.Capacity) status = RegistrationStatus.Confirmed;
            else if (ev.WaitlistAllowed) status = RegistrationStatus.Waitlisted;
            else return new SignUpOutcome.Full(ev);

            var row = NewRow(eventId, key, signUp, submissionHash, status, ev.Waitlisted + 1, now);
            var counters = new TableEntity(eventId, EventEntity.RowKeyValue)
            {
                [nameof(EventEntity.Confirmed)] = ev.Confirmed + (status == RegistrationStatus.Confirmed ? 1 : 0),
                [nameof(EventEntity.Waitlisted)] = ev.Waitlisted + (status == RegistrationStatus.Waitlisted ? 1 : 0),
            };

            try
            {
                // One entity-group transaction: the seat and the registration are taken together or not at all.
                // The event row's ETag fails it (412) if anyone else took a seat since we read the counters;
                // the registration's key fails it (409) if this email signed up meanwhile.
                await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.UpdateMerge, counters, eventEntity.ETag),
                    new TableTransactionAction(TableTransactionActionType.Add, row),
                ], ct);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 412)
            {
                if (clock.GetUtcNow() > deadline)
                {
                    throw new ContentionTimeoutException($"Event {eventId} stayed busy for {options.Value.ContentionTimeout}.");
                }

                await Task.Delay(Backoff(attempt), ct);
                eventEntity = await store.FindEventAsync(eventId, ct);
                if (eventEntity is null) return new SignUpOutcome.EventNotFound();
                ev = eventEntity.ToRecord();
                continue;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                existing = await FindByKeyAsync(table, eventId, key, ct);
                if (existing is null) continue; // cancelled in between: try again
                return Repeat(ev, existing, submissionHash);
            }

            log.LogInformation("Registered {RegistrationId} for event {EventId} as {Status} after {Attempts} attempt(s)",
                row.RegistrationId, eventId, status, attempt + 1);
            await confirmations.EnqueueAsync(table, row, ct);
            var stored = ev with
            {
                Confirmed = (int)counters[nameof(EventEntity.Confirmed)],
                Waitlisted = (int)counters[nameof(EventEntity.Waitlisted)],
            };
            return new SignUpOutcome.Registered(stored, ToView(row), Repeated: false);
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
                await Task.Delay(Backoff(attempt), ct);
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

    private static RegistrationEntity NewRow(string eventId, string key, ValidSignUp s, string hash, string status, int waitlistPosition, DateTimeOffset now) => new()
    {
        PartitionKey = eventId,
        RowKey = key,
        RegistrationId = Ids.NewRegistrationId(),
        Status = status,
        WaitlistPosition = status == RegistrationStatus.Waitlisted ? waitlistPosition : 0,
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

    /// <summary>Jittered exponential backoff, so colliding sign-ups spread out instead of colliding again.</summary>
    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Random.Shared.Next(5, 10 + (int)Math.Min(250, 10 * Math.Pow(2, Math.Min(attempt, 6)))));
}
