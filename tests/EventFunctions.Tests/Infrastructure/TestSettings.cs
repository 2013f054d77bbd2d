using System.Security.Cryptography;

namespace EventFunctions.Tests.Infrastructure;

/// <summary>
/// The settings a production deployment must have (start-up refuses the app without them, see
/// src/Shared/Hosting/SettingsValidators.cs), with test values: the one settings builder of the tests, the benchmark
/// and the chaos run (linked like AzuriteProcess.cs). They run as production, so what they exercise is what a
/// deployment runs; a test that needs Development says so itself.
/// </summary>
public static class TestSettings
{
    public const string SigningKey = "test-signing-key-0123456789abcdef-0123456789";
    public const string IdentifierKey = "test-identifier-key-fedcba9876543210-fedcba98";
    public const string FromAddress = "events@jiedao.example.cn";
    public const string PublicBaseUrl = "https://signup.example.cn";

    /// <summary>A real P-256 public key (base64 SPKI), as SendGrid shows its Signed Event Webhook's verification key.</summary>
    public static readonly string WebhookPublicKey = Convert.ToBase64String(ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportSubjectPublicKeyInfo());

    /// <summary>The same settings as environment variables (<c>EventFunctions__Email__Mode</c>…), for an app started as a process.</summary>
    public static Dictionary<string, string> ProductionEnvironment(string sendGridHost) =>
        Production(sendGridHost).ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value!);

    public static Dictionary<string, string?> Production(string sendGridHost) => new()
    {
        ["EventFunctions:SigningKey"] = SigningKey,
        ["EventFunctions:IdentifierKey"] = IdentifierKey,
        ["EventFunctions:PublicBaseUrl"] = PublicBaseUrl,
        ["EventFunctions:Email:Mode"] = "SendGrid",
        ["EventFunctions:Email:SendGridApiKey"] = "SG.test-key",
        ["EventFunctions:Email:SendGridHost"] = sendGridHost,
        ["EventFunctions:Email:FromAddress"] = FromAddress,
        ["EventFunctions:Email:WebhookPublicKey"] = WebhookPublicKey,
        // The tests, the benchmark and the chaos run send thousands of sign-ups from one process and one address: the
        // rate limits would answer most of them 429. Lifted here; PublicLimitsTests and the abuse run hold them.
        ["EventFunctions:Limits:PagesPerAddressPerMinute"] = "1000000",
        ["EventFunctions:Limits:SignUpsPerAddressPerMinute"] = "1000000",
        ["EventFunctions:Limits:SignUpsPerEventPerMinute"] = "1000000",
        ["EventFunctions:Limits:SignUpsPerMailboxPerHour"] = "1000000",
        ["EventFunctions:Limits:DoorRequestsPerLinkPerMinute"] = "1000000",
        // The per-recipient daily cap counts in storage across apps: each app its own table, so tests that mail the
        // same sample addresses all day do not spend each other's allowance. RecipientCapTests holds the cap.
        ["EventFunctions:Email:RecipientCapTable"] = "rc" + Guid.NewGuid().ToString("N")[..16],
    };
}
