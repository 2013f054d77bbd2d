using System.Collections.Concurrent;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Bench;

/// <summary>
/// A measurement, not the product (`--sequencing`): the commit pattern of the waitlist-sequencing design
/// (docs/benchmark.md, runs R and T), reduced to what decides its throughput, so it can be measured before the ledger
/// is changed. Each instance inserts its callers' sign-ups in batches as pending rows with an inbox row naming them
/// (one transaction, no condition on the event row, so instances never refuse each other), at most
/// <see cref="Outstanding"/> batches out at once so the next one gathers while they wait; and, while it has batches
/// waiting, commits on the event row sequencing every pending batch in the partition (a range query over the inbox
/// rows), whoever inserted it: seats while free, then the waitlist, in the order the batches were inserted, each
/// row updated and each inbox row marked with its rows' answers. When its commit was refused (another came first)
/// or did not carry its batches, it reads its own inbox rows: marked, it answers from them; else it tries again. Its
/// callers are answered only once their rows have their arrival numbers. Left out, as they do not change the
/// requests a sign-up costs: emails, duplicates by email, cancellations, seat blocks, removing marked inbox rows.
/// With answerAtInsert, <see cref="InsertLane"/> measures run T's lever instead: once people wait, a sign-up is
/// answered "on the waitlist" at its insert and numbered by a later commit.
/// </summary>
public static class Sequencing
{
    private const string EventRow = "event";
    private const string InboxFrom = "pending-", InboxTo = "pending.";
    private const int MaxActions = 100;
    private const int Outstanding = 2;

    private sealed record Op(int Client, TaskCompletionSource<(string Status, long Sequence)> Answer);

    public static async Task<PartResult> RunAsync(string connection, int clients, int attempts, int capacity, int instances, TimeSpan delay, StorageRequests requests, bool answerAtInsert = false)
    {
        var tableName = "seq" + Guid.NewGuid().ToString("N")[..10];
        TableClient Client()
        {
            var options = new TableClientOptions();
            options.AddPolicy(requests, HttpPipelinePosition.PerCall);
            if (delay > TimeSpan.Zero) options.AddPolicy(new StorageDelay(delay), HttpPipelinePosition.PerRetry);
            return new TableClient(connection, tableName, options);
        }

        var setup = new TableClient(connection, tableName);
        await setup.CreateAsync();
        const string eventId = "sequenced";
        await setup.AddEntityAsync(new TableEntity(eventId, EventRow) { ["Capacity"] = capacity, ["Confirmed"] = 0, ["Waitlisted"] = 0, ["NextSequence"] = 0L });
        var lanes = Enumerable.Range(0, instances).Select(n => answerAtInsert ? (ILane)new InsertLane(n, Client(), eventId, capacity) : new Lane(n, Client(), eventId, capacity)).ToList();
        var acked = new ConcurrentDictionary<int, (string Status, long Sequence)>();
        var label = $"sequencing prototype{(answerAtInsert ? " (answered at insert)" : "")}, {instances} instance(s){(delay > TimeSpan.Zero ? $" at {delay.TotalMilliseconds:0} ms" : "")}";
        var (seconds, latency) = await Clients.RunAsync(clients, attempts, label, async i =>
        {
            acked[i] = await lanes[i % instances].SignUpAsync(i);
        });

        // Sign-ups answered at their insert are numbered by a later commit: wait for the last of them.
        foreach (var lane in lanes) await lane.SettledAsync();
        var rows = new List<TableEntity>();
        await foreach (var r in setup.QueryAsync<TableEntity>(x => x.PartitionKey == eventId && x.RowKey != EventRow)) rows.Add(r);
        var registrations = rows.Where(r => !r.RowKey.StartsWith(InboxFrom, StringComparison.Ordinal)).ToList();
        var counted = (await setup.GetEntityAsync<TableEntity>(eventId, EventRow)).Value;
        int confirmed = registrations.Count(r => r.GetString("Status") == RegistrationStatus.Confirmed), waitlisted = registrations.Count(r => r.GetString("Status") == RegistrationStatus.Waitlisted);
        var highestSeated = registrations.Where(r => r.GetString("Status") == RegistrationStatus.Confirmed).Select(r => r.GetInt64("Sequence") ?? 0).DefaultIfEmpty(0).Max();
        var stored = registrations.ToDictionary(r => r.RowKey, r => (Status: r.GetString("Status"), Sequence: r.GetInt64("Sequence") ?? 0));
        await setup.DeleteAsync();
        return new PartResult(label, attempts, acked.Count, seconds, latency)
        {
            Oversold = Math.Max(0, confirmed - capacity) + Math.Abs(counted.GetInt32("Confirmed")!.Value - confirmed) + Math.Abs(counted.GetInt32("Waitlisted")!.Value - waitlisted)
                + registrations.Count(r => r.GetString("Status") == RegistrationStatus.Waitlisted && (r.GetInt64("Sequence") ?? 0) < highestSeated),
            // Told something the row does not say, or never stored at all.
            // (An answer without a number, 0, was told "waitlisted" at its insert: its row must be numbered since.)
            Lost = acked.Count(a => !stored.TryGetValue(Key(a.Key), out var s) || s.Status != a.Value.Status || (a.Value.Sequence == 0 ? s.Sequence <= 0 : s.Sequence != a.Value.Sequence)),
            Duplicates = registrations.Count - registrations.Select(r => r.GetInt64("Sequence")).Distinct().Count(),
            Note = $"{lanes.Sum(l => l.Commits)} sequencing commits (mean {(double)registrations.Count / Math.Max(1, lanes.Sum(l => l.Commits)):F1} sign-ups each), {lanes.Sum(l => l.Refused)} refused",
        };
    }

    private static string Key(int client) => $"reg-{client:0000000}";

    /// <summary>The inbox rows not yet sequenced (a range query: the inbox rows sort together).</summary>
    private static string PendingFilter(string eventId) => $"PartitionKey eq '{eventId}' and RowKey ge '{InboxFrom}' and RowKey lt '{InboxTo}' and Done eq false";

    private static TableEntity PendingRow(string eventId, int client) => new(eventId, Key(client))
    {
        ["Status"] = "Pending", ["RegistrationId"] = $"S{client:0000000}", ["Email"] = $"seq{client}@example.cn", ["Name"] = "参与者", ["Sequence"] = 0L,
    };

    /// <summary>A batch as pending rows and an inbox row naming them, in insertion order by the inbox row's key.</summary>
    private static (string Inbox, List<TableTransactionAction> Actions) PendingInsert(string eventId, int instance, long batchNo, List<Op> batch)
    {
        var inbox = $"{InboxFrom}{DateTime.UtcNow.Ticks:D19}-{instance:D2}-{batchNo:D8}";
        var actions = batch.Select(op => new TableTransactionAction(TableTransactionActionType.Add, PendingRow(eventId, op.Client))).ToList();
        actions.Add(new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(eventId, inbox) { ["Keys"] = string.Join(',', batch.Select(op => Key(op.Client))), ["Done"] = false }));
        return (inbox, actions);
    }

    /// <summary>The event row's counters as read, numbering sign-ups by the seat rule: a seat while one is free and nobody waits, else the waitlist.</summary>
    private sealed class Numbering(TableEntity ev, int capacity)
    {
        public int Confirmed { get; private set; } = ev.GetInt32("Confirmed")!.Value;
        public int Waitlisted { get; private set; } = ev.GetInt32("Waitlisted")!.Value;
        public long Sequence { get; private set; } = ev.GetInt64("NextSequence")!.Value;

        public (string Status, long Sequence) Next()
        {
            var seat = Waitlisted == 0 && Confirmed < capacity;
            if (seat) Confirmed++;
            else Waitlisted++;
            return (seat ? RegistrationStatus.Confirmed : RegistrationStatus.Waitlisted, ++Sequence);
        }

        /// <summary>The event row's update, under the ETag it was read with (first in the transaction).</summary>
        public TableTransactionAction EventUpdate(string eventId) => new(TableTransactionActionType.UpdateMerge,
            new TableEntity(eventId, EventRow) { ["Confirmed"] = Confirmed, ["Waitlisted"] = Waitlisted, ["NextSequence"] = Sequence }, ev.ETag);

        /// <summary>The row as this commit left it (to commit on again without a read).</summary>
        public TableEntity After(ETag etag)
        {
            ev["Confirmed"] = Confirmed;
            ev["Waitlisted"] = Waitlisted;
            ev["NextSequence"] = Sequence;
            ev.ETag = etag;
            return ev;
        }
    }

    /// <summary>
    /// Adds to <paramref name="actions"/> the numbering of the pending batches, in the order they were inserted, as many
    /// as fit beside the event row; returns each inbox row's answers.
    /// </summary>
    private static Dictionary<string, string> SequencePending(string eventId, IEnumerable<TableEntity> pending, Numbering numbering, List<TableTransactionAction> actions)
    {
        var answered = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var box in pending.OrderBy(b => b.RowKey, StringComparer.Ordinal))
        {
            var keys = box.GetString("Keys").Split(',');
            if (1 + actions.Count + keys.Length + 1 > MaxActions) break;
            var answers = new List<string>();
            foreach (var key in keys)
            {
                var (status, sequence) = numbering.Next();
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                    new TableEntity(eventId, key) { ["Status"] = status, ["Sequence"] = sequence, ["StateVersion"] = 1 }, ETag.All));
                answers.Add($"{status}:{sequence}");
            }

            answered[box.RowKey] = string.Join(',', answers);
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                new TableEntity(eventId, box.RowKey) { ["Done"] = true, ["Answers"] = answered[box.RowKey] }, box.ETag));
        }

        return answered;
    }

    private static void AnswerAll(List<Op> batch, string answers)
    {
        var each = answers.Split(',');
        for (var i = 0; i < batch.Count; i++)
        {
            var parts = each[i].Split(':');
            batch[i].Answer.TrySetResult((parts[0], long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    private interface ILane
    {
        int Commits { get; }
        int Refused { get; }
        Task<(string Status, long Sequence)> SignUpAsync(int client);
        Task SettledAsync() => Task.CompletedTask;
    }

    private sealed class Lane(int instance, TableClient table, string eventId, int capacity) : ILane
    {
        int ILane.Commits => Commits;
        int ILane.Refused => Refused;
        private readonly ConcurrentQueue<Op> _queue = new();
        private readonly ConcurrentDictionary<string, List<Op>> _awaiting = new(StringComparer.Ordinal);
        /// <summary>Batches inserted and not yet answered, at most: the next batch gathers while they wait.</summary>
        private readonly SemaphoreSlim _outstanding = new(Outstanding);
        private int _inserting, _sequencing;
        private long _batches;
        public int Commits, Refused;

        public Task<(string Status, long Sequence)> SignUpAsync(int client)
        {
            var op = new Op(client, new TaskCompletionSource<(string, long)>(TaskCreationOptions.RunContinuationsAsynchronously));
            _queue.Enqueue(op);
            Kick(ref _inserting, InsertAsync);
            return op.Answer.Task;
        }

        private static void Kick(ref int running, Func<Task> loop)
        {
            if (Interlocked.CompareExchange(ref running, 1, 0) == 0) _ = Task.Run(loop);
        }

        /// <summary>Inserts what queued as pending rows, one batch at a time, without waiting for any sequencing.</summary>
        private async Task InsertAsync()
        {
            while (true)
            {
                await _outstanding.WaitAsync();
                var batch = new List<Op>();
                while (batch.Count < 98 && _queue.TryDequeue(out var op)) batch.Add(op);
                if (batch.Count == 0)
                {
                    _outstanding.Release();
                    Volatile.Write(ref _inserting, 0);
                    if (_queue.IsEmpty || Interlocked.CompareExchange(ref _inserting, 1, 0) != 0) return;
                    continue;
                }

                var (inbox, insert) = PendingInsert(eventId, instance, Interlocked.Increment(ref _batches), batch);
                try
                {
                    await table.SubmitTransactionAsync(insert);
                    _awaiting[inbox] = batch;
                    Kick(ref _sequencing, SequenceAsync);
                }
                catch (Exception ex)
                {
                    _outstanding.Release();
                    foreach (var op in batch) op.Answer.TrySetException(ex);
                }
            }
        }

        /// <summary>While this instance has batches waiting, commits on the event row sequencing every pending batch.</summary>
        private async Task SequenceAsync()
        {
            while (true)
            {
                if (_awaiting.IsEmpty)
                {
                    Volatile.Write(ref _sequencing, 0);
                    if (_awaiting.IsEmpty || Interlocked.CompareExchange(ref _sequencing, 1, 0) != 0) return;
                    continue;
                }

                try
                {
                    await CommitAsync();
                }
                catch (Exception ex)
                {
                    foreach (var (inbox, batch) in _awaiting)
                    {
                        if (!_awaiting.TryRemove(inbox, out _)) continue;
                        _outstanding.Release();
                        foreach (var op in batch) op.Answer.TrySetException(ex);
                    }
                }
            }
        }

        private async Task CommitAsync()
        {
            var read = table.GetEntityAsync<TableEntity>(eventId, EventRow);
            var pending = new List<TableEntity>();
            await foreach (var row in table.QueryAsync<TableEntity>(PendingFilter(eventId))) pending.Add(row);
            var numbering = new Numbering((await read).Value, capacity);
            var actions = new List<TableTransactionAction>();
            var answered = SequencePending(eventId, pending, numbering, actions);
            if (actions.Count > 0)
            {
                actions.Insert(0, numbering.EventUpdate(eventId));
                try
                {
                    await table.SubmitTransactionAsync(actions);
                    Interlocked.Increment(ref Commits);
                    foreach (var (inbox, answers) in answered)
                    {
                        if (_awaiting.TryRemove(inbox, out var batch)) Answer(batch, answers);
                    }

                    return;
                }
                catch (TableTransactionFailedException ex) when (ex.Status == 412)
                {
                    Interlocked.Increment(ref Refused);
                }
            }

            // Another instance's commit came first, or sequenced ours before this query: what do our inbox rows say?
            foreach (var inbox in _awaiting.Keys.ToList())
            {
                var own = (await table.GetEntityAsync<TableEntity>(eventId, inbox)).Value;
                if (own.GetBoolean("Done") == true && _awaiting.TryRemove(inbox, out var batch)) Answer(batch, own.GetString("Answers"));
            }
        }

        private void Answer(List<Op> batch, string answers)
        {
            _outstanding.Release();
            AnswerAll(batch, answers);
        }
    }

    /// <summary>
    /// Run T's lever: once this instance has seen people waiting, a batch is inserted as pending rows and answered
    /// "on the waitlist" at once (nobody arriving later can be seated before people already waiting); a sequencing
    /// commit (any instance's, lingering a little so that it carries many batches) numbers them later, in the order they
    /// were inserted. Before anyone waits, batches are committed directly on the event row, as the ledger does.
    /// </summary>
    private sealed class InsertLane(int instance, TableClient table, string eventId, int capacity) : ILane
    {
        private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(5);
        private readonly ConcurrentQueue<Op> _queue = new();
        private int _pumping, _sequencing, _commits, _refused;
        private long _batches;
        private TableEntity? _latest;
        private volatile bool _waitlist;
        private Task _sequencer = Task.CompletedTask;
        public int Commits => _commits;
        public int Refused => _refused;

        public Task<(string Status, long Sequence)> SignUpAsync(int client)
        {
            var op = new Op(client, new TaskCompletionSource<(string, long)>(TaskCreationOptions.RunContinuationsAsynchronously));
            _queue.Enqueue(op);
            if (Interlocked.CompareExchange(ref _pumping, 1, 0) == 0) _ = Task.Run(PumpAsync);
            return op.Answer.Task;
        }

        public async Task SettledAsync()
        {
            while (true)
            {
                await _sequencer;
                if (!await AnyPendingAsync()) return;
                Kick();
            }
        }

        private async Task<bool> AnyPendingAsync()
        {
            await foreach (var _ in table.QueryAsync<TableEntity>(PendingFilter(eventId), maxPerPage: 1)) return true;
            return false;
        }

        private void Kick()
        {
            if (Interlocked.CompareExchange(ref _sequencing, 1, 0) == 0) _sequencer = Task.Run(SequenceAsync);
        }

        private async Task PumpAsync()
        {
            while (true)
            {
                var batch = new List<Op>();
                while (batch.Count < 98 && _queue.TryDequeue(out var op)) batch.Add(op);
                if (batch.Count == 0)
                {
                    Volatile.Write(ref _pumping, 0);
                    if (_queue.IsEmpty || Interlocked.CompareExchange(ref _pumping, 1, 0) != 0) return;
                    continue;
                }

                try
                {
                    while (!_waitlist && !await CommitDirectlyAsync(batch))
                    {
                    }

                    if (_waitlist) await InsertPendingAsync(batch);
                }
                catch (Exception ex)
                {
                    foreach (var op in batch) op.Answer.TrySetException(ex);
                }
            }
        }

        /// <returns>Whether it landed (false: refused, try again; or people wait now, so the batch goes pending).</returns>
        private async Task<bool> CommitDirectlyAsync(List<Op> batch)
        {
            var numbering = new Numbering(_latest ?? (await table.GetEntityAsync<TableEntity>(eventId, EventRow)).Value, capacity);
            _latest = null;
            if (numbering.Waitlisted > 0)
            {
                _waitlist = true;
                return false;
            }

            var own = new List<(Op Op, (string Status, long Sequence) Told)>();
            var actions = new List<TableTransactionAction>();
            foreach (var op in batch)
            {
                var told = numbering.Next();
                var row = PendingRow(eventId, op.Client);
                row["Status"] = told.Status;
                row["Sequence"] = told.Sequence;
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add, row));
                own.Add((op, told));
            }

            actions.Insert(0, numbering.EventUpdate(eventId));
            try
            {
                var response = await table.SubmitTransactionAsync(actions);
                Interlocked.Increment(ref _commits);
                if (response.Value[0].Headers.ETag is { } etag) _latest = numbering.After(etag);
                if (numbering.Waitlisted > 0) _waitlist = true;
                foreach (var (op, told) in own) op.Answer.TrySetResult(told);
                return true;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 412)
            {
                Interlocked.Increment(ref _refused);
                await Backoff();
                return false;
            }
        }

        /// <summary>After a refusal, a short jittered pause (as the ledger's retries have), so instances do not thrash.</summary>
        private static Task Backoff() => Task.Delay(TimeSpan.FromMilliseconds(1 + Random.Shared.NextDouble() * 9));

        private async Task InsertPendingAsync(List<Op> batch)
        {
            var (_, insert) = PendingInsert(eventId, instance, Interlocked.Increment(ref _batches), batch);
            await table.SubmitTransactionAsync(insert);
            foreach (var op in batch) op.Answer.TrySetResult((RegistrationStatus.Waitlisted, 0)); // numbered by a later commit
            Kick();
        }

        /// <summary>Numbers every pending batch (anyone's) in commits on the event row until none is left.</summary>
        private async Task SequenceAsync()
        {
            try
            {
                while (true)
                {
                    await Task.Delay(Linger);
                    var read = table.GetEntityAsync<TableEntity>(eventId, EventRow);
                    var pending = new List<TableEntity>();
                    await foreach (var row in table.QueryAsync<TableEntity>(PendingFilter(eventId))) pending.Add(row);
                    var numbering = new Numbering((await read).Value, capacity);
                    if (pending.Count == 0) return;
                    var actions = new List<TableTransactionAction>();
                    SequencePending(eventId, pending, numbering, actions);
                    actions.Insert(0, numbering.EventUpdate(eventId));
                    try
                    {
                        await table.SubmitTransactionAsync(actions);
                        Interlocked.Increment(ref _commits);
                    }
                    catch (TableTransactionFailedException ex) when (ex.Status == 412)
                    {
                        Interlocked.Increment(ref _refused); // another instance numbered first: look again
                        await Backoff();
                    }
                }
            }
            finally
            {
                Volatile.Write(ref _sequencing, 0);
            }
        }
    }
}
