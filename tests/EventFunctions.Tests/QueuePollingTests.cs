using Azure.Storage.Queues;
using EventFunctions.LocalHost;
using EventFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EventFunctions.Tests;

/// <summary>
/// Participants expect their confirmation within seconds, also after a quiet spell: an idle queue is polled at
/// least every maxPollingInterval (host.json: 1 s), by Azure and by the local host alike.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class QueuePollingTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan HostJsonMaxPolling = TimeSpan.FromSeconds(1);

    [Fact]
    public void Host_json_caps_the_idle_polling_interval_at_one_second()
    {
        var settings = HostSettings.Load(Path.Combine(AppContext.BaseDirectory, "host.json"), new ConfigurationBuilder().Build());
        Assert.Equal(HostJsonMaxPolling, settings.MaxPollingInterval);
    }

    [Theory]
    [InlineData("00:00:02", 2000)]
    [InlineData("00:00:00.200", 200)]
    [InlineData("00:01:00", 60_000)]
    [InlineData("00:00:00", 100)] // below the Functions host's minimum of 100 ms: that minimum
    public void Idle_backoff_doubles_up_to_maxPollingInterval_and_never_beyond(string max, int capMilliseconds)
    {
        var settings = HostSettings.Load(Path.Combine(AppContext.BaseDirectory, "host.json"), new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = max })
            .Build());
        var cap = TimeSpan.FromMilliseconds(capMilliseconds);
        Assert.Equal(cap, settings.MaxPollingInterval);

        var delay = QueueListener.FirstIdleDelay(settings);
        var waits = new List<TimeSpan> { delay };
        for (var i = 0; i < 40; i++) waits.Add(delay = QueueListener.NextIdleDelay(delay, settings));

        Assert.All(waits, w => Assert.InRange(w, TimeSpan.FromMilliseconds(100), cap));
        Assert.Equal(cap, waits[^1]);
    }

    [Fact]
    public async Task The_running_local_host_polls_an_idle_queue_at_least_every_second()
    {
        var sendGrid = await FakeSendGrid.StartAsync();
        await using var _ = sendGrid;
        foreach (var name in new[] { "confirmations", "confirmations-poison", "notifications", "notifications-poison" })
        {
            var q = new QueueClient(azurite.ConnectionString, name);
            await q.CreateIfNotExistsAsync();
            await q.ClearMessagesAsync();
        }

        // No maxPollingInterval override: host.json's value, as `./run.sh` runs it.
        var app = LocalFunctionsHost.Build(new LocalHostOptions
        {
            Urls = "http://127.0.0.1:0",
            Settings = new Dictionary<string, string?>(TestSettings.Production(sendGrid.BaseUrl))
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["ConfirmationSweepSchedule"] = "0 0 0 1 1 *",
                ["ReminderSchedule"] = "0 0 0 1 1 *",
                ["HoldSweepSchedule"] = "0 0 0 1 1 *",
                ["EventFunctions:TableName"] = "p" + Guid.NewGuid().ToString("N")[..12],
            },
        });
        await app.StartAsync();
        try
        {
            // One listener per queue trigger (confirmations, notifications), each on its own idle backoff.
            var listeners = app.Services.GetServices<IHostedService>().OfType<QueueListener>().ToList();
            Assert.Equal(2, listeners.Count);

            // 0.1 + 0.2 + 0.4 + 0.8 s, then the cap: wait until each has waited at the cap three times.
            await RunningHost.Eventually(() => Task.FromResult(listeners.All(l => l.IdleWaits >= 7)), "seven idle polls", seconds: 60);

            Assert.All(listeners, l => Assert.Equal(HostJsonMaxPolling, l.LongestIdleWait));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
