using System.Net;
using System.Threading.RateLimiting;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Http;

/// <summary>What an anonymous request is about to do, for the limit that applies.</summary>
public enum PublicAction
{
    /// <summary>Show a page or a small answer (the form, the manage page, a ticket, a calendar file).</summary>
    Page,
    /// <summary>Sign up (form or API): the expensive, seat-taking, email-sending action.</summary>
    SignUp,
    /// <summary>Anything on a door link (search, check in, add a walk-in): limited per link.</summary>
    Door,
}

/// <summary>
/// Rate limits in front of every anonymous route (System.Threading.RateLimiting token buckets, one per partition):
/// per client address for everything, and for sign-ups also per event and per mailbox (a <c>+tag</c> is the same
/// mailbox), per door link for the door. Each instance keeps its own buckets, so scaled out to N instances an
/// address may reach N times a limit; the limits are sized so that even then a script cannot take an event's
/// seats or fill an inbox. A refused request costs no storage: 429 with Retry-After (pages in the visitor's
/// language, the API as ProblemDetails). Settings <c>EventFunctions__Limits__…</c> (see <see cref="LimitOptions"/>).
/// </summary>
public sealed class PublicLimits : IDisposable
{
    private readonly LimitOptions _limits;
    private readonly ILogger<PublicLimits> _log;
    private readonly PartitionedRateLimiter<string> _pages;
    private readonly PartitionedRateLimiter<string> _signUpsByAddress;
    private readonly PartitionedRateLimiter<string> _signUpsByEvent;
    private readonly PartitionedRateLimiter<string> _signUpsByMailbox;
    private readonly PartitionedRateLimiter<string> _door;

    public PublicLimits(IOptions<EventFunctionsOptions> options, ILogger<PublicLimits> log)
    {
        _limits = options.Value.Limits;
        _log = log;
        _pages = PerMinute(_limits.PagesPerAddressPerMinute);
        _signUpsByAddress = PerMinute(_limits.SignUpsPerAddressPerMinute);
        _signUpsByEvent = PerMinute(_limits.SignUpsPerEventPerMinute);
        _signUpsByMailbox = Bucket(_limits.SignUpsPerMailboxPerHour, TimeSpan.FromHours(1));
        _door = PerMinute(_limits.DoorRequestsPerLinkPerMinute);
    }

    /// <summary>A bucket holding a minute's allowance, refilled every second: a burst of a minute's worth, then the rate.</summary>
    private static PartitionedRateLimiter<string> PerMinute(int perMinute) => Bucket(perMinute, TimeSpan.FromMinutes(1));

    private static PartitionedRateLimiter<string> Bucket(int limit, TimeSpan window)
    {
        var size = Math.Max(1, limit);
        var periods = Math.Max(1, (int)window.TotalSeconds);
        var period = TimeSpan.FromTicks(window.Ticks / periods);
        var perPeriod = Math.Max(1, (int)Math.Ceiling(size / (double)periods));
        // Refill a token at a time over the window when the limit is smaller than the window's seconds (5 an hour: one every 12 min).
        if (size < periods)
        {
            period = TimeSpan.FromTicks(window.Ticks / size);
            perPeriod = 1;
        }

        return PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = size,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>
    /// The client's address, as the limits see it. Behind the platform's front end
    /// (<see cref="LimitOptions.TrustForwardedFor"/>) it is the last <c>X-Forwarded-For</c> entry, the one the front
    /// end added (a client can put anything before it); otherwise the connection's. IPv6 addresses count by their
    /// /64 network, which one subscriber holds whole.
    /// </summary>
    public string ClientAddress(HttpRequest request)
    {
        IPAddress? address = null;
        if (_limits.TrustForwardedFor && request.Headers["X-Forwarded-For"].ToString() is { Length: > 0 } forwarded)
        {
            var last = forwarded.Split(',')[^1].Trim();
            address = ParseAddress(last);
        }

        address ??= request.HttpContext.Connection.RemoteIpAddress;
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }

        return address.ToString();
    }

    /// <summary>An address as App Service writes it (<c>1.2.3.4:5678</c>, <c>[2001:db8::1]:5678</c>) or bare.</summary>
    private static IPAddress? ParseAddress(string value)
    {
        if (IPAddress.TryParse(value, out var bare)) return bare;
        if (IPEndPoint.TryParse(value, out var endpoint)) return endpoint.Address;
        return null;
    }

    /// <summary>
    /// Takes one request's allowance. Null: go ahead. Otherwise how long to wait: every limit that applies is
    /// taken in turn, and the first that is spent refuses.
    /// </summary>
    public TimeSpan? Refuse(HttpRequest request, PublicAction action, string? eventId = null, string? mailbox = null, string? doorLink = null)
    {
        var address = ClientAddress(request);
        var checks = new List<(PartitionedRateLimiter<string> Limiter, string Key, string What)> { (_pages, address, "address") };
        if (action == PublicAction.SignUp)
        {
            checks.Add((_signUpsByAddress, address, "sign-ups from the address"));
            if (eventId is not null) checks.Add((_signUpsByEvent, eventId, "sign-ups for the event"));
            if (mailbox is not null) checks.Add((_signUpsByMailbox, mailbox, "sign-ups for the mailbox"));
        }

        if (action == PublicAction.Door && doorLink is not null) checks.Add((_door, doorLink, "requests on the door link"));
        foreach (var (limiter, key, what) in checks)
        {
            using var lease = limiter.AttemptAcquire(key);
            if (lease.IsAcquired) continue;
            var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(60);
            Hosting.Telemetry.RateLimited.Add(1, new KeyValuePair<string, object?>("limit", what));
            _log.LogWarning("Rate limit: {What} spent; refused a {Action} request for {Seconds} s", what, action, Math.Ceiling(wait.TotalSeconds));
            return wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait;
        }

        return null;
    }

    /// <summary>The 429 for the API: ProblemDetails and Retry-After.</summary>
    public static IActionResult TooManyJson(HttpRequest request, TimeSpan wait, UiText text)
    {
        var seconds = Seconds(wait);
        request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return HttpIO.Problem(429, string.Format(text.TooManyRequestsFormat, seconds), $"Too many requests; try again in {seconds} s.", Problems.TooManyRequests);
    }

    /// <summary>The 429 for a page: a short page in the visitor's language, and Retry-After.</summary>
    public static async Task<IActionResult> TooManyPageAsync(HttpRequest request, TimeSpan wait, UiText text, Web.PageRenderer pages)
    {
        var seconds = Seconds(wait);
        request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var html = await pages.RenderAsync<Web.ResultPage>(new()
        {
            [nameof(Web.ResultPage.Text)] = text,
            [nameof(Web.ResultPage.Heading)] = text.TooManyRequestsHeading,
            [nameof(Web.ResultPage.Lines)] = new[] { string.Format(text.TooManyRequestsFormat, seconds) },
        });
        return HttpIO.Html(html, 429);
    }

    private static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    public void Dispose()
    {
        _pages.Dispose();
        _signUpsByAddress.Dispose();
        _signUpsByEvent.Dispose();
        _signUpsByMailbox.Dispose();
        _door.Dispose();
    }
}
