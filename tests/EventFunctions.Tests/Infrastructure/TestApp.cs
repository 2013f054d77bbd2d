using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using EventFunctions.Functions.Confirmations;
using EventFunctions.Functions.Organisers;
using EventFunctions.Functions.Participants;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared;
using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EventFunctions.Tests.Infrastructure;

/// <summary>
/// The app's real service graph (the same AddEventFunctions as Program.cs) against Azurite, with a fresh
/// table and queue per test, and the function classes built from it.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public string TableName { get; }
    public string QueueName { get; }
    public FakeSendGrid? SendGrid { get; }

    private TestApp(ServiceProvider services, string table, string queue, FakeSendGrid? sendGrid)
    {
        _services = services;
        TableName = table;
        QueueName = queue;
        SendGrid = sendGrid;
    }

    public static async Task<TestApp> StartAsync(string storageConnection, bool withSendGrid = true, Dictionary<string, string?>? settings = null, TimeProvider? clock = null,
        Action<IServiceCollection>? services = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var table = $"t{suffix}";
        var queue = $"q{suffix}";
        var sendGrid = withSendGrid ? await FakeSendGrid.StartAsync() : null;
        var values = TestSettings.Production(sendGrid?.BaseUrl ?? "http://127.0.0.1:9");
        values["AzureWebJobsStorage"] = storageConnection;
        values["EventFunctions:TableName"] = table;
        values["EventFunctions:ConfirmationQueue"] = queue;
        values["EventFunctions:ConfirmationRetryDelay"] = "00:00:00"; // a batch's failed email is back on the queue at once
        foreach (var (k, v) in settings ?? []) values[k] = v;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var collection = new ServiceCollection();
        if (clock is not null) collection.AddSingleton(clock); // before AddEventFunctions, which only adds the system clock if none is there
        collection.AddEventFunctions(configuration);
        services?.Invoke(collection); // e.g. a policy in the storage clients' pipeline
        return new TestApp(collection.BuildServiceProvider(), table, queue, sendGrid);
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public EventFunctionsOptions Options => Get<IOptions<EventFunctionsOptions>>().Value;

    // Function classes, as the host would build them.
    public CreateEvent CreateEvent => new(Get<OrganiserApi>());
    public GetEvent GetEvent => new(Get<OrganiserApi>());
    public ListEvents ListEvents => new(Get<OrganiserApi>());
    public UpdateEvent UpdateEvent => new(Get<OrganiserApi>());
    public SignUpForm SignUpForm => new(Get<SignUpApi>());
    public RegisterForEvent RegisterForEvent => new(Get<SignUpApi>());
    public CancelRegistration CancelRegistration => new(Get<SignUpApi>());
    public SendConfirmation SendConfirmation => new(Get<ConfirmationSender>(), Get<EventFunctions.Shared.Operations.QueueFailures>());
    public SweepConfirmations SweepConfirmations => new(Get<ConfirmationQueue>(), Get<EventFunctions.Shared.Operations.PoisonQueues>(), Get<IOptions<EventFunctionsOptions>>());

    public async Task<TableClient> TableAsync() => await Get<EventStore>().TableAsync(default);
    public async Task<QueueClient> QueueAsync() => await Get<EventStore>().QueueAsync(default);

    /// <summary>Creates an event through the CreateEvent function and returns its view.</summary>
    public async Task<EventView> CreateEventAsync(object input)
    {
        var result = await CreateEvent.Run(Requests.Json("POST", "/api/events", input), default);
        if (result is ObjectResult { Value: ValidationProblemDetails problem })
        {
            Assert.Fail("Event rejected: " + string.Join("; ", problem.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        }

        var created = Assert.IsType<CreatedResult>(result);
        return Assert.IsType<EventView>(created.Value);
    }

    public async Task<List<RegistrationEntity>> RegistrationsAsync(string eventId)
    {
        var table = await TableAsync();
        var rows = new List<RegistrationEntity>();
        await foreach (var r in table.QueryAsync<RegistrationEntity>(x => x.PartitionKey == eventId && x.RowKey != EventEntity.RowKeyValue && x.RowKey != Shared.Attendance.AttendanceSummaryEntity.RowKeyValue))
        {
            // A removal notice is not a registration, nor is an instance's seat block or a waitlist inbox row.
            if (r.Status != RegistrationStatus.Removed && !r.RowKey.StartsWith(Shared.Ledger.SeatBlockEntity.KeyPrefix, StringComparison.Ordinal) && r.RowKey != Shared.Admission.LotteryListEntity.Key
                && !r.RowKey.StartsWith(Shared.Ledger.WaitlistInbox.Prefix, StringComparison.Ordinal)) rows.Add(r);
        }
        return rows;
    }

    /// <summary>The event as readers see it: the seats instances' blocks gave counted as confirmed (the row as stored when none is held).</summary>
    public async Task<EventEntity> EventRowAsync(string eventId) => (await Get<EventStore>().FindEventAsync(eventId, default))!;

    /// <summary>The event row as stored (what the ledger commits against).</summary>
    public async Task<EventEntity> StoredEventRowAsync(string eventId) =>
        (await (await TableAsync()).GetEntityAsync<EventEntity>(eventId, EventEntity.RowKeyValue)).Value;

    /// <summary>The seat blocks instances hold on the event.</summary>
    public async Task<List<Shared.Ledger.SeatBlockEntity>> BlocksAsync(string eventId)
    {
        var blocks = new List<Shared.Ledger.SeatBlockEntity>();
        await foreach (var b in (await TableAsync()).QueryAsync<Shared.Ledger.SeatBlockEntity>(Shared.Ledger.SeatBlockEntity.Filter(eventId))) blocks.Add(b);
        return blocks;
    }

    /// <summary>Takes every message off the queue, decoded as the queue trigger would hand it over.</summary>
    public async Task<List<string>> DrainQueueAsync()
    {
        await Get<EventLedger>().QueueWritesAsync(); // the messages of commits already answered
        return await Queues.DrainAsync(await QueueAsync());
    }

    /// <summary>Hands every queued message to the SendConfirmation function, as the host would; returns how many registrations they named.</summary>
    public async Task<int> DeliverQueuedAsync()
    {
        var messages = await DrainQueueAsync();
        foreach (var m in messages) await SendConfirmation.Run(m, default);
        return RegistrationsNamed(messages);
    }

    /// <summary>How many registrations queue messages name (a ledger commit queues one message for all of its emails).</summary>
    public static int RegistrationsNamed(IEnumerable<string> messages) => messages.Sum(m => ConfirmationQueue.ParseAll(m)?.Count ?? 1);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await (await TableAsync()).DeleteAsync();
            await (await QueueAsync()).DeleteAsync();
        }
        catch (Exception)
        {
            // Azurite in memory goes away at the end of the run anyway.
        }

        if (SendGrid is not null) await SendGrid.DisposeAsync();
        await _services.DisposeAsync();
    }
}

/// <summary>Real ASP.NET Core request objects, as the Functions ASP.NET Core integration hands them to a function.</summary>
public static class Requests
{
    public static HttpRequest Json(string method, string path, object? body, string? acceptLanguage = null) =>
        Raw(method, path, body is null ? "" : JsonSerializer.Serialize(body, Shared.Json.Options), "application/json", acceptLanguage);

    public static HttpRequest Raw(string method, string path, string body, string? contentType, string? acceptLanguage = null)
    {
        // A post of the sign-up form carries the token the page would have given it, unless the test sets its own.
        if (method == "POST" && contentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) == true
            && path.StartsWith("/api/signup/", StringComparison.Ordinal) && !body.Split('&').Any(p => p.StartsWith(Shared.Security.FormTokens.Field + "=", StringComparison.Ordinal)))
        {
            var eventId = path["/api/signup/".Length..].Split('?')[0];
            body += (body.Length > 0 ? "&" : "") + Shared.Security.FormTokens.Field + "=" + Uri.EscapeDataString(TestFormTokens.For(eventId));
        }

        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = method;
        var q = path.IndexOf('?');
        request.Path = q < 0 ? path : path[..q];
        if (q >= 0) request.QueryString = new QueryString(path[q..]);
        request.Scheme = "https";
        request.Host = new HostString("signup.example.cn");
        if (contentType is not null) request.ContentType = contentType;
        if (acceptLanguage is not null) request.Headers.AcceptLanguage = acceptLanguage;
        var bytes = Encoding.UTF8.GetBytes(body);
        request.Body = new MemoryStream(bytes);
        request.ContentLength = bytes.Length;
        context.Response.Body = new MemoryStream();
        return request;
    }

    public static HttpRequest Form(string path, IEnumerable<KeyValuePair<string, string>> fields, string? acceptLanguage = null)
    {
        var body = string.Join("&", fields.Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value)}"));
        return Raw("POST", path, body, "application/x-www-form-urlencoded", acceptLanguage);
    }

    public static HttpRequest Get(string path, string? acceptLanguage = null) => Raw("GET", path, "", null, acceptLanguage);
}

public static class Results
{
    public static (int Status, T Value) Object<T>(IActionResult result)
    {
        var o = Assert.IsAssignableFrom<ObjectResult>(result);
        return (o.StatusCode ?? 200, Assert.IsAssignableFrom<T>(o.Value));
    }

    public static (int Status, string Html) Html(IActionResult result)
    {
        var c = Assert.IsType<Shared.Http.HtmlPageResult>(result); // pages carry their security headers
        Assert.StartsWith("text/html", c.ContentType);
        return (c.StatusCode ?? 200, c.Content!);
    }
}
