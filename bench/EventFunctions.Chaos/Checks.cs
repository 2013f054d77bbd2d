using EventFunctions.Tests.Infrastructure;
using Azure.Data.Tables;

namespace EventFunctions.Chaos;

/// <param name="DuplicatesAtKill">
/// Second copies whose first copy instance B had handed to SendGrid (202) shortly before B was killed: B died between
/// SendGrid's answer and recording it, its claim ran out and the email went again. No sender can rule that out
/// without idempotency keys at the provider; the outbox bounds it to what was in flight at the kill (at most
/// <c>Email:MaxInFlight</c> per kill), and the run fails when one kill explains more than that.
/// </param>
/// <param name="MostAtOneKill">The most duplicates one kill explains (each is put on the first kill after its first copy).</param>
public sealed record Verdict(long Lost, long Phantom, long Oversold, long OrderViolations, long MissingEmails, long DuplicateEmails, IReadOnlyList<string> Notes, long DuplicatesAtKill = 0, long MostAtOneKill = 0);

/// <summary>The invariants, checked from outside: the table as stored against what clients were told and what the fake SendGrid accepted.</summary>
public static class Checks
{
    /// <param name="Blocks">instances' seat blocks not yet folded into the event row (RowKey <c>block-…</c>)</param>
    public sealed record Snapshot(TableEntity? Event, IReadOnlyList<TableEntity> Registrations, IReadOnlyList<TableEntity>? Blocks = null);

    public static async Task<Snapshot> ReadAsync(TableClient table, string eventId, CancellationToken ct)
    {
        // As of one moment: a block folded into the event row during the scan would be counted twice or not at all.
        for (var round = 0; ; round++)
        {
            var snapshot = await ScanAsync(table, eventId, ct);
            if (snapshot.Event is null || round >= 20) return snapshot;
            var again = await table.GetEntityIfExistsAsync<TableEntity>(eventId, "event", cancellationToken: ct);
            if (again.HasValue && again.Value!.ETag == snapshot.Event.ETag) return snapshot;
        }
    }

    private static async Task<Snapshot> ScanAsync(TableClient table, string eventId, CancellationToken ct)
    {
        TableEntity? ev = null;
        var regs = new List<TableEntity>();
        var blocks = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {eventId}"), cancellationToken: ct))
        {
            if (row.RowKey == "event") ev = row;
            else if (row.RowKey.StartsWith("block-", StringComparison.Ordinal)) blocks.Add(row);
            else if (row.ContainsKey("RegistrationId") && row.ContainsKey("Status")) regs.Add(row);
        }

        return new Snapshot(ev, regs, blocks);
    }

    public static string? Str(TableEntity e, string name) => e.TryGetValue(name, out var v) && v is not null ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) : null;

    public static long? Long(TableEntity e, string name)
    {
        if (!e.TryGetValue(name, out var v) || v is null) return null;
        return v switch
        {
            int i => i,
            long l => l,
            double d => (long)d,
            string s when long.TryParse(s, out var p) => p,
            _ => null,
        };
    }

    private static DateTimeOffset? Time(TableEntity e, string name) => e.TryGetValue(name, out var v) ? v switch
    {
        DateTimeOffset o => o,
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        _ => null,
    } : null;

    /// <summary>The email key the current state of a registration is owed: (id, StateVersion), or (id, Status) without that column.</summary>
    public static string OwedKey(TableEntity r)
    {
        var id = Str(r, "RegistrationId");
        var version = Long(r, "StateVersion");
        return version is not null ? $"{id}|v{version}" : $"{id}|s{Str(r, "Status")}";
    }

    /// <summary>Every key an accepted mail satisfies: its version if it carries one, and its status.</summary>
    public static HashSet<string> SentKeys(IEnumerable<SentMail> mails)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in mails)
        {
            if (m.RegistrationId is null) continue;
            if (m.Version is not null) keys.Add($"{m.RegistrationId}|v{NormaliseVersion(m.Version)}");
            if (m.Status is not null) keys.Add($"{m.RegistrationId}|s{m.Status}");
        }

        return keys;
    }

    private static string NormaliseVersion(string v) => long.TryParse(v, out var l) ? l.ToString() : v;

    public static long MissingEmails(Snapshot s, IEnumerable<SentMail> mails)
    {
        var sent = SentKeys(mails);
        return s.Registrations.Count(r => !sent.Contains(OwedKey(r)));
    }

    public const string InstanceBKey = "SG.chaos-b";

    /// <summary>How long after SendGrid's 202 a kill of the sender still explains a second copy (the record is one
    /// storage write, but it may wait out a paused Azurite).</summary>
    public static readonly TimeSpan KillWindow = TimeSpan.FromSeconds(15);

    /// <summary>How long a killed process may still get a request it had already sent to SendGrid accepted (the kill is timed when issued).</summary>
    public static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(1);

    /// <summary>Whether a duplicate's first copy was sent by B just before (or as) B was killed: the one a kill explains.</summary>
    public static bool ExplainedByKill(SentMail first, IEnumerable<DateTimeOffset> killsOfB) =>
        first.ApiKey == InstanceBKey && killsOfB.Any(k => k >= first.AcceptedUtc - KillGrace && k - first.AcceptedUtc <= KillWindow);

    public static Verdict Judge(Snapshot s, Ledger ledger, IReadOnlyCollection<SentMail> mails, IEnumerable<DateTimeOffset>? killsOfB = null)
    {
        var notes = new List<string>();
        var ids = s.Registrations.Select(r => Str(r, "RegistrationId")!).ToHashSet(StringComparer.Ordinal);
        var emails = s.Registrations.Select(r => Str(r, "Email") ?? "").ToHashSet(StringComparer.OrdinalIgnoreCase);

        // lost: acknowledged, not acknowledged-cancelled (nor cancelled with an unknown outcome), and gone.
        long lost = 0;
        foreach (var (id, _) in ledger.Acked)
        {
            var cancel = ledger.Cancels.TryGetValue(id, out var c) ? c : (CancelResult?)null;
            if (cancel is CancelResult.Removed or CancelResult.Unknown or CancelResult.NotRemoved) continue;
            if (!ids.Contains(id)) lost++;
        }

        // phantom: "not saved" sign-ups that were saved, "not removed" cancels that removed.
        long phantomSignUps = ledger.NotSaved.Count(emails.Contains);
        long phantomCancels = ledger.Cancels.Count(kv => kv.Value == CancelResult.NotRemoved && !ids.Contains(kv.Key));
        if (phantomSignUps + phantomCancels > 0) notes.Add($"phantom: {phantomSignUps} sign-ups answered 'not saved' were stored, {phantomCancels} cancels answered 'not removed' were removed");

        // oversold: seats over capacity, and the event row's counters against the rows.
        var confirmed = s.Registrations.Where(r => Str(r, "Status") == "Confirmed").ToList();
        var waitlisted = s.Registrations.Where(r => Str(r, "Status") == "Waitlisted").ToList();
        long oversold = 0;
        if (s.Event is null)
        {
            notes.Add("the event row is missing");
        }
        else
        {
            var capacity = Long(s.Event, "Capacity");
            // Seats a block gave are counted on the block row until it is folded into the event row; the event row
            // counts every block's seats as handed out.
            var blocks = s.Blocks ?? [];
            var confirmedCounter = Long(s.Event, "Confirmed") + blocks.Sum(b => Long(b, "Used") ?? 0);
            var blockedCounter = Long(s.Event, "Blocked") ?? 0;
            oversold += Math.Abs(blockedCounter - blocks.Sum(b => Long(b, "Seats") ?? 0));
            if (blocks.Count > 0) notes.Add($"{blocks.Count} seat block(s) not folded: {string.Join(", ", blocks.Select(b => $"{b.RowKey} {Long(b, "Used")}/{Long(b, "Seats")}"))}");
            var waitlistedCounter = Long(s.Event, "Waitlisted");
            if (capacity is { } cap) oversold += Math.Max(0, confirmed.Count - cap);
            if (confirmedCounter is { } cc) oversold += Math.Abs(cc - confirmed.Count);
            if (waitlistedCounter is { } wc) oversold += Math.Abs(wc - waitlisted.Count);
            if (capacity is { } c2 && c2 > confirmed.Count + blockedCounter - blocks.Sum(b => Long(b, "Used") ?? 0) && waitlisted.Count > 0)
                notes.Add($"{Math.Min(c2 - confirmed.Count, waitlisted.Count)} seats free while {waitlisted.Count} people wait (not a count in the last line)");
            notes.Add($"event row: Capacity={capacity?.ToString() ?? "absent"} Confirmed={confirmedCounter?.ToString() ?? "absent"} Waitlisted={waitlistedCounter?.ToString() ?? "absent"}; rows: {confirmed.Count} confirmed, {waitlisted.Count} waitlisted");
        }

        var viaInbox = s.Registrations.Count(r => Str(r, "InboxKey") is not null);
        notes.Add($"{viaInbox} of {s.Registrations.Count} registrations came through the waitlist inbox (answered at the insert, numbered after)");

        // order: nobody waitlisted may have arrived before the latest arrival holding a seat.
        long order = 0;
        var bySequence = s.Registrations.All(r => Long(r, "Sequence") is not null);
        if (bySequence)
        {
            var highest = confirmed.Count == 0 ? long.MinValue : confirmed.Max(r => Long(r, "Sequence")!.Value);
            order = waitlisted.Count(r => Long(r, "Sequence")!.Value < highest);
        }
        else
        {
            notes.Add("order judged by CreatedUtc (no Sequence column on every row)");
            var latest = confirmed.Select(r => Time(r, "CreatedUtc")).Where(t => t is not null).DefaultIfEmpty(null).Max();
            if (latest is not null) order = waitlisted.Count(r => Time(r, "CreatedUtc") is { } t && t < latest);
        }

        // emails: one accepted mail per registration state, none twice.
        var missing = MissingEmails(s, mails);
        if (missing > 0)
        {
            var sent = SentKeys(mails);
            var owed = s.Registrations.Where(r => !sent.Contains(OwedKey(r))).ToList();
            var refused = owed.Count(r => !string.IsNullOrEmpty(Str(r, "EmailError")));
            var pending = owed.Count(r => string.IsNullOrEmpty(Str(r, "EmailError")) && Str(r, "EmailPending") == "True");
            var sample = owed.FirstOrDefault(r => !string.IsNullOrEmpty(Str(r, "EmailError")));
            var claimed = owed.Count(r => Time(r, "EmailClaimUntil") is { } until && until > DateTimeOffset.UtcNow);
            notes.Add($"missing emails: {refused} rows carry EmailError (e.g. '{(sample is null ? "" : Str(sample, "EmailError"))}'), {pending} still EmailPending ({claimed} of them claimed by a sender until later), {owed.Count - refused - pending} other");
        }

        var kills = (killsOfB ?? []).Order().ToList();
        long duplicates = 0, atKill = 0;
        var perKill = new Dictionary<DateTimeOffset, long>();
        foreach (var g in mails.Where(m => m.RegistrationId is not null)
            .GroupBy(m => m.Version is not null ? $"{m.RegistrationId}|v{NormaliseVersion(m.Version)}" : $"{m.RegistrationId}|s{m.Status}")
            .Where(g => g.Count() > 1))
        {
            var first = g.OrderBy(m => m.AcceptedUtc).First();
            // Sent by B shortly before a kill of B (its record of the send never written), or while the kill was under
            // way: the kill is timed when it is issued, and a request already on the wire still reaches SendGrid a few
            // milliseconds later, from a process that will never record it.
            var explained = ExplainedByKill(first, kills);
            if (explained && g.Count() == 2)
            {
                atKill++;
                var kill = kills.First(k => k >= first.AcceptedUtc - KillGrace);
                perKill[kill] = perKill.GetValueOrDefault(kill) + 1;
            }
            else duplicates += g.Count() - 1;
            if (explained && atKill <= 3) notes.Add($"duplicate at kill: {g.Key}: " + string.Join(", ", g.OrderBy(m => m.AcceptedUtc).Select(m => $"{m.Status}@{m.AcceptedUtc:HH:mm:ss.fff} by {(m.ApiKey == InstanceBKey ? "B" : "A")}")) + "; kills " + string.Join(",", kills.Select(k => k.ToString("HH:mm:ss.fff"))));
            if (!explained) notes.Add($"duplicate email: {g.Key} sent {g.Count()} times, first by {(first.ApiKey == InstanceBKey ? "B" : "A")} at {first.AcceptedUtc:HH:mm:ss.fff}, no kill of B within {KillWindow.TotalSeconds} s after it; copies: " +
                string.Join(", ", g.OrderBy(m => m.AcceptedUtc).Select(m => $"{m.AcceptedUtc:HH:mm:ss.fff} by {(m.ApiKey == InstanceBKey ? "B" : "A")}")));
        }
        if (s.Registrations.Count > 0 && s.Registrations.All(r => Long(r, "StateVersion") is null)) notes.Add("emails matched by (registrationId, Status): no StateVersion column");
        if (mails.Any(m => m.Version is null)) notes.Add($"{mails.Count(m => m.Version is null)} of {mails.Count} accepted mails carry no version in custom_args");

        return new Verdict(lost, phantomSignUps + phantomCancels, oversold, order, missing, duplicates, notes, atKill, perKill.Values.DefaultIfEmpty(0).Max());
    }
}
