using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace EventFunctions.Shared.Ledger;

/// <summary>
/// The only writer of an event's seats: sign-ups, cancellations, promotions from the waitlist, capacity and
/// definition changes, closing early and cancelling the event all become commits here.
/// <para>
/// A commit is one entity-group transaction in the event's partition, guarded by the event row's ETag: the
/// counters, the waitlist sequence and the registration rows change together or not at all, whatever other
/// instances do. Within an instance, operations for one event queue up and a pump commits them in batches
/// (group commit: up to 99 sign-ups, or cancellations with their promotions, per transaction), so a rush of
/// sign-ups neither starves a cancellation nor waits on a lock without end.
/// </para>
/// <para>Rules kept in every commit:</para>
/// <list type="bullet">
/// <item>Every registration gets the next arrival number (<see cref="RegistrationEntity.Sequence"/>); the
/// waitlist is that order. A seat that is free (freed or added) goes to the lowest number waiting, in the same
/// transaction; a new sign-up only gets a seat when nobody is waiting.</item>
/// <item>Every status change raises the row's <see cref="RegistrationEntity.StateVersion"/> and marks an
/// email as owed.</item>
/// <item>Each commit writes its id into the event row (<see cref="EventEntity.RecentCommits"/>). When a
/// commit's answer is lost (timeout, storage stalled), the ledger reads the row to find out whether it
/// landed, and otherwise moves the row's ETag on (a fence) so that it never can: callers are told the truth,
/// or "unknown" when storage does not answer at all.</item>
/// </list>
/// Retries and the deadline come from one resilience pipeline (Polly).
/// </summary>
public sealed partial class EventLedger : IAsyncDisposable
{
    /// <summary>Entity-group transactions take at most 100 operations (one is the event row) and 4 MiB.</summary>
    public const int MaxOperations = 100;
    public const int MaxRegistrationsPerTransaction = MaxOperations - 1;
    private const int MaxTransactionBytes = 3 * 1024 * 1024;
    /// <summary>How many commit ids the event row keeps (8 characters and a space each).</summary>
    public const int RecentCommitsKept = 200;
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    private readonly EventStore _store;
    private readonly ConfirmationQueue _confirmations;
    private readonly TimeProvider _clock;
    private readonly EventFunctionsOptions _options;
    private readonly ILogger<EventLedger> _log;
    private readonly ResiliencePipeline _pipeline;
    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _queueWrites = new();
    private readonly Security.IdentifierKeys _ids;
    /// <summary>This instance's name for its seat blocks (RowKey <c>block-{instance}</c>); a new one each start.</summary>
    private readonly string _instance = Ids.NewCommitId();
    private readonly CancellationTokenSource _stopping = new();
    /// <summary>How long an instance that met another committing to an event keeps taking blocks for it (<see cref="SeatBlockMode.Auto"/>).</summary>
    private static readonly TimeSpan ContentionMemory = TimeSpan.FromSeconds(30);
    /// <summary>Room kept in every event-row transaction for the blocks it may fold (at most this many at once).</summary>
    private const int BlockRoom = 16;

    public EventLedger(EventStore store, ConfirmationQueue confirmations, Security.IdentifierKeys ids, TimeProvider clock, IOptions<EventFunctionsOptions> options, ILogger<EventLedger> log)
    {
        _ids = ids;
        _store = store;
        _confirmations = confirmations;
        _clock = clock;
        _options = options.Value;
        _log = log;
        _pipeline = new ResiliencePipelineBuilder()
            .AddTimeout(_options.ContentionTimeout) // the deadline over all attempts
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<LedgerConflictException>().Handle<Exception>(StorageFaults.IsTransient),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(2),
                MaxDelay = TimeSpan.FromMilliseconds(20),
            })
            .Build();
    }

    private sealed class Lane
    {
        public ConcurrentQueue<LedgerOp> Queue { get; } = new();
        public int Pumping;

        /// <summary>The event row as this instance last wrote it, so the next batch need not read it (its ETag checks it).</summary>
        public EventEntity? Latest;

        public volatile Snapshot? Recent;

        /// <summary>How many ops the last commit carried (the pump's own field).</summary>
        public int LastBatch;

        /// <summary>This instance's seat block on the event as last written (its ETag guards it), or null (see <see cref="SeatBlockEntity"/>).</summary>
        public SeatBlockEntity? Block;

        /// <summary>The event as it was when the block was handed out: any change of it folds the block, so this copy stands while the block does.</summary>
        public EventRecord? BlockDefinition;

        /// <summary>When this lane last met another instance's commit, as a <see cref="TimeProvider.System"/> timestamp; 0 never.</summary>
        public long ContendedAt;

        /// <summary>The last commit failed on a changed row (412): the next read says whose commit changed it.</summary>
        public bool Conflicted;

        /// <summary>This lane's latest commit ids (the pump's own), to tell its own commits from another instance's.</summary>
        public Queue<string> OwnCommits { get; } = new();

        /// <summary>When this lane last took a sign-up (a <see cref="TimeProvider.System"/> timestamp): a block unused for a while goes back.</summary>
        public long LastSignUp;

        public int ReturnScheduled;

        /// <summary>The event as this lane last read or wrote it (see <see cref="WaitlistInbox"/>).</summary>
        public volatile InboxView? InboxView;

        /// <summary>Sign-ups for the waitlist inbox, and whether its pump runs (see <see cref="WaitlistInbox"/>).</summary>
        public ConcurrentQueue<LedgerOp> Inbox { get; } = new();
        public int InboxPumping;

        /// <summary>1 while a <see cref="SequenceOp"/> is queued on this lane.</summary>
        public int SequenceQueued;

        /// <summary>Counts this lane's inbox rows (part of their keys).</summary>
        public long InboxCounter;

        /// <summary>
        /// Sign-ups this lane has put in the inbox, and how many of them a commit of its own saw numbered (its query
        /// found the inbox empty after them): the difference counts against the waitlist's room (see WaitlistInbox.Slack).
        /// </summary>
        public long InboxInserted, InboxNumberedThrough;
    }

    private sealed record Snapshot(EventRecord Event, DateTimeOffset At);

    /// <summary>The event as this instance last committed it, if less than <paramref name="maxAge"/> ago (for validating, never for seats).</summary>
    public EventRecord? Recent(string eventId, TimeSpan maxAge)
    {
        if (!_lanes.TryGetValue(eventId, out var lane)) return null;
        var recent = lane.Recent;
        return recent is not null && _clock.GetUtcNow() - recent.At < maxAge ? recent.Event : null;
    }

    /// <summary>Ops waiting for this instance's next commit on the event (for tests and diagnostics).</summary>
    internal int Queued(string eventId) => _lanes.TryGetValue(eventId, out var lane) ? lane.Queue.Count : 0;

    /// <summary>
    /// Stores <paramref name="row"/> as confirmed or waitlisted (setting its status, sequence and state version).
    /// <paramref name="asRead"/>: the event row as the caller just read it, which the commit may start from instead of
    /// reading it again when this instance holds no copy (its ETag guards it: a stale one costs a retry, never a seat).
    /// </summary>
    public Task<SeatResult> SignUpAsync(string eventId, RegistrationEntity row, EventEntity? asRead = null) => RunAsync(eventId, new SignUpOp(row), asRead);

    /// <summary>A seat held until <paramref name="hold"/>'s time (a whole-series sign-up's), or Full: never the waitlist.</summary>
    public Task<SeatResult> HoldSeatAsync(string eventId, RegistrationEntity row, SeatHold hold) => RunAsync(eventId, new SignUpOp(row, hold));

    /// <summary>
    /// Deletes the registration (its personal data) and gives a freed seat to the first person waiting. With
    /// <paramref name="notifyRemoved"/> (an organiser removing someone) the same commit leaves a removal notice row
    /// (<see cref="Ids.RemovalNoticeKey"/>: name, email, language only) that owes the person an email saying so.
    /// </summary>
    public Task<CancelResult> CancelAsync(string eventId, string rowKey, string registrationId, bool notifyRemoved = false) =>
        RunAsync(eventId, new CancelOp(rowKey, registrationId, notifyRemoved));

    /// <summary>
    /// The hold sweep's cancellation: deletes a sign-up that was to be confirmed from the email and was not in time
    /// (checked again at commit: a confirmation that lands first wins), giving its place to the next person.
    /// </summary>
    public Task<CancelResult> ExpireAsync(string eventId, string rowKey, string registrationId) =>
        RunAsync(eventId, new CancelOp(rowKey, registrationId, expiry: true));

    /// <summary>The organiser approves or declines a pending sign-up (see <see cref="SeatPlan.Decide"/>); the person is emailed the outcome.</summary>
    public Task<DecideResult> DecideAsync(string eventId, string rowKey, string registrationId, bool approve, string by) =>
        RunAsync(eventId, new DecideOp(rowKey, registrationId, approve, by));

    /// <summary>The participant confirms from the email: a held seat becomes theirs (owed the email with the ticket).</summary>
    public Task<ConfirmResult> ConfirmAsync(string eventId, string rowKey, string registrationId) =>
        RunAsync(eventId, new ConfirmOp(rowKey, registrationId));

    /// <summary>Gives back a seat a whole-series sign-up held, if it is still held (nobody told, not counted as withdrawn).</summary>
    public Task<CancelResult> ReleaseHoldAsync(string eventId, string rowKey, string registrationId) =>
        RunAsync(eventId, new CancelOp(rowKey, registrationId, release: true));

    /// <summary>Asks a confirmed person to confirm again by <paramref name="until"/> (reconfirmation before the day), or the seat is released then.</summary>
    public Task<ConfirmResult> AskToReconfirmAsync(string eventId, string rowKey, string registrationId, DateTimeOffset until) =>
        RunAsync(eventId, new ConfirmOp(rowKey, registrationId, askAgainUntil: until));

    /// <summary>A held seat whose whole-series sign-up was accepted before its deadline becomes theirs, even if the deadline has passed since (the sweep rolling it forward).</summary>
    public Task<ConfirmResult> ConfirmAcceptedAsync(string eventId, string rowKey, string registrationId) =>
        RunAsync(eventId, new ConfirmOp(rowKey, registrationId, accepted: true));

    /// <summary>
    /// Folds the seat blocks of instances that stopped committing to the event (the hold sweep's; see
    /// <see cref="SeatBlockEntity"/>): their unused seats are free again, those they gave counted on the event row.
    /// </summary>
    public Task<ChangeResult> ReclaimBlocksAsync(string eventId) => RunAsync(eventId, new FoldOp(FoldScope.Stale));

    /// <summary>The hold sweep's: numbers what the event's waitlist inbox holds (left by an instance that stopped between putting sign-ups there and numbering them).</summary>
    public Task<ChangeResult> NumberInboxAsync(string eventId) => RunAsync(eventId, new SequenceOp());

    /// <summary>Gives this instance's unused block seats back on every event (shutting down; tests).</summary>
    public async Task ReturnBlocksAsync()
    {
        foreach (var (eventId, lane) in _lanes)
        {
            if (lane.Block is not null) await RunAsync(eventId, new FoldOp(FoldScope.Own));
        }
    }

    /// <summary>
    /// Runs the lottery's draw to its end (chunk after chunk, each a commit of its own; see <see cref="DrawOp"/>), once
    /// whatever the number of instances running it: the last chunk's result, or what stopped it.
    /// </summary>
    public async Task<DrawResult> DrawAsync(string eventId, Func<IReadOnlyList<RegistrationEntity>, Task<IReadOnlyDictionary<string, int>>>? tiers = null)
    {
        var chunks = 0;
        while (true)
        {
            var result = await RunAsync(eventId, new DrawOp(tiers));
            if (result is not DrawResult.Drawn { Finished: false } || ++chunks > Admission.Lottery.MaxEntries) return result;
        }
    }

    /// <summary>Changes the event's definition (capacity, times, closing, cancelling); added seats go to the waitlist.</summary>
    public Task<ChangeResult> ChangeAsync(string eventId, EventChange change) => RunAsync(eventId, new ChangeOp(change));

    /// <summary>Checks a confirmed registration in (once: a second check-in answers when the first was), recording who did it.</summary>
    public Task<AttendanceResult> CheckInAsync(string eventId, string rowKey, string by) =>
        RunAsync(eventId, new AttendanceOp(AttendanceKind.CheckIn, rowKey, by, null));

    /// <summary>Takes a check-in back; a walk-in's row is deleted.</summary>
    public Task<AttendanceResult> UndoCheckInAsync(string eventId, string rowKey, string by) =>
        RunAsync(eventId, new AttendanceOp(AttendanceKind.Undo, rowKey, by, null));

    /// <summary>Adds a walk-in (<see cref="RegistrationStatus.WalkIn"/>, RowKey <c>walkin-…</c>) as attended; the same row key twice adds it once.</summary>
    public Task<AttendanceResult> WalkInAsync(string eventId, RegistrationEntity row) =>
        RunAsync(eventId, new AttendanceOp(AttendanceKind.WalkIn, row.RowKey, row.CheckedInBy ?? "", row));

    private async Task<T> RunAsync<T>(string eventId, LedgerOp<T> op, EventEntity? asRead = null) where T : class
    {
        var lane = _lanes.GetOrAdd(eventId, _ => new Lane());
        if (asRead is not null) Interlocked.CompareExchange(ref lane.Latest, asRead, null); // only where the pump holds none
        if (op is SignUpOp { Hold: null } && UsesInbox(lane, _clock.GetUtcNow()))
        {
            // People wait: stored through the waitlist inbox, beside the event row's commits (see WaitlistInbox).
            lane.Inbox.Enqueue(op);
            KickInbox(eventId, lane);
        }
        else
        {
            lane.Queue.Enqueue(op);
            Kick(eventId, lane);
        }

        try
        {
            // The caller's own request may go away; the op does not depend on it (it may be in a batch with others).
            return await op.Done.Task.WaitAsync(_options.ContentionTimeout, _clock);
        }
        catch (TimeoutException) when (op.TryAbandon())
        {
            return op.NotSavedResult; // never taken into a batch: it will not be written
        }
        catch (TimeoutException)
        {
            return await op.Done.Task; // being committed: the pump answers within its own deadline
        }
    }

    private void Kick(string eventId, Lane lane)
    {
        if (Interlocked.CompareExchange(ref lane.Pumping, 1, 0) == 0)
        {
            _ = Task.Run(() => PumpAsync(eventId, lane));
        }
    }

    private async Task PumpAsync(string eventId, Lane lane)
    {
        while (true)
        {
            while (TakeBatch(lane, []) is { Count: > 0 } batch)
            {
                await LingerAsync(lane, batch);
                var signUps = batch.Any(o => o is SignUpOp);
                if (signUps) lane.LastSignUp = TimeProvider.System.GetTimestamp();
                // With seats in this instance's block, its sign-ups are committed to the block's row; the rest (and
                // any the block cannot take) to the event row.
                var rest = signUps && lane.Block is { Left: > 0 } && lane.BlockDefinition is not null ? await BlockCommitAsync(eventId, lane, batch) : batch;
                // Queued before people waited (as this instance sees the event), found waiting now: the inbox takes them.
                if (signUps && rest.Any(o => o is SignUpOp { Hold: null }) && UsesInbox(lane, _clock.GetUtcNow()) && lane.InboxView is { } view)
                    rest = await InboxAsync(eventId, lane, rest, view.Event);
                if (rest.Count > 0) await CommitAsync(eventId, lane, rest);
                lane.LastBatch = batch.Count;
            }

            if (lane.Block is not null) ReturnWhenIdle(eventId, lane);
            Volatile.Write(ref lane.Pumping, 0);
            // An op queued between the last look and the reset must not be stranded.
            if (lane.Queue.IsEmpty || Interlocked.CompareExchange(ref lane.Pumping, 1, 0) != 0) return;
        }
    }

    /// <summary>Once the lane has taken no sign-up for <see cref="EventFunctionsOptions.SeatBlockIdle"/>, gives its block's unused seats back.</summary>
    private void ReturnWhenIdle(string eventId, Lane lane)
    {
        if (Interlocked.Exchange(ref lane.ReturnScheduled, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            try
            {
                while (lane.Block is not null && !_stopping.IsCancellationRequested)
                {
                    var idle = _options.SeatBlockIdle - TimeProvider.System.GetElapsedTime(lane.LastSignUp);
                    if (idle > TimeSpan.Zero)
                    {
                        await Task.Delay(idle, TimeProvider.System, _stopping.Token);
                        continue;
                    }

                    var given = await RunAsync(eventId, new FoldOp(FoldScope.Own));
                    if (given is ChangeResult.EventGone) lane.Block = null; // deleted with its event
                    else if (given is not ChangeResult.Changed and not ChangeResult.Unchanged)
                    {
                        await Task.Delay(_options.SeatBlockIdle, TimeProvider.System, _stopping.Token); // storage said no: later
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Shutting down: DisposeAsync gives the blocks back.
            }
            finally
            {
                Volatile.Write(ref lane.ReturnScheduled, 0);
            }
        });
    }

    /// <summary>What one block commit attempt would write, and what its sign-ups are told if it lands.</summary>
    private sealed class BlockAttempt
    {
        public required ETag BaseETag { get; init; }
        public List<(SignUpOp Op, string Status, long Sequence)> Seated { get; init; } = [];
        public List<SignUpOp> ToEventRow { get; init; } = [];
        public SeatBlockEntity? After { get; set; }
    }

    private bool WantsBlock(Lane lane) => _options.SeatBlocks switch
    {
        SeatBlockMode.Always => true,
        SeatBlockMode.Auto => Contended(lane),
        _ => false,
    };

    /// <summary>Whether another instance has committed to this lane's event lately (within <see cref="ContentionMemory"/>).</summary>
    private static bool Contended(Lane lane) => lane.ContendedAt != 0 && TimeProvider.System.GetElapsedTime(lane.ContendedAt) < ContentionMemory;

    /// <summary>
    /// Commits the batch's sign-ups to this instance's block (one transaction: the block row under its ETag and the
    /// new registration rows), as many as it has seats for. Returns what the event row's commit must take: the
    /// batch's other ops, and sign-ups the block could not seat.
    /// </summary>
    private async Task<List<LedgerOp>> BlockCommitAsync(string eventId, Lane lane, List<LedgerOp> batch)
    {
        var signUps = batch.OfType<SignUpOp>().ToList();
        var rest = batch.Where(o => o is not SignUpOp).ToList();
        var attempts = new List<BlockAttempt>();
        var duplicates = new HashSet<LedgerOp>();
        BlockAttempt? landed;
        var known = true;
        try
        {
            landed = await _pipeline.ExecuteAsync(async ct => await BlockAttemptAsync(eventId, lane, signUps, attempts, duplicates, ct), CancellationToken.None);
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "Block commit on event {EventId} did not complete ({Attempts} attempt(s)); resolving its outcome", eventId, attempts.Count);
            lane.Block = null;
            (landed, known) = await ResolveBlockAsync(eventId, attempts);
        }

        foreach (var dup in duplicates) dup.Resolve(new SeatResult.Duplicate());
        if (landed is null)
        {
            foreach (var op in signUps.Where(o => !duplicates.Contains(o))) op.Fail(known);
            return rest;
        }

        var after = lane.Recent?.Event ?? lane.BlockDefinition!;
        foreach (var (op, status, sequence) in landed.Seated)
        {
            op.Row.TicketCode = _ids.TicketCode(eventId, sequence);
            op.Row.Status = status;
            op.Row.Sequence = sequence;
            op.Row.StateVersion = 1;
            Hosting.Telemetry.SignedUp(status, Hosting.Telemetry.SignUpPath.SeatBlock);
        }

        var owed = landed.Seated.Select(s => s.Op.Row.RowKey).ToList();
        if (owed.Count > 0) Track(_confirmations.EnqueueAsync(eventId, owed, CancellationToken.None)); // never throws
        foreach (var (op, _, _) in landed.Seated) op.Resolve(new SeatResult.Taken(after, null));
        return [.. landed.ToEventRow, .. rest];
    }

    private async ValueTask<BlockAttempt> BlockAttemptAsync(string eventId, Lane lane, List<SignUpOp> signUps, List<BlockAttempt> attempts, HashSet<LedgerOp> duplicates, CancellationToken ct)
    {
        var table = await _store.TableAsync(ct);
        var block = lane.Block;
        if (block is null)
        {
            var read = await table.GetEntityIfExistsAsync<SeatBlockEntity>(eventId, SeatBlockEntity.KeyFor(_instance), cancellationToken: ct);
            block = read.HasValue ? read.Value : null;
            lane.Block = block;
        }

        while (true)
        {
            var pending = signUps.Where(o => !duplicates.Contains(o)).ToList();
            if (block is not { Left: > 0 } || lane.BlockDefinition is null) return new BlockAttempt { BaseETag = default, ToEventRow = pending };
            var now = _clock.GetUtcNow();
            var decide = new BlockPlan(lane.BlockDefinition, block, now, _options.HoldTime);
            foreach (var op in pending) decide.SignUp(op);
            foreach (var dup in decide.Duplicates) duplicates.Add(dup);
            var attempt = new BlockAttempt { BaseETag = block.ETag, Seated = decide.Seated, ToEventRow = decide.ToEventRow };
            if (decide.Seated.Count == 0) return attempt;

            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.UpdateMerge, new TableEntity(eventId, block.RowKey)
                {
                    [nameof(SeatBlockEntity.Used)] = block.Used + decide.Used,
                    [nameof(SeatBlockEntity.Held)] = block.Held + decide.Held,
                    [nameof(SeatBlockEntity.Unconfirmed)] = block.Unconfirmed + decide.Unconfirmed,
                    [nameof(SeatBlockEntity.NextSequence)] = decide.NextSequence,
                    [nameof(SeatBlockEntity.Until)] = now + _options.SeatBlockLease,
                }, block.ETag),
            };
            foreach (var (op, _, sequence) in decide.Seated)
            {
                op.Row.TicketCode = _ids.TicketCode(eventId, sequence);
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add, LeanRow<RegistrationEntity>.ForInsert(op.Row)));
            }

            attempts.Add(attempt);
            try
            {
                var response = await table.SubmitTransactionAsync(actions, ct);
                attempt.After = new SeatBlockEntity
                {
                    PartitionKey = eventId, RowKey = block.RowKey, Seats = block.Seats, Used = block.Used + decide.Used,
                    Held = block.Held + decide.Held, Unconfirmed = block.Unconfirmed + decide.Unconfirmed,
                    NextSequence = decide.NextSequence, LastSequence = block.LastSequence, Until = now + _options.SeatBlockLease,
                    ETag = response.Value.Count > 0 && response.Value[0].Headers.ETag is { } etag ? etag : default,
                };
                lane.Block = attempt.After.ETag == default ? null : attempt.After;
                return attempt;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 412 or 404 && ex.FailedTransactionActionIndex is null or 0)
            {
                // The block was folded (its seats taken back, or the event changed): read it again, or hand over.
                lane.Block = null;
                throw new LedgerConflictException("The seat block was folded.");
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409 && ex.FailedTransactionActionIndex is { } i && i >= 1 && i <= decide.Seated.Count)
            {
                // This email is registered already: it drops out and the rest go again at once.
                attempts.Remove(attempt);
                duplicates.Add(decide.Seated[i - 1].Op);
            }
        }
    }

    /// <summary>
    /// After a block commit that failed: did an attempt land? If the block row still has an ETag an attempt was made
    /// with, a fence makes sure none ever can; then the first sign-up's row says whether one did.
    /// </summary>
    private async Task<(BlockAttempt? Landed, bool Known)> ResolveBlockAsync(string eventId, List<BlockAttempt> attempts)
    {
        var tried = attempts.Where(a => a.Seated.Count > 0).ToList();
        if (tried.Count == 0) return (null, true);
        using var cts = new CancellationTokenSource(ResolveTimeout, _clock);
        try
        {
            var table = await _store.TableAsync(cts.Token);
            for (var round = 0; round < 10; round++)
            {
                var read = await table.GetEntityIfExistsAsync<TableEntity>(eventId, SeatBlockEntity.KeyFor(_instance), select: ["RowKey"], cancellationToken: cts.Token);
                if (read.HasValue && read.Value is { } block && tried.Any(a => a.BaseETag == block.ETag))
                {
                    try
                    {
                        await table.UpdateEntityAsync(new TableEntity(eventId, block.RowKey) { ["Fence"] = Ids.NewCommitId() }, block.ETag, TableUpdateMode.Merge, cts.Token);
                    }
                    catch (RequestFailedException ex) when (ex.Status is 412 or 404)
                    {
                        continue; // something landed meanwhile (perhaps ours): look again
                    }
                }

                // No attempt can land now: their rows say whether one did.
                foreach (var attempt in tried)
                {
                    var (op, _, sequence) = attempt.Seated[0];
                    var row = await table.GetEntityIfExistsAsync<RegistrationEntity>(eventId, op.Row.RowKey, cancellationToken: cts.Token);
                    if (row.HasValue && row.Value is { } stored && stored.RegistrationId == op.Row.RegistrationId && stored.Sequence == sequence) return (attempt, true);
                }

                return (null, true);
            }
        }
        catch (Exception ex) when (StorageFaults.IsTransient(ex))
        {
            _log.LogWarning(ex, "Could not find out whether a block commit on event {EventId} landed", eventId);
        }

        return (null, false);
    }

    /// <summary>
    /// On a busy event (the last commit carried more than this batch holds), waits up to
    /// <see cref="EventFunctionsOptions.CommitLinger"/> (<see cref="EventFunctionsOptions.ContendedCommitLinger"/> while
    /// another instance commits to the event too) for as many ops as the last commit carried, then tops the
    /// batch up: one transaction carrying more sign-ups costs storage far less per sign-up. A sign-up on a quiet
    /// event (the last commit carried one op, or none yet) is committed at once.
    /// </summary>
    private async Task LingerAsync(Lane lane, List<LedgerOp> batch)
    {
        var linger = _options.CommitLinger;
        if (linger > TimeSpan.Zero && _options.ContendedCommitLinger > linger && Contended(lane)) linger = _options.ContendedCommitLinger;
        if (linger > TimeSpan.Zero && batch.All(o => o is SequenceOp))
        {
            // Numbering the waitlist inbox: nobody waits for it (its sign-ups are answered), and the longer it lingers the
            // more it numbers in one commit, the fewer commits the instances take turns on.
            await Task.Delay(linger, TimeProvider.System);
            TakeBatch(lane, batch);
            return;
        }

        if (linger <= TimeSpan.Zero || batch.Count >= lane.LastBatch || batch[^1].Alone) return;
        // Steps of a millisecond, at most linger's worth of them (so a test's frozen clock cannot hold it), and
        // not past linger by the clock (a step may take longer than asked on a busy machine).
        var until = _clock.GetTimestamp() + (long)(linger.TotalSeconds * _clock.TimestampFrequency);
        for (var step = 0; step < Math.Ceiling(linger.TotalMilliseconds) && batch.Count + lane.Queue.Count < lane.LastBatch && _clock.GetTimestamp() < until; step++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System); // a pause, not a time the ledger keeps
        }

        TakeBatch(lane, batch);
    }

    private List<LedgerOp> TakeBatch(Lane lane, List<LedgerOp> batch)
    {
        // The event row, and room for the seat blocks a commit may fold.
        var fixedCost = _options.SeatBlocks == SeatBlockMode.Off ? 1 : 1 + BlockRoom;
        int cost = fixedCost + batch.Sum(o => o.Cost), bytes = batch.Sum(o => o.Bytes), signUps = batch.Count(o => o is SignUpOp);
        var maxSignUps = Math.Clamp(_options.MaxBatch, 1, MaxOperations - fixedCost);
        if (batch.Count > 0 && batch[^1].Alone) return batch;
        while (lane.Queue.TryPeek(out var next))
        {
            if (next.Alone && batch.Count > 0) break;
            if (!next.Alone && (cost + next.Cost > MaxOperations || bytes + next.Bytes > MaxTransactionBytes
                || (next is SignUpOp && signUps >= maxSignUps))) break;
            lane.Queue.TryDequeue(out _);
            if (!next.TryTake()) continue; // its caller gave up waiting before it was taken
            if (next is SequenceOp) Volatile.Write(ref lane.SequenceQueued, 0); // an insert after this queues another
            batch.Add(next);
            if (next.Alone) break;
            cost += next.Cost;
            bytes += next.Bytes;
            if (next is SignUpOp) signUps++;
        }

        return batch;
    }

    /// <summary>What one attempt would write, and what each op is told if it is the attempt that lands.</summary>
    private sealed class Plan
    {
        public required string CommitId { get; init; }
        public required ETag BaseETag { get; init; }
        public required long BaseVersion { get; init; }
        public required EventEntity After { get; set; }
        public List<TableTransactionAction> Actions { get; } = [];
        /// <summary>The op behind each action (null for the event row and promotions).</summary>
        public List<LedgerOp?> ActionOps { get; } = [];
        public Dictionary<LedgerOp, object> Results { get; } = [];
        /// <summary>What each stored sign-up's row becomes: status, sequence.</summary>
        public List<(SignUpOp Op, string Status, long Sequence)> Seated { get; } = [];
        public List<string> PromotedKeys { get; } = [];
        /// <summary>Removal notices this commit adds (each owes one email).</summary>
        public List<string> NoticeKeys { get; } = [];
        public bool EventGone { get; init; }
        public bool NeedsSettling { get; set; }
        /// <summary>This commit folds or replaces this instance's block (see <see cref="SeatBlockEntity"/>).</summary>
        public bool OwnBlockChanged { get; set; }
        /// <summary>Refused because another writer changed the event row first (412): it certainly did not land.</summary>
        public bool Refused { get; set; }
        /// <summary>This instance's block as this commit hands it out (null: none), and its action's index.</summary>
        public SeatBlockEntity? OwnBlock { get; set; }
        public int OwnBlockIndex { get; set; } = -1;
        /// <summary>Registrations numbered from the waitlist inbox (each owes its email).</summary>
        public List<string> InboxKeys { get; } = [];
        /// <summary>The inbox row and slot behind each numbering's merge action, by the action's index.</summary>
        public Dictionary<int, (string RowKey, string Slot)> InboxMerges { get; } = [];
        /// <summary>The inbox rows this commit changes (names blanked, or the row deleted): one action each.</summary>
        public Dictionary<string, InboxRowChange> InboxRows { get; } = [];
        /// <summary>The inbox held more than this commit had room for: a follow-up commit numbers the rest.</summary>
        public bool InboxLeft { get; set; }
        /// <summary>Sign-ups this commit leaves to the next, after the inbox it numbers first (no room, or more left in it).</summary>
        public List<SignUpOp> Deferred { get; } = [];
        /// <summary>How many sign-ups this lane had put in the inbox when this commit read it (null: it did not).</summary>
        public long? InboxBefore { get; set; }
    }

    private async Task CommitAsync(string eventId, Lane lane, List<LedgerOp> batch)
    {
        // One span per commit: a child of the first op's request, linked to every other op's (one commit carries many).
        var callers = batch.Select(o => o.Caller).Where(c => c != default).ToList();
        using var activity = Hosting.Telemetry.Source.StartActivity("ledger commit", System.Diagnostics.ActivityKind.Internal,
            callers.FirstOrDefault(), links: callers.Skip(1).Select(c => new System.Diagnostics.ActivityLink(c)));
        activity?.SetTag("eventfunctions.event_id", eventId);
        activity?.SetTag("eventfunctions.ops", batch.Count);
        var given = batch.Count; // ops after these joined on a retry (AttemptAsync)
        var attempts = new List<Plan>();
        var duplicates = new HashSet<LedgerOp>();
        Plan? landed = null;
        var known = true;
        try
        {
            landed = await _pipeline.ExecuteAsync(async ct => await AttemptAsync(eventId, lane, batch, attempts, duplicates, ct), CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The deadline passed, or storage refused in a way retrying cannot mend: find out what landed.
            _log.LogWarning(ex, "Commit on event {EventId} did not complete ({Attempts} attempt(s)); resolving its outcome", eventId, attempts.Count);
            lane.Latest = null;
            lane.Block = null; // it may have been folded or replaced: read again before it is used
            (landed, known) = await ResolveAsync(eventId, attempts);
        }

        if (landed is null)
        {
            foreach (var dup in duplicates) dup.Resolve(DuplicateResult(dup));
            foreach (var op in batch.Where(o => !duplicates.Contains(o))) op.Fail(known);
            return;
        }

        if (landed.EventGone)
        {
            foreach (var op in batch.Where(o => !duplicates.Contains(o)))
            {
                op.Resolve(op switch
                {
                    SignUpOp => new SeatResult.EventGone(),
                    CancelOp => new CancelResult.NotFound(),
                    ConfirmOp => new ConfirmResult.NotFound(),
                    DrawOp => new DrawResult.EventGone(),
                    AttendanceOp => new AttendanceResult.Refused(CheckInRefusal.EventGone, null),
                    _ => new ChangeResult.EventGone(),
                });
            }

            return;
        }

        foreach (var (op, status, sequence) in landed.Seated)
        {
            // The row as the landed attempt planned it (a later attempt that did not land may have planned it otherwise).
            if (op.Row.Sequence != sequence || op.Row.TicketCode is null) op.Row.TicketCode = _ids.TicketCode(eventId, sequence);
            op.Row.Status = status;
            op.Row.Sequence = sequence;
            op.Row.StateVersion = 1;
        }

        if (landed.PromotedKeys.Count > 0)
        {
            _log.LogInformation("Event {EventId}: {Count} promoted from the waitlist", eventId, landed.PromotedKeys.Count);
        }

        if (landed.NeedsSettling)
        {
            // More seats free than one transaction could fill: a follow-up commit gives them out, in order.
            lane.Queue.Enqueue(new ChangeOp(null));
        }

        if (landed.InboxLeft) QueueSequencing(eventId, lane);
        else if (landed.InboxBefore is { } before)
        {
            // Everything this lane had put in the inbox when this commit read it is numbered now.
            long seen;
            while ((seen = Interlocked.Read(ref lane.InboxNumberedThrough)) < before && Interlocked.CompareExchange(ref lane.InboxNumberedThrough, before, seen) != seen) { }
        }

        // Every email this commit owes (its sign-ups and promotions) in one queue message. Callers are answered
        // as it is written, not after: the rows are the outbox (each is marked as owed its email in the commit
        // itself, and the sweep queues what a lost message left owed), and on a rush every caller waiting for the
        // message is a sign-up not yet in the next batch. Neither the pump nor the callers wait for it.
        foreach (var (_, status, _) in landed.Seated) Hosting.Telemetry.SignedUp(status, Hosting.Telemetry.SignUpPath.EventRow);
        var owed = landed.Seated.Select(s => s.Op.Row.RowKey).Concat(landed.PromotedKeys).Concat(landed.InboxKeys).Concat(landed.NoticeKeys).ToList();
        if (owed.Count > 0) Track(_confirmations.EnqueueAsync(eventId, owed, CancellationToken.None)); // never throws
        // Giving the block back found none (another instance folded it, or the hold sweep did): this lane holds none.
        if (!landed.OwnBlockChanged && batch.Any(o => o is FoldOp { Scope: FoldScope.Own })) lane.Block = null;
        Answer(landed, duplicates);
        // Ops that joined the batch after an attempt that landed after all (its answer lost, then a retry refused and
        // topped up): not in that commit, and earlier than anything still queued, so committed next, before the queue.
        // So are sign-ups the commit left for the waitlist inbox's numbering to go first.
        var carried = landed.Deferred.Where(o => !duplicates.Contains(o) && !landed.Results.ContainsKey(o)).Cast<LedgerOp>()
            .Concat(batch.Skip(given).Where(o => !duplicates.Contains(o) && !landed.Results.ContainsKey(o) && !(o is SignUpOp d && landed.Deferred.Contains(d))))
            .ToList();
        if (carried.Count > 0) await CommitAsync(eventId, lane, carried);
    }

    private void Track(Task queueWrite)
    {
        if (queueWrite.IsCompleted) return;
        _queueWrites.TryAdd(queueWrite, 0);
        _ = queueWrite.ContinueWith(t => _queueWrites.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Completes when the queue messages of every commit answered so far are written (or failed and logged).</summary>
    public Task QueueWritesAsync() => Task.WhenAll(_queueWrites.Keys);

    /// <summary>On shutdown, gives the queue messages of answered commits a few seconds to be written.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            // Unused block seats back to the event, so nobody waits on an instance that is gone (else the hold sweep
            // folds them once their lease passes).
            _stopping.Cancel();
            await ReturnBlocksAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is TimeoutException || StorageFaults.IsTransient(ex))
        {
            _log.LogWarning("Seat blocks not given back at shutdown; the hold sweep folds them when their lease passes");
        }

        try
        {
            await QueueWritesAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            _log.LogWarning("{Count} confirmation queue message(s) not written at shutdown; the sweep queues their emails", _queueWrites.Count);
        }
    }

    private void Answer(Plan landed, HashSet<LedgerOp> duplicates)
    {
        // What the landed attempt decided is the truth (even for an op a later attempt thought a duplicate).
        foreach (var (op, result) in landed.Results) op.Resolve(result);
        foreach (var dup in duplicates) dup.Resolve(DuplicateResult(dup));
    }

    private async ValueTask<Plan> AttemptAsync(string eventId, Lane lane, List<LedgerOp> batch, List<Plan> attempts, HashSet<LedgerOp> duplicates, CancellationToken ct)
    {
        // Another writer committed first: what this instance has queued since joins the batch (to the transaction's
        // limits), so contention makes commits larger rather than more of them. Not while this lane's block has seats
        // left: its sign-ups go to the block first, in arrival order. The ops keep their order (all queued later than
        // the batch's own), and an op the landed attempt did not carry is committed after it (see CommitAsync).
        if (attempts.Count > 0 && attempts[^1].Refused && lane.Block is not { Left: > 0 }) TakeBatch(lane, batch);
        var cached = lane.Latest;
        lane.Latest = null;
        var entity = cached ?? await _store.FindEventRowAsync(eventId, ct);
        if (entity is null) return NoEvent();
        if (cached is null) See(lane, entity);
        if (cached is null && lane.Conflicted)
        {
            // A 412 after this instance's own stale copy is no sign of another instance; a commit not ours is.
            lane.Conflicted = false;
            var newest = entity.RecentCommits.Split(' ', 2)[0];
            if (newest.Length > 0 && !lane.OwnCommits.Contains(newest)) lane.ContendedAt = TimeProvider.System.GetTimestamp();
        }

        // Did an earlier attempt of this batch land after all (its answer lost)?
        if (Landed(entity, attempts) is { } earlier)
        {
            lane.Latest = entity;
            return earlier;
        }

        var table = await _store.TableAsync(ct);
        while (true)
        {
            var ops = batch.Where(o => !duplicates.Contains(o)).ToList();
            var plan = await PlanAsync(eventId, lane, entity, ops, ct);
            if (plan.Actions.Count == 0)
            {
                // Nothing to write (every op refused). Refusals are only given on a freshly read row.
                if (cached is not null)
                {
                    cached = null;
                    entity = await _store.FindEventRowAsync(eventId, ct);
                    if (entity is null) return NoEvent();
                    See(lane, entity);
                    continue;
                }

                lane.Latest = entity;
                return plan;
            }

            attempts.Add(plan);
            try
            {
                var response = await table.SubmitTransactionAsync(plan.Actions, ct);
                Committed(lane, plan, response);
                return plan;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 412)
            {
                Hosting.Telemetry.LedgerConflicts.Add(1);
                lane.Conflicted = true;
                plan.Refused = true;
                if (plan.OwnBlockChanged) lane.Block = null;
                if (ops.All(o => o is SequenceOp))
                {
                    // Numbering the waitlist inbox, and another instance's commit came first: it numbered what it found.
                    // Look again a moment later rather than race it (instances taking turns on the row is the cost).
                    attempts.Remove(plan);
                    plan.InboxBefore = null; // it numbered nothing
                    foreach (var op in ops) plan.Results[op] = new ChangeResult.Unchanged(entity.ToRecord());
                    NumberLater(eventId, lane);
                    return Nothing(plan);
                }

                throw new LedgerConflictException("Another writer changed the event first.");
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409 && ex.FailedTransactionActionIndex is { } i
                && i < plan.ActionOps.Count && plan.ActionOps[i] is SignUpOp or AttendanceOp { Kind: AttendanceKind.WalkIn } && plan.ActionOps[i] is { } duplicate)
            {
                // This email is registered already: it drops out and the rest go again at once (not contention,
                // so no backoff). The failed attempt is known not to have landed.
                attempts.Remove(plan);
                duplicates.Add(duplicate);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                if (ex.FailedTransactionActionIndex is { } gone) await DropOrphanAsync(eventId, plan, gone);
                throw new LedgerConflictException("A registration changed under the batch.");
            }
        }
    }

    private void Committed(Lane lane, Plan plan, Response<IReadOnlyList<Response>> response)
    {
        lane.OwnCommits.Enqueue(plan.CommitId);
        if (lane.OwnCommits.Count > 16) lane.OwnCommits.Dequeue();
        if (response.Value.Count > 0 && response.Value[0].Headers.ETag is { } etag)
        {
            plan.After.ETag = etag;
            lane.Latest = plan.After;
            var record = plan.After.ToRecord();
            var now = _clock.GetUtcNow();
            lane.Recent = new Snapshot(record, now);
            lane.InboxView = new InboxView(record, plan.After.InboxUntil, now);
        }

        if (plan.OwnBlockChanged)
        {
            // The block as handed out (read again if its ETag did not come back), or none.
            var block = plan.OwnBlock;
            if (block is not null && plan.OwnBlockIndex < response.Value.Count && response.Value[plan.OwnBlockIndex].Headers.ETag is { } blockTag) block.ETag = blockTag;
            lane.Block = block is { ETag: var t } && t != default ? block : null;
            lane.BlockDefinition = block is null ? null : plan.After.ToRecord();
        }
    }

    /// <summary>A sign-up whose email is registered already; a walk-in whose row was added before (the same form sent twice).</summary>
    private object DuplicateResult(LedgerOp op) =>
        op is AttendanceOp a ? new AttendanceResult.AlreadyCheckedIn(a.WalkIn, a.WalkIn?.CheckedInUtc ?? _clock.GetUtcNow()) : new SeatResult.Duplicate();

    private static Plan NoEvent() => new() { CommitId = "", BaseETag = default, BaseVersion = 0, After = new EventEntity(), EventGone = true };

    private static Plan? Landed(EventEntity entity, List<Plan> attempts) =>
        attempts.Count == 0 ? null : attempts.FirstOrDefault(p => entity.RecentCommits.Split(' ').Contains(p.CommitId));

    /// <summary>
    /// One attempt's plan: reads what the rules need (the rows of cancellations and check-ins, the waitlist's head),
    /// lets <see cref="SeatPlan"/> decide, and turns its decisions into one transaction with the event row's merge.
    /// </summary>
    private async Task<Plan> PlanAsync(string eventId, Lane lane, EventEntity entity, List<LedgerOp> ops, CancellationToken ct)
    {
        var seats = new SeatPlan(entity.ToRecord(), SeatCounters.Of(entity), _clock.GetUtcNow(), _options.HoldTime, _options.OfferTime);
        var table = await _store.TableAsync(ct);
        var plan = new Plan
        {
            CommitId = Ids.NewCommitId(),
            BaseETag = entity.ETag,
            BaseVersion = entity.Version,
            After = new EventEntity(),
        };
        plan.Actions.Add(default!); // the event row's merge, filled in last
        plan.ActionOps.Add(null);

        // 7. A lottery draw's chunk (alone in its batch).
        var draw = ops.OfType<DrawOp>().FirstOrDefault();
        if (draw is not null && !await PlanDrawAsync(eventId, entity, seats, plan, draw, ct)) return Nothing(plan);

        // 0. Seat blocks (see SeatBlockEntity), folded in first so that every rule below counts the seats exactly: all
        // of them for a change of the event, or when a sign-up here would otherwise wait or find the event full while
        // a block holds a seat; the stale ones for the hold sweep; this instance's own when it gives it back or takes
        // the next one.
        var change = ops.OfType<ChangeOp>().FirstOrDefault();
        var signUps = ops.OfType<SignUpOp>().ToList();
        var folds = ops.OfType<FoldOp>().ToList();
        var grant = signUps.Count > 0 && folds.Count == 0 && change is null && WantsBlock(lane);
        // The waitlist inbox is read (3d) by every commit that could number someone while it may hold anyone.
        var sequences = ops.OfType<SequenceOp>().ToList();
        var sequencing = change is null && WaitlistInbox.Live(entity, seats.Now) && (signUps.Count > 0 || sequences.Count > 0 || folds.Any(f => f.Scope == FoldScope.Stale));
        var ownKey = SeatBlockEntity.KeyFor(_instance);
        SeatBlockEntity? own = null;
        if (entity.Blocked > 0)
        {
            var all = change?.Change is not null
                // a sign-up here would wait, or find the event full, while a block holds a seat
                || (signUps.Count > 0 && (entity.Waitlisted > 0 || entity.Capacity - entity.Confirmed - entity.Blocked < signUps.Count))
                || sequencing; // the inbox holds people answered "waiting"
            var stale = folds.Any(f => f.Scope == FoldScope.Stale);
            var mine = grant || folds.Any(f => f.Scope == FoldScope.Own);
            var blocks = new List<SeatBlockEntity>();
            if (all || stale)
            {
                await foreach (var b in table.QueryAsync<SeatBlockEntity>(SeatBlockEntity.Filter(eventId), cancellationToken: ct))
                {
                    if (all || b.Until <= seats.Now || (mine && b.RowKey == ownKey)) blocks.Add(b);
                }
            }
            else if (mine && (await table.GetEntityIfExistsAsync<SeatBlockEntity>(eventId, ownKey, cancellationToken: ct)) is { HasValue: true, Value: { } read })
            {
                blocks.Add(read);
            }

            foreach (var b in blocks.Take(BlockRoom))
            {
                seats.Fold(b);
                if (b.RowKey == ownKey)
                {
                    own = b; // deleted below, or handed the next block
                    plan.OwnBlockChanged = true;
                    continue;
                }

                Add(plan, new TableTransactionAction(TableTransactionActionType.Delete, b, b.ETag), null);
            }
        }

        // 1. A definition change (alone in its batch).
        if (change is not null && !seats.Change(change))
        {
            foreach (var (op, result) in seats.Results) plan.Results[op] = result;
            return Nothing(plan);
        }

        // 2. Cancellations, each with its row as it is now.
        var cancels = ops.OfType<CancelOp>().ToList();
        var rows = await Task.WhenAll(cancels.Select(c => table.GetEntityIfExistsAsync<RegistrationEntity>(eventId, c.RowKey, cancellationToken: ct)));
        for (var i = 0; i < cancels.Count; i++) seats.Cancel(cancels[i], rows[i].HasValue ? rows[i].Value : null);
        foreach (var (op, row) in seats.Deletions)
        {
            Add(plan, new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All), op);
            // Not numbered yet: its name leaves its inbox row (in the room its promotion would have taken: it frees no seat).
            if (row.Status == RegistrationStatus.Queued && row.InboxKey is { } inboxKey)
                await UnnameAsync(table, eventId, plan, inboxKey, ct);
            // An organiser's removal tells the person; so does a pending sign-up nobody decided on before the event.
            // An offer not taken in time is told so too: they lose the offered seat and their place.
            var expiredPending = op.Expiry && (row.Status is RegistrationStatus.Pending or RegistrationStatus.Entry || row.OfferedUtc is not null);
            if (!op.NotifyRemoved && !expiredPending) continue;
            var notice = RemovalNotice(row, seats.Now);
            if (expiredPending)
                notice.RemovedReason = row.Status == RegistrationStatus.Entry ? RemovedReasons.EntryUnconfirmed
                    : row.OfferedUtc is null ? RemovedReasons.Expired
                    : row.Status == RegistrationStatus.Confirmed ? RemovedReasons.NotReconfirmed : RemovedReasons.OfferLapsed;
            Add(plan, new TableTransactionAction(TableTransactionActionType.UpsertReplace, LeanRow<RegistrationEntity>.ForInsert(notice)), op);
            plan.NoticeKeys.Add(notice.RowKey);
        }

        // 3. Free seats go to the waitlist first, lowest arrival number first, as far as the transaction has room.
        if (seats.SeatsForTheWaitlist is var free and > 0)
        {
            var room = MaxOperations - plan.Actions.Count - signUps.Count - ops.Count(o => o is ConfirmOp) - (own is not null || grant ? 1 : 0);
            // Seats per unit (an invitation event, small by nature): the whole waitlist in order, as the next seatable
            // person may stand behind someone whose unit has no seat left.
            var heads = seats.Definition.Invitation is null ? Math.Min(free, room) : int.MaxValue;
            seats.Promote(await WaitingAsync(table, eventId, seats.Cancelled, heads, seats.Now, ct), room);
            foreach (var w in seats.Promotions)
            {
                var promoted = new TableEntity(eventId, w.RowKey)
                {
                    // Someone who has not confirmed from the email yet gets the seat held for them, until their time is up;
                    // close to the event (late seats as offers) the seat is offered, held until the offer's time.
                    [nameof(RegistrationEntity.Status)] = w.Unconfirmed || seats.OfferUntil is not null ? RegistrationStatus.Held : RegistrationStatus.Confirmed,
                    [nameof(RegistrationEntity.StateVersion)] = w.StateVersion + 1,
                    [nameof(RegistrationEntity.EmailPending)] = true,
                    [nameof(RegistrationEntity.EmailQueuedUtc)] = seats.Now,
                    [nameof(RegistrationEntity.EmailAttempts)] = 0,
                };
                if (!w.Unconfirmed && seats.OfferUntil is { } until)
                {
                    promoted[nameof(RegistrationEntity.ConfirmBy)] = until;
                    promoted[nameof(RegistrationEntity.OfferedUtc)] = seats.Now;
                }
                Add(plan, new TableTransactionAction(TableTransactionActionType.UpdateMerge, promoted, ETag.All), null);
                plan.PromotedKeys.Add(w.RowKey);
            }

            plan.NeedsSettling = seats.NeedsSettling;
        }

        // 3b. Confirmations from the email, each with its row as it is now; after the promotions, so a confirmation can
        // never let someone later in the queue be promoted past its sender (one promoted in this very commit is told
        // "try again", and the next commit confirms the held seat).
        var confirms = ops.OfType<ConfirmOp>().ToList();
        var confirmRows = await Task.WhenAll(confirms.Select(c => table.GetEntityIfExistsAsync<RegistrationEntity>(eventId, c.RowKey, cancellationToken: ct)));
        for (var i = 0; i < confirms.Count; i++) seats.Confirm(confirms[i], confirmRows[i].HasValue ? confirmRows[i].Value : null);
        foreach (var (op, row, seated) in seats.Confirmations)
        {
            if (op.AskAgainUntil is not null)
            {
                Add(plan, new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(eventId, row.RowKey)
                {
                    [nameof(RegistrationEntity.ConfirmBy)] = row.ConfirmBy,
                    [nameof(RegistrationEntity.OfferedUtc)] = row.OfferedUtc,
                    [nameof(RegistrationEntity.ReconfirmAskedUtc)] = row.ReconfirmAskedUtc,
                }, ETag.All), op);
                continue;
            }

            var confirmed = new TableEntity(eventId, row.RowKey)
            {
                [nameof(RegistrationEntity.EmailConfirmedUtc)] = row.EmailConfirmedUtc,
                [nameof(RegistrationEntity.Status)] = row.Status,
            };
            if (seated)
            {
                // A held seat confirmed: the status changed, so the email with the ticket is owed.
                confirmed[nameof(RegistrationEntity.StateVersion)] = row.StateVersion;
                confirmed[nameof(RegistrationEntity.EmailPending)] = true;
                confirmed[nameof(RegistrationEntity.EmailQueuedUtc)] = row.EmailQueuedUtc;
                confirmed[nameof(RegistrationEntity.EmailAttempts)] = 0;
                plan.PromotedKeys.Add(row.RowKey);
            }

            Add(plan, new TableTransactionAction(TableTransactionActionType.UpdateMerge, confirmed, ETag.All), op);
        }

        // 3c. The organiser's decisions on pending sign-ups, each with its row as it is now; after the promotions (a
        // seat freed in this commit goes to those already waiting first), before the new sign-ups.
        var decisions = ops.OfType<DecideOp>().ToList();
        var decisionRows = await Task.WhenAll(decisions.Select(d => table.GetEntityIfExistsAsync<RegistrationEntity>(eventId, d.RowKey, cancellationToken: ct)));
        for (var i = 0; i < decisions.Count; i++) seats.Decide(decisions[i], decisionRows[i].HasValue ? decisionRows[i].Value : null);
        foreach (var (op, row) in seats.Decisions)
        {
            var decided = new TableEntity(eventId, row.RowKey)
            {
                [nameof(RegistrationEntity.Status)] = row.Status,
                [nameof(RegistrationEntity.StateVersion)] = row.StateVersion,
                [nameof(RegistrationEntity.Sequence)] = row.Sequence,
                [nameof(RegistrationEntity.DecidedUtc)] = row.DecidedUtc,
                [nameof(RegistrationEntity.DecidedBy)] = row.DecidedBy,
                [nameof(RegistrationEntity.EmailPending)] = true,
                [nameof(RegistrationEntity.EmailQueuedUtc)] = row.EmailQueuedUtc,
                [nameof(RegistrationEntity.EmailAttempts)] = 0,
                [nameof(RegistrationEntity.TicketCode)] = _ids.TicketCode(eventId, row.Sequence),
            };
            Add(plan, new TableTransactionAction(TableTransactionActionType.UpdateMerge, decided, ETag.All), op);
            plan.PromotedKeys.Add(row.RowKey);
        }

        // 3d. The waitlist inbox (see WaitlistInbox): those answered "on the waitlist" when stored, oldest first,
        // before this commit's own sign-ups (given at least half the room). The batch's sign-ups take the room left;
        // those it has none for, or all of them while the inbox holds more, go in the next commit (CommitAsync).
        if (sequencing)
        {
            plan.InboxBefore = Interlocked.Read(ref lane.InboxInserted);
            var room = MaxOperations - plan.Actions.Count - ops.Count(o => o is AttendanceOp) - (own is not null || grant ? 1 : 0);
            var actionsBefore = plan.Actions.Count;
            (var owed, plan.InboxLeft) = await SequenceInboxAsync(table, eventId, seats, plan, room - Math.Min(signUps.Count, room / 2), ct);
            plan.InboxKeys.AddRange(owed);
            var fit = plan.InboxLeft ? 0 : Math.Max(0, room - (plan.Actions.Count - actionsBefore));
            plan.Deferred.AddRange(signUps.Skip(fit));
        }

        // 4. Sign-ups, in the order they came.
        foreach (var s in signUps.Except(plan.Deferred)) seats.SignUp(s);
        foreach (var (op, status, sequence) in seats.Seated)
        {
            op.Row.TicketCode = _ids.TicketCode(eventId, sequence);
            plan.Seated.Add((op, status, sequence));
            Add(plan, new TableTransactionAction(TableTransactionActionType.Add, LeanRow<RegistrationEntity>.ForInsert(op.Row)), op);
        }

        // 5. Check-ins, undos and walk-ins (see Attendance/): one row each, and the event row's counters.
        var attendance = ops.OfType<AttendanceOp>().ToList();
        var found = await Task.WhenAll(attendance.Select(async a => a.Kind == AttendanceKind.WalkIn ? null
            : (await table.GetEntityIfExistsAsync<RegistrationEntity>(eventId, a.RowKey, cancellationToken: ct)) is { HasValue: true } r ? r.Value : null));
        for (var i = 0; i < attendance.Count; i++)
        {
            var (a, row) = (attendance[i], found[i]);
            switch (seats.Attend(a, row))
            {
                case AttendanceWrite.AddWalkIn:
                    Add(plan, new TableTransactionAction(TableTransactionActionType.Add, a.WalkIn!), a);
                    break;
                case AttendanceWrite.MarkCheckedIn:
                    var checkIn = new TableEntity(eventId, row!.RowKey)
                    {
                        [nameof(RegistrationEntity.CheckedInUtc)] = row.CheckedInUtc,
                        [nameof(RegistrationEntity.CheckedInBy)] = row.CheckedInBy,
                        [nameof(RegistrationEntity.Status)] = row.Status, // a held seat is theirs once they are at the door
                    };
                    if (row.EmailConfirmedUtc is not null) checkIn[nameof(RegistrationEntity.EmailConfirmedUtc)] = row.EmailConfirmedUtc;
                    Add(plan, new TableTransactionAction(TableTransactionActionType.UpdateMerge, checkIn, ETag.All), a);
                    break;
                case AttendanceWrite.DeleteWalkIn:
                    Add(plan, new TableTransactionAction(TableTransactionActionType.Delete, row!, ETag.All), a);
                    break;
                case AttendanceWrite.ClearCheckIn:
                    // A merge cannot clear a property: the row is replaced, as stored (every column, known here or
                    // not) less the check-in, under its own ETag (an email sender that touched it meanwhile makes
                    // this attempt fail and plan again, rather than lose its record).
                    var stored = (await table.GetEntityAsync<TableEntity>(eventId, row!.RowKey, cancellationToken: ct)).Value;
                    stored.Remove(nameof(RegistrationEntity.CheckedInUtc));
                    stored.Remove(nameof(RegistrationEntity.CheckedInBy));
                    // A volunteer's check-out goes with the check-in it closed.
                    stored.Remove(nameof(RegistrationEntity.CheckedOutUtc));
                    stored.Remove(nameof(RegistrationEntity.CheckedOutBy));
                    Add(plan, new TableTransactionAction(TableTransactionActionType.UpdateReplace, stored, stored.ETag), a);
                    break;
            }
        }

        // 6. This instance's next block: seats nobody waits for, at most half of those free (the other instances on a
        // rush find some too), sized to what this lane commits.
        var size = Math.Clamp(32 * Math.Max(signUps.Count, lane.LastBatch), 32, 1000);
        SeatBlockEntity? handed = null;
        if (grant && seats.Grant(Math.Min(size, Math.Max(1, (seats.Free + 1) / 2))) is { } granted)
        {
            handed = new SeatBlockEntity { Seats = granted.Seats, NextSequence = granted.First - 1, LastSequence = granted.Last };
        }

        if (handed is not null)
        {
            handed.PartitionKey = eventId;
            handed.RowKey = ownKey;
            handed.Until = seats.Now + _options.SeatBlockLease;
            Add(plan, own is null ? new TableTransactionAction(TableTransactionActionType.Add, handed) : new TableTransactionAction(TableTransactionActionType.UpdateReplace, handed, own.ETag), null);
            plan.OwnBlock = handed;
            plan.OwnBlockIndex = plan.Actions.Count - 1;
            plan.OwnBlockChanged = true;
        }
        else if (own is not null)
        {
            Add(plan, new TableTransactionAction(TableTransactionActionType.Delete, own, own.ETag), null);
        }

        var after = seats.Finish();
        foreach (var (op, result) in seats.Results) plan.Results[op] = result;
        foreach (var fold in folds) plan.Results[fold] = seats.Writes ? new ChangeResult.Changed(after, seats.Promotions.Count) : new ChangeResult.Unchanged(after);
        foreach (var sequence in sequences) plan.Results[sequence] = plan.InboxKeys.Count > 0 ? new ChangeResult.Changed(after, plan.InboxKeys.Count) : new ChangeResult.Unchanged(after);
        // The inbox stays open while people wait and instances contend (renewed before it gets near its end).
        var inboxUntil = entity.InboxUntil;
        if (OpensInbox(lane, after, seats.Now) && (inboxUntil is null || inboxUntil < seats.Now + WaitlistInbox.Lease - WaitlistInbox.Margin / 2)) inboxUntil = seats.Now + WaitlistInbox.Lease;
        // Too few places left for the inbox (counting what it still holds): closed, so the limit stays the event row's.
        else if (inboxUntil > seats.Now && !WaitlistInbox.HasRoom(after with { Waitlisted = after.Waitlisted + (plan.InboxLeft ? WaitlistInbox.MaxPerInsert : 0) })) inboxUntil = seats.Now;
        if (draw is not null) plan.Results[draw] = new DrawResult.Drawn(after, seats.Drawn.Count, after.Lottery?.DrawnUtc is not null);
        if (!seats.Writes) return Nothing(plan);

        // The event row: counters, sequence, version and this commit's id, under the ETag it was read with.
        var counters = seats.Counters;
        var recent = plan.CommitId + " " + string.Join(' ', entity.RecentCommits.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(RecentCommitsKept - 1));
        var next = EventEntity.From(after);
        next.NextSequence = counters.NextSequence;
        next.Version = entity.Version + 1;
        next.RecentCommits = recent;
        next.CheckedIn = counters.CheckedIn;
        next.WalkIns = counters.WalkIns;
        next.Withdrawn = counters.Withdrawn;
        next.ETag = entity.ETag;
        next.InboxUntil = inboxUntil;
        plan.After = next;
        ITableEntity merge = change?.Change is not null
            ? next
            : new TableEntity(eventId, EventEntity.RowKeyValue)
            {
                [nameof(EventEntity.Confirmed)] = counters.Confirmed,
                [nameof(EventEntity.Waitlisted)] = counters.Waitlisted,
                [nameof(EventEntity.Held)] = counters.Held,
                [nameof(EventEntity.Unconfirmed)] = counters.Unconfirmed,
                [nameof(EventEntity.Pending)] = counters.Pending,
                [nameof(EventEntity.Blocked)] = counters.Blocked,
                [nameof(EventEntity.NextSequence)] = counters.NextSequence,
                [nameof(EventEntity.Version)] = next.Version,
                [nameof(EventEntity.RecentCommits)] = recent,
                [nameof(EventEntity.CheckedIn)] = counters.CheckedIn,
                [nameof(EventEntity.WalkIns)] = counters.WalkIns,
                [nameof(EventEntity.Withdrawn)] = counters.Withdrawn,
                [nameof(EventEntity.Entries)] = counters.Entries,
            };
        if (draw is not null && merge is TableEntity drawn)
        {
            drawn[nameof(EventEntity.LotteryJson)] = next.LotteryJson;
            drawn[nameof(EventEntity.LotteryDueUtc)] = next.LotteryDueUtc;
        }
        if (after.Invitation is not null && merge is TableEntity counted) counted[nameof(EventEntity.UnitUsedJson)] = next.UnitUsedJson;
        if (inboxUntil != entity.InboxUntil && merge is TableEntity opened) opened[nameof(EventEntity.InboxUntil)] = inboxUntil;
        plan.Actions[0] = new TableTransactionAction(TableTransactionActionType.UpdateMerge, merge, entity.ETag);
        return plan;
    }

    /// <summary>
    /// 7. One chunk of a lottery draw: the entry list frozen by the first (written with it), then the next entries in
    /// drawn order as one transaction holds, through <see cref="SeatPlan.Draw"/>. False when there is nothing to do
    /// (its result says why).
    /// </summary>
    private async Task<bool> PlanDrawAsync(string eventId, EventEntity entity, SeatPlan seats, Plan plan, DrawOp op, CancellationToken ct)
    {
        var e = seats.Definition;
        if (e.Lottery is not { } lottery || e.Cancelled || (lottery.DrawStartedUtc is null && seats.Now < lottery.DrawUtc))
        {
            plan.Results[op] = new DrawResult.NotDue(e);
            return false;
        }

        if (lottery.DrawnUtc is not null)
        {
            plan.Results[op] = new DrawResult.AlreadyDrawn(e);
            return false;
        }

        var table = await _store.TableAsync(ct);
        var seed = _ids.LotterySeed(eventId);
        var entries = new List<RegistrationEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {eventId} and RowKey ge {"reg-"} and RowKey lt {"reg."} and Status eq {RegistrationStatus.Entry}");
        await foreach (var r in table.QueryAsync<RegistrationEntity>(filter, cancellationToken: ct)) entries.Add(r);
        // In the draw: the entries confirmed from the email by the draw time (later confirmations are refused as late).
        var inDraw = entries.Where(r => !r.AwaitsConfirmation).ToDictionary(r => r.RegistrationId, StringComparer.Ordinal);
        List<Admission.LotteryEntry> list;
        if (lottery.DrawStartedUtc is null)
        {
            var tiers = lottery.NoShowsLast && op.Tiers is not null && inDraw.Count > 0 ? await op.Tiers([.. inDraw.Values]) : null;
            list = [.. inDraw.Keys.Select(id => new Admission.LotteryEntry(id, tiers is not null && tiers.TryGetValue(id, out var t) ? t : 0))];
            var text = Admission.LotteryDraw.EntryList(list);
            var hash = Admission.LotteryDraw.Sha256Hex(text);
            Add(plan, new TableTransactionAction(TableTransactionActionType.Add, Admission.LotteryListEntity.Of(eventId, text, hash)), null);
            lottery = lottery with { DrawStartedUtc = seats.Now, EntryListHash = hash, EntriesDrawn = list.Count, SeatsDrawn = seats.Free, WaitlistDrawn = seats.WaitlistRoom };
        }
        else
        {
            var frozen = await table.GetEntityIfExistsAsync<Admission.LotteryListEntity>(eventId, Admission.LotteryListEntity.Key, cancellationToken: ct);
            if (!frozen.HasValue || frozen.Value is null) throw new LedgerConflictException("The draw's entry list is not there yet.");
            list = Admission.LotteryDraw.Parse(frozen.Value.List);
        }

        var order = Admission.LotteryDraw.Order(seed, list);
        var next = new List<(RegistrationEntity Row, int Rank)>();
        for (var i = 0; i < order.Count; i++)
        {
            if (inDraw.TryGetValue(order[i].RegistrationId, out var row)) next.Add((row, i + 1));
        }

        var room = MaxOperations - plan.Actions.Count;
        var started = lottery;
        seats.Draw(next, room, drawn => drawn == next.Count ? started with { DrawnUtc = seats.Now, Seed = seed } : started);
        foreach (var (row, status) in seats.Drawn)
        {
            if (status is null)
            {
                // Not drawn, and no waitlist place: the entry goes, and they are told (the notice names nobody else).
                Add(plan, new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All), null);
                var notice = RemovalNotice(row, seats.Now);
                notice.RemovedReason = RemovedReasons.NotDrawn;
                Add(plan, new TableTransactionAction(TableTransactionActionType.UpsertReplace, LeanRow<RegistrationEntity>.ForInsert(notice)), null);
                plan.NoticeKeys.Add(notice.RowKey);
                continue;
            }

            Add(plan, new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(eventId, row.RowKey)
            {
                [nameof(RegistrationEntity.Status)] = row.Status,
                [nameof(RegistrationEntity.Sequence)] = row.Sequence,
                [nameof(RegistrationEntity.StateVersion)] = row.StateVersion,
                [nameof(RegistrationEntity.DrawRank)] = row.DrawRank,
                [nameof(RegistrationEntity.EmailPending)] = true,
                [nameof(RegistrationEntity.EmailQueuedUtc)] = row.EmailQueuedUtc,
                [nameof(RegistrationEntity.EmailAttempts)] = 0,
                [nameof(RegistrationEntity.TicketCode)] = _ids.TicketCode(eventId, row.Sequence),
            }, ETag.All), null);
            plan.PromotedKeys.Add(row.RowKey);
        }

        return true;
    }

    private static void Add(Plan plan, TableTransactionAction action, LedgerOp? op)
    {
        plan.Actions.Add(action);
        plan.ActionOps.Add(op);
    }

    /// <summary>
    /// What is kept of a removed registration until its email is sent: who to write to and in which language, the
    /// reference they know it by, nothing else (no phone, answers, ticket or manage link). Not a registration: the
    /// console, the door and the waitlist never see it; the email sender deletes it once the email is recorded, and
    /// the retention purge takes it with the event's other rows if the email never goes.
    /// </summary>
    private static RegistrationEntity RemovalNotice(RegistrationEntity row, DateTimeOffset now) => new()
    {
        PartitionKey = row.PartitionKey,
        RowKey = Ids.RemovalNoticeKey(row.RegistrationId),
        RegistrationId = row.RegistrationId,
        Status = RegistrationStatus.Removed,
        StateVersion = 1,
        Name = row.Name,
        Email = row.Email,
        Language = row.Language,
        CreatedUtc = now,
        EmailPending = true,
        EmailQueuedUtc = now,
    };

    private static Plan Nothing(Plan plan)
    {
        plan.Actions.Clear();
        plan.ActionOps.Clear();
        plan.Seated.Clear();
        plan.PromotedKeys.Clear();
        plan.InboxKeys.Clear();
        plan.InboxMerges.Clear();
        plan.InboxRows.Clear();
        // Deferred (sign-ups left to the next commit) stays: with nothing else to write, they still go next.
        plan.NoticeKeys.Clear();
        return plan;
    }

    /// <summary>
    /// The first <paramref name="count"/> people waiting, by arrival number: not those this commit cancels, nor those
    /// whose time to confirm from the email has passed (the hold sweep takes them off).
    /// </summary>
    private static async Task<List<WaitingHead>> WaitingAsync(TableClient table, string eventId, HashSet<string> except, int count, DateTimeOffset now, CancellationToken ct)
    {
        var waiting = new List<TableEntity>();
        if (count <= 0) return [];
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {eventId} and Status eq {RegistrationStatus.Waitlisted}");
        await foreach (var w in table.QueryAsync<TableEntity>(filter,
            select: ["RowKey", nameof(RegistrationEntity.RegistrationId), nameof(RegistrationEntity.Sequence), nameof(RegistrationEntity.StateVersion),
                nameof(RegistrationEntity.ConfirmBy), nameof(RegistrationEntity.EmailConfirmedUtc), nameof(RegistrationEntity.UnitId)], cancellationToken: ct))
        {
            if (!except.Contains(w.RowKey) && !(Unconfirmed(w) && w.GetDateTimeOffset(nameof(RegistrationEntity.ConfirmBy)) <= now)) waiting.Add(w);
        }

        return waiting.OrderBy(w => w.GetInt64(nameof(RegistrationEntity.Sequence)) ?? long.MaxValue).Take(count)
            .Select(w => new WaitingHead(w.RowKey, w.GetString(nameof(RegistrationEntity.RegistrationId)) ?? "",
                w.GetInt32(nameof(RegistrationEntity.StateVersion)).GetValueOrDefault(), Unconfirmed(w), w.GetString(nameof(RegistrationEntity.UnitId))))
            .ToList();

        static bool Unconfirmed(TableEntity w) =>
            w.GetDateTimeOffset(nameof(RegistrationEntity.ConfirmBy)) is not null && w.GetDateTimeOffset(nameof(RegistrationEntity.EmailConfirmedUtc)) is null;
    }

    /// <summary>
    /// After a failed commit: did any attempt land? Its id in the event row says yes. If not, and the row's ETag
    /// is still one an attempt was made with, a fence (a write under that ETag) makes sure none ever can; a
    /// changed ETag already does. Only when storage does not answer is the outcome unknown.
    /// </summary>
    private async Task<(Plan? Landed, bool Known)> ResolveAsync(string eventId, List<Plan> attempts)
    {
        if (attempts.Count == 0) return (null, true); // nothing was ever sent
        using var cts = new CancellationTokenSource(ResolveTimeout, _clock);
        try
        {
            var table = await _store.TableAsync(cts.Token);
            for (var round = 0; round < 10; round++)
            {
                var entity = await _store.FindEventRowAsync(eventId, cts.Token);
                if (entity is null) return (null, true);
                if (Landed(entity, attempts) is { } landed) return (landed, true);
                if (entity.Version - attempts.Min(p => p.BaseVersion) >= RecentCommitsKept) return (null, false); // too many commits since to tell
                if (!attempts.Any(p => p.BaseETag == entity.ETag)) return (null, true);
                try
                {
                    await table.UpdateEntityAsync(new TableEntity(eventId, EventEntity.RowKeyValue) { ["Fence"] = Ids.NewCommitId() },
                        entity.ETag, TableUpdateMode.Merge, cts.Token);
                    return (null, true);
                }
                catch (RequestFailedException ex) when (ex.Status == 412)
                {
                    // Something landed meanwhile (perhaps ours): look again.
                }
            }
        }
        catch (Exception ex) when (StorageFaults.IsTransient(ex))
        {
            _log.LogWarning(ex, "Could not find out whether a commit on event {EventId} landed", eventId);
        }

        return (null, false);
    }
}
