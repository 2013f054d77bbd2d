using System.Collections.Concurrent;
using Azure.Storage.Queues;
using EventFunctions.LocalHost;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Tests;

/// <summary>
/// The local host's console stays readable: the Azure SDK's request logs (one per storage call, ~40 MB an hour)
/// and ASP.NET Core's per-request logs are at Warning by default; Logging__LogLevel__… brings them back.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class LocalHostLoggingTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Azure_SDK_and_ASP_NET_Core_information_logs_are_filtered_by_default()
    {
        await using var host = await Host.StartAsync(azurite, new());

        using (var response = await host.Http.GetAsync("/api/events")) response.EnsureSuccessStatusCode(); // a table query

        await RunningHost.Eventually(() => Task.FromResult(host.Logs.Any(l => l.Category == "EventFunctions.LocalHost" && l.Message.Contains("development only"))),
            "the local host's banner");
        Assert.DoesNotContain(host.Logs, l => l.Category.StartsWith("Azure", StringComparison.Ordinal) && l.Level < LogLevel.Warning);
        Assert.DoesNotContain(host.Logs, l => l.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && l.Level < LogLevel.Warning);

        var factory = host.App.Services.GetRequiredService<ILoggerFactory>();
        Assert.True(factory.CreateLogger("Azure.Core").IsEnabled(LogLevel.Warning));
        Assert.True(factory.CreateLogger("EventFunctions.Shared.Http.SignUpApi").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public async Task An_app_setting_brings_the_Azure_SDK_request_logs_back()
    {
        await using var host = await Host.StartAsync(azurite, new() { ["Logging:LogLevel:Azure"] = "Information" });

        using (var response = await host.Http.GetAsync("/api/events")) response.EnsureSuccessStatusCode();

        await RunningHost.Eventually(() => Task.FromResult(host.Logs.Any(l => l.Category.StartsWith("Azure.", StringComparison.Ordinal) && l.Level == LogLevel.Information)),
            "an Azure SDK request log at Information");
    }

    private sealed record Entry(string Category, LogLevel Level, string Message);

    private sealed class Host : IAsyncDisposable
    {
        private readonly Capture _capture;

        private Host(WebApplication app, Capture capture, FakeSendGrid sendGrid)
        {
            App = app;
            _capture = capture;
            SendGrid = sendGrid;
            Http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
        }

        public WebApplication App { get; }
        public FakeSendGrid SendGrid { get; }
        public HttpClient Http { get; }
        public IReadOnlyCollection<Entry> Logs => _capture.Entries;

        public static async Task<Host> StartAsync(AzuriteFixture azurite, Dictionary<string, string?> settings)
        {
            var sendGrid = await FakeSendGrid.StartAsync();
            await Queues.ClearAsync(azurite.ConnectionString, "confirmations", "confirmations-poison");

            var values = TestSettings.Production(sendGrid.BaseUrl);
            values["AzureWebJobsStorage"] = azurite.ConnectionString;
            values["ConfirmationSweepSchedule"] = "0 0 0 1 1 *";
            values["ReminderSchedule"] = "0 0 0 1 1 *";
            values["HoldSweepSchedule"] = "0 0 0 1 1 *";
            values["EventFunctions:TableName"] = "l" + Guid.NewGuid().ToString("N")[..12];
            foreach (var (k, v) in settings) values[k] = v;
            var app = LocalFunctionsHost.Build(new LocalHostOptions { Urls = "http://127.0.0.1:0", Settings = values });
            var capture = new Capture();
            app.Services.GetRequiredService<ILoggerFactory>().AddProvider(capture); // the host's own filter rules apply to it
            await app.StartAsync();
            return new Host(app, capture, sendGrid);
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
            await SendGrid.DisposeAsync();
        }
    }

    private sealed class Capture : ILoggerProvider
    {
        public ConcurrentQueue<Entry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(Capture capture, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                capture.Entries.Enqueue(new Entry(category, logLevel, formatter(state, exception)));
        }
    }
}
