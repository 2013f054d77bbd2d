using System.Globalization;
using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Series;

public abstract record SeriesJoinOutcome
{
    /// <summary>A seat in every session. <paramref name="CheckEmail"/>: held until confirmed from the email (one confirmation confirms them all).</summary>
    public sealed record Joined(IReadOnlyList<(EventRecord Session, RegistrationEntity Row)> Seats, bool CheckEmail) : SeriesJoinOutcome;
    public sealed record Invalid(EventRecord Session, FieldErrors Errors) : SeriesJoinOutcome;
    /// <summary>One session could not give a seat (full, closed, already registered there, storage): every seat held was given back.</summary>
    public sealed record SessionUnavailable(EventRecord Session, SessionProblem Problem) : SeriesJoinOutcome;
    /// <summary>This person's whole-series sign-up is under way from another tap: nothing more was done.</summary>
    public sealed record InProgress : SeriesJoinOutcome;
    public sealed record AlreadyJoined(IReadOnlyList<EventRecord> Sessions) : SeriesJoinOutcome;
    public sealed record NoSessions : SeriesJoinOutcome;
}

public enum SessionProblem
{
    Full,
    Closed,
    AlreadyRegistered,
    NeedsApproval,
    NotSaved,
}

/// <summary>
/// Series: made by repeating a session (weekly, every other week, monthly, or on chosen dates), edited from one
/// session on, read with their sessions and the attendance across them, and signed up for whole (a seat in each
/// session or none) by a saga over the ledger's held seats (see <see cref="SeriesJoinEntity"/>): each seat is held
/// through the one held-until-a-deadline mechanism, released together if one cannot be had, confirmed together once
/// the sign-up is accepted; a crash between leaves the hold sweep to finish one way or the other.
/// </summary>
public sealed class SeriesService(EventStore store, EventService events, EventLedger ledger, Security.IdentifierKeys ids, TimeProvider clock, IOptions<EventFunctionsOptions> options, ILogger<SeriesService> log)
{
    public const int MaxSessions = 52;

    /// <summary>How long a whole-series sign-up on sessions that ask no email confirmation holds its seats (it commits in the same request).</summary>
    public static readonly TimeSpan QuickHold = TimeSpan.FromMinutes(2);

    /// <summary>The commit (Holding → Accepted) is refused this close to the deadline, so the hold sweep never releases a seat of an accepted sign-up.</summary>
    public static readonly TimeSpan CommitMargin = TimeSpan.FromSeconds(30);

    // ---- Making a series ----

    /// <summary>The local start times of the sessions after the first, or what is wrong with the plan.</summary>
    public static (IReadOnlyList<DateTime> Starts, FieldErrors Errors) Plan(EventRecord first, Repeat repeat, int count, IReadOnlyList<DateOnly> dates, DateTimeOffset now)
    {
        var errors = new FieldErrors();
        var firstLocal = first.ToLocal(first.StartUtc).DateTime;
        var starts = new List<DateTime>();
        if (repeat == Repeat.Dates)
        {
            var distinct = dates.Distinct().Order().ToList();
            if (distinct.Count == 0) errors.Add("dates", SeriesText.GiveDates);
            else if (distinct.Count + 1 > MaxSessions) errors.Add("dates", SeriesText.TooManySessions(MaxSessions));
            else if (distinct.Any(d => d <= DateOnly.FromDateTime(firstLocal))) errors.Add("dates", SeriesText.DatesAfterFirst);
            else starts.AddRange(distinct.Select(d => d.ToDateTime(TimeOnly.FromDateTime(firstLocal))));
        }
        else if (count < 2 || count > MaxSessions)
        {
            errors.Add("count", count > MaxSessions ? SeriesText.TooManySessions(MaxSessions) : SeriesText.AtLeastTwo);
        }
        else
        {
            for (var i = 1; i < count; i++)
            {
                starts.Add(repeat switch
                {
                    Repeat.Weekly => firstLocal.AddDays(7 * i),
                    Repeat.Fortnightly => firstLocal.AddDays(14 * i),
                    _ => firstLocal.AddMonths(i), // the same day of the month (the 31st becomes the month's last day)
                });
            }
        }
        if (first.SeriesId is not null) errors.Add("repeat", SeriesText.AlreadyInSeries);
        if (first.Cancelled) errors.Add("repeat", SeriesText.CancelledEvent);
        return (starts, errors);
    }

    public async Task<(SeriesEntity? Series, FieldErrors Errors)> CreateAsync(EventRecord first, string? title, string? description, Repeat repeat, int count, IReadOnlyList<DateOnly> dates, CancellationToken ct,
        string? englishTitle = null, string? englishDescription = null)
    {
        var now = clock.GetUtcNow();
        var (starts, errors) = Plan(first, repeat, count, dates, now);
        var cleanTitle = Input.Clean(title) ?? first.Title;
        if (cleanTitle.Length > 200) errors.Add("title", SeriesText.TitleTooLong(200));
        var cleanDescription = Input.Clean(description);
        if (cleanDescription is { Length: > 4000 }) errors.Add("description", SeriesText.TitleTooLong(4000));
        var cleanEnglishTitle = Input.Clean(englishTitle) ?? first.English?.Title;
        if (cleanEnglishTitle is { Length: > 200 }) errors.Add("english.title", SeriesText.TitleTooLong(200));
        var cleanEnglishDescription = Input.Clean(englishDescription);
        if (cleanEnglishDescription is { Length: > 4000 }) errors.Add("english.description", SeriesText.TitleTooLong(4000));
        if (errors.Any) return (null, errors);

        var sessionIds = new List<string> { first.Id };
        sessionIds.AddRange(starts.Select(_ => Ids.NewEventId()));
        var series = new SeriesEntity
        {
            RowKey = Ids.NewEventId(),
            Title = cleanTitle,
            Description = cleanDescription,
            EnglishTitle = cleanEnglishTitle,
            EnglishDescription = cleanEnglishDescription,
            Unit = first.Unit,
            SessionIdsJson = System.Text.Json.JsonSerializer.Serialize(sessionIds),
            PlannedStartsJson = System.Text.Json.JsonSerializer.Serialize(starts.Select(s => s.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture))),
            CreatedUtc = now,
        };
        // The plan first: a crash while the sessions are made leaves the series saying which are still to make ("finish").
        var table = await store.TableAsync(ct);
        await table.AddEntityAsync(series, ct);
        await FinishAsync(series, first, starts, ct);
        log.LogInformation("Series {SeriesId} made from event {EventId}: {Count} sessions", series.RowKey, first.Id, sessionIds.Count);
        return (series, errors);
    }

    /// <summary>
    /// Makes the sessions a crash left unmade (the series row is written first, with every planned session), from the
    /// first session as it is now. Returns how many sessions exist after.
    /// </summary>
    public async Task<int> FinishMissingAsync(SeriesEntity series, CancellationToken ct)
    {
        var first = await store.FindEventAsync(series.SessionIds[0], ct);
        if (first is null) return (await SessionsAsync(series, ct)).Count;
        await FinishAsync(series, first.ToRecord(), series.PlannedStarts, ct);
        return (await SessionsAsync(series, ct)).Count;
    }

    /// <summary>Makes the sessions of a series not made yet (creating is idempotent: a session there already stays).</summary>
    private async Task FinishAsync(SeriesEntity series, EventRecord first, IReadOnlyList<DateTime> starts, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var ids = series.SessionIds;
        if (first.SeriesId != series.RowKey) await events.SetSeriesAsync(first.Id, series.RowKey, ct);
        var firstLocal = first.ToLocal(first.StartUtc).DateTime;
        for (var i = 1; i < ids.Count && i - 1 < starts.Count; i++)
        {
            var shift = starts[i - 1] - firstLocal;
            DateTimeOffset Shift(DateTimeOffset utc) => Local(first, first.ToLocal(utc).DateTime + shift);
            var session = first with
            {
                Id = ids[i],
                StartUtc = Shift(first.StartUtc),
                EndUtc = Shift(first.EndUtc),
                // Sign-up opens for every session when it opens for the first (a resident signs up for the series at once).
                SignUpOpensUtc = first.SignUpOpensUtc,
                SignUpClosesUtc = Shift(first.SignUpClosesUtc),
                SiteVisit = first.SiteVisit is { } v ? v with { MeetingTimeUtc = Shift(v.MeetingTimeUtc) } : null,
                Invitation = first.Invitation is { } inv ? inv with { Released = false, ReleaseUtc = inv.ReleaseUtc is { } r ? Shift(r) : null } : null,
                UnitUsed = Invitation.NoneUsed,
                Confirmed = 0, Waitlisted = 0, Held = 0, Unconfirmed = 0, Pending = 0, Blocked = 0, Entries = 0,
                // A lottery: each session's own, drawn when the first's is (sign-up opens for all at once), none of its state copied.
                Lottery = first.Lottery is { } lottery ? new Admission.Lottery(lottery.DrawUtc) { NoShowsLast = lottery.NoShowsLast } : null,
                CreatedUtc = clock.GetUtcNow(),
                Cancelled = false,
                CalendarSequence = 0,
                NoticeVersion = 0,
                NoticeHistory = [],
                DoorLinksRevokedUtc = null,
                SeriesId = series.RowKey,
            };
            try
            {
                await table.AddEntityAsync(EventEntity.From(session), ct);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Made before (a finish run again): stays as it is.
            }
        }
    }

    private static DateTimeOffset Local(EventRecord e, DateTime local) =>
        new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), e.Zone.GetUtcOffset(local)).ToUniversalTime();

    // ---- Reading ----

    public async Task<SeriesEntity?> FindAsync(string seriesId, CancellationToken ct)
    {
        if (!Ids.IsValidEventId(seriesId)) return null;
        var table = await store.TableAsync(ct);
        var found = await table.GetEntityIfExistsAsync<SeriesEntity>(SeriesEntity.PartitionValue, seriesId, cancellationToken: ct);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>The sessions that exist, soonest first.</summary>
    public async Task<IReadOnlyList<EventRecord>> SessionsAsync(SeriesEntity series, CancellationToken ct)
    {
        var found = await Task.WhenAll(series.SessionIds.Select(id => store.FindEventAsync(id, ct)));
        return found.OfType<EventEntity>().Select(e => e.ToRecord()).OrderBy(e => e.StartUtc).ToList();
    }

    /// <summary>Who came to how many sessions: one line per person (by their mailbox's key, the same in every session).</summary>
    public async Task<IReadOnlyList<SeriesAttendee>> AttendanceAsync(IReadOnlyList<EventRecord> sessions, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var people = new Dictionary<string, SeriesAttendee>(StringComparer.Ordinal);
        for (var i = 0; i < sessions.Count; i++)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {sessions[i].Id} and RowKey ge {"reg-"} and RowKey lt {"reg."}");
            await foreach (var r in table.QueryAsync<RegistrationEntity>(filter, cancellationToken: ct))
            {
                if (r.Status != RegistrationStatus.Confirmed) continue;
                if (!people.TryGetValue(r.RowKey, out var person)) people[r.RowKey] = person = new SeriesAttendee(r.Name, Privacy.MaskEmail(r.Email), new bool?[sessions.Count]);
                person.Came[i] = r.CheckedInUtc is not null ? true : sessions[i].EndUtc <= clock.GetUtcNow() ? false : null;
            }
        }
        return people.Values.OrderByDescending(p => p.Attended).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    // ---- Editing from one session on ----

    /// <summary>
    /// Applies the same changes (form fields: title, description, venue, address, capacity; <c>startTime</c> and
    /// <c>endTime</c> as HH:mm, keeping each session's date) to a session and every one after it. Every session is
    /// checked first: one that would be invalid (fewer seats than it has given) stops the edit before anything is written.
    /// </summary>
    public async Task<(int Changed, FieldErrors? Errors, EventRecord? Refused)> EditFollowingAsync(SeriesEntity series, string fromEventId, IReadOnlyDictionary<string, string> changes, CancellationToken ct)
    {
        var sessions = await SessionsAsync(series, ct);
        var from = sessions.Select((s, i) => (s, i)).FirstOrDefault(x => x.s.Id == fromEventId);
        if (from.s is null) return (0, null, null);
        var now = clock.GetUtcNow();
        var inputs = new List<(EventRecord Session, EventInput Input)>();
        foreach (var session in sessions.Skip(from.i).Where(s => !s.Cancelled && s.StartUtc > now))
        {
            var values = Console.EventForm.FromRecord(session);
            foreach (var (field, value) in changes)
            {
                switch (field)
                {
                    case "startTime": values["start"] = values["start"][..11] + value; break;
                    case "endTime": values["end"] = values["end"][..11] + value; break;
                    default: values[field] = value; break;
                }
            }
            var input = Console.EventForm.ToInput(values, session.Unit);
            var (_, errors) = EventValidator.Validate(input, session.Id, now, session);
            if (errors.Any) return (0, errors, session);
            inputs.Add((session, input));
        }
        var changed = 0;
        foreach (var (session, input) in inputs)
        {
            if (await events.UpdateAsync(session.Id, input, ct) is EventOutcome.Ok { Unchanged: false }) changed++;
        }
        return (changed, null, null);
    }

    // ---- Signing up for the whole series ----

    /// <summary>
    /// A seat in every session still to come, or none: the seats are held one by one (in date order) until a
    /// deadline; if one cannot be had, those held are given back; then the sign-up is accepted and every seat
    /// confirmed — at once when the sessions ask no email confirmation, else when the person confirms from the email.
    /// </summary>
    public async Task<SeriesJoinOutcome> JoinAllAsync(SeriesEntity series, SignUpInput input, UiText text, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var sessions = (await SessionsAsync(series, ct)).Where(s => !s.Cancelled && s.StartUtc > now).ToList();
        if (sessions.Count == 0) return new SeriesJoinOutcome.NoSessions();
        var valid = new List<(EventRecord Session, ValidSignUp SignUp)>();
        foreach (var session in sessions)
        {
            // A seat held for the whole series is not the organiser's to give, nor the draw's.
            if (session.RequiresApproval || session.Invitation is not null || session.Lottery is { DrawnUtc: null }) return new SeriesJoinOutcome.SessionUnavailable(session, SessionProblem.NeedsApproval);
            if (session.WindowAt(now) != SignUpWindow.Open) return new SeriesJoinOutcome.SessionUnavailable(session, SessionProblem.Closed);
            var (signUp, errors) = SignUpValidator.Validate(session, input, text);
            if (signUp is null) return new SeriesJoinOutcome.Invalid(session, errors);
            valid.Add((session, signUp));
        }

        var checkEmail = sessions.Any(s => s.ConfirmEmail);
        var key = ids.RegistrationKey(Input.MailboxIdentity(valid[0].SignUp.Email));
        var join = await StartAsync(series.RowKey, key, now + (checkEmail ? options.Value.HoldTime : QuickHold), ct);
        if (join is null) return await AlreadyAsync(series, key, sessions, ct);

        var held = await HoldAllAsync(join, valid, checkEmail, ct);
        if (held.Problem is { } problem)
        {
            await ReleaseAsync(join, ct);
            return new SeriesJoinOutcome.SessionUnavailable(problem.Session, problem.Why);
        }
        if (!checkEmail) await AcceptAsync(join.RowKey, ct);
        return new SeriesJoinOutcome.Joined(held.Seats, checkEmail);
    }

    /// <summary>Writes the sign-up's record (Holding); null when this person has one under way or done.</summary>
    internal async Task<SeriesJoinEntity?> StartAsync(string seriesId, string registrationKey, DateTimeOffset holdUntil, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var join = new SeriesJoinEntity { RowKey = SeriesJoinEntity.KeyFor(seriesId, registrationKey), SeriesId = seriesId, HoldUntil = holdUntil, CreatedUtc = clock.GetUtcNow() };
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                var added = await table.AddEntityAsync(join, ct);
                join.ETag = added.Headers.ETag ?? ETag.All;
                return join;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                var existing = (await table.GetEntityIfExistsAsync<SeriesJoinEntity>(join.PartitionKey, join.RowKey, cancellationToken: ct)).Value;
                // A sign-up that did not go through (given back, or its hold over and unaccepted) makes way for this one.
                if (existing is { State: SeriesJoinStates.Released } || existing is { State: SeriesJoinStates.Holding } && existing.HoldUntil < clock.GetUtcNow())
                {
                    try { await table.DeleteEntityAsync(existing.PartitionKey, existing.RowKey, existing.ETag, ct); }
                    catch (RequestFailedException gone) when (gone.Status is 404 or 412) { }
                    continue;
                }
                if (existing is not null) return null;
            }
        }
        return null;
    }

    private async Task<SeriesJoinOutcome> AlreadyAsync(SeriesEntity series, string key, IReadOnlyList<EventRecord> sessions, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var existing = await table.GetEntityIfExistsAsync<SeriesJoinEntity>(SeriesJoinEntity.PartitionValue, SeriesJoinEntity.KeyFor(series.RowKey, key), cancellationToken: ct);
        return existing.HasValue && existing.Value!.State is SeriesJoinStates.Done or SeriesJoinStates.Accepted
            ? new SeriesJoinOutcome.AlreadyJoined(sessions)
            : new SeriesJoinOutcome.InProgress();
    }

    /// <summary>Holds a seat in each session in turn; stops at the first that cannot give one (the caller gives back the others).</summary>
    internal async Task<(List<(EventRecord Session, RegistrationEntity Row)> Seats, (EventRecord Session, SessionProblem Why)? Problem)> HoldAllAsync(
        SeriesJoinEntity join, IReadOnlyList<(EventRecord Session, ValidSignUp SignUp)> sessions, bool checkEmail, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var seats = new List<(EventRecord, RegistrationEntity)>();
        var record = new Dictionary<string, HeldSeat>(StringComparer.Ordinal);
        for (var i = 0; i < sessions.Count; i++)
        {
            var (session, signUp) = sessions[i];
            var row = RegistrationService.NewRow(session.Id, ids.RegistrationKey(Input.MailboxIdentity(signUp.Email)), signUp, RegistrationService.Hash(signUp), clock.GetUtcNow());
            row.SeriesJoin = join.RowKey;
            // One email while the seats are held: the first session's "please confirm" when the email is to be
            // confirmed (its confirmation confirms them all), none at all otherwise. The confirmation that ends the
            // hold owes each session its own email, with its ticket.
            if (!checkEmail || i > 0) row.EmailSentVersion = 1;
            // The seat's record first, so a crash after the hold still knows which row to give back or confirm.
            record[session.Id] = new HeldSeat(row.RowKey, row.RegistrationId);
            join.Seats = record;
            var saved = await table.UpdateEntityAsync(join, join.ETag, TableUpdateMode.Replace, ct);
            join.ETag = saved.Headers.ETag ?? ETag.All;

            var result = await ledger.HoldSeatAsync(session.Id, row, new SeatHold(join.HoldUntil));
            switch (result)
            {
                case SeatResult.Taken:
                    seats.Add((session, row));
                    break;
                case SeatResult.Duplicate:
                    record.Remove(session.Id); // their own registration there: not ours to give back
                    join.Seats = record;
                    return (seats, (session, SessionProblem.AlreadyRegistered));
                case SeatResult.WindowShut:
                    return (seats, (session, SessionProblem.Closed));
                case SeatResult.Full:
                    return (seats, (session, SessionProblem.Full));
                default:
                    return (seats, (session, SessionProblem.NotSaved));
            }
        }
        return (seats, null);
    }

    /// <summary>Gives back every seat the sign-up held (only those still held: one already confirmed stays confirmed).</summary>
    internal async Task ReleaseAsync(SeriesJoinEntity join, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        foreach (var (eventId, seat) in join.Seats)
            await ledger.ReleaseHoldAsync(eventId, seat.RowKey, seat.RegistrationId);
        join.State = SeriesJoinStates.Released;
        try { await table.UpdateEntityAsync(join, ETag.All, TableUpdateMode.Replace, ct); }
        catch (RequestFailedException ex) when (ex.Status == 404) { }
        log.LogInformation("Whole-series sign-up {Join} given back", join.RowKey);
    }

    /// <summary>
    /// Accepts the sign-up (its commit point, refused within <see cref="CommitMargin"/> of the deadline) and confirms
    /// every held seat. Returns false when it was too late or was given back.
    /// </summary>
    public async Task<bool> AcceptAsync(string joinKey, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<SeriesJoinEntity>(SeriesJoinEntity.PartitionValue, joinKey, cancellationToken: ct);
            if (!found.HasValue) return false;
            var join = found.Value!;
            if (join.State == SeriesJoinStates.Released) return false;
            if (join.State == SeriesJoinStates.Holding)
            {
                if (clock.GetUtcNow() > join.HoldUntil - CommitMargin) return false;
                join.State = SeriesJoinStates.Accepted;
                try
                {
                    var saved = await table.UpdateEntityAsync(join, join.ETag, TableUpdateMode.Replace, ct);
                    join.ETag = saved.Headers.ETag ?? ETag.All;
                }
                catch (RequestFailedException ex) when (ex.Status == 412)
                {
                    continue;
                }
            }
            await FinishAcceptedAsync(table, join, ct);
            return true;
        }
        return false;
    }

    /// <summary>Confirms an accepted sign-up's seats (again: confirming twice is fine) and marks it done once all are.</summary>
    private async Task FinishAcceptedAsync(TableClient table, SeriesJoinEntity join, CancellationToken ct)
    {
        if (join.State == SeriesJoinStates.Done) return;
        var results = await Task.WhenAll(join.Seats.Select(s => ledger.ConfirmAcceptedAsync(s.Key, s.Value.RowKey, s.Value.RegistrationId)));
        if (results.Any(r => r is ConfirmResult.NotSaved or ConfirmResult.Unknown)) return; // the hold sweep finishes it
        join.State = SeriesJoinStates.Done;
        try { await table.UpdateEntityAsync(join, join.ETag, TableUpdateMode.Replace, ct); }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404) { }
    }

    /// <summary>
    /// The hold sweep's part, run before it releases held seats: accepted sign-ups a crash left half-confirmed are
    /// finished; ones left holding past their deadline are marked given back (their seats go by the sweep's own rule).
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var now = clock.GetUtcNow();
        var finished = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {SeriesJoinEntity.PartitionValue} and (State eq {SeriesJoinStates.Accepted} or State eq {SeriesJoinStates.Holding})");
        await foreach (var join in table.QueryAsync<SeriesJoinEntity>(filter, cancellationToken: ct))
        {
            if (join.State == SeriesJoinStates.Accepted)
            {
                await FinishAcceptedAsync(table, join, ct);
                finished++;
            }
            else if (join.HoldUntil < now)
            {
                join.State = SeriesJoinStates.Released;
                try { await table.UpdateEntityAsync(join, join.ETag, TableUpdateMode.Replace, ct); }
                catch (RequestFailedException ex) when (ex.Status is 412 or 404) { }
            }
        }
        return finished;
    }

    /// <summary>Whether a held seat belongs to a whole-series sign-up that was accepted (so it is to be confirmed, never released).</summary>
    public async Task<bool> AcceptedAsync(string joinKey, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var found = await table.GetEntityIfExistsAsync<SeriesJoinEntity>(SeriesJoinEntity.PartitionValue, joinKey, cancellationToken: ct);
        return found.HasValue && found.Value!.State is SeriesJoinStates.Accepted or SeriesJoinStates.Done;
    }

    /// <summary>A person's registrations in the sessions of a series (the same mailbox key in each partition): for their manage page.</summary>
    public async Task<IReadOnlyList<(EventRecord Session, RegistrationEntity Row)>> RegistrationsOfAsync(SeriesEntity series, string registrationKey, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var sessions = await SessionsAsync(series, ct);
        var rows = await Task.WhenAll(sessions.Select(s => table.GetEntityIfExistsAsync<RegistrationEntity>(s.Id, registrationKey, cancellationToken: ct)));
        return sessions.Zip(rows).Where(x => x.Second.HasValue && x.Second.Value!.Status is RegistrationStatus.Confirmed or RegistrationStatus.Held or RegistrationStatus.Waitlisted)
            .Select(x => (x.First, x.Second.Value!)).ToList();
    }
}

/// <summary>One person across a series: <see cref="Came"/>[i] true (checked in), false (missed, the session over), null (to come).</summary>
public sealed record SeriesAttendee(string Name, string MaskedEmail, bool?[] Came)
{
    public int Attended => Came.Count(c => c == true);
}
