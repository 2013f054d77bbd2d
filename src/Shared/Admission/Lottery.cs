using System.Security.Cryptography;
using System.Text;

namespace EventFunctions.Shared.Admission;

/// <summary>
/// A lottery window on an event (fair admission): sign-ups from the opening until <see cref="DrawUtc"/> are entries,
/// not seats; at <see cref="DrawUtc"/> the draw runs once, whatever the number of instances (the ledger's draw, in
/// chunks); winners take the seats, everyone else joins the waitlist in drawn order (or, with no waitlist, is told
/// they were not drawn). After the draw the event goes on as first come until sign-up closes. Stored on the event
/// row as JSON; its state (<see cref="DrawStartedUtc"/>, <see cref="DrawnUtc"/>) is written only by the draw's commits.
/// </summary>
public sealed record Lottery(DateTimeOffset DrawUtc)
{
    /// <summary>People with no-shows on record (within the retention period) are drawn after everyone without (the organiser's choice).</summary>
    public bool NoShowsLast { get; init; }
    /// <summary>The first chunk of the draw landed: the entry list is frozen (<see cref="EntryListHash"/>), no sign-up until the draw ends.</summary>
    public DateTimeOffset? DrawStartedUtc { get; init; }
    /// <summary>SHA-256 of the published entry list (see <see cref="LotteryDraw.EntryList"/>).</summary>
    public string? EntryListHash { get; init; }
    /// <summary>Entries in the draw (confirmed by the draw time) and the seats there were for them.</summary>
    public int EntriesDrawn { get; init; }
    public int SeatsDrawn { get; init; }
    /// <summary>Waitlist places there were for the entries not drawn for a seat (0 without a waitlist).</summary>
    public int WaitlistDrawn { get; init; }
    /// <summary>The last chunk landed: every entry is a seat, a waitlist place, or told it was not drawn.</summary>
    public DateTimeOffset? DrawnUtc { get; init; }
    /// <summary>The seed, revealed with the result (hex); its SHA-256 is shown from the event's creation.</summary>
    public string? Seed { get; init; }

    /// <summary>Sign-ups taken now are entries: the window is open and the draw has not started.</summary>
    public bool TakesEntriesAt(DateTimeOffset now) => DrawStartedUtc is null && now < DrawUtc;

    /// <summary>Most entries one draw holds (its frozen list is one table row).</summary>
    public const int MaxEntries = 10_000;
}

/// <summary>One entry as the draw sees it: its public reference and its tier (0, or 1 for no-shows on record when the event draws those last).</summary>
public sealed record LotteryEntry(string RegistrationId, int Tier);

/// <summary>
/// The draw itself, pure and public so anyone can repeat it: order entries by (tier, HMAC-SHA256(seed, reference)),
/// ascending; the first as many as there are seats win, the rest wait in that order. The entry list is one line per
/// entry, <c>{reference} {tier}</c>, sorted by reference (ordinal), each ending in a newline (UTF-8); its SHA-256 is
/// published when the draw starts, the seed's SHA-256 from the event's creation, and the seed itself with the result.
/// </summary>
public static class LotteryDraw
{
    public static string EntryList(IEnumerable<LotteryEntry> entries)
    {
        var text = new StringBuilder();
        foreach (var e in entries.OrderBy(e => e.RegistrationId, StringComparer.Ordinal)) text.Append(e.RegistrationId).Append(' ').Append(e.Tier).Append('\n');
        return text.ToString();
    }

    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static string SeedHash(string seedHex) => Convert.ToHexStringLower(SHA256.HashData(Convert.FromHexString(seedHex)));

    /// <summary>An entry's draw key: HMAC-SHA256 keyed with the seed's bytes over the reference's UTF-8 bytes, hex.</summary>
    public static string Key(string seedHex, string registrationId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Convert.FromHexString(seedHex), Encoding.UTF8.GetBytes(registrationId)));

    /// <summary>The entries in drawn order.</summary>
    public static List<LotteryEntry> Order(string seedHex, IEnumerable<LotteryEntry> entries) =>
        entries.Select(e => (Entry: e, Key: Key(seedHex, e.RegistrationId)))
            .OrderBy(x => x.Entry.Tier).ThenBy(x => x.Key, StringComparer.Ordinal).ThenBy(x => x.Entry.RegistrationId, StringComparer.Ordinal)
            .Select(x => x.Entry).ToList();

    /// <summary>Parses a published entry list back (the verification page's and a test's way of repeating the draw).</summary>
    public static List<LotteryEntry> Parse(string list) =>
        list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).Select(p => new LotteryEntry(p[0], int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture))).ToList();
}
