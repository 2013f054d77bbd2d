using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using EventFunctions.LocalHost;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace EventFunctions.Tests.Infrastructure;

/// <summary>
/// The local Functions host (src/LocalHost) serving the app from the functions.metadata and host.json in
/// the test output, on a free loopback port, against Azurite and the fake SendGrid.
/// </summary>
public sealed class RunningHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningHost(WebApplication app, FakeSendGrid sendGrid, string connection, string table)
    {
        _app = app;
        SendGrid = sendGrid;
        Table = new TableClient(connection, table);
        Queue = new QueueClient(connection, "confirmations", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        Poison = new QueueClient(connection, "confirmations-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
    }

    public FakeSendGrid SendGrid { get; }
    public TableClient Table { get; }
    public QueueClient Queue { get; }
    public QueueClient Poison { get; }
    public HttpClient Http { get; }
    public InvocationLog Invocations => _app.Services.GetRequiredService<InvocationLog>();
    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();
    public string BaseUrl => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public static async Task<RunningHost> StartAsync(AzuriteFixture azurite, Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var sendGrid = await FakeSendGrid.StartAsync();
        var table = "h" + Guid.NewGuid().ToString("N")[..12];

        // The queue name is the app's real one (from the metadata), so empty it and its poison queue first.
        await Queues.ClearAsync(azurite.ConnectionString, "confirmations", "confirmations-poison", "notifications-poison");

        var values = TestSettings.Production(sendGrid.BaseUrl);
        values["AzureWebJobsStorage"] = azurite.ConnectionString;
        values["ConfirmationSweepSchedule"] = "0 0 0 1 1 *";
        values["ReminderSchedule"] = "0 0 0 1 1 *";
        values["HoldSweepSchedule"] = "0 0 0 1 1 *";
        values["EventFunctions:TableName"] = table;
        values["EventFunctions:Console:OrganiserTable"] = table + "org";
        values["EventFunctions:Console:AuditTable"] = table + "audit";
        values["EventFunctions:FailuresTable"] = table + "fail";
        values["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00";
        values["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.200";
        foreach (var (k, v) in settings ?? []) values[k] = v;

        var app = LocalFunctionsHost.Build(new LocalHostOptions { Urls = "http://127.0.0.1:0", Settings = values, ConfigureServices = services });
        await app.StartAsync();
        return new RunningHost(app, sendGrid, azurite.ConnectionString, table);
    }

    /// <summary>Creates an event through POST /api/events and returns the response's JSON.</summary>
    public async Task<JsonElement> CreateEventAsync(object input)
    {
        using var response = await Http.PostAsJsonAsync("/api/events", input);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<List<RegistrationEntity>> RegistrationsAsync(string eventId)
    {
        var rows = new List<RegistrationEntity>();
        await foreach (var r in Table.QueryAsync<RegistrationEntity>(x => x.PartitionKey == eventId && x.RowKey != EventEntity.RowKeyValue))
        {
            // A removal notice is not a registration, nor is an instance's seat block.
            if (r.Status != RegistrationStatus.Removed && !r.RowKey.StartsWith(Shared.Ledger.SeatBlockEntity.KeyPrefix, StringComparison.Ordinal) && r.RowKey != Shared.Admission.LotteryListEntity.Key) rows.Add(r);
        }
        return rows;
    }

    /// <summary>The event row as readers see it.</summary>
    public async Task<EventEntity> EventRowAsync(string eventId) => (await Get<Shared.Storage.EventStore>().FindEventAsync(eventId, default))!;

    /// <summary>Waits for a condition the host brings about in the background (queue, timer).</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out after {seconds} s waiting for: {what}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await SendGrid.DisposeAsync();
        await Table.DeleteAsync();
    }
}
