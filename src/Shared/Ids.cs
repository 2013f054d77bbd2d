using System.Security.Cryptography;
using System.Text;

namespace EventFunctions.Shared;

public static class Ids
{
    // No 0/o, 1/l/i: ids are read aloud and typed from posters.
    private const string Alphabet = "abcdefghjkmnpqrstuvwxyz23456789";

    public static string NewEventId() => RandomNumberGenerator.GetString(Alphabet, 10);

    public static string NewRegistrationId() => RandomNumberGenerator.GetString(Alphabet.ToUpperInvariant().Replace("L", ""), 8);

    /// <summary>Names one ledger commit (see EventLedger): random enough that two never meet in an event's recent list.</summary>
    public static string NewCommitId() => RandomNumberGenerator.GetString(Alphabet, 10);

    /// <summary>A member unit's id (in its links and rows; never shown as its name).</summary>
    public static string NewUnitId() => RandomNumberGenerator.GetString(Alphabet, 8);

    public static bool IsValidUnitId(string? id) => id is { Length: 8 } && id.All(c => Alphabet.Contains(c));

    public static bool IsValidEventId(string? id) => id is { Length: > 0 and <= 20 } && id.All(c => Alphabet.Contains(c));

    public static bool IsValidRegistrationId(string? id) => id is { Length: 8 } && id.All(char.IsAsciiLetterOrDigit);

    /// <summary>The row of a removal notice (see <c>EventLedger.CancelAsync</c>): beside the registrations, outside their <c>reg-</c> range.</summary>
    public static string RemovalNoticeKey(string registrationId) => "removed-" + registrationId;

    /// <summary>Whether a row key names a row that may be owed an email: a registration or a removal notice.</summary>
    public static bool IsEmailRowKey(string? key) => key is not null && (key.StartsWith("reg-", StringComparison.Ordinal) || key.StartsWith("removed-", StringComparison.Ordinal)
        || key.StartsWith(UnitMailPrefix, StringComparison.Ordinal));

    public const string UnitMailPrefix = "unitmail-";

    /// <summary>An email to an invited unit's contact: the reminder once per unit (its key is its guard), each invitation sent apart.</summary>
    public static string UnitMailKey(string unitId, bool reminder) =>
        UnitMailPrefix + unitId + (reminder ? "-reminder" : "-invitation-" + NewCommitId());

    public static bool TokensEqual(string? a, string? b) =>
        a is not null && b is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
