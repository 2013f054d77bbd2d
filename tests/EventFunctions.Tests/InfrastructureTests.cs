using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>infra/ compiles with the Bicep CLI, without warnings, and keeps the security settings it promises.</summary>
public sealed class InfrastructureTests
{
    private static readonly Lazy<(int ExitCode, string Json, string Diagnostics)> Build = new(() =>
    {
        var cli = typeof(InfrastructureTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepCli").Value!;
        var start = new ProcessStartInfo(cli)
        {
            ArgumentList = { "build", Path.Combine(RepoRoot.Find(), "infra", "main.bicep"), "--stdout" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    });

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
        Assert.Contains("EventFunctions__SigningKey", json);
        Assert.Contains("EventFunctions__Console__Admins", json);
    }
}
