using System.Security.Cryptography;
using System.Text;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Security;

/// <summary>
/// Signs short values (a door-staff link, a form's anti-forgery token, the development sign-in) with HMAC-SHA256
/// under <see cref="EventFunctionsOptions.SigningKey"/>. Every signature is bound to a purpose, so a token made for
/// one thing (say, an event's check-in link) never passes as another (say, a console sign-in), and to an expiry.
/// Format: <c>{payload-base64url}.{expiry-unix-seconds}.{mac-base64url}</c>.
/// </summary>
public sealed class Signer
{
    private readonly byte[] _key;
    private readonly TimeProvider _clock;

    public Signer(IOptions<EventFunctionsOptions> options, TimeProvider clock)
    {
        var key = options.Value.SigningKey;
        if (string.IsNullOrWhiteSpace(key) || key.Length < 32)
            throw new InvalidOperationException("Set EventFunctions__SigningKey to a secret of at least 32 characters (the same on every instance).");
        _key = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        _clock = clock;
    }

    public string Sign(string purpose, string payload, DateTimeOffset expiresUtc)
    {
        var body = Base64Url(Encoding.UTF8.GetBytes(payload)) + "." + expiresUtc.ToUnixTimeSeconds();
        return body + "." + Base64Url(Mac(purpose, body));
    }

    /// <summary>The payload when <paramref name="token"/> was signed for <paramref name="purpose"/> and has not expired; otherwise null.</summary>
    public string? Verify(string purpose, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 4096) return null;
        var parts = token.Split('.');
        if (parts.Length != 3 || !long.TryParse(parts[1], out var expiry)) return null;
        byte[] mac, payload;
        try
        {
            mac = FromBase64Url(parts[2]);
            payload = FromBase64Url(parts[0]);
        }
        catch (FormatException)
        {
            return null;
        }
        if (!CryptographicOperations.FixedTimeEquals(mac, Mac(purpose, parts[0] + "." + parts[1]))) return null;
        if (_clock.GetUtcNow().ToUnixTimeSeconds() >= expiry) return null;
        try
        {
            return new UTF8Encoding(false, true).GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private byte[] Mac(string purpose, string body) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(purpose + "\n" + body));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b.PadRight(b.Length + (4 - b.Length % 4) % 4, '='));
    }
}
