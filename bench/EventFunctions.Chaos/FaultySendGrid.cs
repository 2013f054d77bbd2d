using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Chaos;

public enum MailMode
{
    Normal,
    Unauthorized,
    TooManyRequests,
    ServerError,
    Stall,
}

/// <summary>One mail the fake answered 2xx, keyed as the contract says (custom_args, else the plain text and category).</summary>
public sealed record SentMail(string? RegistrationId, string? EventId, string? Status, string? Version)
{
    /// <summary>The API key it came with: each instance has its own, so a mail says which instance sent it.</summary>
    public string? ApiKey { get; init; }

    public DateTimeOffset AcceptedUtc { get; init; }

    /// <summary>The key a duplicate is judged by: (registration, state version), or (registration, status) without a version.</summary>
    public string Key => Version is not null ? $"{RegistrationId}|v{Version}" : $"{RegistrationId}|s{Status}";
}

/// <summary>
/// A loopback stand-in for SendGrid's <c>POST /v3/mail/send</c> with a switchable fault mode: 202, 401, 429,
/// 500, or a stall (holds the request ~3 s, then 202). It records every mail it answered 2xx.
/// </summary>
public sealed partial class FaultySendGrid : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile int _mode;
    private int _requests;

    public ConcurrentQueue<SentMail> Sent { get; } = new();
    public int Requests => Volatile.Read(ref _requests);
    public int Unparsed => Volatile.Read(ref _unparsed);
    private int _unparsed;

    public MailMode Mode
    {
        get => (MailMode)_mode;
        set => _mode = (int)value;
    }

    private FaultySendGrid(WebApplication app) => _app = app;

    public string BaseUrl => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public static async Task<FaultySendGrid> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FaultySendGrid(app);
        app.MapPost("/v3/mail/send", fake.HandleAsync);
        await app.StartAsync();
        return fake;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var mode = Mode;
        switch (mode)
        {
            case MailMode.Unauthorized:
                await Fail(context, 401, "authorization", "The provided authorization grant is invalid, expired, or revoked");
                return;
            case MailMode.TooManyRequests:
                await Fail(context, 429, null, "too many requests");
                return;
            case MailMode.ServerError:
                await Fail(context, 500, null, "internal error");
                return;
            case MailMode.Stall:
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(3), context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return; // the client gave up before any answer: not answered 2xx
                }

                break;
        }

        if (context.RequestAborted.IsCancellationRequested) return;
        var mail = Parse(buffer.ToArray()) with
        {
            ApiKey = context.Request.Headers.Authorization.ToString().Replace("Bearer ", "", StringComparison.Ordinal),
            AcceptedUtc = DateTimeOffset.UtcNow,
        };
        if (mail.RegistrationId is null) Interlocked.Increment(ref _unparsed);
        Sent.Enqueue(mail);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private static async Task Fail(HttpContext context, int status, string? field, string message)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new { errors = new[] { new { message, field } } });
    }

    public static SentMail Parse(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            string? rid = null, eventId = null, status = null, version = null;

            JsonElement args = default;
            var hasArgs = root.TryGetProperty("personalizations", out var ps) && ps.ValueKind == JsonValueKind.Array && ps.GetArrayLength() > 0
                && ps[0].TryGetProperty("custom_args", out args) && args.ValueKind == JsonValueKind.Object;
            if (!hasArgs) hasArgs = root.TryGetProperty("custom_args", out args) && args.ValueKind == JsonValueKind.Object;
            if (hasArgs)
            {
                rid = Str(args, "registrationId");
                eventId = Str(args, "eventId");
                status = Str(args, "registrationStatus");
                version = Str(args, "version");
            }

            if (rid is null && root.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
            {
                foreach (var part in content.EnumerateArray())
                {
                    if (Str(part, "type") != "text/plain") continue;
                    var text = Str(part, "value") ?? "";
                    var match = ReferenceLine().Match(text);
                    if (match.Success) rid = match.Groups[1].Value;
                    var link = ManageLink().Match(text);
                    if (link.Success)
                    {
                        eventId ??= link.Groups[1].Value;
                        rid ??= link.Groups[2].Value;
                    }
                }
            }

            if (status is null && root.TryGetProperty("categories", out var categories) && categories.ValueKind == JsonValueKind.Array)
            {
                foreach (var c in categories.EnumerateArray())
                {
                    status ??= c.GetString() switch
                    {
                        "confirmation" => "Confirmed",
                        "waitlist" => "Waitlisted",
                        _ => null,
                    };
                }
            }

            return new SentMail(rid, eventId, status, version);
        }
        catch (JsonException)
        {
            return new SentMail(null, null, null, null);
        }
    }

    private static string? Str(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        };
    }

    /// <summary>The reference line of the plain-text part, zh-CN (报名编号：X) or en (Reference: X).</summary>
    [GeneratedRegex(@"(?:报名编号[:：]|Reference:)\s*([A-Za-z0-9_-]+)")]
    private static partial Regex ReferenceLine();

    [GeneratedRegex(@"/api/manage/([^/\s]+)/([A-Za-z0-9_-]+)\?")]
    private static partial Regex ManageLink();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
