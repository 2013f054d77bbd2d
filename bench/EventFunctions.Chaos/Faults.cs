using System.Collections.Concurrent;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Chaos;

/// <summary>
/// Every few seconds one fault: Azurite paused (SIGSTOP 2–12 s, then SIGCONT), instance B killed (SIGKILL) and
/// restarted on its port, a few client requests cut off 5–200 ms in, or the fake SendGrid answering
/// 401 / 429 / 500 / stalling for a few seconds. Faults of different kinds may overlap.
/// </summary>
public sealed class Faults(AzuriteProcess azurite, AppInstance b, FakeSendGrid sendGrid, Load load, Ledger ledger, HttpClient http)
{
    /// <summary>When instance B was killed (SIGKILL), for telling a kill's duplicate email from any other.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<DateTimeOffset> KillsOfB { get; } = new();

    /// <summary>Each fault's start and end (system time), for explaining what the checks find.</summary>
    public ConcurrentQueue<string> Timeline { get; } = new();

    private void Mark(string what) => Timeline.Enqueue($"{what} {DateTimeOffset.UtcNow:HH:mm:ss.fff}");

    private readonly ConcurrentDictionary<string, int> _counts = new();
    private readonly ConcurrentDictionary<string, bool> _busy = new();
    private readonly List<Task> _running = [];
    private readonly Random _random = new();

    /// <summary>Faults injected: pauses, kills, email-fault windows, and each client request actually cut off.</summary>
    public long Count => _counts.Values.Sum() + ledger.Disconnects;

    /// <summary>The faults in force right now, for the progress line.</summary>
    public string Active
    {
        get
        {
            var active = _busy.Where(kv => kv.Value).Select(kv => kv.Key).OrderBy(k => k).ToList();
            return active.Count == 0 ? "none active" : string.Join("+", active);
        }
    }

    public string Summary() => string.Join(", ", _counts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}").Append($"client-disconnects={ledger.Disconnects}"));

    private void Counted(string kind, int n = 1) => _counts.AddOrUpdate(kind, n, (_, c) => c + n);

    public async Task RunAsync(CancellationToken stop, CancellationToken abort)
    {
        string[] kinds = ["azurite-pause", "kill-b", "disconnects", "sendgrid"];
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2), stop);
            while (!stop.IsCancellationRequested)
            {
                var free = kinds.Where(k => !_busy.GetValueOrDefault(k)).ToList();
                if (free.Count > 0)
                {
                    var kind = free[_random.Next(free.Count)];
                    _busy[kind] = true;
                    lock (_running) _running.Add(Task.Run(() => InjectAsync(kind, stop, abort)));
                }

                await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(1500, 4000)), stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task InjectAsync(string kind, CancellationToken stop, CancellationToken abort)
    {
        try
        {
            switch (kind)
            {
                case "azurite-pause":
                    if (azurite.ProcessId is not { } pid) return;
                    Native.Signal(pid, Native.SIGSTOP);
                    Mark("storage paused");
                    Counted(kind);
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(2000, 12001)), stop);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                    finally
                    {
                        Native.Signal(pid, Native.SIGCONT);
                        Mark("resumed");
                    }

                    break;
                case "kill-b":
                    KillsOfB.Enqueue(DateTimeOffset.UtcNow);
                    b.Kill();
                    Mark("kill B");
                    Counted(kind);
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(2000, 5001)), stop);
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    b.Start();
                    await b.WaitReadyAsync(http, TimeSpan.FromSeconds(60), needOk: false, abort);
                    break;
                case "disconnects":
                    var n = _random.Next(3, 9);
                    load.DisconnectNext(n);
                    // Each request actually cut off counts as one fault (Ledger.Disconnects); a burst is not one itself.
                    await Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None);
                    break;
                case "sendgrid":
                    MailMode[] modes = [MailMode.Unauthorized, MailMode.TooManyRequests, MailMode.ServerError, MailMode.Stall];
                    var mode = modes[_random.Next(modes.Length)];
                    sendGrid.Mode = mode;
                    Mark($"SendGrid {mode}");
                    Counted($"sendgrid-{mode.ToString().ToLowerInvariant()}");
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(2000, 6001)), stop);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                    finally
                    {
                        sendGrid.Mode = MailMode.Normal;
                        Mark("SendGrid normal");
                    }

                    break;
            }
        }
        finally
        {
            _busy[kind] = false;
        }
    }

    /// <summary>After the load: every fault over, Azurite running, the fake SendGrid normal, instance B up.</summary>
    public async Task EndAsync(CancellationToken abort)
    {
        Task[] running;
        lock (_running) running = [.. _running];
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(90), abort);
        if (azurite.ProcessId is { } pid) Native.Signal(pid, Native.SIGCONT);
        sendGrid.Mode = MailMode.Normal;
        if (!b.Running) b.Start();
    }
}
