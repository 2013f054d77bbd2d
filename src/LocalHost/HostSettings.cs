using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace EventFunctions.LocalHost;

/// <summary>
/// The parts of host.json this host honours, read as the Functions host reads them: the file first,
/// then app settings named <c>AzureFunctionsJobHost__…</c> (e.g. <c>AzureFunctionsJobHost__extensions__queues__visibilityTimeout</c>) over it.
/// </summary>
public sealed record HostSettings
{
    public string RoutePrefix { get; init; } = "api";
    public int MaxDequeueCount { get; init; } = 5;
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;
    public int BatchSize { get; init; } = 16;
    /// <summary>The longest wait between polls of an empty queue (the Functions host's default is a minute; host.json says 2 s).</summary>
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);
    public bool Base64Messages { get; init; } = true;

    public static HostSettings Load(string hostJsonPath, IConfiguration configuration)
    {
        var file = new ConfigurationBuilder().AddJsonStream(new MemoryStream(File.ReadAllBytes(hostJsonPath))).Build();
        IConfiguration Section(string key) => new ConfigurationBuilder()
            .AddConfiguration(file.GetSection(key))
            .AddConfiguration(configuration.GetSection($"AzureFunctionsJobHost:{key}"))
            .Build();

        var http = Section("extensions:http");
        var queues = Section("extensions:queues");
        var defaults = new HostSettings();
        return new HostSettings
        {
            RoutePrefix = (http["routePrefix"] ?? defaults.RoutePrefix).Trim('/'),
            MaxDequeueCount = Int(queues["maxDequeueCount"]) ?? defaults.MaxDequeueCount,
            VisibilityTimeout = Time(queues["visibilityTimeout"]) ?? defaults.VisibilityTimeout,
            BatchSize = Math.Clamp(Int(queues["batchSize"]) ?? defaults.BatchSize, 1, 32),
            // The Functions host's queue extension does not poll more often than every 100 ms either.
            MaxPollingInterval = TimeSpan.FromTicks(Math.Max((Time(queues["maxPollingInterval"]) ?? defaults.MaxPollingInterval).Ticks, MinPollingInterval.Ticks)),
            Base64Messages = !string.Equals(queues["messageEncoding"], "none", StringComparison.OrdinalIgnoreCase),
        };
    }

    private static int? Int(string? s) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static TimeSpan? Time(string? s) => TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out var v) ? v : null;
}
