using System.Net.Mail;
using EventFunctions.Shared.Security;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using SendGrid.Helpers.EventWebhook;

namespace EventFunctions.Shared.Hosting;

// One validator per area of EventFunctionsOptions, run at start-up (ValidateOnStart) and on first use. Each failure is
// one line naming the app setting and what it should hold; outside Development every development convenience is a
// failure, so a missing or unsafe setting stops the app instead of quietly falling back.

/// <summary>Email: SendGrid for real outside Development, with its key, a real sender and the webhook's verification key.</summary>
public sealed class EmailSettingsValidator(AppEnvironment environment) : IValidateOptions<EventFunctionsOptions>
{
    public ValidateOptionsResult Validate(string? name, EventFunctionsOptions options)
    {
        var email = options.Email;
        var failures = new List<string>();
        var production = !environment.IsDevelopment;
        if (email.Mode.Length > 0 && !email.Mode.Equals("SendGrid", StringComparison.OrdinalIgnoreCase) && !email.Mode.Equals("Outbox", StringComparison.OrdinalIgnoreCase))
            failures.Add($"EventFunctions__Email__Mode: '{email.Mode}' is not a mode; set SendGrid (or Outbox in Development).");
        else if (production && !email.UsesSendGrid)
            failures.Add("EventFunctions__Email__Mode: emails would be written to an outbox folder that nobody reads; outside Development set SendGrid and EventFunctions__Email__SendGridApiKey.");
        if (email.UsesSendGrid && string.IsNullOrWhiteSpace(email.SendGridApiKey))
            failures.Add("EventFunctions__Email__SendGridApiKey: missing; set the SendGrid API key (a Key Vault reference in Azure).");
        if (!Uri.TryCreate(email.SendGridHost, UriKind.Absolute, out _))
            failures.Add("EventFunctions__Email__SendGridHost: not an absolute URL; leave it unset for https://api.sendgrid.com.");
        if (production && !IsRealSender(email.FromAddress))
            failures.Add($"EventFunctions__Email__FromAddress: '{email.FromAddress}' is missing or a placeholder; set the office's SendGrid verified sender, such as no-reply@jiedao.example.cn.");
        if (string.IsNullOrWhiteSpace(email.WebhookPublicKey))
        {
            if (production)
                failures.Add("EventFunctions__Email__WebhookPublicKey: missing; set the verification key of SendGrid's Signed Event Webhook (base64, shown in SendGrid's mail settings).");
        }
        else if (!IsWebhookKey(email.WebhookPublicKey))
        {
            failures.Add("EventFunctions__Email__WebhookPublicKey: not an ECDSA public key; paste the verification key exactly as SendGrid shows it (base64).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Domains reserved for examples and tests (RFC 2606, RFC 6761) never receive mail.</summary>
    private static readonly string[] ReservedDomains = ["example.com", "example.net", "example.org"];
    private static readonly string[] ReservedSuffixes = [".example", ".test", ".invalid", ".localhost", ".local"];

    public static bool IsRealSender(string? address)
    {
        if (string.IsNullOrWhiteSpace(address) || !MailAddress.TryCreate(address, out var parsed) || parsed.Address != address.Trim()) return false;
        var host = parsed.Host.ToLowerInvariant();
        return host.Contains('.')
            && !ReservedDomains.Any(d => host == d || host.EndsWith("." + d, StringComparison.Ordinal))
            && !ReservedSuffixes.Any(s => host.EndsWith(s, StringComparison.Ordinal));
    }

    private static bool IsWebhookKey(string key)
    {
        try
        {
            new RequestValidator().ConvertPublicKeyToECDSA(key.Trim());
            return true;
        }
        catch (Exception)
        {
            return false; // the library throws several kinds for a bad key; any of them means unreadable
        }
    }
}

/// <summary>Signing keys (the ring) and the separate, non-rotating identifier key.</summary>
public sealed class SigningSettingsValidator(AppEnvironment environment) : IValidateOptions<EventFunctionsOptions>
{
    /// <summary>The key in local.settings.example.json and run.sh: published, so never a secret outside Development.</summary>
    public const string PublishedDevelopmentKey = "local-development-only-signing-key-not-a-secret";

    /// <summary>Every key this repository publishes (run.sh, the example settings, the development fallback): none is a secret.</summary>
    public static readonly string[] PublishedKeys =
    [
        PublishedDevelopmentKey,
        "local-development-only-identifier-key-not-a-secret",
        "development-identifier-key-not-a-secret",
    ];

    /// <summary>
    /// Fewer different characters than this is a key someone typed or patterned (aaaa…, 1234…, a word repeated), not a
    /// random secret: a random 32-character base64 or hex string has far more.
    /// </summary>
    public const int MinimumDistinctCharacters = 12;

    /// <summary>Why <paramref name="secret"/> is no secret outside Development (published, or too little variety), or null.</summary>
    public static string? Weakness(string secret) =>
        PublishedKeys.Contains(secret.Trim()) ? "the published development key; set a secret of your own (a Key Vault reference in Azure)."
        : secret.Trim().Distinct().Count() < MinimumDistinctCharacters
            ? $"only {secret.Trim().Distinct().Count()} different characters, too little to be a random secret; generate one (for example: openssl rand -base64 48)."
        : null;

    public ValidateOptionsResult Validate(string? name, EventFunctionsOptions options)
    {
        var failures = new List<string>();
        var production = !environment.IsDevelopment;
        var ring = SigningKeyRing.Read(options, failures);
        if (ring is not null && production)
        {
            foreach (var (id, secret) in ring.Secrets)
            {
                if (Weakness(secret) is { } weak) failures.Add($"{SigningKeyRing.SettingName(id)}: {weak}");
            }
        }

        var identifier = options.IdentifierKey;
        if (string.IsNullOrWhiteSpace(identifier))
        {
            if (production)
                failures.Add("EventFunctions__IdentifierKey: missing; set a random secret of at least 32 characters, once (stored row keys and ticket codes derive from it, so it never changes).");
        }
        else if (identifier.Length < 32)
        {
            failures.Add($"EventFunctions__IdentifierKey: {identifier.Length} characters; it needs at least 32.");
        }
        else if (ring is not null && ring.Secrets.Values.Contains(identifier))
        {
            failures.Add("EventFunctions__IdentifierKey: the same as a signing key; it must be a separate secret (signing keys rotate, it never does).");
        }
        else if (production && Weakness(identifier) is { } weak)
        {
            failures.Add($"EventFunctions__IdentifierKey: {weak}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The public base URL: set, or derived from the platform; https outside Development unless it is loopback.</summary>
public sealed class LinkSettingsValidator(AppEnvironment environment) : IValidateOptions<EventFunctionsOptions>
{
    public ValidateOptionsResult Validate(string? name, EventFunctionsOptions options)
    {
        var url = options.PublicBaseUrl;
        if (string.IsNullOrWhiteSpace(url))
            return ValidateOptionsResult.Fail("EventFunctions__PublicBaseUrl: not set, and WEBSITE_HOSTNAME is not there to derive it from; set the public https address participants open, such as https://signup.jiedao.example.cn.");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            return ValidateOptionsResult.Fail($"EventFunctions__PublicBaseUrl: '{url}' is not an http(s) address without query; set one such as https://signup.jiedao.example.cn.");
        if (!environment.IsDevelopment && uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
            return ValidateOptionsResult.Fail($"EventFunctions__PublicBaseUrl: '{url}' is plain http; links in emails must be https outside Development.");
        return ValidateOptionsResult.Success;
    }
}

/// <summary>The console: the development sign-in never outside Development; admins are email addresses.</summary>
public sealed class ConsoleSettingsValidator(AppEnvironment environment) : IValidateOptions<EventFunctionsOptions>
{
    public ValidateOptionsResult Validate(string? name, EventFunctionsOptions options)
    {
        var failures = new List<string>();
        if (!environment.IsDevelopment && options.Console.DevelopmentSignIn)
            failures.Add("EventFunctions__Console__DevelopmentSignIn: on outside Development (anyone could sign in as any organiser); remove it and sign in through App Service Authentication.");
        foreach (var admin in options.Console.AdminEmails)
        {
            if (!MailAddress.TryCreate(admin, out _))
                failures.Add($"EventFunctions__Console__Admins: '{admin}' is not an email address; list the first admins' emails, comma separated.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Fills <see cref="EventFunctionsOptions.PublicBaseUrl"/> when unset: from the platform's host name, or the local host in Development.</summary>
public sealed class PublicBaseUrlDefault(IConfiguration configuration, AppEnvironment environment) : IPostConfigureOptions<EventFunctionsOptions>
{
    public const string LocalBaseUrl = "http://localhost:7071";

    public void PostConfigure(string? name, EventFunctionsOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.PublicBaseUrl))
        {
            options.PublicBaseUrl = options.PublicBaseUrl.Trim().TrimEnd('/');
            return;
        }

        var host = configuration["WEBSITE_HOSTNAME"];
        options.PublicBaseUrl = !string.IsNullOrWhiteSpace(host) ? "https://" + host.Trim().TrimEnd('/')
            : environment.IsDevelopment ? LocalBaseUrl
            : "";
    }
}
