using EventFunctions.Shared;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Text;
using EventFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EventFunctions.Tests;

/// <summary>What a sign-up costs in storage requests (what an operator pays for), counted in the SDK pipeline.</summary>
[Collection(StorageCollection.Name)]
public sealed class StorageCostTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_lone_sign_up_on_a_quiet_event_reads_the_event_once_commits_once_and_queues_its_email_once()
    {
        var settings = TestSettings.Production("http://127.0.0.1:9");
        settings["AzureWebJobsStorage"] = azurite.ConnectionString;
        settings["EventFunctions:TableName"] = "cost" + Guid.NewGuid().ToString("N")[..10];
        settings["EventFunctions:ConfirmationQueue"] = "cost" + Guid.NewGuid().ToString("N")[..10];
        var requests = new StorageRequests();
        var collection = new ServiceCollection().AddEventFunctions(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        collection.AddAzureClients(b => b.ConfigureDefaults(o => o.AddPolicy(requests, Azure.Core.HttpPipelinePosition.PerCall)));
        await using var services = collection.BuildServiceProvider();
        var events = services.GetRequiredService<EventService>();
        var registrations = services.GetRequiredService<RegistrationService>();
        async Task<string> EventAsync() => Assert.IsType<EventOutcome.Created>(await events.CreateAsync(Informed.Input(Seed.Lecture()), default)).Event.Id;
        SignUpInput Person(string email) => new() { Name = "李莹晖", Email = email, Consent = true, Language = "zh-CN" };

        // The first sign-up creates the queue; the second, on another quiet event, is the steady state.
        await registrations.SignUpAsync(await EventAsync(), Person("first@example.cn"), UiText.Chinese, default);
        var quiet = await EventAsync();
        await services.GetRequiredService<EventLedger>().QueueWritesAsync();
        var before = requests.Snapshot();
        Assert.IsType<SignUpOutcome.Registered>(await registrations.SignUpAsync(quiet, Person("li@example.cn"), UiText.Chinese, default));
        await services.GetRequiredService<EventLedger>().QueueWritesAsync();

        var line = requests.Since(before, 1, out var total);
        Assert.True(total == 3, $"a lone sign-up sent {total} storage requests: {line}");
        Assert.Contains("table point read 1.00", line); // the event row, read once (the ledger starts from that read)
        Assert.Contains("table transaction 1.00", line);
        Assert.Contains("queue send 1.00", line);
    }
}
