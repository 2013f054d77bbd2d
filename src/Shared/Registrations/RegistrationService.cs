using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Notifications;
using EventFunctions.Shared.Text;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Shared.Registrations;

public abstract record SignUpOutcome
{
    public sealed record EventNotFound : SignUpOutcome;
    public sealed record Invalid(EventRecord Event, FieldErrors Errors) : SignUpOutcome;
    public sealed record WindowShut(EventRecord Event, SignUpWindow Window) : SignUpOutcome;
    public sealed record Full(EventRecord Event) : SignUpOutcome;
    /// <summary>An invitation event, and no invited unit's link (none, or a unit no longer invited).</summary>
    public sealed record NotInvited(EventRecord Event) : SignUpOutcome;
    /// <summary>A different sign-up with an email already registered for this event.</summary>
    public sealed record AlreadyRegistered(EventRecord Event) : SignUpOutcome;
    /// <summary>Stored (or, when <paramref name="Repeated"/>, stored before by an identical submit).</summary>
    public sealed record Registered(EventRecord Event, RegistrationView Registration, bool Repeated) : SignUpOutcome;
    /// <summary>
    /// On an event that needs a confirmed email, the one answer to a sign-up that is stored now or was before: the
    /// email to <paramref name="MaskedEmail"/> says which, so nobody learns here whether an address is registered.
    /// </summary>
    public sealed record CheckEmail(EventRecord Event, string MaskedEmail) : SignUpOutcome;
    /// <summary>Known not to be stored (storage busy or down): trying again is safe.</summary>
    public sealed record NotSaved(EventRecord Event) : SignUpOutcome;
    /// <summary>Storage would not say whether it was stored; the same submit again gets the true answer.</summary>
    public sealed record Unknown(EventRecord Event) : SignUpOutcome;
}

public abstract record ConfirmOutcome
{
    public sealed record Confirmed(EventRecord Event, RegistrationEntity Registration, bool AlreadyDone) : ConfirmOutcome;
    public sealed record Expired(EventRecord Event) : ConfirmOutcome;
    public sealed record NotFound : ConfirmOutcome;
    public sealed record NotSaved : ConfirmOutcome;
    public sealed record Unknown : ConfirmOutcome;
}

public abstract record CancelOutcome
{
    public sealed record NotFound : CancelOutcome;
    public sealed record Cancelled(IReadOnlyList<string> PromotedRegistrationIds) : CancelOutcome;
    public sealed record NotSaved : CancelOutcome;
    public sealed record Unknown : CancelOutcome;
}

/// <summary>Participants' side: sign up, look up and cancel (which deletes their data). Seats change only through the <see cref="EventLedger"/>.</summary>
public sealed class RegistrationService(
    EventStore store,
    EventLedger ledger,
    Security.IdentifierKeys ids,
    Notifications.ResendService resends,
    EventService eventService,
    Series.SeriesService series,
    Admission.LotteryService lottery,
    TimeProvider clock,
    ILogger<RegistrationService> log)
{
    /// <summary>Names the privacy notice a participant agreed to; change it when the notice's substance changes.</summary>
    public const string ConsentNoticeVersion = "privacy-notice-2026-12-06";

    /// <summary>How old a copy of the event may be for validating a sign-up (an organiser's edit shows within this).</summary>
    private static readonly TimeSpan RecentEnough = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Signs someone up. On an invitation event <paramref name="unitId"/> is the unit whose signed link they came
    /// by (checked by the caller): their unit is that one, whatever the form said, and its seats are what they take.
    /// </summary>
    public async Task<SignUpOutcome> SignUpAsync(string eventId, SignUpInput input, UiText text, CancellationToken ct, string? unitId = null)
    {
        // A busy event was just written by this instance: validate against that copy instead of reading it again.
        // A quiet event is read here once, and the ledger is handed that read (its ETag guards it), so a lone sign-up
        // costs one read of the event row, not two.
        var recent = ledger.Recent(eventId, RecentEnough);
        var asRead = recent is null ? await store.FindEventRowAsync(eventId, ct) : null;
        var ev = recent ?? asRead?.ToRecord();
        if (ev is null) return new SignUpOutcome.EventNotFound();

        // A closed sign-up says so first: no point correcting fields for it.
        InvitedUnit? unit = null;
        var publicSeat = false;
        if (ev.Invitation is { } invitation)
        {
            unit = invitation.Find(unitId);
            // Reserved seats with a public pool: anyone without a unit's link signs up as the public, for pool seats only.
            publicSeat = unit is null && invitation.Public;
            if (unit is null && !publicSeat) return new SignUpOutcome.NotInvited(ev);
            if (unit is not null) input = input with { Organisation = unit.Name };
        }

        var window = ev.WindowAt(clock.GetUtcNow());
        if (window != SignUpWindow.Open) return new SignUpOutcome.WindowShut(ev, window);

        var (signUp, errors) = SignUpValidator.Validate(ev, input, text);
        if (signUp is null) return new SignUpOutcome.Invalid(ev, errors);

        var table = await store.TableAsync(ct);
        // One registration per inbox: the key is the mailbox, so wang+1@ and wang+2@ are the same person here.
        var key = ids.RegistrationKey(Input.MailboxIdentity(signUp.Email));
        var submissionHash = Hash(signUp);

        // No read for an earlier sign-up first: the registration's key makes the insert fail (409) if there is
        // one, and that path answers a double tap with the first result.
        for (var attempt = 0; ; attempt++)
        {
            var row = NewRow(eventId, key, signUp, submissionHash, clock.GetUtcNow());
            row.UnitId = unit?.UnitId ?? (publicSeat ? Invitation.PublicKey : null);
            switch (await ledger.SignUpAsync(eventId, row, attempt == 0 ? asRead : null))
            {
                case SeatResult.Taken taken:
                    // Its email is owed on the row and on its way: the ledger writes one queue message per commit.
                    log.LogInformation("Registered {RegistrationId} for event {EventId} as {Status}", row.RegistrationId, eventId, row.Status);
                    if (row.ConfirmBy is not null) return new SignUpOutcome.CheckEmail(taken.After, Privacy.MaskEmail(signUp.Email));
                    return new SignUpOutcome.Registered(taken.After, ToView(taken.After, row, taken.WaitlistPosition), Repeated: false);
                case SeatResult.Duplicate:
                    var existing = await FindByKeyAsync(table, eventId, key, ct);
                    if (existing is null && attempt < 3) continue; // its twin was cancelled meanwhile: try again
                    if (existing is null) return new SignUpOutcome.NotSaved(ev);
                    // Declined by the organiser: the address cannot sign up again unless they allow it (the record stays till then).
                    if (existing.Status == RegistrationStatus.Declined) return new SignUpOutcome.AlreadyRegistered(ev);
                    // Events that need a confirmed email (a lottery's entries always do) answer by email: the page says the same to anyone.
                    if (ev.ConfirmEmail || ev.Lottery is not null) return await AnswerByEmailAsync(ev, existing, signUp, submissionHash, ct);
                    return await RepeatAsync(table, ev, existing, submissionHash, ct);
                case SeatResult.Full full:
                    // Full, but perhaps because this very person took the last seat a moment ago (a double tap).
                    var earlier = await FindByKeyAsync(table, eventId, key, ct);
                    if (earlier is null) return new SignUpOutcome.Full(full.Event);
                    // A full event says so to anyone who asks; only the same person's double tap hears what the first did.
                    if (full.Event.ConfirmEmail) return earlier.SubmissionHash == submissionHash ? new SignUpOutcome.CheckEmail(full.Event, Privacy.MaskEmail(signUp.Email)) : new SignUpOutcome.Full(full.Event);
                    return await RepeatAsync(table, full.Event, earlier, submissionHash, ct);
                case SeatResult.WindowShut shut:
                    return new SignUpOutcome.WindowShut(shut.Event, shut.Window);
                case SeatResult.NotSaved:
                    log.LogWarning("Sign-up {RegistrationId} for event {EventId} not saved: the event stayed busy or storage failed", row.RegistrationId, eventId);
                    return new SignUpOutcome.NotSaved(ev);
                case SeatResult.Unknown:
                    log.LogWarning("Sign-up {RegistrationId} for event {EventId}: storage did not say whether it was saved", row.RegistrationId, eventId);
                    return new SignUpOutcome.Unknown(ev);
                default:
                    return new SignUpOutcome.EventNotFound();
            }
        }
    }

    /// <summary>
    /// An address already registered, on an event that needs a confirmed email: the answer is the one a new sign-up
    /// gets, and the registered person is sent their registration again (a double tap excepted: its email is on the way),
    /// as often as the manage page's "send again" allows them.
    /// </summary>
    private async Task<SignUpOutcome> AnswerByEmailAsync(EventRecord ev, RegistrationEntity existing, ValidSignUp signUp, string submissionHash, CancellationToken ct)
    {
        if (existing.SubmissionHash != submissionHash || existing.EmailSentVersion >= existing.StateVersion)
        {
            var resent = await resends.RepeatSignUpAsync(existing, ct);
            log.LogInformation("Sign-up for event {EventId} with a registered address: {Outcome}", ev.Id, resent.GetType().Name);
        }

        return new SignUpOutcome.CheckEmail(ev, Privacy.MaskEmail(signUp.Email));
    }

    /// <summary>
    /// Confirms a sign-up from the link in its email (the secret checked first): a held seat becomes the
    /// participant's, an unconfirmed waitlist place stops expiring. Confirming twice is fine.
    /// </summary>
    public async Task<ConfirmOutcome> ConfirmAsync(string eventId, string registrationId, string? token, CancellationToken ct)
    {
        var found = await FindForManageAsync(eventId, registrationId, token, ct);
        if (found is null) return new ConfirmOutcome.NotFound();
        var (e, row) = found.Value;
        if (!row.AwaitsConfirmation) return new ConfirmOutcome.Confirmed(e, row, AlreadyDone: true);
        if (row.SeriesJoin is { } join)
        {
            // One of a whole-series sign-up's seats: confirming it accepts the sign-up, and every session's seat is confirmed.
            if (!await series.AcceptAsync(join, ct)) return new ConfirmOutcome.Expired(e);
            var again = await FindForManageAsync(eventId, registrationId, token, ct);
            return again is { } now && !now.Registration.AwaitsConfirmation ? new ConfirmOutcome.Confirmed(now.Event, now.Registration, AlreadyDone: false) : new ConfirmOutcome.NotSaved();
        }
        var result = await ledger.ConfirmAsync(eventId, row.RowKey, registrationId);
        log.LogInformation("Confirm {RegistrationId} for event {EventId}: {Result}", registrationId, eventId, result.GetType().Name);
        return result switch
        {
            ConfirmResult.Confirmed c => new ConfirmOutcome.Confirmed(ledger.Recent(eventId, TimeSpan.FromSeconds(5)) ?? e, c.Row, c.AlreadyDone),
            ConfirmResult.Expired => new ConfirmOutcome.Expired(e),
            ConfirmResult.NotSaved => new ConfirmOutcome.NotSaved(),
            ConfirmResult.Unknown => new ConfirmOutcome.Unknown(),
            _ => new ConfirmOutcome.NotFound(),
        };
    }

    /// <summary>
    /// The hold sweep: folds the seat blocks of instances that are gone and numbers what they left in a waitlist inbox,
    /// then, on every event with sign-ups awaiting confirmation, those whose time has passed are taken off
    /// through the ledger (which checks again, so a confirmation that lands first wins), their places going to the next
    /// people in order. Returns how many were taken off.
    /// </summary>
    public async Task<int> ExpireHoldsAsync(CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var now = clock.GetUtcNow();
        var expired = 0;

        // First, seat blocks whose instance stopped committing (it was stopped or died): folded into their event, so
        // their unused seats are free again and the holds they gave are seen below.
        var blocked = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {EventEntity.RowKeyValue} and Blocked gt {0}"), select: ["PartitionKey"], cancellationToken: ct))
        {
            blocked.Add(e.PartitionKey);
        }

        foreach (var eventId in blocked) await ledger.ReclaimBlocksAsync(eventId);

        // Sign-ups an instance put in an event's waitlist inbox and stopped before numbering: numbered now, in order.
        var inboxes = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {EventEntity.RowKeyValue} and InboxUntil ge {now - Ledger.WaitlistInbox.Grace}"), select: ["PartitionKey"], cancellationToken: ct))
        {
            inboxes.Add(e.PartitionKey);
        }

        foreach (var eventId in inboxes) await ledger.NumberInboxAsync(eventId);

        // Whole-series sign-ups a crash left accepted but not all confirmed are finished first: their seats are never released below.
        await series.SweepAsync(ct);

        // Invitation events whose time to release the seats units have not used has come: the pool gets them, and the
        // waitlist takes them in order, in the release's own commit (done once: the change finds them released after).
        var releases = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {EventEntity.RowKeyValue} and UnitReleaseDueUtc le {now}"), select: ["PartitionKey"], cancellationToken: ct))
        {
            releases.Add(e.PartitionKey);
        }

        // Lotteries whose draw time has come: drawn once (chunk after chunk, each through the ledger; another instance
        // drawing at the same moment only takes the next chunk). Before the expiries below, which take the entries nobody
        // confirmed in time off (they were never in the draw).
        var draws = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {EventEntity.RowKeyValue} and LotteryDueUtc le {now}"), select: ["PartitionKey"], cancellationToken: ct))
        {
            draws.Add(e.PartitionKey);
        }

        foreach (var eventId in draws)
        {
            var drawn = await lottery.DrawAsync(eventId, ct);
            log.LogInformation("Event {EventId}: lottery draw due: {Outcome}", eventId, drawn.GetType().Name);
        }

        foreach (var eventId in releases)
        {
            var released = await eventService.ReleaseUnitSeatsAsync(eventId, dueBy: now, ct);
            log.LogInformation("Event {EventId}: unused unit seats due for release: {Outcome}", eventId, released.GetType().Name);
        }

        var events = new List<string>();
        var pending = TableClient.CreateQueryFilter($"RowKey eq {EventEntity.RowKeyValue} and Unconfirmed gt {0}");
        await foreach (var e in table.QueryAsync<TableEntity>(pending, select: ["PartitionKey"], cancellationToken: ct))
        {
            events.Add(e.PartitionKey);
        }

        foreach (var eventId in events)
        {
            var due = new List<(string RowKey, string RegistrationId)>();
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {eventId} and (ConfirmBy le {now} or DecideBy le {now})");
            await foreach (var r in table.QueryAsync<RegistrationEntity>(filter, cancellationToken: ct))
            {
                if (!Ledger.SeatRules.Expired(r, now)) continue;
                if (r.SeriesJoin is { } join && await series.AcceptedAsync(join, ct)) continue; // to be confirmed, not released
                due.Add((r.RowKey, r.RegistrationId));
            }

            var results = await Task.WhenAll(due.Select(d => ledger.ExpireAsync(eventId, d.RowKey, d.RegistrationId)));
            var taken = results.Count(r => r is CancelResult.Cancelled);
            expired += taken;
            if (due.Count > 0) log.LogInformation("Event {EventId}: {Expired} of {Due} unconfirmed sign-up(s) past their time taken off", eventId, taken, due.Count);
        }

        if (expired > 0) Hosting.Telemetry.HoldsExpired.Add(expired);
        return expired;
    }

    /// <summary>
    /// Finds a registration by its public id and checks the secret from the participant's link: a derived token
    /// (<see cref="Security.IdentifierKeys.ManageToken"/>) names its row, so one point read; a token of the kind stored
    /// on rows made before is looked up by the registration id in the event's partition, as then.
    /// </summary>
    public async Task<(EventRecord Event, RegistrationEntity Registration)?> FindForManageAsync(string eventId, string registrationId, string? token, CancellationToken ct)
    {
        if (!Ids.IsValidEventId(eventId) || !Ids.IsValidRegistrationId(registrationId) || string.IsNullOrEmpty(token) || token.Length > 200) return null;
        var table = await store.TableAsync(ct);
        RegistrationEntity? found = null;
        if (Security.IdentifierKeys.RowKeyOfManageToken(token) is { } rowKey)
        {
            var read = await table.GetEntityIfExistsAsync<RegistrationEntity>(eventId, rowKey, cancellationToken: ct);
            if (read.HasValue && read.Value!.RegistrationId == registrationId && read.Value.IsRegistration && ids.IsManageToken(read.Value, token)) found = read.Value;
        }
        else
        {
            await foreach (var r in table.QueryAsync<RegistrationEntity>(x => x.PartitionKey == eventId && x.RegistrationId == registrationId, cancellationToken: ct))
            {
                if (r.IsRegistration && !string.IsNullOrEmpty(r.ManageToken) && Ids.TokensEqual(r.ManageToken, token)) found = r;
                break;
            }
        }

        if (found is null) return null;
        var eventEntity = await store.FindEventAsync(eventId, ct);
        return eventEntity is null ? null : (eventEntity.ToRecord(), found);
    }

    /// <summary>
    /// Cancels a registration and deletes its row (the participant's data), through the ledger: a freed seat
    /// goes to the first person waiting, in the same transaction.
    /// </summary>
    public async Task<CancelOutcome> CancelAsync(string eventId, string registrationId, string? token, CancellationToken ct)
    {
        var found = await FindForManageAsync(eventId, registrationId, token, ct);
        if (found is null) return new CancelOutcome.NotFound();
        var result = await ledger.CancelAsync(eventId, found.Value.Registration.RowKey, registrationId);
        log.LogInformation("Cancel {RegistrationId} for event {EventId}: {Result}", registrationId, eventId, result.GetType().Name);
        return result switch
        {
            CancelResult.Cancelled c => new CancelOutcome.Cancelled(c.PromotedRegistrationIds),
            CancelResult.NotSaved => new CancelOutcome.NotSaved(),
            CancelResult.Unknown => new CancelOutcome.Unknown(),
            _ => new CancelOutcome.NotFound(),
        };
    }

    /// <summary>A waitlisted registration's place, counted now: 1 + the people waiting who came before.</summary>
    public static async Task<int?> WaitlistPositionAsync(TableClient table, RegistrationEntity r, CancellationToken ct)
    {
        if (r.Status != RegistrationStatus.Waitlisted) return null;
        // Only the people ahead are read (the rule counts those below the row's arrival number).
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {r.PartitionKey} and Status eq {RegistrationStatus.Waitlisted} and Sequence lt {r.Sequence}");
        var ahead = new List<long>();
        await foreach (var w in table.QueryAsync<TableEntity>(filter, select: [nameof(RegistrationEntity.Sequence)], cancellationToken: ct))
            ahead.Add(w.GetInt64(nameof(RegistrationEntity.Sequence)) ?? 0);
        return Ledger.SeatRules.WaitlistPosition(r.Sequence, ahead);
    }

    private async Task<SignUpOutcome> RepeatAsync(TableClient table, EventRecord ev, RegistrationEntity existing, string submissionHash, CancellationToken ct) =>
        existing.SubmissionHash == submissionHash
            ? new SignUpOutcome.Registered(ev, ToView(ev, existing, await WaitlistPositionAsync(table, existing, ct)), Repeated: true)
            : new SignUpOutcome.AlreadyRegistered(ev);

    private static async Task<RegistrationEntity?> FindByKeyAsync(TableClient table, string eventId, string key, CancellationToken ct)
    {
        var response = await table.GetEntityIfExistsAsync<RegistrationEntity>(eventId, key, cancellationToken: ct);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>A new registration row; the <see cref="EventLedger"/> sets its status, sequence and state version.</summary>
    internal static RegistrationEntity NewRow(string eventId, string key, ValidSignUp s, string hash, DateTimeOffset now) => new()
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
        // No stored secret: the manage link's token is derived (IdentifierKeys.ManageToken).
        EmailPending = true,
        EmailQueuedUtc = now,
    };

    public RegistrationView ToView(EventRecord e, RegistrationEntity r, int? waitlistPosition) => new(
        // Queued: on the waitlist, its place not counted yet (it comes with the email).
        r.RegistrationId, r.PartitionKey, r.Status == RegistrationStatus.Queued ? RegistrationStatus.Waitlisted : r.Status,
        r.Status == RegistrationStatus.Waitlisted ? waitlistPosition : null,
        Privacy.MaskEmail(r.Email))
    {
        TicketCode = r.Status == RegistrationStatus.Confirmed && e.HasDoor ? ids.TicketOf(r) : null,
        ConfirmBy = r.AwaitsConfirmation ? r.ConfirmBy : null,
    };

    internal static string Hash(ValidSignUp s)
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
