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

    private byte[] TicketKey(string eventId) => Mac("ticket-code\n" + eventId);

    private byte[] Mac(string input) => HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(input));
}
