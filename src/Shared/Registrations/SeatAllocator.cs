using System.Collections.Concurrent;
using System.Text;
using Azure.Data.Tables;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Registrations;

/// <summary>What became of one sign-up handed to the <see cref="SeatAllocator"/>.</summary>
public abstract record SeatResult
{
    public sealed record Taken(EventRecord After) : SeatResult;
    public sealed record Full(EventRecord Event) : SeatResult;
    public sealed record WindowShut(EventRecord Event, SignUpWindow Window) : SeatResult;
    /// <summary>A row with the same key exists (or was in the same batch ahead of it).</summary>
    public sealed record Duplicate : SeatResult;
    public sealed record EventGone : SeatResult;
}

/// <summary>
/// Takes seats with group commit. Every sign-up for an event in this process joins that event's queue;
/// whoever holds the event's lock writes everything queued — up to 99 registrations plus the counter
/// update — in one entity-group transaction guarded by the event row's ETag, then wakes the others.
/// Under load this turns N contending read-modify-writes into a few transactions; across instances the
/// ETag still makes every transaction all-or-nothing, so capacity holds whatever the concurrency.
/// </summary>
public sealed class SeatAllocator(EventStore store, TimeProvider clock, IOptions<EventFunctionsOptions> options)
{
    /// <summary>Entity-group transactions take at most 100 operations and 4 MiB.</summary>
    public const int MaxRegistrationsPerTransaction = 99;
    private const int MaxTransactionBytes = 3 * 1024 * 1024;

    private sealed class Pending(RegistrationEntity row)
    {
        public RegistrationEntity Row { get; } = row;
        public TaskCompletionSource<SeatResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Bytes { get; } = 1024 + Encoding.UTF8.GetByteCount(
            row.Name + row.Email + row.Phone + row.Organisation + row.AnswersJson + row.SecurityDetailsJson) * 2;
    }

    private sealed class Lane
    {
        public ConcurrentQueue<Pending> Queue { get; } = new();
        public SemaphoreSlim Lock { get; } = new(1, 1);

        /// <summary>
        /// The event row as this instance last wrote it (counters and ETag from the transaction's response),
        /// so the next batch need not read it first. Only touched under <see cref="Lock"/>. If anyone else
        /// changed the row since, the ETag fails the transaction (412) and the row is read afresh.
        /// </summary>
        public EventEntity? Latest { get; set; }

        /// <summary>An immutable copy of <see cref="Latest"/> for readers outside the lock.</summary>
        public volatile Snapshot? Recent;
    }

    private sealed record Snapshot(EventRecord Event, DateTimeOffset At);

    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    /// <summary>
    /// The event as this instance last wrote it, if that was less than <paramref name="maxAge"/> ago:
    /// spares a read on a busy event. Only for showing and validating; seats are always taken under the ETag.
    /// </summary>
    public EventRecord? Recent(string eventId, TimeSpan maxAge)
    {
        if (!_lanes.TryGetValue(eventId, out var lane)) return null;
        var recent = lane.Recent;
        return recent is not null && clock.GetUtcNow() - recent.At < maxAge ? recent.Event : null;
    }

    /// <summary>
    /// Takes a seat (or a waitlist place) for <paramref name="row"/>, setting its status and waitlist
    /// position, and stores it together with the event's counters.
    /// </summary>
    public async Task<SeatResult> TakeAsync(string eventId, RegistrationEntity row, CancellationToken ct)
    {
        var lane = _lanes.GetOrAdd(eventId, _ => new Lane());
        var mine = new Pending(row);
        lane.Queue.Enqueue(mine);

        while (!mine.Done.Task.IsCompleted)
        {
            // Not cancellable once queued: a leader may already be writing this sign-up.
            await lane.Lock.WaitAsync(CancellationToken.None);
            try
            {
                while (!mine.Done.Task.IsCompleted && !lane.Queue.IsEmpty)
                {
                    await CommitNextBatchAsync(eventId, lane, ct);
                }
            }
            finally
            {
                lane.Lock.Release();
            }
        }

        return await mine.Done.Task;
    }

    private async Task CommitNextBatchAsync(string eventId, Lane lane, CancellationToken ct)
    {
        var batchLimit = Math.Clamp(options.Value.MaxBatch, 1, MaxRegistrationsPerTransaction);
        var batch = new List<Pending>();
        var bytes = 0;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (batch.Count < batchLimit && lane.Queue.TryPeek(out var next) && (batch.Count == 0 || bytes + next.Bytes <= MaxTransactionBytes))
        {
            lane.Queue.TryDequeue(out _);
            if (!keys.Add(next.Row.RowKey))
            {
                next.Done.TrySetResult(new SeatResult.Duplicate()); // same email twice in one batch: the first one wins
                continue;
            }

            batch.Add(next);
            bytes += next.Bytes;
        }

        try
        {
            await CommitAsync(eventId, lane, batch, ct);
        }
        catch (Exception ex)
        {
            foreach (var p in batch) p.Done.TrySetException(ex);
        }
    }

    private async Task CommitAsync(string eventId, Lane lane, List<Pending> batch, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var deadline = clock.GetUtcNow() + options.Value.ContentionTimeout;
        for (var attempt = 0; batch.Count > 0; attempt++)
        {
            var entity = lane.Latest ?? await store.FindEventAsync(eventId, ct);
            lane.Latest = null;
            if (entity is null)
            {
                Resolve(batch, _ => new SeatResult.EventGone());
                return;
            }

            var ev = entity.ToRecord();
            var window = ev.WindowAt(clock.GetUtcNow());
            if (window != SignUpWindow.Open)
            {
                Resolve(batch, _ => new SeatResult.WindowShut(ev, window));
                return;
            }

            int confirmed = ev.Confirmed, waitlisted = ev.Waitlisted;
            var seated = new List<Pending>();
            foreach (var p in batch)
            {
                if (confirmed < ev.Capacity)
                {
                    p.Row.Status = RegistrationStatus.Confirmed;
                    p.Row.WaitlistPosition = 0;
                    confirmed++;
                }
                else if (ev.WaitlistAllowed)
                {
                    p.Row.Status = RegistrationStatus.Waitlisted;
                    p.Row.WaitlistPosition = ++waitlisted;
                }
                else
                {
                    p.Done.TrySetResult(new SeatResult.Full(ev));
                    continue;
                }

                seated.Add(p);
            }

            batch = seated;
            if (batch.Count == 0) return;

            var actions = new List<TableTransactionAction>(batch.Count + 1)
            {
                new(TableTransactionActionType.UpdateMerge, new TableEntity(eventId, EventEntity.RowKeyValue)
                {
                    [nameof(EventEntity.Confirmed)] = confirmed,
                    [nameof(EventEntity.Waitlisted)] = waitlisted,
                }, entity.ETag),
            };
            actions.AddRange(batch.Select(p => new TableTransactionAction(TableTransactionActionType.Add, p.Row)));

            Azure.Response<IReadOnlyList<Azure.Response>> committed;
            try
            {
                // All or nothing: the seats and the registrations are stored together, or not at all.
                committed = await table.SubmitTransactionAsync(actions, ct);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 412)
            {
                // Another instance took seats since we read the counters: read again and retry.
                if (clock.GetUtcNow() > deadline) throw new ContentionTimeoutException($"Event {eventId} stayed busy for {options.Value.ContentionTimeout}.");
                await Task.Delay(Backoff(attempt), ct);
                continue;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409 && ex.FailedTransactionActionIndex is > 0 and var i && i <= batch.Count)
            {
                // This email has signed up already: that sign-up drops out, the rest go again.
                var duplicate = batch[i - 1];
                duplicate.Done.TrySetResult(new SeatResult.Duplicate());
                batch.RemoveAt(i - 1);
                continue;
            }

            if (committed.Value.Count > 0 && committed.Value[0].Headers.ETag is { } etag)
            {
                entity.Confirmed = confirmed;
                entity.Waitlisted = waitlisted;
                entity.ETag = etag;
                lane.Latest = entity;
                lane.Recent = new Snapshot(entity.ToRecord(), clock.GetUtcNow());
            }

            var after = ev with { Confirmed = confirmed, Waitlisted = waitlisted };
            Resolve(batch, _ => new SeatResult.Taken(after));
            return;
        }
    }

    private static void Resolve(List<Pending> batch, Func<Pending, SeatResult> result)
    {
        foreach (var p in batch) p.Done.TrySetResult(result(p));
    }

    /// <summary>Jittered exponential backoff, so colliding writers spread out instead of colliding again.</summary>
    public static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Random.Shared.Next(5, 10 + (int)Math.Min(250, 10 * Math.Pow(2, Math.Min(attempt, 6)))));
}
