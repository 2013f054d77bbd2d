using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;

namespace EventFunctions.Shared.Ledger;

/// <summary>The counters on an event's row that a commit changes.</summary>
public sealed record SeatCounters(int Confirmed, int Waitlisted, int CheckedIn, int WalkIns, int Withdrawn, long NextSequence, int Held = 0, int Unconfirmed = 0, int Blocked = 0, int Pending = 0, int Entries = 0)
{
    public static SeatCounters Of(EventEntity e) => new(e.Confirmed, e.Waitlisted, e.CheckedIn, e.WalkIns, e.Withdrawn, e.NextSequence, e.Held, e.Unconfirmed, e.Blocked, e.Pending, e.Entries);
}

/// <summary>
/// Someone at the head of the waitlist, as a promotion needs them; <paramref name="Unconfirmed"/>: they have not yet
/// confirmed from the email, so the seat they get is held for them.
/// </summary>
public sealed record WaitingHead(string RowKey, string RegistrationId, int StateVersion, bool Unconfirmed = false, string? UnitId = null);

/// <summary>What an attendance op writes, if anything (the ledger turns it into a table action).</summary>
internal enum AttendanceWrite
{
    /// <summary>Insert the walk-in's row, already attended.</summary>
    AddWalkIn,
    /// <summary>Merge the check-in time and who checked them in.</summary>
    MarkCheckedIn,
    /// <summary>Delete the walk-in's row.</summary>
    DeleteWalkIn,
    /// <summary>Replace the row as stored, less the check-in (a merge cannot clear a property).</summary>
    ClearCheckIn,
}

/// <summary>
/// The seat rules that apply to an event, in one place and without storage: the capacity rule, the waitlist
/// position, and <see cref="SeatPlan"/>, which decides one commit. <see cref="EventLedger"/> reads what the rules
/// need, hands it over in order and turns the decisions into one transaction; tests run the rules on their own.
/// </summary>
public static class SeatRules
{
    /// <summary>Why <paramref name="capacity"/> seats cannot be set with <paramref name="confirmed"/> people confirmed, or null when it can.</summary>
    public static Text.Bilingual? CapacityError(int capacity, int confirmed) =>
        capacity < 1 || capacity > EventValidator.MaxCapacity ? Text.EventRuleText.Capacity(EventValidator.MaxCapacity)
        : capacity < confirmed ? Text.EventRuleText.CapacityBelowConfirmed(confirmed)
        : null;

    /// <summary>
    /// A waitlisted person's place: 1 + how many people waiting came before them (a lower arrival number). Counted
    /// when read, so it is always true; <paramref name="waiting"/> holds the arrival numbers of everyone waiting.
    /// </summary>
    public static int WaitlistPosition(long sequence, IEnumerable<long> waiting) => waiting.Count(s => s < sequence) + 1;

    /// <summary>As <see cref="WaitlistPosition(long, IEnumerable{long})"/> over arrival numbers in ascending order.</summary>
    public static int WaitlistPosition(long sequence, long[] waitingAscending)
    {
        var at = Array.BinarySearch(waitingAscending, sequence);
        return (at >= 0 ? at : ~at) + 1;
    }

    /// <summary>Free seats go to people waiting only before the event starts, and never once it is cancelled.</summary>
    public static bool PromotesAt(EventRecord e, DateTimeOffset now) => e.StartUtc > now && !e.Cancelled;

    /// <summary>A sign-up that was to be confirmed from the email and was not, in time: its place goes to the next person.</summary>
    /// <summary>
    /// A hold whose deadline passed: a sign-up not confirmed from the email in time, or one the organiser did not
    /// decide on before the event (<see cref="RegistrationStatus.Pending"/>). The one sweep takes both off through
    /// the ledger, which checks again at commit (a confirmation or a decision that lands first wins).
    /// </summary>
    public static bool Expired(RegistrationEntity r, DateTimeOffset now) =>
        r.Status == RegistrationStatus.Pending ? r.DecideBy <= now : r.AwaitsConfirmation && r.ConfirmBy <= now;
}

/// <summary>
/// Seats per member unit on an invitation event (<see cref="Invitation"/>), in one place: a unit's people take its own
/// seats first, then the shared pool; seats a unit has not used are kept for it until released, and then belong to the
/// pool. Seats taken = Σ over invited units of max(people seated, seats kept) + the people of units no longer invited;
/// never more than the capacity. Nobody counts "which seat" a person has: a unit's people beyond its own seats are the
/// ones in the pool, so when one of them cancels the pool (or the unit) frees up by itself.
/// </summary>
public static class UnitSeatRules
{
    public static int Used(IReadOnlyDictionary<string, int> used, string unitId) => used.TryGetValue(unitId, out var n) ? n : 0;

    /// <summary>The seats kept for a unit whoever uses them: its own until released, none after (all are the pool's).</summary>
    public static int Kept(Invitation invitation, string unitId) => invitation.Released ? 0 : invitation.Find(unitId)?.Seats ?? 0;

    public static int Taken(Invitation invitation, IReadOnlyDictionary<string, int> used) =>
        invitation.Units.Sum(u => Math.Max(Used(used, u.UnitId), Kept(invitation, u.UnitId)))
        + used.Where(kv => invitation.Find(kv.Key) is null).Sum(kv => kv.Value);

    /// <summary>Whether one more person of <paramref name="unitId"/> can have a seat now.</summary>
    public static bool CanSeat(EventRecord e, IReadOnlyDictionary<string, int> used, string? unitId) =>
        e.Invitation is { } invitation && unitId is not null && invitation.Admits(unitId)
        && (Used(used, unitId) < Kept(invitation, unitId) || Taken(invitation, used) < e.Capacity);

    /// <summary>Seats a unit's link can still have: what is left of its own, and of the pool.</summary>
    public static int LeftFor(EventRecord e, string unitId) => e.Invitation is not { } invitation ? 0
        : Math.Max(0, Kept(invitation, unitId) - Used(e.UnitUsed, unitId)) + Math.Max(0, e.Capacity - Taken(invitation, e.UnitUsed));

    /// <summary>Why an invitation cannot be set with these people seated (a unit given fewer seats than it has people is fine only while the pool covers them), or null.</summary>
    public static Text.Bilingual? Error(EventRecord e, IReadOnlyDictionary<string, int> used) =>
        e.Invitation is { } invitation && Taken(invitation, used) > e.Capacity ? Text.EventRuleText.UnitSeatsBelowTaken(Taken(invitation, used)) : null;
}

/// <summary>
/// The decisions of one commit on an event, made in the order the ledger applies them: a definition change (alone),
/// cancellations, promotions from the waitlist (lowest arrival number first), confirmations from the email, sign-ups
/// in the order they came, then
/// check-ins, undos and walk-ins (<see cref="Attend"/>). Pure: the ledger reads the rows and the waitlist's head and
/// passes them in, with the time; nothing here touches storage.
/// </summary>
internal sealed class SeatPlan(EventRecord current, SeatCounters counters, DateTimeOffset now, TimeSpan holdTime = default, TimeSpan offerTime = default)
{
    /// <summary>Seats freed in this commit are offered, not given, until then (late seats as offers); null: given.</summary>
    public DateTimeOffset? OfferUntil => Definition.OffersAt(Now) && offerTime > TimeSpan.Zero ? (Now + offerTime < Definition.StartUtc ? Now + offerTime : Definition.StartUtc) : null;

    private int _confirmed = counters.Confirmed, _waitlisted = counters.Waitlisted, _held = counters.Held, _unconfirmed = counters.Unconfirmed;
    private int _checkedIn = counters.CheckedIn, _walkIns = counters.WalkIns, _withdrawn = counters.Withdrawn, _blocked = counters.Blocked, _pending = counters.Pending, _entries = counters.Entries;
    private long _sequence = counters.NextSequence;
    private readonly List<(SignUpOp Op, string? Status, int? Position)> _outcomes = [];
    private readonly List<string> _promotedIds = [];
    private readonly Dictionary<string, (AttendanceKind Kind, AttendanceResult Result)> _attended = new(StringComparer.Ordinal);
    private readonly List<CancelOp> _cancels = [];
    private ChangeOp? _change;
    private readonly Dictionary<string, int> _unitUsed = new(current.UnitUsed, StringComparer.Ordinal);

    /// <summary>On an invitation event, the seats each unit's people hold as this commit leaves them.</summary>
    public IReadOnlyDictionary<string, int> UnitUsed => _unitUsed;

    public DateTimeOffset Now { get; } = now;
    public EventRecord Definition { get; private set; } = current;
    public SeatCounters Counters => new(_confirmed, _waitlisted, _checkedIn, _walkIns, _withdrawn, _sequence, _held, _unconfirmed, _blocked, _pending, _entries);

    /// <summary>Seats nobody has and no block holds.</summary>
    public int Free => Math.Max(0, Definition.Capacity - _confirmed - _blocked);
    /// <summary>Registrations confirmed from the email by this commit (the row carries what to write); <c>Seated</c>: a held seat became theirs.</summary>
    public List<(ConfirmOp Op, RegistrationEntity Row, bool Seated)> Confirmations { get; } = [];

    /// <summary>What each op is told if this commit lands.</summary>
    public Dictionary<LedgerOp, object> Results { get; } = [];
    /// <summary>Rows to delete for cancellations (each once).</summary>
    public List<(CancelOp Op, RegistrationEntity Row)> Deletions { get; } = [];
    public List<WaitingHead> Promotions { get; } = [];
    /// <summary>Sign-ups stored by this commit: their status and arrival number (the op's row already carries them).</summary>
    public List<(SignUpOp Op, string Status, long Sequence)> Seated { get; } = [];
    /// <summary>Rows this commit touches (one transaction touches a row once); the cancelled among them.</summary>
    public HashSet<string> Touched { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Cancelled { get; } = new(StringComparer.Ordinal);
    public bool Writes { get; private set; }
    /// <summary>More seats are free than one transaction could fill: a follow-up commit must give them out.</summary>
    public bool NeedsSettling { get; private set; }

    /// <summary>1. A definition change, decided against the event as it is now. False when refused (the op's result says why).</summary>
    public bool Change(ChangeOp op)
    {
        _change = op;
        if (op.Change is not { } decide) return true; // a pass that only gives free seats out
        var current = Definition with { Confirmed = _confirmed, Waitlisted = _waitlisted, Held = _held, Unconfirmed = _unconfirmed, Blocked = _blocked, Pending = _pending, Entries = _entries };
        var (updated, errors) = decide(current, Now);
        if (updated is null && errors is null)
        {
            Results[op] = new ChangeResult.Unchanged(current); // nothing to do: nothing written, nothing to record
            return false;
        }

        if (updated is null || errors is { Any: true })
        {
            Results[op] = new ChangeResult.Rejected(errors ?? new FieldErrors());
            return false;
        }

        if (UnitSeatRules.Error(updated with { Confirmed = _confirmed }, _unitUsed) is { } unitError)
        {
            var refused = new FieldErrors();
            refused.Add("invitation", unitError);
            Results[op] = new ChangeResult.Rejected(refused);
            return false;
        }

        Definition = updated;
        Writes = true;
        return true;
    }

    /// <summary>
    /// 2. A cancellation, with its row as read now (its status may have changed since its caller looked). An expiry
    /// (<see cref="CancelOp.Expiry"/>) takes the row only if it still awaits confirmation and its time has passed.
    /// </summary>
    public void Cancel(CancelOp op, RegistrationEntity? row)
    {
        _cancels.Add(op);
        if (row is null || row.RegistrationId != op.RegistrationId || row.Status is not (RegistrationStatus.Confirmed or RegistrationStatus.Held or RegistrationStatus.Waitlisted or RegistrationStatus.Pending or RegistrationStatus.Entry or RegistrationStatus.Queued)
            || (op.Expiry && !SeatRules.Expired(row, Now))
            || (op.Release && !row.AwaitsConfirmation))
        {
            Results[op] = new CancelResult.NotFound();
            return;
        }

        if (row.Status == RegistrationStatus.Entry && !op.Expiry && Definition.Lottery is { DrawStartedUtc: not null })
        {
            // An entry in the frozen list while the draw's chunks land: withdrawing now would change what the published
            // list and seed give for those after it. The draw takes seconds; "not saved, try again" (then as any seat).
            Results[op] = new CancelResult.NotSaved();
            return;
        }

        if (!Cancelled.Add(row.RowKey)) return; // the same cancel twice in one batch: both get the answer at the end
        Touched.Add(row.RowKey);
        if (row.Status == RegistrationStatus.Waitlisted) _waitlisted--;
        else if (row.Status == RegistrationStatus.Queued) { } // counted nowhere yet: its inbox row goes with it
        else if (row.Status == RegistrationStatus.Entry) _entries--;
        else if (row.Status == RegistrationStatus.Pending)
        {
            _pending--;
            _unconfirmed--;
        }
        else
        {
            _confirmed--;
            if (row.UnitId is { } unit && _unitUsed.TryGetValue(unit, out var n)) _unitUsed[unit] = Math.Max(0, n - 1);
        }
        if (row.Status == RegistrationStatus.Held) _held--;
        if (row.AwaitsConfirmation) _unconfirmed--;
        if (!op.Expiry && !op.Release) _withdrawn++;
        if (row.CheckedInUtc is not null) _checkedIn--;
        Deletions.Add((op, row));
        Writes = true;
    }

    /// <summary>3. How many people waiting should get a seat now: the free seats, at most everyone waiting.</summary>
    public int SeatsForTheWaitlist => SeatRules.PromotesAt(Definition, Now) ? Math.Min(Free, _waitlisted) : 0;

    /// <summary>
    /// 0. A block folded in (see <see cref="SeatBlockEntity"/>): the seats it gave become the event row's, the rest
    /// free again. The ledger writes the block row back empty under the ETag it was read with.
    /// </summary>
    public void Fold(SeatBlockEntity block)
    {
        _confirmed += block.Used;
        _held += block.Held;
        _unconfirmed += block.Unconfirmed;
        _blocked -= block.Seats;
        Writes = true;
    }

    /// <summary>
    /// 6. Hands up to <paramref name="want"/> free seats to a block, with as many arrival numbers set aside for them:
    /// only while sign-up is open and nobody waits (a block never gives a seat past someone waiting). The range given,
    /// or null.
    /// </summary>
    public (int Seats, long First, long Last)? Grant(int want)
    {
        var seats = Math.Min(want, Free);
        if (seats <= 0 || _waitlisted > 0 || Definition.Lottery is { DrawnUtc: null } || Definition.Invitation is not null || Definition.RequiresApproval || Definition.Cancelled || Definition.WindowAt(Now) != SignUpWindow.Open) return null;
        _blocked += seats;
        var first = _sequence + 1;
        _sequence += seats;
        Writes = true;
        return (seats, first, _sequence);
    }

    /// <summary>
    /// 3. Gives free seats to <paramref name="heads"/> (the waitlist's head in arrival order, those cancelled in this
    /// commit left out, at most <paramref name="room"/> of them: what the transaction has room for).
    /// </summary>
    public void Promote(IReadOnlyList<WaitingHead> heads, int room)
    {
        var free = SeatsForTheWaitlist;
        if (free <= 0) return;
        if (Definition.Invitation is not null)
        {
            // Seats per unit: in order, each person who can have a seat now (their unit's own, or the pool's); someone
            // whose unit has none left and the pool none either keeps their place, and the next may go ahead of them
            // only for a seat they could never have had.
            foreach (var w in heads)
            {
                if (Promotions.Count >= Math.Max(room, 0) || Free <= 0) break;
                if (!UnitSeatRules.CanSeat(Definition, _unitUsed, w.UnitId)) continue;
                Seat(w);
                _unitUsed[w.UnitId!] = UnitSeatRules.Used(_unitUsed, w.UnitId!) + 1;
            }

            NeedsSettling = Promotions.Count >= room && room < free;
            return;
        }

        foreach (var w in heads.Take(Math.Min(free, Math.Max(room, 0)))) Seat(w);
        NeedsSettling = room < free && heads.Count == room;
    }

    private void Seat(WaitingHead w)
    {
        {
            // A late seat offered: held until the offer's time, awaiting their confirmation again.
            if (w.Unconfirmed || OfferUntil is not null) _held++;
            if (!w.Unconfirmed && OfferUntil is not null) _unconfirmed++;
            Promotions.Add(w);
            Touched.Add(w.RowKey);
            _promotedIds.Add(w.RegistrationId);
            _confirmed++;
            _waitlisted--;
            Writes = true;
        }
    }

    /// <summary>4. A sign-up: a seat only while nobody is waiting, else the waitlist when the event has one, else full.</summary>
    public void SignUp(SignUpOp op)
    {
        if (!Touched.Add(op.Row.RowKey))
        {
            // The same email twice in one batch (a double tap), or signing up again as it is cancelled: one
            // transaction cannot touch a row twice. The first stands; this one is answered from it.
            Results[op] = new SeatResult.Duplicate();
            return;
        }

        if (Definition.WindowAt(Now) != SignUpWindow.Open)
        {
            _outcomes.Add((op, null, null));
            return;
        }

        string status;
        int? position = null;
        var hold = Definition.ConfirmEmail || op.Hold is not null;
        var invited = Definition.Invitation is not null;
        if (invited && !Definition.Invitation!.Admits(op.Row.UnitId))
        {
            _outcomes.Add((op, null, null)); // no unit of this event: not a seat here (the link was checked before)
            return;
        }

        if (Definition.RequiresApproval && op.Hold is not null)
        {
            _outcomes.Add((op, null, null)); // a held seat is not the organiser's to give: no whole-series hold on such an event
            return;
        }

        if (Definition.TakesEntriesAt(Now))
        {
            // A lottery entry: no seat and no place until the draw; confirmed from the email by the draw time, or not in it.
            if (_entries >= Admission.Lottery.MaxEntries || op.Hold is not null)
            {
                _outcomes.Add((op, null, null));
                return;
            }

            _entries++;
            _unconfirmed++;
            _outcomes.Add((op, RegistrationStatus.Entry, null));
            op.Row.Status = RegistrationStatus.Entry;
            op.Row.ConfirmBy = Definition.Lottery!.DrawUtc;
            op.Row.Sequence = ++_sequence;
            op.Row.StateVersion = 1;
            Seated.Add((op, RegistrationStatus.Entry, op.Row.Sequence));
            Writes = true;
            return;
        }

        if (Definition.RequiresApproval)
        {
            // Waits for the organiser: no seat and no place yet; the decision is due by the start (then it expires).
            _pending++;
            _unconfirmed++;
            _outcomes.Add((op, RegistrationStatus.Pending, null));
            op.Row.Status = RegistrationStatus.Pending;
            op.Row.DecideBy = Definition.StartUtc;
            op.Row.Sequence = ++_sequence;
            op.Row.StateVersion = 1;
            Seated.Add((op, RegistrationStatus.Pending, op.Row.Sequence));
            Writes = true;
            return;
        }

        if (SeatFreeFor(op.Row.UnitId))
        {
            if (invited) _unitUsed[op.Row.UnitId!] = UnitSeatRules.Used(_unitUsed, op.Row.UnitId!) + 1;
            _confirmed++;
            status = hold ? RegistrationStatus.Held : RegistrationStatus.Confirmed;
            if (hold) _held++;
        }
        else if (WaitlistHasRoom && op.Hold is null)
        {
            _waitlisted++;
            status = RegistrationStatus.Waitlisted;
            position = _waitlisted;
        }
        else
        {
            _outcomes.Add((op, null, null));
            return;
        }

        _outcomes.Add((op, status, position));
        var row = op.Row;
        if (hold)
        {
            row.ConfirmBy = op.Hold?.Until ?? Now + holdTime;
            _unconfirmed++;
        }

        row.Status = status;
        row.Sequence = ++_sequence;
        row.StateVersion = 1;
        Seated.Add((op, status, row.Sequence));
        Writes = true;
    }

    /// <summary>
    /// 3d. A sign-up from the waitlist inbox (see WaitlistInbox.cs), in the inbox's order, before this commit's own
    /// sign-ups: it was answered "on the waitlist" when stored, so it is numbered now whatever the window or the
    /// waitlist's limit (it came while both allowed it). A seat only while nobody numbered waits and one is free (a
    /// stale "people wait" at the insert: then the email brings the seat), else the waitlist.
    /// </summary>
    public (string Status, long Sequence) Sequence(string rowKey)
    {
        Touched.Add(rowKey);
        Writes = true;
        if (SeatFreeFor(null))
        {
            _confirmed++;
            return (RegistrationStatus.Confirmed, ++_sequence);
        }

        _waitlisted++;
        return (RegistrationStatus.Waitlisted, ++_sequence);
    }

    /// <summary>
    /// 3b. A confirmation from the email, with its row as read now: a held seat becomes confirmed (owed the email
    /// with the ticket), a waitlist place stays where it is and no longer expires. A row promoted in this commit is
    /// answered "not saved" (its sender tries again and confirms the seat now held for them).
    /// </summary>
    public void Confirm(ConfirmOp op, RegistrationEntity? row)
    {
        if (op.AskAgainUntil is { } until)
        {
            AskAgain(op, row, until);
            return;
        }

        if (row is null || row.RegistrationId != op.RegistrationId || row.Status is not (RegistrationStatus.Confirmed or RegistrationStatus.Held or RegistrationStatus.Waitlisted or RegistrationStatus.Entry)
            || Cancelled.Contains(row.RowKey))
        {
            Results[op] = new ConfirmResult.NotFound();
            return;
        }

        if (!row.AwaitsConfirmation)
        {
            Results[op] = new ConfirmResult.Confirmed(row, AlreadyDone: true);
            return;
        }

        if (SeatRules.Expired(row, Now) && !op.Accepted)
        {
            Results[op] = new ConfirmResult.Expired();
            return;
        }

        if (!Touched.Add(row.RowKey))
        {
            Results[op] = new ConfirmResult.NotSaved(); // promoted in this very commit: the next one confirms it
            return;
        }

        row.EmailConfirmedUtc = Now;
        _unconfirmed--;
        var seated = row.Status == RegistrationStatus.Held;
        if (seated)
        {
            _held--;
            row.Status = RegistrationStatus.Confirmed;
            row.StateVersion++;
            row.EmailPending = true;
            row.EmailQueuedUtc = Now;
            row.EmailAttempts = 0;
        }

        Confirmations.Add((op, row, seated));
        Results[op] = new ConfirmResult.Confirmed(row, AlreadyDone: false);
        Writes = true;
    }

    /// <summary>
    /// 3b'. Reconfirmation asked of a confirmed seat: it awaits confirmation again until <paramref name="until"/> (then
    /// the hold sweep releases it and the waitlist takes it in order). Once per registration; never of someone checked in.
    /// </summary>
    private void AskAgain(ConfirmOp op, RegistrationEntity? row, DateTimeOffset until)
    {
        if (row is null || row.RegistrationId != op.RegistrationId || row.Status != RegistrationStatus.Confirmed || Cancelled.Contains(row.RowKey))
        {
            Results[op] = new ConfirmResult.NotFound();
            return;
        }
        if (row.ReconfirmAskedUtc is not null || row.AwaitsConfirmation || row.CheckedInUtc is not null || !Touched.Add(row.RowKey))
        {
            Results[op] = new ConfirmResult.Confirmed(row, AlreadyDone: true);
            return;
        }
        row.ConfirmBy = until;
        row.OfferedUtc = Now; // asked again now: a confirmation from before does not count
        row.ReconfirmAskedUtc = Now;
        _unconfirmed++;
        Confirmations.Add((op, row, false));
        Results[op] = new ConfirmResult.Confirmed(row, AlreadyDone: false);
        Writes = true;
    }

    /// <summary>
    /// 3c. The organiser's decision on a pending sign-up, with its row as read now. Approved: a seat by the same rule
    /// as a sign-up (its unit's seats on an invitation event; else only while nobody waits), or the end of the
    /// waitlist (a new arrival number: it joins behind those already waiting), or, with neither, it stays pending and
    /// the organiser is told the event is full. Declined: the row stays, declined, so the address cannot sign up
    /// again unless the organiser allows it. Someone decided on already (two organisers at once, or cancelled) is
    /// answered so, and nothing is written.
    /// </summary>
    public void Decide(DecideOp op, RegistrationEntity? row)
    {
        if (row is null || row.RegistrationId != op.RegistrationId || Cancelled.Contains(row.RowKey))
        {
            Results[op] = new DecideResult.NotFound();
            return;
        }

        if (row.Status != RegistrationStatus.Pending)
        {
            Results[op] = new DecideResult.AlreadyDecided(row.Status);
            return;
        }

        if (!Touched.Add(row.RowKey))
        {
            Results[op] = new DecideResult.AlreadyDecided(row.Status); // the same decision twice in one batch
            return;
        }

        string status;
        if (!op.Approve) status = RegistrationStatus.Declined;
        else if (SeatFreeFor(row.UnitId))
        {
            status = RegistrationStatus.Confirmed;
            _confirmed++;
            if (Definition.Invitation is not null) _unitUsed[row.UnitId!] = UnitSeatRules.Used(_unitUsed, row.UnitId!) + 1;
        }
        else if (WaitlistHasRoom)
        {
            status = RegistrationStatus.Waitlisted;
            _waitlisted++;
            row.Sequence = ++_sequence;
        }
        else
        {
            Touched.Remove(row.RowKey);
            Results[op] = new DecideResult.Full();
            return;
        }

        _pending--;
        _unconfirmed--;
        row.Status = status;
        row.StateVersion++;
        row.DecidedUtc = Now;
        row.DecidedBy = op.By;
        row.EmailPending = true;
        row.EmailQueuedUtc = Now;
        row.EmailAttempts = 0;
        Decisions.Add((op, row));
        Results[op] = new DecideResult.Decided(row);
        Writes = true;
    }

    /// <summary>
    /// Whether someone arriving now (a sign-up, or an approval) has a seat: on an invitation event by their unit's
    /// seats and the pool (<see cref="UnitSeatRules"/>), otherwise only while nobody is waiting and a seat is free.
    /// </summary>
    private bool SeatFreeFor(string? unitId) =>
        Definition.Invitation is not null ? UnitSeatRules.CanSeat(Definition, _unitUsed, unitId) : _waitlisted == 0 && Free > 0;

    /// <summary>Waitlist places left now (0 without a waitlist).</summary>
    public int WaitlistRoom => Definition.WaitlistAllowed ? Math.Max(0, Definition.EffectiveWaitlistLimit - _waitlisted) : 0;

    /// <summary>Whether the event has a waitlist with room for one more.</summary>
    private bool WaitlistHasRoom => Definition.WaitlistAllowed && _waitlisted < Definition.EffectiveWaitlistLimit;

    /// <summary>Rows decided by this commit (the row carries what to write).</summary>
    public List<(DecideOp Op, RegistrationEntity Row)> Decisions { get; } = [];

    /// <summary>
    /// 5. A check-in, its undo or a walk-in, with its row as read now (null for a walk-in or a row not found): its
    /// answer, and what to write. See <c>Attendance/</c>.
    /// </summary>
    public AttendanceWrite? Attend(AttendanceOp a, RegistrationEntity? row)
    {
        // One transaction touches a row once. A row cancelled in this batch is gone; the same op twice (two taps)
        // gets the first one's answer; anything else on a row this batch touches is "try again".
        if (Touched.Contains(a.RowKey))
        {
            Results[a] = Cancelled.Contains(a.RowKey) ? new AttendanceResult.Refused(CheckInRefusal.NotFound, null) : new AttendanceResult.NotSaved();
            return null;
        }

        if (_attended.TryGetValue(a.RowKey, out var first))
        {
            Results[a] = first.Kind != a.Kind ? new AttendanceResult.NotSaved()
                : first.Result is AttendanceResult.CheckedIn c ? new AttendanceResult.AlreadyCheckedIn(c.Row, c.At)
                : first.Result;
            return null;
        }

        var wasHeld = row is { Status: RegistrationStatus.Held };
        var awaited = row is { AwaitsConfirmation: true };
        var (result, write) = AttendanceRules.Decide(a, row, Definition, Now);
        switch (write)
        {
            case AttendanceWrite.AddWalkIn: _walkIns++; break;
            case AttendanceWrite.DeleteWalkIn: _walkIns--; break;
            case AttendanceWrite.MarkCheckedIn:
                _checkedIn++;
                // Someone at the door in person is as real as a click in the email: a held seat is theirs.
                if (wasHeld) _held--;
                if (awaited) _unconfirmed--;
                break;
            case AttendanceWrite.ClearCheckIn: _checkedIn--; break;
        }

        if (write is not null) Writes = true;
        _attended[a.RowKey] = (a.Kind, result);
        Results[a] = result;
        return write;
    }

    /// <summary>Entries this commit drew, in drawn order: their new status (null: not drawn and no waitlist place; the row goes, they are told).</summary>
    public List<(RegistrationEntity Row, string? Status)> Drawn { get; } = [];

    /// <summary>
    /// 7. One chunk of a lottery draw (alone in its commit): <paramref name="next"/> are the entries still waiting, in
    /// drawn order, with their rank; each takes a free seat while there is one, else the end of the waitlist (a new
    /// arrival number, so the waitlist keeps the drawn order), else is not drawn. At most <paramref name="room"/>
    /// table operations (a "not drawn" costs two: the row and its notice). The lottery's state as this chunk leaves it.
    /// </summary>
    public void Draw(IReadOnlyList<(RegistrationEntity Row, int Rank)> next, int room, Func<int, Admission.Lottery> lotteryAfter)
    {
        var used = 0;
        foreach (var (row, rank) in next)
        {
            var status = Free > 0 ? RegistrationStatus.Confirmed : WaitlistHasRoom ? RegistrationStatus.Waitlisted : null;
            var cost = status is null ? 2 : 1;
            if (used + cost > room) break;
            used += cost;
            Touched.Add(row.RowKey);
            _entries--;
            if (status == RegistrationStatus.Confirmed) _confirmed++;
            else if (status == RegistrationStatus.Waitlisted) _waitlisted++;
            if (status is not null)
            {
                row.Status = status;
                row.Sequence = ++_sequence;
                row.StateVersion++;
                row.DrawRank = rank;
                row.EmailPending = true;
                row.EmailQueuedUtc = Now;
                row.EmailAttempts = 0;
            }

            Drawn.Add((row, status));
        }

        Definition = Definition with { Lottery = lotteryAfter(Drawn.Count) };
        Writes = true;
    }

    /// <summary>Answers every op decided above as of the commit's end: the event after it, the people promoted.</summary>
    public EventRecord Finish()
    {
        var after = Definition with
        {
            Confirmed = _confirmed, Waitlisted = _waitlisted, Held = _held, Unconfirmed = _unconfirmed, Blocked = _blocked, Pending = _pending, Entries = _entries,
            UnitUsed = Definition.Invitation is null ? Invitation.NoneUsed : new Dictionary<string, int>(_unitUsed, StringComparer.Ordinal),
        };
        var window = Definition.WindowAt(Now);
        foreach (var (op, status, position) in _outcomes)
        {
            Results[op] = status is not null ? new SeatResult.Taken(after, position)
                : window != SignUpWindow.Open ? new SeatResult.WindowShut(after, window)
                : new SeatResult.Full(after);
        }

        foreach (var op in _cancels) Results.TryAdd(op, new CancelResult.Cancelled(_promotedIds));
        if (_change is not null) Results[_change] = new ChangeResult.Changed(after, _promotedIds.Count);
        return after;
    }
}

/// <summary>
/// The decisions of one block commit (see <see cref="SeatBlockEntity"/>): sign-ups in the order they came take the
/// block's seats and its arrival numbers while it has any and sign-up is open by the event as it was when the block
/// was handed out (any change of the event folds the blocks, so that copy stands while this one does). The rest go to
/// the event row's commit, which knows the waitlist. Pure, like <see cref="SeatPlan"/>.
/// </summary>
internal sealed class BlockPlan(EventRecord definition, SeatBlockEntity block, DateTimeOffset now, TimeSpan holdTime)
{
    private readonly HashSet<string> _touched = new(StringComparer.Ordinal);
    private int _left = block.Left;
    private long _sequence = block.NextSequence;

    public int Used { get; private set; }
    public int Held { get; private set; }
    public int Unconfirmed { get; private set; }
    public long NextSequence => _sequence;
    public List<(SignUpOp Op, string Status, long Sequence)> Seated { get; } = [];
    /// <summary>Sign-ups this block cannot take (no seat left in it, or sign-up not open): the event row's commit decides them.</summary>
    public List<SignUpOp> ToEventRow { get; } = [];
    /// <summary>The same address twice in this commit: answered from the first.</summary>
    public List<SignUpOp> Duplicates { get; } = [];

    public void SignUp(SignUpOp op)
    {
        if (_left <= 0 || _sequence >= block.LastSequence || definition.Cancelled || definition.WindowAt(now) != SignUpWindow.Open)
        {
            ToEventRow.Add(op);
            return;
        }

        if (!_touched.Add(op.Row.RowKey))
        {
            Duplicates.Add(op);
            return;
        }

        var hold = definition.ConfirmEmail || op.Hold is not null;
        var row = op.Row;
        row.Status = hold ? RegistrationStatus.Held : RegistrationStatus.Confirmed;
        row.Sequence = ++_sequence;
        row.StateVersion = 1;
        if (hold)
        {
            row.ConfirmBy = op.Hold?.Until ?? now + holdTime;
            Held++;
            Unconfirmed++;
        }

        _left--;
        Used++;
        Seated.Add((op, row.Status, row.Sequence));
    }
}

/// <summary>The attendance rules: who may be checked in, undone or added at the door, and what that writes.</summary>
internal static class AttendanceRules
{
    public static (AttendanceResult Result, AttendanceWrite? Write) Decide(AttendanceOp a, RegistrationEntity? row, EventRecord e, DateTimeOffset now)
    {
        if (a.Kind == AttendanceKind.WalkIn)
        {
            if (e.Cancelled) return (new AttendanceResult.Refused(CheckInRefusal.EventCancelled, null), null);
            var walkIn = a.WalkIn!;
            walkIn.Status = RegistrationStatus.WalkIn;
            walkIn.CheckedInUtc ??= now;
            return (new AttendanceResult.CheckedIn(walkIn, walkIn.CheckedInUtc.Value), AttendanceWrite.AddWalkIn);
        }

        if (row is null) return (new AttendanceResult.Refused(CheckInRefusal.NotFound, null), null);
        if (a.Kind == AttendanceKind.CheckIn)
        {
            if (row.CheckedInUtc is { } at) return (new AttendanceResult.AlreadyCheckedIn(row, at), null);
            if (e.Cancelled) return (new AttendanceResult.Refused(CheckInRefusal.EventCancelled, row), null);
            if (row.Status is RegistrationStatus.Pending or RegistrationStatus.Declined) return (new AttendanceResult.Refused(CheckInRefusal.NotApproved, row), null);
            if (row.Status is not (RegistrationStatus.Confirmed or RegistrationStatus.Held)) return (new AttendanceResult.Refused(CheckInRefusal.Waitlisted, row), null);
            row.Status = RegistrationStatus.Confirmed;
            if (row.AwaitsConfirmation) row.EmailConfirmedUtc = now;
            row.CheckedInUtc = now;
            row.CheckedInBy = a.By;
            return (new AttendanceResult.CheckedIn(row, now), AttendanceWrite.MarkCheckedIn);
        }

        if (row.Status == RegistrationStatus.WalkIn) return (new AttendanceResult.Undone(row), AttendanceWrite.DeleteWalkIn);
        if (row.CheckedInUtc is null) return (new AttendanceResult.NotCheckedIn(row), null);
        row.CheckedInUtc = null;
        row.CheckedInBy = null;
        return (new AttendanceResult.Undone(row), AttendanceWrite.ClearCheckIn);
    }
}
