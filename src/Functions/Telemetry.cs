using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using EventFunctions.Shared.Hosting;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace EventFunctions.Functions;

public static class TelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry for the worker: the Functions invocation spans (UseFunctionsWorkerDefaults, with host.json's
    /// <c>telemetryMode: OpenTelemetry</c> so the host's request span is their parent), the app's own spans and
    /// metrics (<see cref="Telemetry"/>), the Azure SDK's spans, and logs, exported to Application Insights when
    /// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set. With the resource's local authentication off, the exporter
    /// signs in as the app's identity (the client id in <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c>).
    /// </summary>
    public static IHostApplicationBuilder AddEventFunctionsTelemetry(this IHostApplicationBuilder builder)
    {
        AppContext.SetSwitch("Azure.Experimental.EnableActivitySource", true); // the Azure SDK's storage spans
        var otel = builder.Services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(t => t.AddSource(Telemetry.SourceName).AddSource("Azure.*"))
            .WithMetrics(m => m.AddMeter(Telemetry.MeterName));
        var connection = builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
        if (!string.IsNullOrWhiteSpace(connection))
        {
            var credential = Credential(builder.Configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
            otel.UseAzureMonitorExporter(o =>
            {
                o.ConnectionString = connection;
                if (credential is not null) o.Credential = credential;
            });
        }

        return builder;
    }

    /// <summary><c>ClientId=…;Authorization=AAD</c> (as the Functions host reads it) as a managed identity credential.</summary>
    public static TokenCredential? Credential(string? authentication)
    {
        if (string.IsNullOrWhiteSpace(authentication)) return null;
        var parts = authentication.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var kind) || !kind.Equals("AAD", StringComparison.OrdinalIgnoreCase)) return null;
        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
