using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace EventFunctions.Shared.Confirmations;

/// <summary>
/// The claim and error columns one kind of email uses on the registration row. Confirmations and notifications
/// (notices, reminders, resends) each have their own, so one of each can be on its way for the same person.
/// </summary>
public sealed record OutboxLane(string Name, string ClaimColumn, string ErrorColumn, Func<RegistrationEntity, DateTimeOffset?> ClaimOf, Action<RegistrationEntity, DateTimeOffset> SetClaim)
{
    public static readonly OutboxLane Confirmation = new("confirmation", nameof(RegistrationEntity.EmailClaimUntil), nameof(RegistrationEntity.EmailError),
        r => r.EmailClaimUntil, (r, until) => r.EmailClaimUntil = until);

    public static readonly OutboxLane Notification = new("notification", nameof(RegistrationEntity.NoticeClaimUntil), nameof(RegistrationEntity.NoticeError),
        r => r.NoticeClaimUntil, (r, until) => r.NoticeClaimUntil = until);
}

/// <summary>What became of an email handed to the outbox.</summary>
public enum HandOverOutcome
{
    /// <summary>The provider took it: record it.</summary>
    Sent,
    /// <summary>The provider refused it for good (a 4xx for the address): record it as done, with the reason.</summary>
    Rejected,
    /// <summary>The claim could not be kept (the row changed or went while the email waited): nothing was sent.</summary>
    ClaimLost,
}

/// <summary>
/// An email handed to the provider and not yet recorded. It holds one of the instance's in-flight places
/// (<see cref="EmailOptions.MaxInFlight"/>) until <see cref="EmailOutbox.RecordAsync"/> or a
/// <see cref="EmailOutbox.Recorder"/> records it.
/// </summary>
public sealed class Handover
{
    private readonly EmailOutbox? _outbox;
    private int _done;

    internal Handover(EmailOutbox? outbox, HandOverOutcome outcome, SendResult? result)
    {
        _outbox = outbox;
        Outcome = outcome;
        Result = result;
        if (outbox is null) _done = 1;
    }

    public HandOverOutcome Outcome { get; }
    public SendResult? Result { get; }

    /// <summary>The error to record: null when sent, the provider's code and reason when refused.</summary>
    public string? Error => Result is SendResult.Rejected r ? $"{r.StatusCode}: {r.Reason}" : null;

    internal void Done()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0) _outbox!.ReleasePlace();
    }
}

/// <summary>
/// The one email outbox: every email a participant gets (confirmation, waitlist, promotion, change, cancellation,
/// reminder, resend, removal) is claimed on its registration row, handed to the provider and recorded on the row
/// here, with one retry policy for the storage writes. The senders decide what is owed and compose it; this class
/// makes sure each email goes once although queue delivery is at-least-once:
/// <list type="number">
/// <item><b>Claim</b> the row under its ETag (<see cref="ClaimAsync"/>, or <see cref="ClaimManyAsync"/> in
/// entity-group transactions) for <see cref="ClaimDuration"/>; another delivery that finds it claimed backs off.</item>
/// <item><b>Hand over</b> (<see cref="HandOverAsync"/>): wait for one of the instance's in-flight places, renew a
/// claim that has been waiting, send. A failure releases the claim (so the email can go again at once).</item>
/// <item><b>Record</b> (<see cref="RecordAsync"/>, or a <see cref="Recorder"/> that writes finished sends in
/// transactions) under the claim's ETag, re-reading and re-judging if the row changed meanwhile.</item>
/// </list>
/// The in-flight places bound what an instance killed between the provider's answer and the record can send twice
/// when its claims run out: at most <see cref="EmailOptions.MaxInFlight"/> emails, whatever the load.
/// </summary>
public sealed class EmailOutbox
{
    /// <summary>
    /// How long a sender holds a row while sending: longer than a send takes (SendGrid's client gives up within
    /// seconds), short enough that a sender killed mid-send delays the email by less than a minute.
    /// </summary>
    public static readonly TimeSpan ClaimDuration = TimeSpan.FromSeconds(45);

    /// <summary>
    /// The longest a hand-over may take (SendGrid's client and its own retries included): well inside the claim, so
    /// no other delivery can take the row while its email may still be on the way. A send still unanswered then is
    /// given up (the claim released, the message comes back).
    /// </summary>
    public static readonly TimeSpan SendDeadline = TimeSpan.FromSeconds(30);

    /// <summary>A claim with less than this left is renewed (under its ETag) before its email is handed over.</summary>
    private static readonly TimeSpan RenewBelow = TimeSpan.FromSeconds(30);

    /// <summary>A merge cannot clear a property (nulls are not sent), so a released claim is set in the past.</summary>
    public static readonly DateTimeOffset Released = DateTimeOffset.UnixEpoch;

    /// <summary>How many times a claim transaction is tried again without the row that made it fail, before the rest go per row.</summary>
    private const int ClaimAttempts = 3;

    private readonly IEmailTransport _transport;
    private readonly RecipientCaps _caps;
    private readonly TimeProvider _clock;
    private readonly ILogger<EmailOutbox> _log;
    private readonly SemaphoreSlim _places;
    /// <summary>Rows whose cap was decided for their batch in advance (<see cref="TakeCapsAsync"/>): whether the email may go.</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<RegistrationEntity, System.Runtime.CompilerServices.StrongBox<bool>> _capDecided = new();
    private readonly ResiliencePipeline _storage;

    public EmailOutbox(IEmailTransport transport, RecipientCaps caps, TimeProvider clock, IOptions<EventFunctionsOptions> options, ILogger<EmailOutbox> log)
    {
        _transport = transport;
        _caps = caps;
        _clock = clock;
        _log = log;
        MaxInFlight = Math.Max(1, options.Value.Email.MaxInFlight);
        _places = new SemaphoreSlim(MaxInFlight);
        // The one retry policy for the outbox's storage writes: records and releases are never cancelled (a sent email
        // must not be forgotten), so a brief storage fault is waited out here rather than sending the email again.
        _storage = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(StorageFaults.IsTransient),
                MaxRetryAttempts = 4,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(3),
            })
            .Build();
    }

    /// <summary>Emails this instance may have handed to the provider and not yet recorded.</summary>
    public int MaxInFlight { get; }

    /// <summary>How many emails are handed over and not yet recorded right now (for tests and diagnostics).</summary>
    public int InFlight => MaxInFlight - _places.CurrentCount;

    /// <summary>How many emails are composed and waiting for an in-flight place right now (for tests and diagnostics).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    private int _waiting;

    internal void ReleasePlace() => _places.Release();

    /// <summary>Claims <paramref name="row"/> for <paramref name="lane"/> under the ETag it was read with; false when it changed or went first.</summary>
    public async Task<bool> ClaimAsync(TableClient table, RegistrationEntity row, OutboxLane lane, CancellationToken ct)
    {
        var until = _clock.GetUtcNow() + ClaimDuration;
        try
        {
            var claimed = await table.UpdateEntityAsync(new TableEntity(row.PartitionKey, row.RowKey) { [lane.ClaimColumn] = until }, row.ETag, TableUpdateMode.Merge, ct);
            row.ETag = claimed.Headers.ETag ?? row.ETag;
            lane.SetClaim(row, until);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return false;
        }
    }

    /// <summary>
    /// Claims <paramref name="rows"/> (one partition) in transactions, each row under the ETag it was read with. A
    /// transaction that fails claims nothing: the row it names (changed or gone) is left out and the rest are tried
    /// again, <see cref="ClaimAttempts"/> times at most. Returns the rows claimed and the rows to judge afresh one by one.
    /// </summary>
    public async Task<(List<RegistrationEntity> Claimed, List<RegistrationEntity> Unclaimed)> ClaimManyAsync(
        TableClient table, IReadOnlyList<RegistrationEntity> rows, OutboxLane lane, CancellationToken ct)
    {
        var claimed = new List<RegistrationEntity>();
        var unclaimed = new List<RegistrationEntity>();
        foreach (var chunk in rows.Chunk(TableLimits.TransactionActions))
        {
            var pending = chunk.ToList();
            for (var attempt = 0; pending.Count > 0; attempt++)
            {
                if (attempt == ClaimAttempts)
                {
                    unclaimed.AddRange(pending);
                    break;
                }

                var until = _clock.GetUtcNow() + ClaimDuration;
                try
                {
                    var response = await table.SubmitTransactionAsync(pending.Select(r => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                        new TableEntity(r.PartitionKey, r.RowKey) { [lane.ClaimColumn] = until }, r.ETag)), ct);
                    for (var i = 0; i < pending.Count; i++)
                    {
                        lane.SetClaim(pending[i], until);
                        // Without the new ETag the record goes the per-row way (412, read, record): slower, still right.
                        if (i < response.Value.Count && response.Value[i].Headers.ETag is { } etag) pending[i].ETag = etag;
                    }

                    claimed.AddRange(pending);
                    break;
                }
                catch (TableTransactionFailedException ex) when (ex.Status is 412 or 404 && ex.FailedTransactionActionIndex is { } i && i >= 0 && i < pending.Count)
                {
                    // Changed (a promotion, a check-in, another delivery's claim) or cancelled since the read.
                    unclaimed.Add(pending[i]);
                    pending.RemoveAt(i);
                }
                catch (RequestFailedException ex) when (ex.Status is 412 or 404)
                {
                    unclaimed.AddRange(pending);
                    break;
                }
                catch (Exception ex) when (StorageFaults.IsTransient(ex) && !ct.IsCancellationRequested)
                {
                    // Unknown whether it landed: the per-row path reads each row and finds out (a claim of ours that
                    // landed makes that row come back later, after the claim runs out; never a second email).
                    _log.LogWarning(ex, "Claiming {Count} rows of event {EventId} failed; they go one by one", pending.Count, pending[0].PartitionKey);
                    unclaimed.AddRange(pending);
                    break;
                }
            }
        }

        return (claimed, unclaimed);
    }

    /// <summary>
    /// Hands a claimed row's email to the provider once one of the instance's in-flight places is free, renewing
    /// the claim first if it has been waiting. A failure releases the claim and the place and throws; a refused API
    /// key is logged as the operator's problem and shown on the row. The handover returned holds its place until
    /// it is recorded.
    /// </summary>
    public async Task<Handover> HandOverAsync(TableClient table, RegistrationEntity row, OutboxLane lane, EmailMessage email, CancellationToken ct)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _places.WaitAsync(ct);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        SendResult result;
        try
        {
            if (!await KeepClaimAsync(table, row, lane, ct))
            {
                _places.Release();
                return new Handover(null, HandOverOutcome.ClaimLost, null);
            }

            if (CountsAgainstCap(row, lane) && !await TakeCapAsync(row, ct))
            {
                _log.LogWarning("Not sending the {Category} email for {RegistrationId}: its mailbox reached today's cap of emails for sign-ups it may not have made",
                    email.Category, row.RegistrationId);
                return new Handover(this, HandOverOutcome.Rejected, new SendResult.Rejected(429, "daily email limit for this mailbox reached; not sent"));
            }

            using var timer = new CancellationTokenSource(SendDeadline, _clock);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
            try
            {
                result = await _transport.SendAsync(email, deadline.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutException && timer.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new TransientEmailException($"SendGrid did not answer within {SendDeadline.TotalSeconds:0} s.", ex);
            }
        }
        catch (EmailAuthenticationException ex)
        {
            _log.LogError("SendGrid refused the API key ({StatusCode}) sending the {Category} email for {RegistrationId}; it will be retried. Fix EventFunctions__Email__SendGridApiKey",
                ex.StatusCode, email.Category, row.RegistrationId);
            await ReleaseAsync(table, row, lane, $"{ex.StatusCode}: SendGrid refused the API key (not the address); retrying");
            _places.Release();
            throw;
        }
        catch (Exception)
        {
            await ReleaseAsync(table, row, lane, null);
            _places.Release();
            throw;
        }

        if (result is SendResult.Rejected rejected)
        {
            _log.LogWarning("The provider refused the {Category} email for {RegistrationId} with {StatusCode} ({Reason}); not retrying",
                email.Category, row.RegistrationId, rejected.StatusCode, rejected.Reason);
            return new Handover(this, HandOverOutcome.Rejected, result);
        }

        return new Handover(this, HandOverOutcome.Sent, result);
    }

    /// <summary>
    /// Counts a batch's emails against the recipient cap together (one query and one transaction per 100 mailboxes,
    /// instead of a read and a write per email); their hand-overs then use the decision. A failure leaves each to be
    /// counted at its hand-over.
    /// </summary>
    public async Task TakeCapsAsync(IReadOnlyList<RegistrationEntity> rows, OutboxLane lane, CancellationToken ct)
    {
        var counted = rows.Where(r => CountsAgainstCap(r, lane)).ToList();
        if (counted.Count < 2) return;
        try
        {
            var allowed = await _caps.TakeManyAsync(counted.Select(r => r.Email).ToList(), ct);
            for (var i = 0; i < counted.Count; i++) _capDecided.AddOrUpdate(counted[i], new System.Runtime.CompilerServices.StrongBox<bool>(allowed[i]));
        }
        catch (Exception ex) when (StorageFaults.IsTransient(ex) && !ct.IsCancellationRequested)
        {
            _log.LogInformation(ex, "Counting {Count} recipients together failed; each is counted at its hand-over", counted.Count);
        }
    }

    private async Task<bool> TakeCapAsync(RegistrationEntity row, CancellationToken ct)
    {
        if (_capDecided.TryGetValue(row, out var decided))
        {
            _capDecided.Remove(row);
            return decided.Value;
        }

        return await _caps.TakeAsync(row.Email, ct);
    }

    /// <summary>
    /// The emails anyone can cause by typing a stranger's address: the first email of a sign-up (confirmation or
    /// waitlist) and a removal notice. Notices, reminders, promotions and resends go to people already signed up,
    /// and resends have their own limits.
    /// </summary>
    private static bool CountsAgainstCap(RegistrationEntity row, OutboxLane lane) =>
        lane == OutboxLane.Confirmation && (row.StateVersion <= 1 || row.Status == RegistrationStatus.Removed);

    /// <summary>Renews a claim with little time left, under the claim's ETag; false when the row changed or went meanwhile.</summary>
    private async Task<bool> KeepClaimAsync(TableClient table, RegistrationEntity row, OutboxLane lane, CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        if (lane.ClaimOf(row) is { } until && until - now >= RenewBelow) return true;
        return await ClaimAsync(table, row, lane, ct);
    }

    /// <summary>
    /// Records a handed-over email on its row and frees its in-flight place. <paramref name="changes"/> gives the
    /// merge for the row as last read (first the claimed row; after a 412, the row read afresh): it must release the
    /// claim and clear or set the lane's error. Written under that row's ETag; a row gone is a cancel. Never cancelled.
    /// Returns the merge written (null when the row is gone).
    /// </summary>
    public async Task<TableEntity?> RecordAsync(TableClient table, RegistrationEntity sent, Handover handover, Func<RegistrationEntity, TableEntity> changes)
    {
        try
        {
            return await WriteRecordAsync(table, sent, changes);
        }
        finally
        {
            handover.Done();
        }
    }

    /// <summary>As <see cref="RecordAsync"/>, for a row whose marks need putting right without an email (nothing handed over).</summary>
    public Task<TableEntity?> CorrectAsync(TableClient table, RegistrationEntity row, Func<RegistrationEntity, TableEntity> changes) => WriteRecordAsync(table, row, changes);

    private async Task<TableEntity?> WriteRecordAsync(TableClient table, RegistrationEntity sent, Func<RegistrationEntity, TableEntity> changes)
    {
        var row = sent;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var merge = changes(row);
            try
            {
                await _storage.ExecuteAsync(async token => await table.UpdateEntityAsync(merge, row.ETag, TableUpdateMode.Merge, token), CancellationToken.None);
                return merge;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                var fresh = await _storage.ExecuteAsync(async token => await table.GetEntityIfExistsAsync<RegistrationEntity>(row.PartitionKey, row.RowKey, cancellationToken: token), CancellationToken.None);
                if (!fresh.HasValue) return null; // cancelled while sending: the row (and the participant's data) is gone
                row = fresh.Value!;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return null;
            }
        }

        throw new TransientEmailException("Could not record the sent email; the row kept changing.");
    }

    /// <summary>Lets a claim go (after a failed send, or one never started), keeping <paramref name="error"/> on the row if given.</summary>
    public async Task ReleaseAsync(TableClient table, RegistrationEntity row, OutboxLane lane, string? error)
    {
        try
        {
            var changes = new TableEntity(row.PartitionKey, row.RowKey) { [lane.ClaimColumn] = Released };
            if (error is not null) changes[lane.ErrorColumn] = error;
            await _storage.ExecuteAsync(async token => await table.UpdateEntityAsync(changes, row.ETag, TableUpdateMode.Merge, token), CancellationToken.None);
        }
        catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException || StorageFaults.IsTransient(ex))
        {
            _log.LogDebug(ex, "Could not release the claim on {RegistrationId}; it expires by itself", row.RegistrationId);
        }
    }

    /// <summary>A recorder for one message's sends (see <see cref="Recorder"/>).</summary>
    /// <param name="changes">The merge for (the row as last read, the row as it was sent, the error): see <see cref="RecordAsync"/>.</param>
    public Recorder StartRecorder(TableClient table, Func<RegistrationEntity, RegistrationEntity, string?, TableEntity> changes) => new(this, table, changes);

    /// <summary>The instance's record writers, one per table and partition while it has records to write.</summary>
    private readonly ConcurrentDictionary<(string Table, string Partition), RecordWriter> _writers = new();

    private RecordWriter WriterFor(TableClient table, string partition) =>
        _writers.GetOrAdd((table.Name, partition), key => new RecordWriter(this, table, key));

    /// <summary>
    /// One message's finished sends, recorded through the instance's writer for their partition (see
    /// <see cref="RecordWriter"/>), so the sends of every message of an event that an instance has on its way share
    /// transactions. Each handover keeps its in-flight place until its row is recorded. Records are never cancelled:
    /// a sent email must not be forgotten.
    /// </summary>
    public sealed class Recorder
    {
        private readonly EmailOutbox _outbox;
        private readonly TableClient _table;
        private readonly object _gate = new();
        private int _outstanding;
        private TaskCompletionSource? _drained;

        internal Recorder(EmailOutbox outbox, TableClient table, Func<RegistrationEntity, RegistrationEntity, string?, TableEntity> changes)
        {
            _outbox = outbox;
            _table = table;
            Changes = changes;
        }

        internal Func<RegistrationEntity, RegistrationEntity, string?, TableEntity> Changes { get; }

        /// <summary>Rows recorded, with the merge that was written (the caller reads from it whether more is owed).</summary>
        public ConcurrentBag<(RegistrationEntity Row, TableEntity Merge)> Recorded { get; } = [];

        /// <summary>Rows whose record could not be written at all: they go back on the queue (and are found sent or claimed).</summary>
        public ConcurrentBag<string> Failed { get; } = [];

        public void Add(RegistrationEntity row, Handover handover)
        {
            lock (_gate)
            {
                if (_outstanding++ == 0) _drained = null;
            }

            _outbox.WriterFor(_table, row.PartitionKey).Add(new PendingRecord(this, row, handover));
        }

        /// <summary>Completes when everything added so far is recorded (or handed back as failed).</summary>
        public Task DrainAsync()
        {
            lock (_gate)
            {
                if (_outstanding == 0) return Task.CompletedTask;
                _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _drained.Task;
            }
        }

        internal void Completed()
        {
            TaskCompletionSource? drained = null;
            lock (_gate)
            {
                if (--_outstanding == 0) drained = _drained;
            }

            drained?.TrySetResult();
        }
    }

    internal sealed record PendingRecord(Recorder Recorder, RegistrationEntity Row, Handover Handover);

    /// <summary>
    /// Writes the finished sends of one partition in transactions as they finish: one transaction in flight at a time
    /// (unless one stalls), each taking whatever finished since the last one (from any message), so a sent email waits
    /// for its record about one transaction and the in-flight places (<see cref="MaxInFlight"/>) fill one transaction
    /// rather than several small ones. A transaction that fails (a row changed or gone after its send, or storage
    /// trouble) records its rows one by one, which handles a changed or cancelled row. Idle, the writer leaves the
    /// instance's map.
    /// </summary>
    private sealed class RecordWriter(EmailOutbox outbox, TableClient table, (string Table, string Partition) key)
    {
        /// <summary>How long the next records wait for a transaction before going beside it (a record normally takes milliseconds).</summary>
        private static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(1);

        private readonly object _gate = new();
        private List<PendingRecord> _pending = [];
        private bool _writing;

        public void Add(PendingRecord record)
        {
            lock (_gate)
            {
                _pending.Add(record);
                if (_writing) return;
                _writing = true;
            }

            _ = Task.Run(WriteAllAsync);
        }

        private async Task WriteAllAsync()
        {
            while (true)
            {
                List<PendingRecord> next;
                lock (_gate)
                {
                    if (_pending.Count == 0)
                    {
                        _writing = false;
                        // Idle: leave the map (an Add that found this writer meanwhile starts it again, which is harmless).
                        outbox._writers.TryRemove(KeyValuePair.Create(key, this));
                        return;
                    }

                    next = _pending;
                    _pending = [];
                }

                // A row twice in one transaction would fail it: a later record of the same row waits for the next one.
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var now = new List<PendingRecord>();
                foreach (var r in next)
                {
                    if (seen.Add(r.Row.RowKey)) now.Add(r);
                    else lock (_gate) _pending.Add(r);
                }

                foreach (var chunk in now.Chunk(TableLimits.TransactionActions))
                {
                    // A transaction that hangs (storage stalled: the client tries 10 s at a time, and a failed one is
                    // then recorded row by row with retries) must not hold back the records after it until their
                    // claims run out: past StallAfter, the next records go in a transaction of their own beside it.
                    try
                    {
                        await WriteAsync(chunk).WaitAsync(StallAfter); // WriteAsync itself never throws
                    }
                    catch (TimeoutException)
                    {
                        // still on its way: it records (or hands back) its rows when it ends
                    }
                }
            }
        }

        private async Task WriteAsync(PendingRecord[] records)
        {
            try
            {
                var merges = records.Select(r => r.Recorder.Changes(r.Row, r.Row, r.Handover.Error)).ToList();
                await table.SubmitTransactionAsync(records.Select((r, i) => new TableTransactionAction(TableTransactionActionType.UpdateMerge, merges[i], r.Row.ETag)), CancellationToken.None);
                for (var i = 0; i < records.Length; i++)
                {
                    records[i].Recorder.Recorded.Add((records[i].Row, merges[i]));
                    records[i].Handover.Done();
                    records[i].Recorder.Completed();
                }

                return;
            }
            catch (Exception ex)
            {
                outbox._log.LogInformation(ex is RequestFailedException { Status: 412 or 404 } ? null : ex,
                    "Recording {Count} sent emails of event {EventId} together failed ({Status}); recording them one by one",
                    records.Length, records[0].Row.PartitionKey, (ex as RequestFailedException)?.Status);
            }

            await Task.WhenAll(records.Select(async r =>
            {
                try
                {
                    // The row as read afresh, against what was sent: a row that moved on (a promotion) keeps its newer email owed.
                    if (await outbox.RecordAsync(table, r.Row, r.Handover, row => r.Recorder.Changes(row, r.Row, r.Handover.Error)) is { } merge) r.Recorder.Recorded.Add((r.Row, merge));
                }
                catch (Exception ex)
                {
                    outbox._log.LogWarning(ex, "Could not record the sent email for {RegistrationId}; it is queued again", r.Row.RegistrationId);
                    r.Recorder.Failed.Add(r.Row.RowKey);
                }
                finally
                {
                    r.Recorder.Completed();
                }
            }));
        }
    }
}
