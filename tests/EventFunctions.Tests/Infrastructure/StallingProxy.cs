using System.Net;
using System.Net.Sockets;

namespace EventFunctions.Tests.Infrastructure;

/// <summary>
/// A loopback TCP proxy in front of a real Azurite endpoint that can hold the answers back: requests still
/// reach storage (and are carried out) while their responses wait, as when a network or storage stalls after
/// a write landed. Used to prove the app tells the truth when a commit's answer is lost.
/// </summary>
public sealed class StallingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private volatile TaskCompletionSource _answers = Open();

    private StallingProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static StallingProxy Start(int upstreamPort) => new(upstreamPort);

    /// <summary>From now on, answers from storage wait until <see cref="Release"/>.</summary>
    public void HoldAnswers() => _answers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _answers.TrySetResult();

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using var c = client;
                using var upstream = new TcpClient();
                try
                {
                    await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
                    var up = Pump(c.GetStream(), upstream.GetStream(), hold: false);
                    var down = Pump(upstream.GetStream(), c.GetStream(), hold: true);
                    await Task.WhenAny(up, down);
                }
                catch (Exception)
                {
                    // A connection ending is normal.
                }
            });
        }
    }

    private async Task Pump(Stream from, Stream to, bool hold)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            if (hold) await _answers.Task.WaitAsync(_stop.Token);
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    public ValueTask DisposeAsync()
    {
        Release();
        _stop.Cancel();
        _listener.Stop();
        return ValueTask.CompletedTask;
    }
}
