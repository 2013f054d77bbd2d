using System.Security.Cryptography;

namespace EventFunctions.Tests.Infrastructure;

/// <summary>
/// The settings a production deployment must have (start-up refuses the app without them, see
/// src/Shared/Hosting/SettingsValidators.cs), with test values. Test hosts run as production, so what they
/// exercise is what a deployment runs; a test that needs Development says so itself.
/// </summary>
public static class TestSettings
{
    public const string SigningKey = "test-signing-key-0123456789abcdef-0123456789";
    public const string IdentifierKey = "test-identifier-key-fedcba9876543210-fedcba98";
    public const string FromAddress = "events@jiedao.example.cn";
    public const string PublicBaseUrl = "https://signup.example.cn";

    /// <summary>A real P-256 public key (base64 SPKI), as SendGrid shows its Signed Event Webhook's verification key.</summary>
    public static readonly string WebhookPublicKey = Convert.ToBase64String(ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportSubjectPublicKeyInfo());

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
    };
}
