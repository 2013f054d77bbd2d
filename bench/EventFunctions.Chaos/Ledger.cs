using System.Collections.Concurrent;

namespace EventFunctions.Chaos;

public enum CancelResult
{
    /// <summary>204: the app said the registration is gone.</summary>
    Removed,
    /// <summary>503 urn:eventfunctions:unavailable: the app said nothing was changed.</summary>
    NotRemoved,
    /// <summary>Disconnected, timed out, 503 outcome-unknown or another 5xx: either may be true.</summary>
    Unknown,
    /// <summary>404: the app did not find it (the row was already gone: judged by the lost check).</summary>
    NotFound,
}

/// <summary>What the clients were told, which is all the checks may hold the app to.</summary>
public sealed class Ledger
{
    private readonly object _gate = new();
    private readonly List<string> _cancellable = [];
    private long _operations, _acked, _notSaved, _unknown, _refused, _errors500, _cancelled, _notRemoved, _capacityRaises, _transport, _disconnects;

    /// <summary>Acknowledged sign-ups: registration id → email.</summary>
    public ConcurrentDictionary<string, string> Acked { get; } = new();
    /// <summary>Sign-ups answered "not saved" (503 unavailable), by email.</summary>
    public ConcurrentBag<string> NotSaved { get; } = [];
    public ConcurrentDictionary<string, CancelResult> Cancels { get; } = new();
    public ConcurrentDictionary<string, int> Answers { get; } = new();
    public ConcurrentQueue<string> ErrorSamples { get; } = new();

    public long Operations => Interlocked.Read(ref _operations);
    public long AckedCount => Interlocked.Read(ref _acked);
    public long NotSavedCount => Interlocked.Read(ref _notSaved);
    public long UnknownCount => Interlocked.Read(ref _unknown);
    public long Refused => Interlocked.Read(ref _refused);
    public long Errors500 => Interlocked.Read(ref _errors500);
    public long CancelledCount => Interlocked.Read(ref _cancelled);
    public long NotRemovedCount => Interlocked.Read(ref _notRemoved);
    public long CapacityRaises => Interlocked.Read(ref _capacityRaises);
    public long TransportErrors => Interlocked.Read(ref _transport);
    public long Disconnects => Interlocked.Read(ref _disconnects);

    public void Operation() => Interlocked.Increment(ref _operations);
    public void Disconnect() => Interlocked.Increment(ref _disconnects);
    public void Transport() => Interlocked.Increment(ref _transport);
    public void Answer(string what) => Answers.AddOrUpdate(what, 1, (_, n) => n + 1);

    public void SignUpAcked(string registrationId, string email)
    {
        Acked[registrationId] = email;
        Interlocked.Increment(ref _acked);
        lock (_gate) _cancellable.Add(registrationId);
    }

    public void SignUpNotSaved(string email)
    {
        NotSaved.Add(email);
        Interlocked.Increment(ref _notSaved);
    }

    public void Unknown() => Interlocked.Increment(ref _unknown);
    public void SignUpRefused() => Interlocked.Increment(ref _refused);
    public void CapacityRaised() => Interlocked.Increment(ref _capacityRaises);

    /// <summary>Refusals worth a look (a 400 or 409 other than "full"), a few kept for the report.</summary>
    public ConcurrentQueue<string> RefusalSamples { get; } = new();

    public void Refusal(string sample)
    {
        if (RefusalSamples.Count < 20) RefusalSamples.Enqueue(sample);
    }

    public void Error500(string sample)
    {
        Interlocked.Increment(ref _errors500);
        if (ErrorSamples.Count < 20) ErrorSamples.Enqueue(sample);
    }

    public void CancelOutcome(string registrationId, CancelResult result)
    {
        Cancels[registrationId] = result;
        if (result == CancelResult.Removed) Interlocked.Increment(ref _cancelled);
        if (result == CancelResult.NotRemoved) Interlocked.Increment(ref _notRemoved);
    }

    /// <summary>An acknowledged registration not yet picked for cancelling, at random; each is cancelled at most once.</summary>
    public string? TakeCancellable(Random random)
    {
        lock (_gate)
        {
            if (_cancellable.Count == 0) return null;
            var i = random.Next(_cancellable.Count);
            var id = _cancellable[i];
            _cancellable[i] = _cancellable[^1];
            _cancellable.RemoveAt(_cancellable.Count - 1);
            return id;
        }
    }
}
