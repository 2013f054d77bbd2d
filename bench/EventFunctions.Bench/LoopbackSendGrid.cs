using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Bench;

/// <summary>A loopback stand-in for SendGrid's POST /v3/mail/send: accepts every mail (202) and notes when it came, for whom and for which state.</summary>
public sealed class LoopbackSendGrid : IAsyncDisposable
{
    public sealed record Mail(string RegistrationId, string Status, int Version, string To, long Timestamp);

    private readonly WebApplication _app;
    private int _count;

    private LoopbackSendGrid(WebApplication app) => _app = app;

    public ConcurrentQueue<Mail> Mails { get; } = new();

    /// <summary>The first mail per recipient (when it was handed to "SendGrid").</summary>
    public ConcurrentDictionary<string, long> FirstByRecipient { get; } = new(StringComparer.Ordinal);

    public int Count => Volatile.Read(ref _count);

    public string BaseUrl => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public static async Task<LoopbackSendGrid> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new LoopbackSendGrid(app);
        app.MapPost("/v3/mail/send", async (HttpContext context) =>
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var p = body.RootElement.GetProperty("personalizations")[0];
            var args = p.GetProperty("custom_args");
            var to = p.GetProperty("to")[0].GetProperty("email").GetString()!;
            var now = Stopwatch.GetTimestamp();
            fake.Mails.Enqueue(new Mail(args.GetProperty("registrationId").GetString()!, args.GetProperty("registrationStatus").GetString()!,
                int.Parse(args.GetProperty("version").GetString()!), to, now));
            fake.FirstByRecipient.TryAdd(to, now);
            Interlocked.Increment(ref fake._count);
            context.Response.StatusCode = StatusCodes.Status202Accepted;
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
