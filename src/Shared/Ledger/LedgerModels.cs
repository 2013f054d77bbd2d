using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;

namespace EventFunctions.Shared.Ledger;

/// <summary>What became of one sign-up handed to the <see cref="EventLedger"/>.</summary>
public abstract record SeatResult
{
    /// <summary>Stored, confirmed or waitlisted (the row says which); <paramref name="WaitlistPosition"/> as of the commit.</summary>
    public sealed record Taken(EventRecord After, int? WaitlistPosition) : SeatResult;
    public sealed record Full(EventRecord Event) : SeatResult;
    public sealed record WindowShut(EventRecord Event, SignUpWindow Window) : SeatResult;
    /// <summary>A row with the same key (the same email) exists already.</summary>
    public sealed record Duplicate : SeatResult;
    public sealed record EventGone : SeatResult;
    /// <summary>Known not to be stored, now or later: safe to say "not saved, try again".</summary>
    public sealed record NotSaved : SeatResult;
    /// <summary>Storage did not let us find out whether it was stored.</summary>
    public sealed record Unknown : SeatResult;
}

public abstract record CancelResult
{
    public sealed record Cancelled(IReadOnlyList<string> PromotedRegistrationIds) : CancelResult;
    public sealed record NotFound : CancelResult;
    public sealed record NotSaved : CancelResult;
    public sealed record Unknown : CancelResult;
}

/// <summary>What became of a confirmation from the email.</summary>
public abstract record ConfirmResult
{
    /// <summary>Confirmed now, or (<paramref name="AlreadyDone"/>) before: the row as it is after.</summary>
    public sealed record Confirmed(RegistrationEntity Row, bool AlreadyDone) : ConfirmResult;
    /// <summary>Too late: the hold's time passed, its place goes (or went) to the next person.</summary>
    public sealed record Expired : ConfirmResult;
    public sealed record NotFound : ConfirmResult;
    public sealed record NotSaved : ConfirmResult;
    public sealed record Unknown : ConfirmResult;
}

public abstract record ChangeResult
{
    public sealed record Changed(EventRecord After, int Promoted) : ChangeResult;
    public sealed record Rejected(FieldErrors Errors) : ChangeResult;
    /// <summary>The change would change nothing (already closed, already cancelled, the same seats): nothing was written.</summary>
    public sealed record Unchanged(EventRecord Event) : ChangeResult;
    public sealed record EventGone : ChangeResult;
    public sealed record NotSaved : ChangeResult;
    public sealed record Unknown : ChangeResult;
}

/// <summary>
/// A change to an event's definition, decided against the event as it is at commit time (with its
/// counters): the new definition, or the errors that refuse it, or neither when it would change nothing.
/// </summary>
public delegate (EventRecord? Updated, FieldErrors? Errors) EventChange(EventRecord current, DateTimeOffset now);

/// <summary>Another writer changed the event since it was read (412), or a key clashed: plan again.</summary>
public sealed class LedgerConflictException(string message) : Exception(message);

internal abstract class LedgerOp
{
    private int _state; // 0 queued, 1 taken by the pump, 2 abandoned by its caller

    /// <summary>The trace of the request that asked for this op (the commit's span is its child or links to it).</summary>
    public System.Diagnostics.ActivityContext Caller { get; } = System.Diagnostics.Activity.Current?.Context ?? default;

    public bool TryTake() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;

    /// <summary>Transaction operations this op may need (the event row is counted once per batch).</summary>
    public abstract int Cost { get; }

    public virtual int Bytes => 512;

    /// <summary>Ops that must be committed on their own (definition changes).</summary>
    public virtual bool Alone => false;

    public abstract void Resolve(object result);

    public abstract void Fail(bool known);
}

internal abstract class LedgerOp<T>(T notSaved, T unknown) : LedgerOp where T : class
{
    public TaskCompletionSource<T> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public T NotSavedResult => notSaved;

    public override void Resolve(object result) => Done.TrySetResult((T)result);

    public override void Fail(bool known) => Done.TrySetResult(known ? notSaved : unknown);
}

internal sealed class SignUpOp(RegistrationEntity row, SeatHold? hold = null) : LedgerOp<SeatResult>(new SeatResult.NotSaved(), new SeatResult.Unknown())
{
    public RegistrationEntity Row { get; } = row;
    /// <summary>A seat held until a deadline whatever the event's own rule (a whole-series sign-up's), never a waitlist place.</summary>
    public SeatHold? Hold { get; } = hold;
    public override int Cost => 1;
    public override int Bytes { get; } = 1024 + System.Text.Encoding.UTF8.GetByteCount(
        row.Name + row.Email + row.Phone + row.Organisation + row.AnswersJson + row.SecurityDetailsJson) * 2;
}

internal sealed class CancelOp(string rowKey, string registrationId, bool notifyRemoved = false, bool expiry = false, bool release = false) : LedgerOp<CancelResult>(new CancelResult.NotSaved(), new CancelResult.Unknown())
{
    public string RowKey { get; } = rowKey;
    public string RegistrationId { get; } = registrationId;
    /// <summary>A whole-series sign-up that did not go through gives back a seat it held: only while still held, not counted as withdrawn, nobody told.</summary>
    public bool Release { get; } = release;
    /// <summary>The hold sweep's: deletes the row only if it still awaits confirmation and its time has passed (not counted as withdrawn).</summary>
    public bool Expiry { get; } = expiry;
    /// <summary>An organiser's removal that tells the person (a removal notice row is written with the delete).</summary>
    public bool NotifyRemoved { get; } = notifyRemoved;
    public override int Cost => NotifyRemoved ? 3 : 2; // the delete, the notice, and the promotion the freed seat may bring
}

/// <summary>A participant confirming from the email (see <see cref="SeatPlan.Confirm"/>).</summary>
internal sealed class ConfirmOp(string rowKey, string registrationId, bool accepted = false, DateTimeOffset? askAgainUntil = null) : LedgerOp<ConfirmResult>(new ConfirmResult.NotSaved(), new ConfirmResult.Unknown())
{
    /// <summary>
    /// Not a confirmation but its request (reconfirmation before the day): a confirmed seat is to be confirmed again by
    /// then, or released by the hold sweep (the one held-until-a-deadline mechanism).
    /// </summary>
    public DateTimeOffset? AskAgainUntil { get; } = askAgainUntil;
    public string RowKey { get; } = rowKey;
    public string RegistrationId { get; } = registrationId;
    /// <summary>Accepted before its deadline (a whole-series sign-up committed in time): confirmed even if the hold's time has passed since.</summary>
    public bool Accepted { get; } = accepted;
    public override int Cost => 1;
}

/// <summary>What became of an organiser's decision on a pending sign-up.</summary>
public abstract record DecideResult
{
    /// <summary>Approved (confirmed, or waitlisted when no seat was free) or declined: the row as it is after.</summary>
    public sealed record Decided(RegistrationEntity Row) : DecideResult;
    /// <summary>Someone decided on it first (or it was never pending): its status now; nothing was written.</summary>
    public sealed record AlreadyDecided(string Status) : DecideResult;
    /// <summary>No seat and no waitlist place to approve it into: it stays pending.</summary>
    public sealed record Full : DecideResult;
    public sealed record NotFound : DecideResult;
    public sealed record NotSaved : DecideResult;
    public sealed record Unknown : DecideResult;
}

/// <summary>An organiser approving or declining a pending sign-up (see <see cref="SeatPlan.Decide"/>).</summary>
internal sealed class DecideOp(string rowKey, string registrationId, bool approve, string by) : LedgerOp<DecideResult>(new DecideResult.NotSaved(), new DecideResult.Unknown())
{
    public string RowKey { get; } = rowKey;
    public string RegistrationId { get; } = registrationId;
    public bool Approve { get; } = approve;
    public string By { get; } = by;
    public override int Cost => 1;
}

/// <summary>A definition change, or (with no change) a pass that only gives free seats to the waitlist.</summary>
internal sealed class ChangeOp(EventChange? change) : LedgerOp<ChangeResult>(new ChangeResult.NotSaved(), new ChangeResult.Unknown())
{
    public EventChange? Change { get; } = change;
    public override int Cost => 100;
    public override bool Alone => true;
}

/// <summary>Which seat blocks a <see cref="FoldOp"/> folds into the event row.</summary>
internal enum FoldScope
{
    /// <summary>This instance's own, its unused seats given back (it went quiet, or shuts down).</summary>
    Own,
    /// <summary>Blocks whose instance stopped committing (<see cref="SeatBlockEntity.Until"/> passed): the hold sweep's.</summary>
    Stale,
}

/// <summary>
/// Numbers the sign-ups in the waitlist inbox (see WaitlistInbox.cs): queued by the instance that put them there, and
/// by the hold sweep for those an instance that stopped left.
/// </summary>
internal sealed class SequenceOp() : LedgerOp<ChangeResult>(new ChangeResult.NotSaved(), new ChangeResult.Unknown())
{
    public override int Cost => 0; // the inbox takes what room the commit has left
}

/// <summary>Folds seat blocks into the event row (see <see cref="SeatBlockEntity"/>); freed seats go to the waitlist.</summary>
internal sealed class FoldOp(FoldScope scope) : LedgerOp<ChangeResult>(new ChangeResult.NotSaved(), new ChangeResult.Unknown())
{
    public FoldScope Scope { get; } = scope;
    public override int Cost => 1; // the blocks it folds fit the room every commit keeps for them
}

/// <summary>What became of a check-in, an undo or a walk-in handed to the <see cref="EventLedger"/> (see Attendance/).</summary>
public abstract record AttendanceResult
{
    /// <summary>Checked in now (or, for a walk-in, added as attended).</summary>
    public sealed record CheckedIn(RegistrationEntity Row, DateTimeOffset At) : AttendanceResult;
    /// <summary>Already checked in (at <paramref name="At"/>): nothing was written. For a walk-in: this walk-in was added before.</summary>
    public sealed record AlreadyCheckedIn(RegistrationEntity? Row, DateTimeOffset At) : AttendanceResult;
    /// <summary>A check-in taken back (a walk-in row is deleted).</summary>
    public sealed record Undone(RegistrationEntity Row) : AttendanceResult;
    /// <summary>An undo for someone not checked in: nothing was written.</summary>
    public sealed record NotCheckedIn(RegistrationEntity Row) : AttendanceResult;
    public sealed record Refused(CheckInRefusal Reason, RegistrationEntity? Row) : AttendanceResult;
    public sealed record NotSaved : AttendanceResult;
    public sealed record Unknown : AttendanceResult;
}

public enum CheckInRefusal
{
    /// <summary>No such registration (never issued, or cancelled and deleted).</summary>
    NotFound,
    Waitlisted,
    /// <summary>Waiting for the organiser's approval (or declined): no seat.</summary>
    NotApproved,
    EventCancelled,
    EventGone,
}

internal enum AttendanceKind
{
    CheckIn,
    Undo,
    WalkIn,
}

/// <summary>A check-in, its undo, or a walk-in (a new row, already attended). Touches one row and the event row's counters.</summary>
internal sealed class AttendanceOp(AttendanceKind kind, string rowKey, string by, RegistrationEntity? walkIn)
    : LedgerOp<AttendanceResult>(new AttendanceResult.NotSaved(), new AttendanceResult.Unknown())
{
    public AttendanceKind Kind { get; } = kind;
    public string RowKey { get; } = rowKey;
    public string By { get; } = by;
    public RegistrationEntity? WalkIn { get; } = walkIn;
    public override int Cost => 1;
}

/// <summary>
/// A seat held until <see cref="Until"/> (the one held-until-a-deadline mechanism: the hold sweep releases it then,
/// in order), asked by a whole-series sign-up for each session: only a free seat will do, never the waitlist.
/// </summary>
public sealed record SeatHold(DateTimeOffset Until);

/// <summary>What became of one chunk of a lottery draw (see <see cref="Admission.Lottery"/>).</summary>
public abstract record DrawResult
{
    /// <summary>A chunk landed: <paramref name="Count"/> entries drawn by it; <paramref name="Finished"/>: none left, the seed revealed.</summary>
    public sealed record Drawn(EventRecord After, int Count, bool Finished) : DrawResult;
    /// <summary>Drawn before (by this instance or another): nothing written.</summary>
    public sealed record AlreadyDrawn(EventRecord Event) : DrawResult;
    /// <summary>No lottery, its time not yet come, or the event cancelled: nothing written.</summary>
    public sealed record NotDue(EventRecord Event) : DrawResult;
    public sealed record EventGone : DrawResult;
    public sealed record NotSaved : DrawResult;
    public sealed record Unknown : DrawResult;
}

/// <summary>
/// One chunk of a lottery draw: freezes the entry list in the first, then turns the next entries in drawn order into
/// seats, waitlist places or "not drawn" notices, as many as one transaction holds; the last reveals the seed. Alone
/// in its batch; idempotent (the entries left keep their order in the full list), so instances racing on it draw once.
/// </summary>
internal sealed class DrawOp(Func<IReadOnlyList<RegistrationEntity>, Task<IReadOnlyDictionary<string, int>>>? tiers) : LedgerOp<DrawResult>(new DrawResult.NotSaved(), new DrawResult.Unknown())
{
    /// <summary>Each entry's tier by registration id (no-shows on record drawn last), asked only when the event wants it.</summary>
    public Func<IReadOnlyList<RegistrationEntity>, Task<IReadOnlyDictionary<string, int>>>? Tiers { get; } = tiers;
    public override int Cost => 100;
    public override bool Alone => true;
}
