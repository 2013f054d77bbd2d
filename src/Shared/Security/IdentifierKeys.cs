using System.Security.Cryptography;
using System.Text;
using EventFunctions.Shared.Attendance;
using EventFunctions.Shared.Hosting;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Security;

/// <summary>
/// Stored identifiers derived from <see cref="EventFunctionsOptions.IdentifierKey"/> (HMAC-SHA256), so none can be
/// computed from public data: a registration's row key from its normalised email (the row is its own duplicate guard,
/// and nobody can work out which row belongs to an address), and each event's ticket-code permutation (nobody can
/// compute another person's code from the event's id). The key never rotates: a new one would change every stored key
/// and code. In Development without one, a fixed development key is used (the start-up checks refuse that elsewhere).
/// </summary>
public sealed class IdentifierKeys
{
    private const string DevelopmentKey = "development-identifier-key-not-a-secret";
    private readonly byte[] _secret;

    public IdentifierKeys(IOptions<EventFunctionsOptions> options, AppEnvironment environment)
    {
        var key = options.Value.IdentifierKey;
        if (string.IsNullOrWhiteSpace(key))
        {
            if (!environment.IsDevelopment) throw new InvalidOperationException("Set EventFunctions__IdentifierKey (see the start-up checks).");
            key = DevelopmentKey;
        }

        _secret = Encoding.UTF8.GetBytes(key);
    }

    /// <summary>A mailbox as the per-recipient email cap stores it: keyed, so the table names nobody.</summary>
    public string MailboxKey(string mailbox) => "mbx-" + Convert.ToHexStringLower(Mac("mailbox\n" + mailbox))[..40];

    /// <summary>The registration's RowKey: the same email always lands on the same row (an insert of a second sign-up fails with 409).</summary>
    public string RegistrationKey(string normalisedEmail) =>
        "reg-" + Convert.ToHexStringLower(Mac("registration\n" + normalisedEmail))[..40];

    public string TicketCode(string eventId, long sequence) => Tickets.Code(TicketKey(eventId), sequence);

    public long? TicketSequence(string eventId, string? code) => Tickets.Sequence(TicketKey(eventId), code);

    /// <summary>The row's ticket code: stored by the ledger, or computed from its sequence for rows stored before tickets.</summary>
    public string? TicketOf(RegistrationEntity r) =>
        r.Status == RegistrationStatus.WalkIn ? null
        : !string.IsNullOrEmpty(r.TicketCode) ? r.TicketCode
        : r.Sequence > 0 ? TicketCode(r.PartitionKey, r.Sequence)
        : null;

    /// <summary>A mailbox as the no-show history keeps it (see Admission/NoShowHistory): keyed, so the table names nobody.</summary>
    public string NoShowKey(string mailbox) => "noshow-" + Convert.ToHexStringLower(Mac("no-show\n" + mailbox))[..40];

    /// <summary>
    /// An event's lottery seed (hex): fixed from its creation (its SHA-256 is shown from then on), unknown to anyone
    /// without the key (organisers included) until the draw reveals it, and never stored before that.
    /// </summary>
    public string LotterySeed(string eventId) => Convert.ToHexStringLower(Mac("lottery-seed\n" + eventId));

    private byte[] TicketKey(string eventId) => Mac("ticket-code\n" + eventId);

    /// <summary>
    /// The secret of a registration's manage link: <c>{row key}.{MAC}</c>, the MAC over the event, the row key and the
    /// registration id. Nothing of it is stored (a copy of the table holds no link), the row key in front makes the
    /// lookup one point read, and it dies with the row (the retention purge). Rows stored before carry a random token
    /// in <see cref="RegistrationEntity.ManageToken"/>; links with it keep working (see RegistrationService).
    /// </summary>
    public string ManageToken(RegistrationEntity r) => r.RowKey + "." + ManageMac(r.PartitionKey, r.RowKey, r.RegistrationId);

    /// <summary>Whether <paramref name="token"/> is <paramref name="r"/>'s derived manage token.</summary>
    public bool IsManageToken(RegistrationEntity r, string token)
    {
        var expected = System.Text.Encoding.ASCII.GetBytes(ManageToken(r));
        var given = System.Text.Encoding.UTF8.GetBytes(token);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>The row key a derived manage token names, or null for a token of the older, stored kind.</summary>
    public static string? RowKeyOfManageToken(string token)
    {
        var dot = token.IndexOf('.');
        return dot > 4 && token.StartsWith("reg-", StringComparison.Ordinal) && dot < token.Length - 1 ? token[..dot] : null;
    }

    private string ManageMac(string eventId, string rowKey, string registrationId) =>
        Convert.ToBase64String(Mac($"manage\n{eventId}\n{rowKey}\n{registrationId}"), 0, 18).Replace('+', '-').Replace('/', '_');

    private byte[] Mac(string input) => HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(input));
}
