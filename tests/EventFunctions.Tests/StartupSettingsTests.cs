using System.Diagnostics;
using EventFunctions.Shared;
using EventFunctions.Shared.Security;
using EventFunctions.Shared.Storage;
using EventFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EventFunctions.Tests;

/// <summary>
/// Fails closed: outside Development a missing or unsafe setting stops the app at start-up, one line per problem
/// naming the setting; nothing falls back to a development behaviour. No storage needed.
/// </summary>
[Trait("Tier", "Fast")]
public sealed class StartupSettingsTests
{
    private static Dictionary<string, string?> Production() => TestSettings.Production("http://127.0.0.1:9");

    private static IReadOnlyList<string> Failures(Dictionary<string, string?> settings)
    {
        settings.TryAdd("AzureWebJobsStorage", "UseDevelopmentStorage=true");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddEventFunctions(configuration).BuildServiceProvider();
        try
        {
            _ = services.GetRequiredService<IOptions<EventFunctionsOptions>>().Value;
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return ex.Failures.ToList();
        }
    }

    private static EventFunctionsOptions Options(Dictionary<string, string?> settings)
    {
        settings.TryAdd("AzureWebJobsStorage", "UseDevelopmentStorage=true");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddEventFunctions(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<EventFunctionsOptions>>().Value;
    }

    [Fact]
    public void A_complete_production_configuration_starts() => Assert.Empty(Failures(Production()));

    [Theory]
    [InlineData("EventFunctions:Email:Mode", "Outbox", "EventFunctions__Email__Mode")]
    [InlineData("EventFunctions:Email:Mode", "Carrier-pigeon", "EventFunctions__Email__Mode")]
    [InlineData("EventFunctions:Email:SendGridApiKey", null, "EventFunctions__Email__SendGridApiKey")]
    [InlineData("EventFunctions:Email:FromAddress", null, "EventFunctions__Email__FromAddress")]
    [InlineData("EventFunctions:Email:FromAddress", "no-reply@example.com", "EventFunctions__Email__FromAddress")]
    [InlineData("EventFunctions:Email:FromAddress", "no-reply@eventfunctions.example", "EventFunctions__Email__FromAddress")]
    [InlineData("EventFunctions:Email:WebhookPublicKey", null, "EventFunctions__Email__WebhookPublicKey")]
    [InlineData("EventFunctions:Email:WebhookPublicKey", "not-a-key", "EventFunctions__Email__WebhookPublicKey")]
    [InlineData("EventFunctions:SigningKey", null, "EventFunctions__SigningKey")]
    [InlineData("EventFunctions:SigningKey", "too-short", "EventFunctions__SigningKey")]
    [InlineData("EventFunctions:SigningKey", "local-development-only-signing-key-not-a-secret", "EventFunctions__SigningKey")]
    [InlineData("EventFunctions:SigningKey", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "EventFunctions__SigningKey")]
    [InlineData("EventFunctions:SigningKey", "12345678901234567890123456789012", "EventFunctions__SigningKey")]
    [InlineData("EventFunctions:SigningKey", "passwordpasswordpasswordpassword", "EventFunctions__SigningKey")]
    [InlineData("EventFunctions:IdentifierKey", "local-development-only-identifier-key-not-a-secret", "EventFunctions__IdentifierKey")]
    [InlineData("EventFunctions:IdentifierKey", "abcabcabcabcabcabcabcabcabcabcabcabc", "EventFunctions__IdentifierKey")]
    [InlineData("EventFunctions:IdentifierKey", null, "EventFunctions__IdentifierKey")]
    [InlineData("EventFunctions:IdentifierKey", TestSettings.SigningKey, "EventFunctions__IdentifierKey")]
    [InlineData("EventFunctions:Console:DevelopmentSignIn", "true", "EventFunctions__Console__DevelopmentSignIn")]
    [InlineData("EventFunctions:PublicBaseUrl", null, "EventFunctions__PublicBaseUrl")]
    [InlineData("EventFunctions:PublicBaseUrl", "http://signup.jiedao.example.cn", "EventFunctions__PublicBaseUrl")]
    [InlineData("EventFunctions:SigningKeyId", "k9", "EventFunctions__SigningKeyId")]
    public void Production_refuses_a_missing_or_unsafe_setting_naming_it(string key, string? value, string setting)
    {
        var settings = Production();
        if (value is null) settings.Remove(key);
        else settings[key] = value;
        var failures = Failures(settings);
        var line = Assert.Single(failures);
        Assert.StartsWith(setting + ":", line);
    }

    [Fact]
    public void Email_falls_to_the_outbox_only_in_Development()
    {
        var settings = Production();
        settings.Remove("EventFunctions:Email:SendGridApiKey");
        settings.Remove("EventFunctions:Email:Mode"); // before, no key meant a silent outbox
        Assert.Contains(Failures(settings), f => f.StartsWith("EventFunctions__Email__Mode:", StringComparison.Ordinal));

        settings["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development";
        Assert.Empty(Failures(settings));
    }

    [Fact]
    public void Several_problems_give_one_line_each()
    {
        var failures = Failures(new Dictionary<string, string?> { ["EventFunctions:Console:DevelopmentSignIn"] = "true" });
        foreach (var setting in new[]
                 {
                     "EventFunctions__Email__Mode", "EventFunctions__Email__FromAddress", "EventFunctions__Email__WebhookPublicKey",
                     "EventFunctions__SigningKey", "EventFunctions__IdentifierKey", "EventFunctions__PublicBaseUrl",
                     "EventFunctions__Console__DevelopmentSignIn",
                 })
        {
            Assert.Single(failures, f => f.StartsWith(setting + ":", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Development_allows_the_outbox_the_published_key_and_a_localhost_base_url()
    {
        var options = Options(new Dictionary<string, string?>
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["EventFunctions:SigningKey"] = "local-development-only-signing-key-not-a-secret",
            ["EventFunctions:Email:Mode"] = "Outbox",
            ["EventFunctions:Console:DevelopmentSignIn"] = "true",
        });
        Assert.Equal("http://localhost:7071", options.PublicBaseUrl);
        Assert.False(options.Email.UsesSendGrid);
    }

    [Fact]
    public void The_base_url_comes_from_the_platform_host_name_when_unset()
    {
        var settings = Production();
        settings.Remove("EventFunctions:PublicBaseUrl");
        settings["WEBSITE_HOSTNAME"] = "func-abc.chinacloudsites.cn";
        Assert.Equal("https://func-abc.chinacloudsites.cn", Options(settings).PublicBaseUrl);

        settings["EventFunctions:PublicBaseUrl"] = "https://signup.jiedao.example.cn/"; // a custom domain wins
        Assert.Equal("https://signup.jiedao.example.cn", Options(settings).PublicBaseUrl);
    }

    [Fact]
    public void Several_signing_keys_need_the_one_that_signs_named()
    {
        var settings = Production();
        settings["EventFunctions:SigningKeys:2027a"] = "second-signing-key-0123456789abcdef-0123456";
        Assert.StartsWith("EventFunctions__SigningKeyId:", Assert.Single(Failures(settings)));
        settings["EventFunctions:SigningKeyId"] = "2027a";
        Assert.Empty(Failures(settings));
        settings["EventFunctions:SigningKeys:bad.id"] = "third-signing-key-0123456789abcdef-01234567";
        Assert.StartsWith("EventFunctions__SigningKeys__bad.id:", Assert.Single(Failures(settings)));
    }

    [Fact]
    public async Task The_local_host_started_as_production_with_settings_missing_exits_non_zero_with_one_line_each()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "EventFunctions.LocalHost.dll");
        var start = new ProcessStartInfo("dotnet") { ArgumentList = { dll }, RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("EventFunctions__", StringComparison.Ordinal) || k.Contains("ENVIRONMENT", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        start.Environment["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production";
        start.Environment["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        start.Environment["ConfirmationSweepSchedule"] = "0 0 0 1 1 *";
        start.Environment["ReminderSchedule"] = "0 0 0 1 1 *";
        start.Environment["HoldSweepSchedule"] = "0 0 0 1 1 *";
        start.Environment["LOCALHOST_URLS"] = "http://127.0.0.1:0";
        start.Environment["LOCALHOST_SETTINGS"] = "none"; // a developer's local.settings.json (./run.sh) stays out of it
        start.Environment["EventFunctions__Email__Mode"] = "Outbox";
        start.Environment["EventFunctions__SigningKey"] = "local-development-only-signing-key-not-a-secret";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var lines = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(process.ExitCode == 78, $"exit {process.ExitCode}\n{await stdout}\n{string.Join('\n', lines)}");
        Assert.Contains(lines, l => l.StartsWith("EventFunctions will not start", StringComparison.Ordinal));
        foreach (var setting in new[] { "EventFunctions__Email__Mode", "EventFunctions__SigningKey", "EventFunctions__IdentifierKey", "EventFunctions__Email__WebhookPublicKey", "EventFunctions__PublicBaseUrl", "EventFunctions__Email__FromAddress" })
            Assert.Single(lines, l => l.StartsWith("setting error: " + setting + ":", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", await stdout + await stderr); // no stack trace
    }
}

/// <summary>The signing key ring: the newest key signs, every listed key verifies, removing a key voids what it signed.</summary>
[Trait("Tier", "Fast")]
public sealed class SigningKeyRingTests
{
    private const string First = "first-signing-key-0123456789abcdef-01234567";
    private const string Second = "second-signing-key-0123456789abcdef-0123456";

    private static Signer SignerWith(string? first, Dictionary<string, string>? more = null, string? active = null) =>
        new(Microsoft.Extensions.Options.Options.Create(new EventFunctionsOptions
        {
            SigningKey = first,
            SigningKeys = more ?? [],
            SigningKeyId = active,
        }), TimeProvider.System);

    private static readonly DateTimeOffset Later = DateTimeOffset.UtcNow.AddDays(1);

    [Fact]
    public void A_link_signed_before_rotation_verifies_after_it_and_new_links_use_the_new_key()
    {
        var before = SignerWith(First).Sign("door:e1", "payload", Later);
        var added = SignerWith(First, new() { ["k2"] = Second }, active: "0"); // step 1: every instance learns k2
        Assert.Equal("payload", added.Verify("door:e1", before));
        var rotated = SignerWith(First, new() { ["k2"] = Second }, active: "k2"); // step 2: k2 signs
        Assert.Equal("payload", rotated.Verify("door:e1", before));
        var after = rotated.Sign("door:e1", "new", Later);
        Assert.StartsWith("k2.", after);
        Assert.Equal("new", added.Verify("door:e1", after)); // an instance still on step 1 verifies it too
    }

    [Fact]
    public void Removing_a_key_voids_what_it_signed_and_nothing_else()
    {
        var old = SignerWith(First).Sign("door:e1", "old", Later);
        var newer = SignerWith(First, new() { ["k2"] = Second }, active: "k2").Sign("door:e1", "new", Later);
        var removed = SignerWith(null, new() { ["k2"] = Second });
        Assert.Null(removed.Verify("door:e1", old));
        Assert.Equal("new", removed.Verify("door:e1", newer));
    }

    [Fact]
    public void A_link_from_before_key_ids_verifies_with_the_first_key_until_it_is_removed()
    {
        // The format before the ring: {payload}.{expiry}.{mac}, MAC over purpose, payload and expiry with the key's SHA-256.
        var key = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(First));
        static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var body = B64("legacy"u8.ToArray()) + "." + Later.ToUnixTimeSeconds();
        var legacy = body + "." + B64(System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes("door:e1\n" + body)));

        Assert.Equal("legacy", SignerWith(First, new() { ["k2"] = Second }, active: "k2").Verify("door:e1", legacy));
        Assert.Null(SignerWith(null, new() { ["k2"] = Second }).Verify("door:e1", legacy));
        Assert.Null(SignerWith(Second).Verify("door:e1", legacy)); // another first key
    }

    [Fact]
    public void A_key_id_cannot_be_swapped_onto_another_keys_signature()
    {
        var signer = SignerWith(First, new() { ["k2"] = Second }, active: "k2");
        var token = signer.Sign("door:e1", "payload", Later);
        Assert.Null(signer.Verify("door:e1", "0" + token[2..]));
        Assert.Null(signer.Verify("door:e2", token)); // another purpose
    }
}
