using System.Text.Json;
using EventFunctions.Functions;
using EventFunctions.Shared.Http;

namespace EventFunctions.Tests;

/// <summary>The generated functions.metadata has the webhook where SendGrid posts, anonymous (its signature is the check), and the purge.</summary>
public sealed class DeliveryWiringTests
{
    private static JsonElement Trigger(string function)
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var path = Path.Combine(Path.GetDirectoryName(typeof(EventFunctions.Functions.TelemetryExtensions).Assembly.Location)!, "functions.metadata");
        if (!File.Exists(path)) path = Path.Combine(Infrastructure.RepoRoot.Find(), "src", "Functions", "bin", configuration, "net10.0", "functions.metadata");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.EnumerateArray().Single(f => f.GetProperty("name").GetString() == function)
            .GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger")).Clone();
    }

    [Fact]
    public void SendGrid_events_are_posted_anonymously_to_api_sendgrid_events()
    {
        var trigger = Trigger("SendGridEvents");
        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("sendgrid/events", trigger.GetProperty("route").GetString());
        Assert.Equal(["post"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
    }

    [Fact]
    public void Delivery_event_markers_are_purged_daily()
    {
        var trigger = Trigger("PurgeDeliveryEvents");
        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("0 30 19 * * *", trigger.GetProperty("schedule").GetString());
    }

    [Fact]
    public void The_deployment_sets_the_webhook_verification_key_from_a_parameter()
    {
        var root = Infrastructure.RepoRoot.Find();
        Assert.Contains("EventFunctions__Email__WebhookPublicKey: sendGridWebhookPublicKey", File.ReadAllText(Path.Combine(root, "infra", "app", "resources.bicep")));
        Assert.Contains("${SENDGRID_WEBHOOK_PUBLIC_KEY}", File.ReadAllText(Path.Combine(root, "infra", "main.parameters.json")));
    }
}
