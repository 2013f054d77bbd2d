using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Text;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Shared.Volunteering;

/// <summary>
/// A volunteer's time at one shift: from check-in to check-out, or to the shift's end when nobody checked them out
/// (<see cref="ClosedAtEnd"/>: shown and exported as such), in hours to one decimal.
/// </summary>
public sealed record ServedTime(DateTimeOffset InUtc, DateTimeOffset? OutUtc, bool ClosedAtEnd, bool Corrected)
{
    public decimal Hours => OutUtc is { } o && o > InUtc ? Math.Round((decimal)(o - InUtc).TotalHours, 1, MidpointRounding.AwayFromZero) : 0m;

    /// <summary>Still serving: checked in, not out, the shift not over.</summary>
    public bool Open => OutUtc is null;
}

/// <summary>One line of the hours export: what a volunteer platform's import asks (name, masked phone, date, hours, activity), then the team and how the time was recorded.</summary>
public sealed record HoursLine(string VolunteerKey, string Name, string? MaskedPhone, DateOnly Date, decimal Hours, string Activity, string Team, string EventId, string EventTitle, bool ClosedAtEnd, bool Corrected);

/// <summary>A team's hours at shifts whose people's records the retention purge has deleted: the counts kept.</summary>
public sealed record KeptTotal(string Team, decimal Hours, int Volunteers, int Shifts);

public abstract record CheckOutOutcome
{
    public sealed record CheckedOut(RegistrationEntity Row, DateTimeOffset At) : CheckOutOutcome;
    public sealed record AlreadyCheckedOut(RegistrationEntity Row, DateTimeOffset At) : CheckOutOutcome;
    /// <summary>Check-out before check-in: nothing written.</summary>
    public sealed record NotCheckedIn(RegistrationEntity Row) : CheckOutOutcome;
    public sealed record NotFound : CheckOutOutcome;
    /// <summary>Not a volunteering shift: people are not checked out.</summary>
    public sealed record NotVolunteering : CheckOutOutcome;
    public sealed record NotSaved : CheckOutOutcome;
}

public abstract record CorrectOutcome
{
    public sealed record Corrected(RegistrationEntity Row) : CorrectOutcome;
    public sealed record Invalid(FieldErrors Errors) : CorrectOutcome;
    public sealed record NotFound : CorrectOutcome;
    public sealed record NotSaved : CorrectOutcome;
}

/// <summary>
/// Volunteer hours: check-out at the door, an organiser's correction (with its reason, in the change log), and the
/// hours of a period per team. The times live on the registration row (check-in is the ledger's; check-out and
/// corrections are merges of their own columns under the row's ETag, so a concurrent check-in undo or email record
/// is never overwritten: the loser reads again).
/// </summary>
public sealed class VolunteerHours(EventStore store, TimeProvider clock, ILogger<VolunteerHours> log)
{
    /// <summary>Longest shift an organiser may record for one person at one event.</summary>
    public static readonly TimeSpan LongestShift = TimeSpan.FromHours(16);

    public const int MaxReason = 200;

    /// <summary>The time a row stands for at this event, or null if never checked in.</summary>
    public static ServedTime? Served(EventRecord e, RegistrationEntity r, DateTimeOffset now)
    {
        if (r.CheckedInUtc is not { } checkedIn) return null;
        if (r.CheckedOutUtc is { } checkedOut) return new ServedTime(checkedIn, checkedOut, false, r.TimesCorrectedUtc is not null);
        // Forgotten at the door: closed at the shift's end (and marked so), never at an open end.
        return now >= e.EndUtc
            ? new ServedTime(checkedIn, checkedIn > e.EndUtc ? checkedIn : e.EndUtc, true, r.TimesCorrectedUtc is not null)
            : new ServedTime(checkedIn, null, false, r.TimesCorrectedUtc is not null);
    }

    public async Task<CheckOutOutcome> CheckOutAsync(EventRecord e, string rowKey, string actor, CancellationToken ct)
    {
        if (e.Kind != EventKind.Volunteering) return new CheckOutOutcome.NotVolunteering();
        var table = await store.TableAsync(ct);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var read = await table.GetEntityIfExistsAsync<RegistrationEntity>(e.Id, rowKey, cancellationToken: ct);
            if (!read.HasValue || read.Value is not { } row || !row.RowKey.StartsWith("reg-", StringComparison.Ordinal) && !row.RowKey.StartsWith("walkin-", StringComparison.Ordinal))
                return new CheckOutOutcome.NotFound();
            if (row.CheckedInUtc is null) return new CheckOutOutcome.NotCheckedIn(row);
            if (row.CheckedOutUtc is { } before) return new CheckOutOutcome.AlreadyCheckedOut(row, before);
            var now = clock.GetUtcNow();
            var at = now < row.CheckedInUtc.Value ? row.CheckedInUtc.Value : now;
            try
            {
                await table.UpdateEntityAsync(new TableEntity(e.Id, rowKey)
                {
                    [nameof(RegistrationEntity.CheckedOutUtc)] = at,
                    [nameof(RegistrationEntity.CheckedOutBy)] = actor,
                }, row.ETag, TableUpdateMode.Merge, ct);
                row.CheckedOutUtc = at;
                row.CheckedOutBy = actor;
                log.LogInformation("Check-out of {RegistrationId} at event {EventId}", row.RegistrationId, e.Id);
                return new CheckOutOutcome.CheckedOut(row, at);
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                // Changed meanwhile (an undo, an email's record): read again and decide again.
            }
        }

        return new CheckOutOutcome.NotSaved();
    }

    /// <summary>The organiser's correction of one volunteer's times; the caller records the reason in the change log.</summary>
    public async Task<CorrectOutcome> CorrectAsync(EventRecord e, string registrationId, DateTimeOffset? inUtc, DateTimeOffset? outUtc, string? reason, CancellationToken ct)
    {
        var errors = CorrectionErrors(e, inUtc, outUtc, reason);
        if (errors.Any) return new CorrectOutcome.Invalid(errors);
        var table = await store.TableAsync(ct);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var row = await FindAsync(table, e.Id, registrationId, ct);
            if (row is null) return new CorrectOutcome.NotFound();
            try
            {
                // The check-in's counter is the ledger's: a correction moves the time of a check-in that exists, never adds one.
                if (row.CheckedInUtc is null) return new CorrectOutcome.Invalid(Error("checkedIn", VolunteerText.NeverCheckedIn));
                var now = clock.GetUtcNow();
                await table.UpdateEntityAsync(new TableEntity(e.Id, row.RowKey)
                {
                    [nameof(RegistrationEntity.CheckedInUtc)] = inUtc!.Value,
                    [nameof(RegistrationEntity.CheckedOutUtc)] = outUtc!.Value,
                    [nameof(RegistrationEntity.TimesCorrectedUtc)] = now,
                }, row.ETag, TableUpdateMode.Merge, ct);
                row.CheckedInUtc = inUtc;
                row.CheckedOutUtc = outUtc;
                row.TimesCorrectedUtc = now;
                return new CorrectOutcome.Corrected(row);
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404)
            {
            }
        }

        return new CorrectOutcome.NotSaved();
    }

    public static FieldErrors CorrectionErrors(EventRecord e, DateTimeOffset? inUtc, DateTimeOffset? outUtc, string? reason)
    {
        var errors = new FieldErrors();
        if (inUtc is null) errors.Add("checkedIn", VolunteerText.EnterTime);
        if (outUtc is null) errors.Add("checkedOut", VolunteerText.EnterTime);
        if (inUtc is { } i && outUtc is { } o)
        {
            if (o <= i) errors.Add("checkedOut", VolunteerText.OutBeforeIn);
            else if (o - i > LongestShift) errors.Add("checkedOut", VolunteerText.TooLong((int)LongestShift.TotalHours));
            // On the shift's day: a typo of a month or a year is caught, a shift that ran late is not refused.
            if (i < e.StartUtc.AddHours(-12) || o > e.EndUtc.AddHours(12)) errors.Add("checkedIn", VolunteerText.NotOnTheDay);
        }
        var clean = Input.Clean(reason);
        if (clean is null) errors.Add("reason", VolunteerText.GiveReason);
        else if (clean.Length > MaxReason) errors.Add("reason", VolunteerText.ReasonTooLong(MaxReason));
        return errors;
    }

    private static FieldErrors Error(string field, Bilingual message)
    {
        var errors = new FieldErrors();
        errors.Add(field, message);
        return errors;
    }

    /// <summary>The people of one shift who were checked in (registrations and walk-ins), with their time.</summary>
    public async Task<IReadOnlyList<(RegistrationEntity Row, ServedTime Time)>> ShiftAsync(EventRecord e, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var now = clock.GetUtcNow();
        var list = new List<(RegistrationEntity, ServedTime)>();
        // The table cannot filter on a missing column ("ne null" matches nothing): the shift's rows are read and sorted here.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {e.Id} and ((RowKey ge {"reg-"} and RowKey lt {"reg."}) or (RowKey ge {"walkin-"} and RowKey lt {"walkin."}))");
        await foreach (var r in table.QueryAsync<RegistrationEntity>(filter, cancellationToken: ct))
            if (Served(e, r, now) is { } served) list.Add((r, served));
        return list.OrderBy(x => x.Item2.InUtc).ToList();
    }

    /// <summary>
    /// Every volunteer's hours at the volunteering shifts between two local dates (of events <paramref name="include"/>
    /// lets this organiser see), for one team or all. One line per person per shift, as platforms import them.
    /// </summary>
    public async Task<(IReadOnlyList<HoursLine> Lines, IReadOnlyList<KeptTotal> Kept)> PeriodAsync(DateOnly from, DateOnly to, string? team, Func<EventRecord, bool> include, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var now = clock.GetUtcNow();
        var lines = new List<HoursLine>();
        var kept = new List<(string Team, Attendance.AttendanceSummaryEntity Summary)>();
        var kind = nameof(EventKind.Volunteering);
        await foreach (var row in table.QueryAsync<EventEntity>(x => x.RowKey == EventEntity.RowKeyValue && x.Kind == kind, cancellationToken: ct))
        {
            var e = row.ToRecord();
            var date = DateOnly.FromDateTime(e.ToLocal(e.StartUtc).DateTime);
            if (date < from || date > to || !include(e) || e.Cancelled) continue;
            if (team is not null && !string.Equals(e.Volunteering?.Team, team, StringComparison.Ordinal)) continue;
            var shift = await ShiftAsync(e, ct);
            foreach (var (r, time) in shift)
            {
                if (time.Open) continue; // still serving: counted once the shift is over
                lines.Add(new HoursLine(r.RowKey, r.Name, Attendance.AttendanceService.MaskPhone(r.Phone), date, time.Hours,
                    e.Volunteering?.Activity ?? e.Title, e.Volunteering?.Team ?? "", e.Id, e.Title, time.ClosedAtEnd, time.Corrected));
            }
            // The people's records deleted after the retention period: the team's counts were kept.
            if (shift.Count == 0 && (await table.GetEntityIfExistsAsync<Attendance.AttendanceSummaryEntity>(e.Id, Attendance.AttendanceSummaryEntity.RowKeyValue, cancellationToken: ct)) is { HasValue: true } summary
                && summary.Value!.Volunteers > 0)
                kept.Add((e.Volunteering?.Team ?? "", summary.Value));
        }
        return (lines.OrderBy(l => l.Team, StringComparer.Ordinal).ThenBy(l => l.Date).ThenBy(l => l.Name, StringComparer.Ordinal).ToList(),
            kept.GroupBy(k => k.Team).Select(g => new KeptTotal(g.Key, (decimal)g.Sum(k => k.Summary.VolunteerHours), g.Sum(k => k.Summary.Volunteers), g.Count())).ToList());
    }

    private static async Task<RegistrationEntity?> FindAsync(TableClient table, string eventId, string registrationId, CancellationToken ct)
    {
        await foreach (var r in table.QueryAsync<RegistrationEntity>(x => x.PartitionKey == eventId && x.RegistrationId == registrationId, cancellationToken: ct))
            if (r.RowKey.StartsWith("reg-", StringComparison.Ordinal) || r.RowKey.StartsWith("walkin-", StringComparison.Ordinal)) return r;
        return null;
    }
}
