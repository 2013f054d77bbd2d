using EventFunctions.LocalHost;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace EventFunctions.Tests;

/// <summary>A function as the local host must be able to call it: every kind of parameter it binds.</summary>
public sealed class BindingProbe(TimeProvider clock)
{
    public static (HttpRequest Request, string EventId, int Seats, FunctionContext Context, CancellationToken Token, DateTimeOffset Now)? Last;

    public IActionResult Run(HttpRequest request, string eventId, int seats, FunctionContext context, CancellationToken ct)
    {
        Last = (request, eventId, seats, context, ct, clock.GetUtcNow());
        return new OkObjectResult(new { eventId, seats });
    }
}

public sealed class FunctionInvokerTests
{
    private static FunctionMetadata Probe(string entryPoint = "EventFunctions.Tests.BindingProbe.Run") => new()
    {
        Name = "Probe",
        ScriptFile = "EventFunctions.Tests.dll",
        EntryPoint = entryPoint,
        Bindings =
        [
            new BindingEntry { Name = "request", Type = "httpTrigger", Direction = "In", Methods = ["get"], Route = "probe/{eventId}/{seats:int}" },
            new BindingEntry { Name = "$return", Type = "http", Direction = "Out" },
        ],
    };

    [Fact]
    public async Task Binds_the_request_route_values_function_context_and_cancellation_token()
    {
        await using var services = new ServiceCollection().AddSingleton(TimeProvider.System).BuildServiceProvider();
        using var cancel = new CancellationTokenSource();
        var http = new DefaultHttpContext { RequestServices = services, RequestAborted = cancel.Token };
        http.Request.RouteValues["eventId"] = "k3m9x2abcd";
        http.Request.RouteValues["seats"] = "42";

        var invoker = new FunctionInvoker(Probe(), typeof(BindingProbe).Assembly);
        var result = await invoker.InvokeAsync(services, new TriggerInput { Http = http, CancellationToken = cancel.Token });

        Assert.IsType<OkObjectResult>(result);
        var last = BindingProbe.Last!.Value;
        Assert.Same(http.Request, last.Request);
        Assert.Equal("k3m9x2abcd", last.EventId);
        Assert.Equal(42, last.Seats);
        Assert.Equal("Probe", last.Context.FunctionId);
        Assert.Same(services, last.Context.InstanceServices);
        Assert.Equal(cancel.Token, last.Token);
    }

    [Fact]
    public void An_entry_point_that_does_not_exist_stops_the_start() =>
        Assert.Contains("not found", Assert.Throws<InvalidOperationException>(() =>
            new FunctionInvoker(Probe("EventFunctions.Tests.BindingProbe.Missing"), typeof(BindingProbe).Assembly)).Message);
}

[Collection(StorageCollection.Name)]
public sealed class QueueRetryTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_failed_message_waits_visibilityTimeout_before_its_next_attempt()
    {
        await using var host = await RunningHost.StartAsync(azurite, new()
        {
            ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:02",
            ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "2",
        });
        await host.Queue.SendMessageAsync("not a confirmation");
        await RunningHost.Eventually(async () => (await host.Poison.PeekMessagesAsync()).Value.Length == 1, "the message in the poison queue");

        var attempts = host.Invocations.For("SendConfirmation");
        Assert.Equal(2, attempts.Count); // maxDequeueCount from the app setting over host.json's 5
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromSeconds(1.5), $"retried after {attempts[1].At - attempts[0].At}");
    }
}
