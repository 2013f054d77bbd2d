using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Tests.Infrastructure;

/// <summary>A fault the whole fake answers with, until set back to <see cref="Normal"/> (the chaos run switches them).</summary>
public enum MailMode
{
    Normal,
    Unauthorized,
    TooManyRequests,
    ServerError,
    /// <summary>Holds each request ~3 s, then 202 (a client that gives up first was not answered).</summary>
    Stall,
}

/// <summary>One mail the fake answered 2xx, keyed as the app's custom_args say (else the plain text and category).</summary>
public sealed record SentMail(string? RegistrationId, string? EventId, string? Status, string? Version)
{
    public string? To { get; init; }
    /// <summary>The API key it came with: each chaos instance has its own, so a mail says which instance sent it.</summary>
    public string? ApiKey { get; init; }
    public DateTimeOffset AcceptedUtc { get; init; }
    /// <summary>When it arrived, as <see cref="Stopwatch.GetTimestamp"/> (for latencies).</summary>
    public long Timestamp { get; init; }
    /// <summary>The key a duplicate is judged by: (registration, state version), or (registration, status) without a version.</summary>
    public string Key => Version is not null ? $"{RegistrationId}|v{Version}" : $"{RegistrationId}|s{Status}";
}

/// <summary>
/// The one loopback stand-in for SendGrid's v3 mail-send API (POST /v3/mail/send), so the real SendGrid client is
/// exercised over HTTP; linked into the tests, the benchmark and the chaos run. It records every accepted mail and
/// can fail the next requests, one address's, or everything (<see cref="Mode"/>), and hold requests mid-send.
/// </summary>
public sealed partial class FakeSendGrid : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _keepBodies;
    private readonly ConcurrentQueue<int> _failures = new();
    private readonly ConcurrentDictionary<string, int> _failingAddresses = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<(int Count, TaskCompletionSource Reached)> _waiters = new();
    private TaskCompletionSource? _gate;
    private volatile int _mode;
    private int _requests, _accepted, _unparsed;

    private FakeSendGrid(WebApplication app, bool keepBodies)
    {
        _app = app;
        _keepBodies = keepBodies;
    }

    /// <summary>The bodies of accepted mails (kept unless started with keepBodies: false, as a long run does).</summary>
    public ConcurrentBag<JsonDocument> Mails { get; } = [];
    public ConcurrentQueue<SentMail> Sent { get; } = new();
    /// <summary>The manage link's secret each registration's mails carried (the latest), kept even without bodies.</summary>
    public ConcurrentDictionary<string, string> ManageTokens { get; } = new(StringComparer.Ordinal);
    /// <summary>When the first mail to each address arrived (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public ConcurrentDictionary<string, long> FirstByRecipient { get; } = new(StringComparer.OrdinalIgnoreCase);
    public int Requests => Volatile.Read(ref _requests);
    /// <summary>Mails answered 2xx.</summary>
    public int Count => Volatile.Read(ref _accepted);
    /// <summary>Accepted mails that named no registration.</summary>
    public int Unparsed => Volatile.Read(ref _unparsed);
    public string? LastAuthorization { get; private set; }

    public MailMode Mode
    {
        get => (MailMode)_mode;
        set => _mode = (int)value;
    }

    public string BaseUrl => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>Completes once <paramref name="count"/> requests have arrived (held ones included).</summary>
    public Task RequestsReachedAsync(int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Enqueue((count, reached));
        if (Volatile.Read(ref _requests) >= count) reached.TrySetResult();
        return reached.Task;
    }

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/> instead of 202.</summary>
    public void FailNext(int status, int count = 1)
    {
        for (var i = 0; i < count; i++) _failures.Enqueue(status);
    }

    /// <summary>Every request to <paramref name="email"/> answers <paramref name="status"/> until <see cref="StopFailing"/>.</summary>
    public void FailFor(string email, int status) => _failingAddresses[email] = status;

    public void StopFailing() => _failingAddresses.Clear();

    /// <summary>Requests from now on wait (holding the sender mid-send) until the returned gate is opened.</summary>
    public TaskCompletionSource Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Mails accepted for a registration (by the custom_args the app sets), as (status, version).</summary>
    public List<(string Status, int Version)> MailsFor(string registrationId) => Sent
        .Where(m => m.RegistrationId == registrationId && m.Status is not null && m.Version is not null)
        .Select(m => (m.Status!, int.Parse(m.Version!, System.Globalization.CultureInfo.InvariantCulture)))
        .ToList();

    /// <summary>The plain-text bodies of the mails accepted for <paramref name="to"/>, oldest first (bodies kept).</summary>
    public List<string> PlainTextsTo(string to) => Mails
        .Where(m => m.RootElement.GetProperty("personalizations")[0].GetProperty("to")[0].GetProperty("email").GetString()!.Equals(to, StringComparison.OrdinalIgnoreCase))
        .Select(m => m.RootElement.GetProperty("content").EnumerateArray().First(c => c.GetProperty("type").GetString() == "text/plain").GetProperty("value").GetString()!)
        .Reverse() // a ConcurrentBag enumerates newest first
        .ToList();

    /// <summary>The manage link (where a sign-up is confirmed) in the latest mail to <paramref name="to"/>, or null before one came.</summary>
    public string? ManageLinkTo(string to) => PlainTextsTo(to).Select(t => ManageLinkPattern().Match(t)).LastOrDefault(m => m.Success)?.Value;

    [System.Text.RegularExpressions.GeneratedRegex(@"/manage/(?<e>[^/?\s""\\]+)/(?<r>[^/?\s""\\]+)\?t=(?<t>[A-Za-z0-9._\-]+)")]
    private static partial System.Text.RegularExpressions.Regex ManageLinkInBody();

    [System.Text.RegularExpressions.GeneratedRegex(@"https?://\S+/manage/\S+")]
    private static partial System.Text.RegularExpressions.Regex ManageLinkPattern();

    public static async Task<FakeSendGrid> StartAsync(bool keepBodies = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeSendGrid(app, keepBodies);
        app.MapPost("/v3/mail/send", fake.HandleAsync);
        await app.StartAsync();
        return fake;
    }

    /// <summary>The most requests the fake has been answering at one moment.</summary>
    public int MaxConcurrent => Volatile.Read(ref _maxConcurrent);

    private int _concurrent;
    private int _maxConcurrent;

    private async Task HandleAsync(HttpContext context)
    {
        var now = Interlocked.Increment(ref _concurrent);
        for (var max = Volatile.Read(ref _maxConcurrent); now > max; max = Volatile.Read(ref _maxConcurrent))
        {
            if (Interlocked.CompareExchange(ref _maxConcurrent, now, max) == max) break;
        }

        try
        {
            await AnswerAsync(context);
        }
        finally
        {
            Interlocked.Decrement(ref _concurrent);
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var arrived = Interlocked.Increment(ref _requests);
        foreach (var (count, reached) in _waiters) if (arrived >= count) reached.TrySetResult();
        if (_gate is { } gate) await gate.Task;
        // This request's own key: LastAuthorization is shared by every request in flight, so a mail must not read it
        // back after an await (it once credited one chaos instance's mails to the other).
        var authorization = context.Request.Headers.Authorization.ToString();
        LastAuthorization = authorization;
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();

        switch (Mode)
        {
            case MailMode.Unauthorized:
                await FailAsync(context, 401, "authorization", "The provided authorization grant is invalid, expired, or revoked");
                return;
            case MailMode.TooManyRequests:
                await FailAsync(context, 429, null, "too many requests");
                return;
            case MailMode.ServerError:
                await FailAsync(context, 500, null, "internal error");
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
        var mail = Parse(body) with
        {
            ApiKey = authorization.Replace("Bearer ", "", StringComparison.Ordinal),
            AcceptedUtc = DateTimeOffset.UtcNow,
            Timestamp = Stopwatch.GetTimestamp(),
        };
        if (_failures.TryDequeue(out var status) || (mail.To is not null && _failingAddresses.TryGetValue(mail.To, out status)))
        {
            await FailAsync(context, status, "personalizations.0.to.0.email", "fake failure for someone@example.cn");
            return;
        }

        if (mail.RegistrationId is null) Interlocked.Increment(ref _unparsed);
        if (_keepBodies) Mails.Add(JsonDocument.Parse(body));
        foreach (System.Text.RegularExpressions.Match link in ManageLinkInBody().Matches(System.Text.Encoding.UTF8.GetString(body)))
            ManageTokens[link.Groups["r"].Value] = link.Groups["t"].Value;
        Sent.Enqueue(mail);
        if (mail.To is not null) FirstByRecipient.TryAdd(mail.To, mail.Timestamp);
        Interlocked.Increment(ref _accepted);
        context.Response.StatusCode = (int)HttpStatusCode.Accepted;
    }

    private static async Task FailAsync(HttpContext context, int status, string? field, string message)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new { errors = new[] { new { message, field } } });
    }

    /// <summary>The registration, event, status and version a mail is for (custom_args; else the plain text and category).</summary>
    public static SentMail Parse(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            string? rid = null, eventId = null, status = null, version = null, to = null;
            JsonElement args = default;
            var hasPersonalization = root.TryGetProperty("personalizations", out var ps) && ps.ValueKind == JsonValueKind.Array && ps.GetArrayLength() > 0;
            if (hasPersonalization && ps[0].TryGetProperty("to", out var toList) && toList.ValueKind == JsonValueKind.Array && toList.GetArrayLength() > 0)
                to = Str(toList[0], "email");
            var hasArgs = hasPersonalization && ps[0].TryGetProperty("custom_args", out args) && args.ValueKind == JsonValueKind.Object;
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

            return new SentMail(rid, eventId, status, version) { To = to };
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
