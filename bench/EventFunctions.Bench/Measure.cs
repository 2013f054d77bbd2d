using System.Diagnostics;

namespace EventFunctions.Bench;

/// <summary>Latencies of one part, in milliseconds, and the percentiles the report prints.</summary>
public sealed class Latencies
{
    private readonly List<double> _ms = [];

    public int Count
    {
        get
        {
            lock (_ms) return _ms.Count;
        }
    }

    public void Add(double ms)
    {
        lock (_ms) _ms.Add(ms);
    }

    public double Percentile(double q)
    {
        lock (_ms)
        {
            if (_ms.Count == 0) return double.NaN;
            var sorted = _ms.Order().ToArray();
            return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
        }
    }

    public string Summary => $"p50={Percentile(0.50):F1} p95={Percentile(0.95):F1} p99={Percentile(0.99):F1} ms";
}

/// <summary>What one part measured and the invariants checked after it.</summary>
public sealed record PartResult(string Part, int Attempts, int Succeeded, double Seconds, Latencies Latency)
{
    public double PerSecond => Succeeded / Seconds;
    public long Oversold { get; init; }
    public long Lost { get; init; }
    public long Duplicates { get; init; }
    public string Note { get; init; } = "";
}

/// <summary>K clients taking attempts 0..N-1 off a shared counter; each attempt's latency is recorded.</summary>
public static class Clients
{
    /// <summary>Azurite's process, whose CPU time each run reports beside the benchmark's own.</summary>
    public static int? AzuritePid { get; set; }

    private static TimeSpan AzuriteCpu()
    {
        try
        {
            return AzuritePid is { } pid ? Process.GetProcessById(pid).TotalProcessorTime : TimeSpan.Zero;
        }
        catch (Exception)
        {
            return TimeSpan.Zero;
        }
    }

    public static async Task<(double Seconds, Latencies Latency)> RunAsync(int clients, int attempts, string label, Func<int, Task> attempt)
    {
        var latency = new Latencies();
        var next = -1;
        var done = 0;
        var cpuSelf = Process.GetCurrentProcess().TotalProcessorTime;
        var cpuAzurite = AzuriteCpu();
        var gcPause = GC.GetTotalPauseDuration();
        var gcCounts = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
        var allocated = GC.GetTotalAllocatedBytes();
        var watch = Stopwatch.StartNew();
        using var progress = new Timer(_ => Console.Write($"\r  {label}: {Volatile.Read(ref done)}/{attempts} in {watch.Elapsed.TotalSeconds:F0} s   "), null, 1000, 1000);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < attempts)
            {
                var started = Stopwatch.GetTimestamp();
                await attempt(i);
                latency.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Increment(ref done);
            }
        })));
        watch.Stop();
        progress.Change(Timeout.Infinite, Timeout.Infinite);
        cpuSelf = Process.GetCurrentProcess().TotalProcessorTime - cpuSelf;
        cpuAzurite = AzuriteCpu() - cpuAzurite;
        gcPause = GC.GetTotalPauseDuration() - gcPause;
        var collections = string.Join("/", gcCounts.Select((c, g) => GC.CollectionCount(g) - c));
        var allocatedPerAttempt = (GC.GetTotalAllocatedBytes() - allocated) / 1024.0 / attempts;
        // Where the time went: CPU per attempt in this process (clients and, for the product, the app) and in Azurite;
        // and this process's garbage collection meanwhile (allocated per attempt, collections of gen 0/1/2, time paused).
        Console.Write($"\r  {label}: {attempts}/{attempts} in {watch.Elapsed.TotalSeconds:F1} s; CPU per attempt: this process {cpuSelf.TotalMilliseconds / attempts:F2} ms, Azurite {cpuAzurite.TotalMilliseconds / attempts:F2} ms; " +
            $"GC: {allocatedPerAttempt:F0} kB allocated per attempt, collections {collections}, paused {100 * gcPause.TotalSeconds / watch.Elapsed.TotalSeconds:F0}% of the time   \n");
        return (watch.Elapsed.TotalSeconds, latency);
    }

    /// <summary>Waits for a condition, showing progress; false if it did not come within the time given.</summary>
    public static async Task<bool> UntilAsync(Func<Task<(bool Done, string Progress)>> condition, TimeSpan within, string label)
    {
        var watch = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        while (true)
        {
            var (ok, progress) = await condition();
            if (watch.Elapsed - last >= TimeSpan.FromSeconds(1) || ok)
            {
                Console.Write($"\r  {label}: {progress} ({watch.Elapsed.TotalSeconds:F0} s)   ");
                last = watch.Elapsed;
            }

            if (ok)
            {
                Console.WriteLine();
                return true;
            }

            if (watch.Elapsed > within)
            {
                Console.WriteLine(" — gave up");
                return false;
            }

            await Task.Delay(50);
        }
    }
}

/// <summary>
/// How the ledger stored a part's sign-ups (the <c>path</c> tag of <c>eventfunctions.signups</c>: event row, seat block,
/// waitlist inbox) and its commits refused by another writer (<c>eventfunctions.ledger.conflicts</c>), overall and per
/// quarter second: where a rush on several instances spends its time.
/// </summary>
public sealed class LedgerPaths : IDisposable
{
    private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<(long At, string What)> _seen = new();
    private readonly long _start = Stopwatch.GetTimestamp();

    public LedgerPaths()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == Shared.Hosting.Telemetry.MeterName && instrument.Name is "eventfunctions.signups" or "eventfunctions.ledger.conflicts")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var what = "conflict";
            foreach (var t in tags) if (t.Key == "path") what = t.Value as string ?? "?";
            for (var i = 0; i < value; i++) _seen.Enqueue((Stopwatch.GetTimestamp(), what));
        });
        _listener.Start();
    }

    /// <summary>Counts by path, then the refused commits, e.g. "event-row 1081, waitlist-inbox 3919; 131 commits refused".</summary>
    public string Summary()
    {
        var all = _seen.ToList();
        var paths = all.Where(s => s.What != "conflict").GroupBy(s => s.What).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}");
        return $"{string.Join(", ", paths)}; {all.Count(s => s.What == "conflict")} commits refused by another writer";
    }

    /// <summary>Per quarter second from the start: sign-ups by path (e=event row, b=seat block, i=inbox) and refusals (x).</summary>
    public string Timeline()
    {
        static string Short(string what) => what switch { "event-row" => "e", "seat-block" => "b", "waitlist-inbox" => "i", "conflict" => "x", _ => "?" };
        return string.Join(" ", _seen.ToList().GroupBy(s => (int)((s.At - _start) * 4 / Stopwatch.Frequency)).OrderBy(g => g.Key)
            .Select(g => $"{g.Key * 250}ms:" + string.Join("/", g.GroupBy(s => Short(s.What)).OrderBy(x => x.Key).Select(x => $"{x.Key}{x.Count()}"))));
    }

    public void Dispose() => _listener.Dispose();
}
