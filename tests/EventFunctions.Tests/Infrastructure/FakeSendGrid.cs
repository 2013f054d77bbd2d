using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Tests.Infrastructure;

/// <summary>
/// A loopback stand-in for SendGrid's v3 mail-send API (POST /v3/mail/send), so the real SendGrid client
/// is exercised over HTTP. It records every accepted mail and can be told to fail the next requests.
/// </summary>
public sealed class FakeSendGrid : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _failures = new();

    public ConcurrentBag<JsonDocument> Mails { get; } = [];
    public int Requests => _requests;
    private int _requests;
    private readonly ConcurrentQueue<(int Count, TaskCompletionSource Reached)> _waiters = new();

    /// <summary>Completes once <paramref name="count"/> requests have arrived (held ones included).</summary>
    public Task RequestsReachedAsync(int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Enqueue((count, reached));
        if (Volatile.Read(ref _requests) >= count) reached.TrySetResult();
        return reached.Task;
    }
    public string? LastAuthorization { get; private set; }

    private FakeSendGrid(WebApplication app) => _app = app;

    public string BaseUrl => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/> instead of 202.</summary>
    public void FailNext(int status, int count = 1)
    {
        for (var i = 0; i < count; i++) _failures.Enqueue(status);
    }

    private readonly ConcurrentDictionary<string, int> _failingAddresses = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every request to <paramref name="email"/> answers <paramref name="status"/> until <see cref="StopFailing"/>.</summary>
    public void FailFor(string email, int status) => _failingAddresses[email] = status;

    public void StopFailing() => _failingAddresses.Clear();

    private TaskCompletionSource? _gate;

    /// <summary>Requests from now on wait (holding the sender mid-send) until the returned gate is opened.</summary>
    public TaskCompletionSource Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Mails accepted for a registration (by the custom_args the app sets), as (status, version).</summary>
    public List<(string Status, int Version)> MailsFor(string registrationId) => Mails
        .Select(m => m.RootElement.GetProperty("personalizations")[0])
        .Where(p => p.TryGetProperty("custom_args", out var a) && a.GetProperty("registrationId").GetString() == registrationId)
        .Select(p => (p.GetProperty("custom_args").GetProperty("registrationStatus").GetString()!, int.Parse(p.GetProperty("custom_args").GetProperty("version").GetString()!)))
        .ToList();

    public static async Task<FakeSendGrid> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeSendGrid(app);
        app.MapPost("/v3/mail/send", async (HttpContext context) =>
        {
            var arrived = Interlocked.Increment(ref fake._requests);
            foreach (var (count, reached) in fake._waiters) if (arrived >= count) reached.TrySetResult();
            if (fake._gate is { } gate) await gate.Task;
            fake.LastAuthorization = context.Request.Headers.Authorization.ToString();
            var body = await JsonDocument.ParseAsync(context.Request.Body);
            var to = body.RootElement.GetProperty("personalizations")[0].GetProperty("to")[0].GetProperty("email").GetString() ?? "";
            if (fake._failures.TryDequeue(out var status) || fake._failingAddresses.TryGetValue(to, out status))
            {
                context.Response.StatusCode = status;
                await context.Response.WriteAsJsonAsync(new { errors = new[] { new { message = "fake failure for someone@example.cn", field = "personalizations.0.to.0.email" } } });
                return;
            }

            fake.Mails.Add(body);
            context.Response.StatusCode = (int)HttpStatusCode.Accepted;
        });
        await app.StartAsync();
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
