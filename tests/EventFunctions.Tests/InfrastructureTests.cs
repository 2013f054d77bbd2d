using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>infra/ compiles with the Bicep CLI, without warnings, and keeps the security settings it promises.</summary>
public sealed class InfrastructureTests
{
    /// <summary>infra/main.bicep compiled once for both test classes.</summary>
    internal static readonly Lazy<(int ExitCode, string Json, string Diagnostics)> Build = new(() => Bicep(Path.Combine(RepoRoot.Find(), "infra", "main.bicep")));

    /// <summary>Runs <c>bicep build</c> on <paramref name="file"/>: exit code, compiled JSON, diagnostics.</summary>
    internal static (int ExitCode, string Json, string Diagnostics) Bicep(string file)
    {
        var cli = typeof(InfrastructureTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepCli").Value!;
        var start = new ProcessStartInfo(cli) { ArgumentList = { "build", file, "--stdout" }, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }

    [Fact]
    public void Bicep_builds_without_errors_or_warnings()
    {
        Assert.True(Build.Value.ExitCode == 0, Build.Value.Diagnostics);
        Assert.Equal("", Build.Value.Diagnostics.Trim());
    }

    [Fact]
    public void Template_uses_identity_only_storage_flex_consumption_and_the_apps_settings()
    {
        var json = Build.Value.Json;
        using var _ = JsonDocument.Parse(json); // valid ARM JSON
        Assert.Contains("\"allowSharedKeyAccess\": false", json);
        Assert.Contains("\"FlexConsumption\"", json);
        Assert.Contains("\"dotnet-isolated\"", json);
        Assert.Contains("AzureWebJobsStorage__tableServiceUri", json);
        Assert.Contains("AzureWebJobsStorage__queueServiceUri", json);
        Assert.Contains("AzureWebJobsStorage__clientId", json);
        Assert.Contains("ConfirmationSweepSchedule", json); // the timer's %setting% must exist or the host will not start
        Assert.Contains("ReminderSchedule", json);
        Assert.Contains("HoldSweepSchedule", json);
        Assert.Contains("notifications-poison", json);
        Assert.Contains("confirmations-poison", json);
    }

    [Fact]
    public void The_console_signs_in_through_App_Service_Authentication_and_trusts_the_principal_only_there()
    {
        var json = Build.Value.Json;
        Assert.Contains("authsettingsV2", json);
        Assert.Contains("\"unauthenticatedClientAction\": \"AllowAnonymous\"", json); // participants' pages stay public
        Assert.Contains("EventFunctions__Console__PlatformAuthentication", json);
        Assert.Contains("EventFunctions__Limits__TrustForwardedFor", json); // behind the front end, limits count the client's address, not the front end's
        Assert.Contains("EventFunctions__SigningKey", json);
        Assert.Contains("EventFunctions__Console__Admins", json);
    }
}

/// <summary>
/// The compiled template as an operator in any cloud deploys it: secrets only in Key Vault, no cloud-specific
/// literal, alerts, and the security settings kept; azure.yaml as azd reads it.
/// </summary>
public sealed class DeploymentTemplateTests
{
    private static Lazy<(int ExitCode, string Json, string Diagnostics)> Build => InfrastructureTests.Build;

    private static (int ExitCode, string Json, string Diagnostics) Bicep(string file) => InfrastructureTests.Bicep(file);

    /// <summary>Every resource in the template, nested deployments included.</summary>
    private static List<JsonElement> Resources()
    {
        var found = new List<JsonElement>();
        void Walk(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Object)
            {
                if (e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString()!.StartsWith("Microsoft.", StringComparison.Ordinal)
                    && e.TryGetProperty("apiVersion", out _))
                    found.Add(e);
                foreach (var p in e.EnumerateObject()) Walk(p.Value);
            }
            else if (e.ValueKind == JsonValueKind.Array)
            {
                foreach (var i in e.EnumerateArray()) Walk(i);
            }
        }

        Assert.Equal(0, Build.Value.ExitCode);
        Walk(JsonDocument.Parse(Build.Value.Json).RootElement.Clone());
        return found;
    }

    private static JsonElement One(string type) => Assert.Single(Resources(), r => r.GetProperty("type").GetString() == type);

    private static JsonElement AppSettings() =>
        Assert.Single(Resources(), r => r.GetProperty("type").GetString() == "Microsoft.Web/sites/config" && r.GetProperty("name").GetString()!.Contains("appsettings", StringComparison.Ordinal))
            .GetProperty("properties");

    [Fact]
    public void The_compiled_template_holds_no_cloud_specific_host_name()
    {
        // The $schema lines name the ARM schema host in every template; everything else must come from the cloud.
        var lines = Build.Value.Json.Split('\n').Where(l => !l.Contains("\"$schema\"", StringComparison.Ordinal));
        string[] cloudLiterals = ["azurewebsites.net", "chinacloudsites.cn", "core.windows.net", "core.chinacloudapi.cn", "vault.azure.net", "vault.azure.cn",
            "login.microsoftonline.com", "login.chinacloudapi.cn", "management.azure.com", "management.chinacloudapi.cn", "applicationinsights.azure.com"];
        foreach (var line in lines)
            foreach (var literal in cloudLiterals)
                Assert.False(line.Contains(literal, StringComparison.OrdinalIgnoreCase), $"cloud-specific literal '{literal}' in: {line.Trim()}");
    }

    [Fact]
    public void The_linter_refuses_a_hard_coded_cloud_url()
    {
        var folder = Directory.CreateTempSubdirectory("bicep").FullName;
        try
        {
            File.Copy(Path.Combine(RepoRoot.Find(), "infra", "bicepconfig.json"), Path.Combine(folder, "bicepconfig.json"));
            var file = Path.Combine(folder, "probe.bicep");
            File.WriteAllText(file, "output portal string = 'https://management.azure.com/subscriptions'\n");
            var (exit, _, diagnostics) = Bicep(file);
            Assert.NotEqual(0, exit);
            Assert.Contains("no-hardcoded-env-urls", diagnostics);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Secrets_live_in_an_RBAC_Key_Vault_with_purge_protection_and_reach_the_app_as_references()
    {
        var vault = One("Microsoft.KeyVault/vaults").GetProperty("properties");
        Assert.True(vault.GetProperty("enableRbacAuthorization").GetBoolean());
        Assert.True(vault.GetProperty("enableSoftDelete").GetBoolean());
        Assert.True(vault.GetProperty("enablePurgeProtection").GetBoolean());
        var secrets = Resources().Where(r => r.GetProperty("type").GetString() == "Microsoft.KeyVault/vaults/secrets").Select(r => r.GetProperty("name").GetString()!).ToList();
        Assert.Equal(3, secrets.Count);

        // The settings object is an ARM expression (a union with the optional base URL): each secret's value is a reference.
        var settings = AppSettings();
        foreach (var name in new[] { "EventFunctions__Email__SendGridApiKey", "EventFunctions__SigningKey", "EventFunctions__IdentifierKey" })
            Assert.Contains($"'{name}', format('@Microsoft.KeyVault(SecretUri={{0}})'", settings.ToString());
        Assert.DoesNotContain("parameters('sendGridApiKey')", settings.ToString());
        Assert.DoesNotContain("parameters('signingKey')", settings.ToString());

        Assert.DoesNotContain("Outbox", settings.ToString()); // never a silent fallback
        var site = One("Microsoft.Web/sites").GetProperty("properties");
        Assert.Contains("userAssignedIdentities", site.GetProperty("keyVaultReferenceIdentity").GetString());
        Assert.Contains(Resources(), r => r.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments"
            && r.GetProperty("properties").GetProperty("roleDefinitionId").ToString().Contains("keyVaultSecretsUser", StringComparison.Ordinal)
            && r.GetProperty("scope").ToString().Contains("Microsoft.KeyVault/vaults", StringComparison.Ordinal));
        Assert.Contains("\"keyVaultSecretsUser\": \"4633458b-17de-408a-b874-0445c86b69e6\"", Build.Value.Json); // Key Vault Secrets User
        Assert.Contains("secretOrRandomPassword", File.ReadAllText(Path.Combine(RepoRoot.Find(), "infra", "main.parameters.json"))); // kept across provisions
    }

    [Fact]
    public void The_security_settings_stay()
    {
        var storage = One("Microsoft.Storage/storageAccounts").GetProperty("properties");
        Assert.False(storage.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.False(storage.GetProperty("allowBlobPublicAccess").GetBoolean());
        Assert.True(storage.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
        Assert.Equal("TLS1_2", storage.GetProperty("minimumTlsVersion").GetString());
        var site = One("Microsoft.Web/sites").GetProperty("properties");
        Assert.True(site.GetProperty("httpsOnly").GetBoolean());
        Assert.Equal("1.2", site.GetProperty("siteConfig").GetProperty("minTlsVersion").GetString());
        Assert.Equal("Disabled", site.GetProperty("siteConfig").GetProperty("ftpsState").GetString());
        Assert.True(One("Microsoft.Insights/components").GetProperty("properties").GetProperty("DisableLocalAuth").GetBoolean());
    }

    [Fact]
    public void A_workspace_and_alerts_on_poison_messages_and_failed_sends()
    {
        One("Microsoft.OperationalInsights/workspaces");
        var queries = Resources().Where(r => r.GetProperty("type").GetString() == "Microsoft.Insights/scheduledQueryRules")
            .Select(r => r.GetProperty("properties").GetProperty("criteria").ToString()).ToList();
        Assert.Contains(queries, q => q.Contains("-poison", StringComparison.Ordinal) && q.Contains("eventfunctions.poison.messages", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("eventfunctions.emails.failed", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("availabilityResults", StringComparison.Ordinal));
    }

    [Fact]
    public void Azure_yaml_deploys_the_function_project_with_the_bicep_in_infra()
    {
        var root = RepoRoot.Find();
        var yaml = new YamlDotNet.Serialization.DeserializerBuilder().Build()
            .Deserialize<Dictionary<string, object>>(File.ReadAllText(Path.Combine(root, "azure.yaml")));
        var services = (Dictionary<object, object>)yaml["services"];
        var api = (Dictionary<object, object>)services["api"];
        Assert.Equal("function", api["host"]);
        Assert.Equal("dotnet", api["language"]);
        Assert.True(File.Exists(Path.Combine(root, (string)api["project"], "EventFunctions.Functions.csproj")));
        var infra = (Dictionary<object, object>)yaml["infra"];
        Assert.Equal("bicep", infra["provider"]);
        Assert.True(File.Exists(Path.Combine(root, (string)infra["path"], "main.bicep")));
        // The function app resource carries the azd-service-name tag of that service.
        Assert.Contains("createObject('azd-service-name', 'api')", Build.Value.Json);
    }
}
