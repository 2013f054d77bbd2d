using System.Security.Cryptography;
using System.Text;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Security;

/// <summary>
/// The signing keys by id (<see cref="EventFunctionsOptions.SigningKey"/> is id <c>0</c>, the first key;
/// <see cref="EventFunctionsOptions.SigningKeys"/> adds more) and the id of the one that signs.
/// </summary>
public sealed class SigningKeyRing
{
    public const string FirstKeyId = "0";
    public const int MinimumLength = 32;

    private SigningKeyRing(IReadOnlyDictionary<string, string> secrets, string activeId)
    {
        Secrets = secrets;
        ActiveId = activeId;
    }

    public IReadOnlyDictionary<string, string> Secrets { get; }
    public string ActiveId { get; }

    public static string SettingName(string id) => id == FirstKeyId ? "EventFunctions__SigningKey" : $"EventFunctions__SigningKeys__{id}";

    /// <summary>The ring the settings describe, or null with a line per problem added to <paramref name="failures"/>.</summary>
    public static SigningKeyRing? Read(EventFunctionsOptions options, List<string> failures)
    {
        var before = failures.Count;
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(options.SigningKey)) secrets[FirstKeyId] = options.SigningKey;
        foreach (var (id, secret) in options.SigningKeys)
        {
            if (id == FirstKeyId || !IsValidId(id))
            {
                failures.Add($"EventFunctions__SigningKeys__{id}: '{id}' is not a key id; use 1 to 16 letters, digits or '-' (0 is EventFunctions__SigningKey).");
                continue;
            }
            if (string.IsNullOrEmpty(secret)) continue; // an emptied setting is a removed key
            secrets[id] = secret;
        }

        foreach (var (id, secret) in secrets)
        {
            if (secret.Trim().Length < MinimumLength)
                failures.Add($"{SettingName(id)}: {secret.Trim().Length} characters; a signing key needs at least {MinimumLength} (a random secret, the same on every instance).");
        }

        string? active = options.SigningKeyId is { Length: > 0 } named ? named.Trim() : secrets.Count == 1 ? secrets.Keys.Single() : null;
        if (secrets.Count == 0)
            failures.Add("EventFunctions__SigningKey: missing; set a random secret of at least 32 characters (a Key Vault reference in Azure), or keys under EventFunctions__SigningKeys__{id}.");
        else if (active is null)
            failures.Add($"EventFunctions__SigningKeyId: not set, and there are {secrets.Count} keys ({string.Join(", ", secrets.Keys.Order(StringComparer.Ordinal))}); name the one that signs.");
        else if (!secrets.ContainsKey(active))
            failures.Add($"EventFunctions__SigningKeyId: '{active}' names no key; the keys are {string.Join(", ", secrets.Keys.Order(StringComparer.Ordinal))}.");

        return failures.Count > before || active is null ? null : new SigningKeyRing(secrets, active);
    }

    private static bool IsValidId(string id) => id.Length is > 0 and <= 16 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}

/// <summary>
/// Signs short values (a door-staff link, a form's anti-forgery token, the development sign-in) with HMAC-SHA256
/// under the key ring (<see cref="SigningKeyRing"/>). Every signature is bound to a purpose, so a token made for
/// one thing (say, an event's check-in link) never passes as another (say, a console sign-in), to an expiry, and to
/// the id of the key that made it.
/// Format: <c>{key-id}.{payload-base64url}.{expiry-unix-seconds}.{mac-base64url}</c>. Tokens made before key ids
/// existed have no id (<c>{payload}.{expiry}.{mac}</c>) and verify with the first key (id 0) while it is listed.
/// </summary>
public sealed class Signer
{
    private readonly Dictionary<string, byte[]> _keys;
    private readonly string _activeId;
    private readonly TimeProvider _clock;

    public Signer(IOptions<EventFunctionsOptions> options, TimeProvider clock)
    {
        var failures = new List<string>();
        var ring = SigningKeyRing.Read(options.Value, failures)
            ?? throw new InvalidOperationException(string.Join(" ", failures));
        _keys = ring.Secrets.ToDictionary(k => k.Key, k => SHA256.HashData(Encoding.UTF8.GetBytes(k.Value)), StringComparer.Ordinal);
        _activeId = ring.ActiveId;
        _clock = clock;
    }

    /// <summary>The id of the key new signatures are made with.</summary>
    public string ActiveKeyId => _activeId;

    public string Sign(string purpose, string payload, DateTimeOffset expiresUtc)
    {
        var body = _activeId + "." + Base64Url(Encoding.UTF8.GetBytes(payload)) + "." + expiresUtc.ToUnixTimeSeconds();
        return body + "." + Base64Url(Mac(_keys[_activeId], purpose, body));
    }

    /// <summary>The payload when <paramref name="token"/> was signed for <paramref name="purpose"/> by a listed key and has not expired; otherwise null.</summary>
    public string? Verify(string purpose, string? token) => VerifySigned(purpose, token)?.Payload;

    /// <summary>As <see cref="Verify"/>, with the expiry the token was signed with.</summary>
    public (string Payload, DateTimeOffset ExpiresUtc)? VerifySigned(string purpose, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 4096) return null;
        var parts = token.Split('.');
        // Without a key id: made before the ring, by the first key; the MAC covers payload and expiry only.
        var (keyId, payloadPart, expiryPart, macPart, macInput) = parts.Length switch
        {
            4 => (parts[0], parts[1], parts[2], parts[3], string.Join('.', parts[0], parts[1], parts[2])),
            3 => (SigningKeyRing.FirstKeyId, parts[0], parts[1], parts[2], parts[0] + "." + parts[1]),
            _ => default,
        };
        if (keyId is null || !_keys.TryGetValue(keyId, out var key) || !long.TryParse(expiryPart, out var expiry)) return null;
        byte[] mac, payload;
        try
        {
            mac = FromBase64Url(macPart);
            payload = FromBase64Url(payloadPart);
        }
        catch (FormatException)
        {
            return null;
        }
        if (!CryptographicOperations.FixedTimeEquals(mac, Mac(key, purpose, macInput))) return null;
        if (_clock.GetUtcNow().ToUnixTimeSeconds() >= expiry) return null;
        try
        {
            return (new UTF8Encoding(false, true).GetString(payload), DateTimeOffset.FromUnixTimeSeconds(expiry));
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static byte[] Mac(byte[] key, string purpose, string body) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(purpose + "\n" + body));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b.PadRight(b.Length + (4 - b.Length % 4) % 4, '='));
    }
}
