using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EventFunctions.Shared.Hosting;

/// <summary>
/// The app's own traces and metrics (OpenTelemetry reads them by these names; Program.cs exports them to Azure
/// Monitor). Never a name, email or phone in a tag: ids, kinds, statuses and counts only.
/// <para>
/// A sign-up's trace: the HTTP request → <c>ledger commit</c> (a child of the first sign-up it carries, linked to
/// every other one, since one commit carries up to 99) → the queue message, which carries the commit's
/// <c>traceparent</c> → <c>confirmations process</c> → <c>email send</c>.
/// </para>
/// </summary>
public static class Telemetry
{
    public const string SourceName = "EventFunctions";
    public const string MeterName = "EventFunctions";

    public static readonly ActivitySource Source = new(SourceName);
    public static readonly Meter Meter = new(MeterName);

    /// <summary>
    /// Sign-ups committed, tagged <c>status</c> = confirmed, waitlisted or queued (stored in the waitlist inbox, numbered
    /// after) and <c>path</c>: how the ledger stored it (see <see cref="SignUpPath"/>), which says how a rush was served.
    /// </summary>
    public static readonly Counter<long> SignUps = Meter.CreateCounter<long>("eventfunctions.signups", "{sign-up}", "Sign-ups committed by the ledger");

    /// <summary>The <c>path</c> tag of <see cref="SignUps"/>.</summary>
    public static class SignUpPath
    {
        /// <summary>A commit on the event row (one instance, or the seats and waitlist places it decides).</summary>
        public const string EventRow = "event-row";
        /// <summary>A commit on this instance's seat block (several instances, seats nobody waits for).</summary>
        public const string SeatBlock = "seat-block";
        /// <summary>An insert into the waitlist inbox (several instances, people already waiting).</summary>
        public const string WaitlistInbox = "waitlist-inbox";
    }

    public static void SignedUp(string status, string path) =>
        SignUps.Add(1, new KeyValuePair<string, object?>("status", status.ToLowerInvariant()), new KeyValuePair<string, object?>("path", path));

    /// <summary>Emails handed to the provider, tagged <c>kind</c> (confirmation, notice).</summary>
    public static readonly Counter<long> EmailsSent = Meter.CreateCounter<long>("eventfunctions.emails.sent", "{email}", "Emails accepted by the provider");

    /// <summary>Sends that failed (each attempt), tagged <c>kind</c> and <c>reason</c> (rejected, unavailable).</summary>
    public static readonly Counter<long> EmailsFailed = Meter.CreateCounter<long>("eventfunctions.emails.failed", "{email}", "Email sends that failed");

    /// <summary>Ledger commits that met a changed event row (another commit got there first) and were planned again.</summary>
    public static readonly Counter<long> LedgerConflicts = Meter.CreateCounter<long>("eventfunctions.ledger.conflicts", "{conflict}", "Ledger commits retried after an ETag conflict");

    /// <summary>Messages replayed from a poison queue by an administrator.</summary>
    public static readonly Counter<long> HoldsExpired = Meter.CreateCounter<long>("eventfunctions.holds.expired", "{sign-up}", "Sign-ups not confirmed from the email in time, taken off by the hold sweep");

    public static readonly Counter<long> RateLimited = Meter.CreateCounter<long>("eventfunctions.ratelimited", "{request}", "Anonymous requests refused by a rate limit");
    public static readonly Counter<long> PoisonReplayed = Meter.CreateCounter<long>("eventfunctions.poison.replayed", "{message}", "Poison messages replayed");

    private static long _poison = -1;
    private static long _poisonSeen;

    /// <summary>A look older than this is not reported (another instance may have replayed the messages since).</summary>
    public static readonly TimeSpan PoisonLookLasts = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Messages in the poison queues at this instance's last look (the health check and the sweep, every five minutes,
    /// look); reported only while that look is recent, so an instance that stopped looking does not keep an old count.
    /// </summary>
    public static readonly ObservableGauge<long> PoisonMessages = Meter.CreateObservableGauge("eventfunctions.poison.messages",
        () => Interlocked.Read(ref _poison) is var n and >= 0 && Stopwatch.GetElapsedTime(Interlocked.Read(ref _poisonSeen)) < PoisonLookLasts
            ? [new Measurement<long>(n)] : Array.Empty<Measurement<long>>(),
        "{message}", "Messages in the poison queues");

    public static void ObservePoison(long count)
    {
        Interlocked.Exchange(ref _poisonSeen, Stopwatch.GetTimestamp());
        Interlocked.Exchange(ref _poison, count);
    }

    /// <summary>The W3C traceparent of the current activity, to carry in a queue message; null when nothing is traced.</summary>
    public static string? CurrentTraceParent() => Activity.Current is { IdFormat: ActivityIdFormat.W3C } a ? a.Id : null;

    /// <summary>Starts the consumer span of a queue message, a child of the producer's trace when the message carries one.</summary>
    public static Activity? StartConsumer(string name, string? traceParent)
    {
        var links = Activity.Current is { } invocation ? new[] { new ActivityLink(invocation.Context) } : null;
        return ActivityContext.TryParse(traceParent, null, out var parent)
            ? Source.StartActivity(name, ActivityKind.Consumer, parent, links: links)
            : Source.StartActivity(name, ActivityKind.Consumer);
    }
}
