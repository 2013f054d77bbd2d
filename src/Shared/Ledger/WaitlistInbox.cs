using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Shared.Ledger;

/// <summary>
/// The waitlist inbox: how a rush that is mostly waitlist keeps its rate when several instances serve one event.
/// <para>
/// Once people wait for an event, nobody who signs up later can have a seat before them (a freed seat goes to the
/// lowest arrival number waiting), so a later sign-up is certainly waitlisted. An instance that knows people wait
/// therefore stores the sign-up without touching the event row: one transaction in the event's partition inserts the
/// registration rows of a batch (<see cref="RegistrationStatus.Queued"/>, no number yet) and one inbox row naming them,
/// whose key sorts by the time it was put there. Inserts never refuse each other, so the instances stop taking turns
/// on the event row's ETag for the waitlist. The person is told "on the waitlist"; their place comes with the email.
/// </para>
/// <para>
/// The next commit on the event row numbers what the inbox holds, oldest first, before its own sign-ups (after
/// promotions, which only ever take people numbered already, all earlier): status, arrival number and the email owed,
/// with the inbox rows deleted (or, for one numbered in part, the numbered names blanked), in the same transaction under
/// the row's ETag: two entity writes per sign-up and a share of two rows. So the waitlist's order is still the event
/// row's one sequence, and every rule the ledger keeps holds as before. The instance that put sign-ups in the
/// inbox queues such a commit at once; the hold sweep does it for an instance that stopped in between.
/// </para>
/// <para>
/// Why the order holds across instances: every commit that could seat or number a new sign-up reads the inbox first
/// while <see cref="EventEntity.InboxUntil"/> is recent, and only an instance whose own view of the event row (less
/// than <see cref="ViewAge"/> old) shows people waiting and an inbox open for at least <see cref="Margin"/> more puts
/// anyone there. A row inserted after a commit read the inbox is numbered after that commit's sign-ups: it arrived
/// after them. The view can be stale the other way (the waitlist just emptied): then the numbering gives the seat,
/// and the email says so.
/// </para>
/// </summary>
public static class WaitlistInbox
{
    public const string Prefix = "inbox-";
    /// <summary>How long a commit keeps the inbox open (it is renewed while instances contend and people wait).</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    /// <summary>An instance puts sign-ups in the inbox only while it stays open at least this long.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);
    /// <summary>Commits (and the hold sweep) keep reading the inbox this long after it closed (clocks differ).</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);
    /// <summary>
    /// How fresh an instance's view of the event row must be to put a sign-up in the inbox (during a rush its numbering
    /// commits renew it every few tens of milliseconds). One second was tried: four instances on one event fell to 0.27 of
    /// one (from about 0.5), their sign-ups sent to the event row's commits whenever a view aged between numberings.
    /// </summary>
    public static readonly TimeSpan ViewAge = TimeSpan.FromSeconds(5);
    /// <summary>
    /// Sign-ups one insert carries (their rows and one inbox row naming them): half a transaction, so a commit that gives
    /// the inbox half its room numbers a whole insert's batch.
    /// </summary>
    public const int MaxPerInsert = EventLedger.MaxOperations / 2;

    /// <summary>An inbox row's key: the time it was put there (this instance's clock), then the instance and a counter.</summary>
    public static string Key(DateTimeOffset now, string instance, long n) => $"{Prefix}{now.UtcTicks:D19}-{instance}-{n:D8}";

    /// <summary>The property of an inbox row naming its <paramref name="index"/>th registration (blank once numbered or cancelled).</summary>
    public static string Slot(int index) => $"Reg{index:D2}";

    /// <summary>A registration's <see cref="RegistrationEntity.InboxKey"/>: its inbox row and its slot there.</summary>
    public static string Place(string rowKey, int index) => $"{rowKey}/{Slot(index)}";

    public static (string RowKey, string Slot) SplitPlace(string place) =>
        place.LastIndexOf('/') is var i and > 0 ? (place[..i], place[(i + 1)..]) : (place, "");

    /// <summary>The inbox row of one insert, naming its registrations in the order they came.</summary>
    public static TableEntity Row(string eventId, string rowKey, IReadOnlyList<string> registrationKeys)
    {
        var row = new TableEntity(eventId, rowKey);
        for (var i = 0; i < registrationKeys.Count; i++) row[Slot(i)] = registrationKeys[i];
        return row;
    }

    /// <summary>The registrations an inbox row still names, in order, with their slots.</summary>
    public static List<(string Slot, string RegistrationKey)> Named(TableEntity row)
    {
        var named = new List<(string, string)>();
        for (var i = 0; i < MaxPerInsert; i++)
        {
            if (row.GetString(Slot(i)) is { Length: > 0 } key) named.Add((Slot(i), key));
        }

        return named;
    }

    public static string Filter(string eventId) => TableClient.CreateQueryFilter($"PartitionKey eq {eventId} and RowKey ge {Prefix} and RowKey lt {"inbox."}");

    /// <summary>
    /// Waitlist places the inbox leaves to the event row's own commits: the inbox is numbered past the waitlist's limit
    /// (its sign-ups were told "waiting"), so it is only used while this many places are left, and the commit that finds
    /// fewer closes it. The limit then holds unless more than this many are stored between that commit and the moment
    /// each instance sees it (a view at most <see cref="ViewAge"/> old, renewed by every numbering during a rush).
    /// </summary>
    public static int Slack(EventRecord e) => Math.Max(200, e.EffectiveWaitlistLimit / 5);

    /// <summary>Whether the waitlist has room for the inbox (see <see cref="Slack"/>).</summary>
    public static bool HasRoom(EventRecord e) => e.WaitlistAllowed && e.EffectiveWaitlistLimit - e.Waitlisted >= Slack(e);

    /// <summary>Whether a sign-up to <paramref name="e"/> now is certainly waitlisted on a plain first-come event, with room to spare.</summary>
    public static bool Takes(EventRecord e, DateTimeOffset now) =>
        e.Waitlisted > 0 && e.Invitation is null && !e.RequiresApproval && e.Lottery is null && !e.ConfirmEmail && !e.Cancelled
        && HasRoom(e) && e.WindowAt(now) == SignUpWindow.Open;

    /// <summary>Whether commits on the event must read the inbox first.</summary>
    public static bool Live(EventEntity e, DateTimeOffset now) => e.InboxUntil is { } until && until > now - Grace;
}

/// <summary>An inbox row a commit changes: as read, the names it blanks, and its action's index in the plan.</summary>
internal sealed class InboxRowChange(TableEntity row)
{
    public TableEntity Row { get; } = row;
    public HashSet<string> Blanked { get; } = new(StringComparer.Ordinal);
    public int Index { get; set; } = -1;
}

/// <summary>The event as this instance last read or wrote it, for deciding whether a sign-up may go to the inbox.</summary>
internal sealed record InboxView(EventRecord Event, DateTimeOffset? InboxUntil, DateTimeOffset At);

public sealed partial class EventLedger
{
    /// <summary>Whether this lane may use the inbox at all: <c>Always</c>, or <c>Auto</c> while another instance commits to the event.</summary>
    private bool InboxMode(Lane lane) =>
        _options.WaitlistInbox == WaitlistInboxMode.Always || (_options.WaitlistInbox == WaitlistInboxMode.Auto && Contended(lane));

    private bool UsesInbox(Lane lane, DateTimeOffset now) =>
        InboxMode(lane)
        && lane.InboxView is { } view && now - view.At < WaitlistInbox.ViewAge
        && view.InboxUntil > now + WaitlistInbox.Margin
        // This lane's own sign-ups not yet seen numbered count as waiting (others' are what the slack is for).
        && WaitlistInbox.Takes(view.Event with { Waitlisted = view.Event.Waitlisted + (int)Math.Max(0, Interlocked.Read(ref lane.InboxInserted) - Interlocked.Read(ref lane.InboxNumberedThrough)) }, now);

    /// <summary>Whether a commit should (re)open the inbox: people wait, and this lane would use it.</summary>
    private bool OpensInbox(Lane lane, EventRecord after, DateTimeOffset now) => InboxMode(lane) && WaitlistInbox.Takes(after, now);

    /// <summary>Keeps the event row as read, for the inbox's decisions (only where the lane may use it: a read's hot path).</summary>
    private void See(Lane lane, EventEntity entity)
    {
        if (InboxMode(lane)) lane.InboxView = new InboxView(entity.ToRecord(), entity.InboxUntil, _clock.GetUtcNow());
    }

    /// <summary>
    /// Puts the batch's sign-ups (not whole-series holds) in the waitlist inbox and answers them "on the waitlist";
    /// returns the ops the event row's commit must take. Queues the commit that numbers them.
    /// </summary>
    private async Task<List<LedgerOp>> InboxAsync(string eventId, Lane lane, List<LedgerOp> batch, EventRecord view)
    {
        var signUps = batch.OfType<SignUpOp>().Where(o => o.Hold is null).ToList();
        var rest = batch.Where(o => o is not SignUpOp { Hold: null }).ToList();
        var stored = false;
        foreach (var chunk in signUps.Chunk(WaitlistInbox.MaxPerInsert)) stored |= await InsertAsync(eventId, lane, chunk, view);
        if (stored) QueueSequencing(eventId, lane);
        return rest;
    }

    private void QueueSequencing(string eventId, Lane lane)
    {
        if (Interlocked.Exchange(ref lane.SequenceQueued, 1) != 0) return;
        lane.Queue.Enqueue(new SequenceOp());
        Kick(eventId, lane);
    }

    /// <summary>Queues the numbering again after a contended commit's linger (see the 412 in AttemptAsync).</summary>
    private void NumberLater(string eventId, Lane lane)
    {
        var wait = _options.ContendedCommitLinger > _options.CommitLinger ? _options.ContendedCommitLinger : _options.CommitLinger;
        _ = Task.Delay(wait * 2, TimeProvider.System, _stopping.Token).ContinueWith(
            t => { if (!t.IsCanceled) QueueSequencing(eventId, lane); }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void KickInbox(string eventId, Lane lane)
    {
        if (Interlocked.CompareExchange(ref lane.InboxPumping, 1, 0) == 0) _ = Task.Run(() => InboxPumpAsync(eventId, lane));
    }

    /// <summary>
    /// The inbox's own pump, beside the event row's: whatever queued while the last insert was on its way goes in the
    /// next (so a rush makes inserts larger, not more of them), and the numbering commits run meanwhile.
    /// </summary>
    private async Task InboxPumpAsync(string eventId, Lane lane)
    {
        while (true)
        {
            while (true)
            {
                if (lane.Inbox.IsEmpty) break;
                var view = lane.InboxView?.Event;
                if (view is null || !UsesInbox(lane, _clock.GetUtcNow()))
                {
                    // The view went stale while these waited: the event row's commit takes them, in the order they came.
                    while (lane.Inbox.TryDequeue(out var waiting)) lane.Queue.Enqueue(waiting);
                    Kick(eventId, lane);
                    break;
                }

                var batch = new List<LedgerOp>();
                while (batch.Count < WaitlistInbox.MaxPerInsert && lane.Inbox.TryDequeue(out var next))
                {
                    if (next.TryTake()) batch.Add(next); // else its caller gave up before it was taken
                }

                if (batch.Count == 0) continue;
                lane.LastSignUp = TimeProvider.System.GetTimestamp();
                await InboxAsync(eventId, lane, batch, view);
            }

            Volatile.Write(ref lane.InboxPumping, 0);
            if (lane.Inbox.IsEmpty || Interlocked.CompareExchange(ref lane.InboxPumping, 1, 0) != 0) return;
        }
    }

    /// <summary>One insert transaction: each sign-up's registration row (queued) and inbox row. True if it landed.</summary>
    private async Task<bool> InsertAsync(string eventId, Lane lane, SignUpOp[] chunk, EventRecord view)
    {
        var duplicates = new HashSet<SignUpOp>();
        var sent = false;
        List<SignUpOp> landed = [];
        try
        {
            landed = await _pipeline.ExecuteAsync(async ct =>
            {
                var table = await _store.TableAsync(ct);
                while (true)
                {
                    var pending = chunk.Where(o => !duplicates.Contains(o)).ToList();
                    if (pending.Count == 0) return pending;
                    // One inbox row per attempt: an attempt refused (a repeat's 409) stored nothing, and the next names what is left.
                    var inboxKey = WaitlistInbox.Key(_clock.GetUtcNow(), _instance, Interlocked.Increment(ref lane.InboxCounter));
                    var actions = new List<TableTransactionAction>(pending.Count + 1);
                    for (var n = 0; n < pending.Count; n++)
                    {
                        var row = pending[n].Row;
                        row.InboxKey = WaitlistInbox.Place(inboxKey, n);
                        row.Status = RegistrationStatus.Queued;
                        row.Sequence = 0;
                        row.StateVersion = 0;
                        row.EmailPending = false; // owed once numbered
                        row.TicketCode = null;
                        actions.Add(new TableTransactionAction(TableTransactionActionType.Add, LeanRow<RegistrationEntity>.ForInsert(row)));
                    }

                    actions.Add(new TableTransactionAction(TableTransactionActionType.Add, WaitlistInbox.Row(eventId, inboxKey, pending.Select(o => o.Row.RowKey).ToList())));

                    try
                    {
                        sent = true;
                        await table.SubmitTransactionAsync(actions, ct);
                        return pending;
                    }
                    catch (TableTransactionFailedException ex) when (ex.Status == 409 && ex.FailedTransactionActionIndex is { } i && i < pending.Count)
                    {
                        // This email is registered already; or this very insert landed before and its answer was lost.
                        var op = pending[i];
                        var existing = await table.GetEntityIfExistsAsync<TableEntity>(eventId, op.Row.RowKey, select: [nameof(RegistrationEntity.RegistrationId)], cancellationToken: ct);
                        if (existing.HasValue && existing.Value?.GetString(nameof(RegistrationEntity.RegistrationId)) == op.Row.RegistrationId) return pending;
                        duplicates.Add(op);
                    }
                }
            }, CancellationToken.None);
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "Inbox insert on event {EventId} did not complete; resolving its outcome", eventId);
            landed = await ResolveInsertAsync(eventId, chunk.Where(o => !duplicates.Contains(o)).ToList(), sent);
        }

        foreach (var dup in duplicates) dup.Resolve(new SeatResult.Duplicate());
        Interlocked.Add(ref lane.InboxInserted, landed.Count);
        foreach (var op in landed)
        {
            Hosting.Telemetry.SignedUp(RegistrationStatus.Queued, Hosting.Telemetry.SignUpPath.WaitlistInbox);
            op.Resolve(new SeatResult.Taken(view, null));
        }

        return landed.Count > 0;
    }

    /// <summary>
    /// After an insert that failed: its first row says whether it landed (the transaction is all or nothing). If it is
    /// not there, one may still be on its way, so the outcome is unknown unless nothing was ever sent.
    /// </summary>
    private async Task<List<SignUpOp>> ResolveInsertAsync(string eventId, List<SignUpOp> ops, bool sent)
    {
        if (ops.Count == 0) return ops;
        if (sent)
        {
            try
            {
                using var cts = new CancellationTokenSource(ResolveTimeout, _clock);
                var table = await _store.TableAsync(cts.Token);
                var first = await table.GetEntityIfExistsAsync<TableEntity>(eventId, ops[0].Row.RowKey, select: [nameof(RegistrationEntity.RegistrationId)], cancellationToken: cts.Token);
                if (first.HasValue && first.Value?.GetString(nameof(RegistrationEntity.RegistrationId)) == ops[0].Row.RegistrationId) return ops;
            }
            catch (Exception ex) when (StorageFaults.IsTransient(ex) || ex is OperationCanceledException)
            {
                _log.LogWarning(ex, "Could not find out whether an inbox insert on event {EventId} landed", eventId);
            }
        }

        foreach (var op in ops) op.Fail(known: !sent);
        return [];
    }

    /// <summary>
    /// 3d of a plan: the inbox's sign-ups, oldest first, as far as the transaction has room (one action each and one per
    /// inbox row), unless this commit cancels them. Returns the keys owed their email; more left sets the flag.
    /// </summary>
    private async Task<(List<string> Owed, bool More)> SequenceInboxAsync(TableClient table, string eventId, SeatPlan seats, Plan plan, int room, CancellationToken ct)
    {
        var owed = new List<string>();
        var entries = new List<TableEntity>();
        var page = Math.Clamp(room / 2 + 1, 1, 1000); // each row costs at least two actions: a name and the row
        await foreach (var found in table.QueryAsync<TableEntity>(WaitlistInbox.Filter(eventId), maxPerPage: page, cancellationToken: ct).AsPages())
        {
            entries.AddRange(found.Values);
            break; // keys sort by time: the first page holds the oldest
        }

        var used = 0;
        var more = entries.Count >= page;
        foreach (var entry in entries)
        {
            var changed = plan.InboxRows.TryGetValue(entry.RowKey, out var change);
            change ??= new InboxRowChange(entry);
            var rowCost = changed ? 0 : 1; // a cancellation in this commit has the row's action already
            var numbered = new List<(string Slot, string Key, TableTransactionAction Merge)>();
            var stopped = false;
            foreach (var (slot, key) in WaitlistInbox.Named(entry))
            {
                if (change.Blanked.Contains(slot) || seats.Cancelled.Contains(key)) continue; // this commit cancels it
                if (used + numbered.Count + 1 + rowCost > room || seats.Touched.Contains(key))
                {
                    stopped = true;
                    break;
                }

                var (status, sequence) = seats.Sequence(key);
                numbered.Add((slot, key, new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(eventId, key)
                {
                    [nameof(RegistrationEntity.Status)] = status,
                    [nameof(RegistrationEntity.Sequence)] = sequence,
                    [nameof(RegistrationEntity.StateVersion)] = 1,
                    [nameof(RegistrationEntity.TicketCode)] = _ids.TicketCode(eventId, sequence),
                    [nameof(RegistrationEntity.EmailPending)] = true,
                    [nameof(RegistrationEntity.EmailQueuedUtc)] = seats.Now,
                    [nameof(RegistrationEntity.EmailAttempts)] = 0,
                }, ETag.All)));
            }

            if (numbered.Count == 0 && (stopped || used + rowCost > room))
            {
                more = true; // no room for a name here (or for the row of names cancelled already)
                break;
            }

            foreach (var (slot, key, merge) in numbered)
            {
                plan.Actions.Add(merge);
                plan.ActionOps.Add(null);
                plan.InboxMerges[plan.Actions.Count - 1] = (entry.RowKey, slot);
                change.Blanked.Add(slot);
                owed.Add(key);
            }

            used += numbered.Count + rowCost;
            SetInboxRow(eventId, plan, change);
            if (stopped)
            {
                more = true;
                break;
            }
        }

        return (owed, more);
    }

    /// <summary>A cancellation of a queued sign-up: its name leaves its inbox row (the row goes once it names nobody).</summary>
    private async Task UnnameAsync(TableClient table, string eventId, Plan plan, string inboxKey, CancellationToken ct)
    {
        var (rowKey, slot) = WaitlistInbox.SplitPlace(inboxKey);
        if (!plan.InboxRows.TryGetValue(rowKey, out var change))
        {
            // Not there: a numbering took it since its registration was read, so this plan's event row is stale too and
            // the commit is refused; or a leftover without its row, which nothing numbers.
            var row = await table.GetEntityIfExistsAsync<TableEntity>(eventId, rowKey, cancellationToken: ct);
            if (!row.HasValue || row.Value is null) return;
            change = new InboxRowChange(row.Value);
        }

        change.Blanked.Add(slot);
        SetInboxRow(eventId, plan, change);
    }

    /// <summary>One action for an inbox row this commit changes: delete it once it names nobody, else blank the names.</summary>
    private static void SetInboxRow(string eventId, Plan plan, InboxRowChange change)
    {
        var left = WaitlistInbox.Named(change.Row).Any(n => !change.Blanked.Contains(n.Slot));
        var entity = new TableEntity(eventId, change.Row.RowKey);
        foreach (var slot in change.Blanked) entity[slot] = "";
        var action = new TableTransactionAction(left ? TableTransactionActionType.UpdateMerge : TableTransactionActionType.Delete, entity, ETag.All);
        if (plan.InboxRows.TryAdd(change.Row.RowKey, change))
        {
            change.Index = plan.Actions.Count;
            plan.Actions.Add(action);
            plan.ActionOps.Add(null);
        }
        else plan.Actions[change.Index] = action;
    }

    /// <summary>
    /// A numbering refused because its registration row is gone (only the ledger's own cancellation deletes a queued
    /// one, taking its name off its inbox row, so this is a leftover): its name goes too, so it cannot hold the event up.
    /// </summary>
    private async Task DropOrphanAsync(string eventId, Plan plan, int index)
    {
        if (!plan.InboxMerges.TryGetValue(index, out var entry)) return;
        try
        {
            var table = await _store.TableAsync(CancellationToken.None);
            await table.UpdateEntityAsync(new TableEntity(eventId, entry.RowKey) { [entry.Slot] = "" }, ETag.All, TableUpdateMode.Merge);
            _log.LogWarning("Event {EventId}: an inbox row's name without its registration was dropped", eventId);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // gone already
        }
    }
}
