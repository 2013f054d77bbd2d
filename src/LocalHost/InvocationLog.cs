using System.Collections.Concurrent;

namespace EventFunctions.LocalHost;

public sealed record Invocation(string Function, DateTimeOffset At, bool Succeeded, string? Error);

/// <summary>Every invocation this host made, newest last: what ran, and whether it failed (for tests and the console).</summary>
public sealed class InvocationLog
{
    private readonly ConcurrentQueue<Invocation> _entries = new();

    public void Add(Invocation entry)
    {
        _entries.Enqueue(entry);
        while (_entries.Count > 10_000) _entries.TryDequeue(out _);
    }

    public IReadOnlyList<Invocation> For(string function) => _entries.Where(e => e.Function == function).ToList();
}
