using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EventFunctions.Chaos;

/// <summary>One app instance: the local Functions host (src/LocalHost) as its own process on a fixed loopback port.</summary>
public sealed class AppInstance(string name, string dll, int port, IReadOnlyDictionary<string, string> environment, string logFolder) : IDisposable
{
    private readonly object _gate = new();
    private Process? _process;
    private int _starts;

    public string Name { get; } = name;
    public string BaseUrl { get; } = $"http://127.0.0.1:{port}";

    public int? ProcessId
    {
        get
        {
            lock (_gate) return _process is { HasExited: false } p ? p.Id : null;
        }
    }

    public bool Running => ProcessId is not null;

    public void Start()
    {
        lock (_gate)
        {
            if (_process is { HasExited: false }) return;
            _process?.Dispose();
            _starts++;
            var log = Path.Combine(logFolder, $"instance{Name}-{_starts}.log");
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { dll },
                WorkingDirectory = Path.GetDirectoryName(dll)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var (k, v) in environment) start.Environment[k] = v;
            start.Environment["LOCALHOST_URLS"] = BaseUrl;
            start.Environment["LOCALHOST_SETTINGS"] = "none"; // production settings only, whatever ./run.sh left beside the app
            var process = Process.Start(start) ?? throw new InvalidOperationException($"instance {Name} did not start");
            var writer = new StreamWriter(log, append: false) { AutoFlush = true };
            var sync = TextWriter.Synchronized(writer);
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) Write(sync, e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Write(sync, e.Data); };
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) =>
            {
                // The output handlers may still run after Exited; closing the writer is left to the finaliser.
                Write(sync, $"[chaos] process exited");
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _process = process;
        }
    }

    private static void Write(TextWriter writer, string line)
    {
        try
        {
            writer.WriteLine(line);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>SIGKILL: the instance gets no chance to finish anything.</summary>
    public void Kill()
    {
        lock (_gate)
        {
            if (_process is { HasExited: false } p)
            {
                Native.Signal(p.Id, Native.SIGKILL);
                p.WaitForExit(10_000);
            }
        }
    }

    /// <summary>Waits until the instance answers HTTP at all (<paramref name="needOk"/>: GET /api/events answers 200).</summary>
    public async Task<bool> WaitReadyAsync(HttpClient http, TimeSpan timeout, bool needOk, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !ct.IsCancellationRequested)
        {
            if (!Running) return false;
            try
            {
                using var probe = CancellationTokenSource.CreateLinkedTokenSource(ct);
                probe.CancelAfter(TimeSpan.FromSeconds(5));
                using var response = await http.GetAsync($"{BaseUrl}/api/events", probe.Token);
                if (!needOk || response.IsSuccessStatusCode) return true;
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
            }

            await Task.Delay(250, CancellationToken.None);
        }

        return false;
    }

    /// <summary>Resident memory from /proc/&lt;pid&gt;/status, in MB; null when the process is not running.</summary>
    public double? RssMb()
    {
        var pid = ProcessId;
        if (pid is null) return null;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var kb = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]);
                return kb / 1024.0;
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    public void Dispose()
    {
        Kill();
        lock (_gate) _process?.Dispose();
    }
}

public static class Native
{
    public const int SIGKILL = 9;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;
}
