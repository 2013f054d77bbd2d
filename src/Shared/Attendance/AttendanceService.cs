using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Shared.Attendance;

/// <summary>
/// The anonymous counts an event's attendance is kept as once its registrations are deleted (see
/// <see cref="RetentionService"/>): RowKey <see cref="RowKeyValue"/> in the event's partition, no names.
/// </summary>
public sealed class AttendanceSummaryEntity : ITableEntity
{
    public const string RowKeyValue = "attendance";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = RowKeyValue;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public int Registered { get; set; }
    public int Waitlisted { get; set; }
    public int Attended { get; set; }
    public int NoShows { get; set; }
    public int WalkIns { get; set; }
    /// <summary><see cref="UnitAttendance"/> lines as JSON.</summary>
    public string ByUnitJson { get; set; } = "[]";
    public DateTimeOffset TakenUtc { get; set; }
    /// <summary>A volunteering shift's hours in total and how many served (counts only: the people's records are gone).</summary>
    public double VolunteerHours { get; set; }
    public int Volunteers { get; set; }
    /// <summary>How many gave each feedback rating, 1 to 5, as a JSON array (the comments are deleted).</summary>
    public string? RatingsJson { get; set; }
}

/// <summary>
/// The door and attendance: check-in, undo, walk-ins and search (for the door page and the organisers' console),
/// and attendance reports. Every write goes through the <see cref="EventLedger"/>; the actor (<c>door:&lt;link&gt;</c>
/// or <c>organiser:&lt;email&gt;</c>) is recorded on the row.
/// </summary>
public sealed class AttendanceService(EventStore store, EventLedger ledger, Security.IdentifierKeys ids, TimeProvider clock, ILogger<AttendanceService> log)
{
    /// <summary>What a report calls a blank unit.</summary>
    public const string UnitNotGiven = "未填写 / Not given";

    /// <summary>Checks in by ticket code (as typed or from the QR) or by row key (a search result's <see cref="Attendee.Key"/>).</summary>
    public async Task<CheckInOutcome> CheckInAsync(string eventId, string codeOrKey, string actor, CancellationToken ct)
    {
        var key = await KeyAsync(eventId, codeOrKey, ct);
        if (key is null) return new CheckInOutcome.Refused(CheckInRefusal.NotFound, null);
        var result = await ledger.CheckInAsync(eventId, key, actor);
        log.LogInformation("Check-in of {RegistrationId} at event {EventId} by {Actor}: {Result}", IdOf(result), eventId, ActorForLog(actor), result.GetType().Name);
        return Map(result);
    }

    /// <summary>Takes a check-in back (a walk-in is removed).</summary>
    public async Task<CheckInOutcome> UndoAsync(string eventId, string codeOrKey, string actor, CancellationToken ct)
    {
        var key = await KeyAsync(eventId, codeOrKey, ct);
        if (key is null) return new CheckInOutcome.Refused(CheckInRefusal.NotFound, null);
        var result = await ledger.UndoCheckInAsync(eventId, key, actor);
        log.LogInformation("Undo check-in of {RegistrationId} at event {EventId} by {Actor}: {Result}", IdOf(result), eventId, ActorForLog(actor), result.GetType().Name);
        return Map(result);
    }

    /// <summary>
    /// Adds someone who came without registering, as attended. <paramref name="walkInId"/> (from the form that sent
    /// it) makes a repeat of the same form add them once; null for a new id.
    /// </summary>
    public async Task<CheckInOutcome> AddWalkInAsync(string eventId, string? name, string? unit, string actor, string? walkInId, Text.UiText text, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var cleanName = Input.Clean(name);
        var cleanUnit = Input.Clean(unit);
        if (cleanName is null) errors.Add("name", DoorText.For(text).WalkInNameRequired);
        else if (Input.HasControlCharacters(cleanName)) errors.Add("name", text.ControlCharacters);
        else if (Input.Length(cleanName) > SignUpValidator.MaxName) errors.Add("name", string.Format(text.TooLongFormat, SignUpValidator.MaxName));
        if (cleanUnit is not null && Input.HasControlCharacters(cleanUnit)) errors.Add("unit", text.ControlCharacters);
        else if (cleanUnit is not null && Input.Length(cleanUnit) > SignUpValidator.MaxOrganisation) errors.Add("unit", string.Format(text.TooLongFormat, SignUpValidator.MaxOrganisation));
        if (errors.Any) return new CheckInOutcome.Invalid(errors);
        if (await store.FindEventAsync(eventId, ct) is null) return new CheckInOutcome.Refused(CheckInRefusal.EventGone, null);

        var id = walkInId is not null && Ids.IsValidRegistrationId(walkInId) ? walkInId : Ids.NewRegistrationId();
        var now = clock.GetUtcNow();
        var row = new RegistrationEntity
        {
            PartitionKey = eventId,
            RowKey = WalkInKey(id),
            RegistrationId = id,
            Status = RegistrationStatus.WalkIn,
            Name = cleanName!,
            Organisation = cleanUnit,
            CreatedUtc = now,
            CheckedInUtc = now,
            CheckedInBy = actor,
        };
        var result = await ledger.WalkInAsync(eventId, row);
        log.LogInformation("Walk-in {RegistrationId} at event {EventId} by {Actor}: {Result}", id, eventId, ActorForLog(actor), result.GetType().Name);
        if (result is AttendanceResult.AlreadyCheckedIn)
        {
            // The same form sent again: answer with the walk-in as it was stored, not as this form (perhaps edited) says.
            var table = await store.TableAsync(ct);
            var stored = await table.GetEntityIfExistsAsync<RegistrationEntity>(eventId, row.RowKey, cancellationToken: ct);
            if (stored.HasValue) result = new AttendanceResult.AlreadyCheckedIn(stored.Value, stored.Value!.CheckedInUtc ?? now);
        }

        return Map(result);
    }

    public static string WalkInKey(string id) => "walkin-" + id;

    /// <summary>The shortest part of a name a search looks for.</summary>
    public const int MinNameQuery = 2;

    /// <summary>
    /// Finds people by part of the name (any case, at least <see cref="MinNameQuery"/> characters: one character,
    /// a surname, would list half the room to anyone holding a door link), the last four digits of the phone, or a
    /// ticket code; at most <paramref name="limit"/>, checked-in last.
    /// </summary>
    public async Task<IReadOnlyList<Attendee>> SearchAsync(string eventId, string? query, CancellationToken ct, int limit = 20)
    {
        var q = Input.Clean(query);
        if (q is null || !Ids.IsValidEventId(eventId)) return [];
        var code = Tickets.Normalise(q);
        var lastFour = q.Length == 4 && q.All(char.IsAsciiDigit) ? q : null;
        var byName = q.Length >= MinNameQuery;
        var matches = new List<RegistrationEntity>();
        await foreach (var r in RowsAsync(eventId, ct))
        {
            if ((code is not null && ids.TicketOf(r) == code)
                || (lastFour is not null && Digits(r.Phone) is { Length: >= 4 } d && d.EndsWith(lastFour, StringComparison.Ordinal))
                || (byName && r.Name.Contains(q, StringComparison.OrdinalIgnoreCase)))
            {
                matches.Add(r);
            }
        }

        return matches.OrderBy(r => r.CheckedInUtc is not null).ThenBy(r => r.Name, StringComparer.Ordinal).Take(limit).Select(ToAttendee).ToList();
    }

    /// <summary>One person by ticket code, or null.</summary>
    public async Task<Attendee?> FindByCodeAsync(string eventId, string code, CancellationToken ct)
    {
        var row = await FindRowByCodeAsync(eventId, code, ct);
        return row is null ? null : ToAttendee(row);
    }

    /// <summary>The latest check-ins (walk-ins included), newest first.</summary>
    public async Task<IReadOnlyList<Attendee>> RecentAsync(string eventId, int count, CancellationToken ct)
    {
        var rows = new List<RegistrationEntity>();
        await foreach (var r in RowsAsync(eventId, ct))
        {
            if (r.CheckedInUtc is not null) rows.Add(r);
        }

        return rows.OrderByDescending(r => r.CheckedInUtc).Take(count).Select(ToAttendee).ToList();
    }

    /// <summary>The door's counts from the event row (kept by the ledger), or null for an unknown event.</summary>
    public async Task<DoorCounts?> CountsAsync(string eventId, CancellationToken ct) =>
        await store.FindEventAsync(eventId, ct) is { } e ? new DoorCounts(e.Confirmed, e.CheckedIn, e.WalkIns) : null;

    /// <summary>An event's attendance, from its rows, or from its summary once the registrations were deleted.</summary>
    public async Task<EventAttendance?> ReportAsync(string eventId, CancellationToken ct)
    {
        var entity = await store.FindEventAsync(eventId, ct);
        return entity is null ? null : await ReportAsync(entity, ct);
    }

    /// <summary>
    /// For each unit, the events (local date from <paramref name="from"/> to <paramref name="to"/>, both included,
    /// that <paramref name="include"/> lets through) it took part in — at least one of its people attended — and how
    /// many attendances it had. Units with the most attendances first.
    /// </summary>
    public async Task<IReadOnlyList<UnitParticipation>> UnitReportAsync(DateOnly from, DateOnly to, Func<EventRecord, bool> include, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var units = new Dictionary<string, List<UnitEvent>>(StringComparer.Ordinal);
        await foreach (var e in table.QueryAsync<EventEntity>(x => x.RowKey == EventEntity.RowKeyValue, cancellationToken: ct))
        {
            var record = e.ToRecord();
            var date = DateOnly.FromDateTime(record.ToLocal(record.StartUtc).DateTime);
            if (date < from || date > to || !include(record)) continue;
            var report = await ReportAsync(e, ct);
            foreach (var u in report.ByUnit.Where(u => u.Attended > 0 || u.Seats is not null || u.NoShows > 0))
            {
                if (!units.TryGetValue(u.Unit, out var list)) units[u.Unit] = list = [];
                list.Add(new UnitEvent(e.PartitionKey, e.Title, date, u.Attended) { Invited = u.Seats is not null, Ended = report.Ended, NoShows = u.NoShows });
            }
        }

        return units.Select(kv =>
            {
                var events = kv.Value.OrderBy(x => x.LocalDate).ThenBy(x => x.Title, StringComparer.Ordinal).ToList();
                return new UnitParticipation(kv.Key, events.Where(x => x.Attended > 0).ToList(), events.Sum(x => x.Attended))
                {
                    Invited = events.Count(x => x.Invited),
                    Missed = events.Where(x => x.Invited && x.Ended && x.Attended == 0).ToList(),
                    NoShows = events.Sum(x => x.NoShows),
                };
            })
            .OrderByDescending(u => u.Attended).ThenBy(u => u.Unit, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Writes the event's attendance as anonymous counts (RowKey <see cref="AttendanceSummaryEntity.RowKeyValue"/>)
    /// unless one is there already: the retention purge calls this before deleting registrations, so a purge killed
    /// halfway and run again keeps the counts taken from the full set of rows.
    /// </summary>
    public async Task<bool> WriteSummaryIfMissingAsync(EventEntity e, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var existing = await table.GetEntityIfExistsAsync<AttendanceSummaryEntity>(e.PartitionKey, AttendanceSummaryEntity.RowKeyValue, cancellationToken: ct);
        if (existing.HasValue) return false;
        var rows = await ListAsync(e.PartitionKey, ct);
        var report = Compute(e, rows);
        var record = e.ToRecord();
        var served = rows.Select(r => Volunteering.VolunteerHours.Served(record, r, clock.GetUtcNow())).OfType<Volunteering.ServedTime>().ToList();
        var ratings = new int[5];
        var feedback = TableClient.CreateQueryFilter($"PartitionKey eq {e.PartitionKey} and RowKey ge {Feedback.FeedbackEntity.Prefix} and RowKey lt {"fb."}");
        await foreach (var f in table.QueryAsync<Feedback.FeedbackEntity>(feedback, cancellationToken: ct))
            if (f.Rating is >= 1 and <= 5) ratings[f.Rating - 1]++;
        try
        {
            await table.AddEntityAsync(new AttendanceSummaryEntity
            {
                PartitionKey = e.PartitionKey,
                Registered = report.Registered,
                Waitlisted = report.Waitlisted,
                Attended = report.Attended,
                NoShows = report.NoShows,
                WalkIns = report.WalkIns,
                ByUnitJson = JsonSerializer.Serialize(report.ByUnit, Json.Options),
                TakenUtc = clock.GetUtcNow(),
                VolunteerHours = (double)served.Sum(t => t.Hours),
                Volunteers = served.Count,
                RatingsJson = JsonSerializer.Serialize(ratings),
            }, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false; // another purge wrote it first
        }
    }

    /// <summary>Every registration and walk-in row of the event (not the event row or its summary).</summary>
    public async IAsyncEnumerable<RegistrationEntity> RowsAsync(string eventId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {eventId} and ((RowKey ge {"reg-"} and RowKey lt {"reg."}) or (RowKey ge {"walkin-"} and RowKey lt {"walkin."}))");
        await foreach (var r in table.QueryAsync<RegistrationEntity>(filter, cancellationToken: ct)) yield return r;
    }

    internal async Task<List<RegistrationEntity>> ListAsync(string eventId, CancellationToken ct)
    {
        var rows = new List<RegistrationEntity>();
        await foreach (var r in RowsAsync(eventId, ct)) rows.Add(r);
        return rows;
    }

    private async Task<EventAttendance> ReportAsync(EventEntity e, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var summary = await table.GetEntityIfExistsAsync<AttendanceSummaryEntity>(e.PartitionKey, AttendanceSummaryEntity.RowKeyValue, cancellationToken: ct);
        if (summary.HasValue)
        {
            var s = summary.Value!;
            var record = e.ToRecord();
            return new EventAttendance(e.PartitionKey, e.Title, DateOnly.FromDateTime(record.ToLocal(e.StartUtc).DateTime), true,
                s.Registered, s.Waitlisted, e.Withdrawn, s.Attended, s.NoShows, s.WalkIns,
                JsonSerializer.Deserialize<List<UnitAttendance>>(s.ByUnitJson, Json.Options) ?? [], FromSummary: true);
        }

        return Compute(e, await ListAsync(e.PartitionKey, ct));
    }

    private EventAttendance Compute(EventEntity e, IReadOnlyList<RegistrationEntity> rows)
    {
        var record = e.ToRecord();
        var ended = clock.GetUtcNow() >= e.EndUtc;
        // An invitation event lists every invited unit, those of which nobody signed up or came included (its people's
        // unit is the invitation's, so their rows group under its name); each with the seats it was invited with.
        var invited = record.Invitation?.Units.ToDictionary(u => u.Name, u => u.Seats, StringComparer.Ordinal) ?? [];
        var byUnit = rows.GroupBy(r => UnitOf(r.Organisation), StringComparer.Ordinal)
            .Select(g => Line(g.Key, g.ToList(), ended))
            .Concat(invited.Keys.Where(name => !rows.Any(r => UnitOf(r.Organisation) == name)).Select(name => Line(name, [], ended)))
            .Select(u => invited.TryGetValue(u.Unit, out var seats) ? u with { Seats = seats } : u)
            .OrderByDescending(u => u.Attended).ThenBy(u => u.Unit, StringComparer.Ordinal).ToList();
        var all = Line("", rows, ended);
        return new EventAttendance(e.PartitionKey, e.Title, DateOnly.FromDateTime(record.ToLocal(e.StartUtc).DateTime), ended,
            all.Registered, all.Waitlisted, e.Withdrawn, all.Attended, all.NoShows, all.WalkIns, byUnit, FromSummary: false);
    }

    private static UnitAttendance Line(string unit, IReadOnlyList<RegistrationEntity> rows, bool ended)
    {
        var confirmed = rows.Count(r => r.Status == RegistrationStatus.Confirmed);
        var noShows = rows.Count(NoShow);
        var walkIns = rows.Count(r => r.Status == RegistrationStatus.WalkIn);
        return new UnitAttendance(unit, confirmed, rows.Count(r => r.Status == RegistrationStatus.Waitlisted),
            confirmed - noShows + walkIns, ended ? noShows : 0, walkIns);
    }

    /// <summary>
    /// A no-show, once the event has ended: had a seat and was never checked in (the event page's list, the unit
    /// report's counts and the no-show history all count by this).
    /// </summary>
    public static bool NoShow(RegistrationEntity r) => r.Status == RegistrationStatus.Confirmed && r.CheckedInUtc is null;

    /// <summary>A unit as reports group it: trimmed; blank is <see cref="UnitNotGiven"/>.</summary>
    public static string UnitOf(string? organisation) => Input.Clean(organisation) ?? UnitNotGiven;

    private async Task<string?> KeyAsync(string eventId, string codeOrKey, CancellationToken ct)
    {
        if (!Ids.IsValidEventId(eventId)) return null;
        if (codeOrKey.StartsWith("reg-", StringComparison.Ordinal) || codeOrKey.StartsWith("walkin-", StringComparison.Ordinal))
        {
            return codeOrKey.Length <= 64 && codeOrKey.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') ? codeOrKey : null;
        }

        return (await FindRowByCodeAsync(eventId, codeOrKey, ct))?.RowKey;
    }

    private async Task<RegistrationEntity?> FindRowByCodeAsync(string eventId, string code, CancellationToken ct)
    {
        if (!Ids.IsValidEventId(eventId) || ids.TicketSequence(eventId, code) is not { } sequence) return null;
        var table = await store.TableAsync(ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {eventId} and Sequence eq {sequence}");
        await foreach (var r in table.QueryAsync<RegistrationEntity>(filter, cancellationToken: ct))
        {
            if (r.RowKey.StartsWith("reg-", StringComparison.Ordinal)) return r;
        }

        return null;
    }

    private CheckInOutcome Map(AttendanceResult result) => result switch
    {
        AttendanceResult.CheckedIn c => new CheckInOutcome.CheckedIn(ToAttendee(c.Row), c.At),
        AttendanceResult.AlreadyCheckedIn a => new CheckInOutcome.AlreadyCheckedIn(a.Row is null ? null : ToAttendee(a.Row), a.At),
        AttendanceResult.Undone u => new CheckInOutcome.Undone(ToAttendee(u.Row)),
        AttendanceResult.NotCheckedIn n => new CheckInOutcome.NotCheckedIn(ToAttendee(n.Row)),
        AttendanceResult.Refused r => new CheckInOutcome.Refused(r.Reason, r.Row is null ? null : ToAttendee(r.Row)),
        AttendanceResult.Unknown => new CheckInOutcome.Unknown(),
        _ => new CheckInOutcome.NotSaved(),
    };

    public Attendee ToAttendee(RegistrationEntity r) => new(
        r.RowKey, r.RegistrationId, r.Name, MaskPhone(r.Phone), UnitOf(r.Organisation), r.Status,
        r.Status == RegistrationStatus.Confirmed ? ids.TicketOf(r) : null, r.CheckedInUtc, r.CheckedInBy) { CheckedOutUtc = r.CheckedOutUtc };

    /// <summary>
    /// Enough for door staff to tell two people of one name apart: a mainland number as 138****5678, any other in its
    /// region's own international format with every digit but the country code and the last four hidden
    /// (+852 **** 4567, +1 ***-***-0000).
    /// </summary>
    public static string? MaskPhone(string? phone)
    {
        var digits = Digits(phone);
        if (digits is null || digits.Length < 4) return null;
        try
        {
            var number = Phones.Parse(phone, "CN");
            if (number.CountryCode != 86)
            {
                var formatted = Phones.Format(number, PhoneNumbers.PhoneNumberFormat.INTERNATIONAL);
                var prefix = "+" + number.CountryCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (formatted.StartsWith(prefix, StringComparison.Ordinal)) return prefix + MaskAllButLast(formatted[prefix.Length..], 4);
            }
            else
            {
                digits = Phones.GetNationalSignificantNumber(number);
            }
        }
        catch (PhoneNumbers.NumberParseException)
        {
            // not a number libphonenumber reads: masked by its digits alone, below
        }

        if (digits.Length == 13 && digits.StartsWith("86", StringComparison.Ordinal)) digits = digits[2..]; // +86 mobile
        return digits.Length <= 7 ? "***" + digits[^4..] : digits[..3] + "****" + digits[^4..];
    }

    private static readonly PhoneNumbers.PhoneNumberUtil Phones = PhoneNumbers.PhoneNumberUtil.GetInstance();

    /// <summary>Every digit but the last <paramref name="keep"/> as '*', separators kept.</summary>
    private static string MaskAllButLast(string text, int keep)
    {
        var chars = text.ToCharArray();
        var seen = 0;
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            if (!char.IsAsciiDigit(chars[i])) continue;
            if (++seen > keep) chars[i] = '*';
        }

        return new string(chars);
    }

    private static string? Digits(string? phone) => phone is null ? null : new string(phone.Where(char.IsAsciiDigit).ToArray());

    // Logs carry registration ids, never names, phones or emails.
    private static string IdOf(AttendanceResult result) => result switch
    {
        AttendanceResult.CheckedIn c => c.Row.RegistrationId,
        AttendanceResult.AlreadyCheckedIn { Row: { } r } => r.RegistrationId,
        AttendanceResult.Undone u => u.Row.RegistrationId,
        AttendanceResult.NotCheckedIn n => n.Row.RegistrationId,
        AttendanceResult.Refused { Row: { } r } => r.RegistrationId,
        _ => "-",
    };

    private static string ActorForLog(string actor) => actor.StartsWith("organiser:", StringComparison.Ordinal) ? "organiser" : actor;
}
