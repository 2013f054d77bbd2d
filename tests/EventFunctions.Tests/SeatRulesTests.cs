using EventFunctions.Shared;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Registrations;
using Microsoft.Extensions.Time.Testing;

namespace EventFunctions.Tests;

/// <summary>
/// The fast tier: the seat and attendance rules decided with no storage, on a fake clock (run alone with
/// <c>dotnet test --filter Tier=Fast</c>). The Azurite tests (LedgerTests) keep what needs storage: concurrency,
/// instances, the fence.
/// </summary>
[Trait("Tier", "Fast")]
public sealed class SeatRulesTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 12, 5, 2, 0, 0, TimeSpan.Zero));
    private static DateTimeOffset Now => Clock.GetUtcNow();

    private static EventRecord Event(int capacity, bool waitlist = true, int confirmed = 0, int waitlisted = 0) => new()
    {
        Id = "k7m2qxabcd", Kind = EventKind.Lecture, Title = "上海供水的过去、现在和未来",
        StartUtc = Now.AddDays(2), EndUtc = Now.AddDays(2).AddHours(2), TimeZoneId = "Asia/Shanghai",
        Capacity = capacity, WaitlistAllowed = waitlist, SignUpOpensUtc = Now.AddDays(-1), SignUpClosesUtc = Now.AddDays(2),
        OrganiserName = "街道党建办", OrganiserEmail = "djb@jiedao.example.cn", Confirmed = confirmed, Waitlisted = waitlisted,
    };

    private static SeatPlan Plan(EventRecord e, long nextSequence = 0, DateTimeOffset? at = null) =>
        new(e, new SeatCounters(e.Confirmed, e.Waitlisted, 0, 0, 0, nextSequence), at ?? Now);

    private static SignUpOp SignUp(string email) => new(new RegistrationEntity { PartitionKey = "k7m2qxabcd", RowKey = "reg-" + email, RegistrationId = email.ToUpperInvariant()[..3] + "00000" });

    private static RegistrationEntity Row(string key, string status, long sequence, string? id = null) =>
        new() { PartitionKey = "k7m2qxabcd", RowKey = key, RegistrationId = id ?? key.ToUpperInvariant().PadRight(8, 'X')[..8], Status = status, Sequence = sequence };

    [Fact]
    public void On_an_event_that_needs_a_confirmed_email_seats_are_held_until_confirmed_and_lapse_in_time()
    {
        var hold = TimeSpan.FromHours(1);
        var e = Event(capacity: 1) with { ConfirmEmail = true };
        var plan = new SeatPlan(e, new SeatCounters(0, 0, 0, 0, 0, 0), Now, hold);
        var (a, b) = (SignUp("a@x.cn"), SignUp("b@x.cn"));
        plan.SignUp(a);
        plan.SignUp(b);
        var after = plan.Finish();
        Assert.Equal((RegistrationStatus.Held, RegistrationStatus.Waitlisted), (a.Row.Status, b.Row.Status));
        Assert.Equal((Now + hold, Now + hold), (a.Row.ConfirmBy, b.Row.ConfirmBy));
        Assert.Equal((1, 1, 1, 2), (after.Confirmed, after.Waitlisted, after.Held, after.Unconfirmed));

        // Confirmed in time: the held seat is theirs (a new state, owed the email with the ticket).
        var counters = new SeatCounters(1, 1, 0, 0, 0, 2, Held: 1, Unconfirmed: 2);
        var held = Row("reg-a", RegistrationStatus.Held, 1);
        held.ConfirmBy = Now + hold;
        held.StateVersion = 1;
        var confirm = new SeatPlan(e, counters, Now.AddMinutes(59), hold);
        var op = new ConfirmOp(held.RowKey, held.RegistrationId);
        confirm.Confirm(op, held);
        after = confirm.Finish();
        Assert.Equal((RegistrationStatus.Confirmed, 2), (held.Status, held.StateVersion));
        Assert.Equal((1, 0, 1), (after.Confirmed, after.Held, after.Unconfirmed));
        Assert.IsType<ConfirmResult.Confirmed>(confirm.Results[op]);

        // Too late: refused; and the sweep's expiry takes a row only once its time has passed, as no withdrawal.
        var late = Row("reg-a", RegistrationStatus.Held, 1);
        late.ConfirmBy = Now + hold;
        var tooLate = new SeatPlan(e, counters, Now + hold, hold);
        var lateOp = new ConfirmOp(late.RowKey, late.RegistrationId);
        tooLate.Confirm(lateOp, late);
        Assert.IsType<ConfirmResult.Expired>(tooLate.Results[lateOp]);
        var early = new SeatPlan(e, counters, Now.AddMinutes(30), hold);
        var earlyOp = new CancelOp(late.RowKey, late.RegistrationId, expiry: true);
        early.Cancel(earlyOp, late);
        Assert.IsType<CancelResult.NotFound>(early.Results[earlyOp]);
        var due = new SeatPlan(e, counters, Now + hold, hold);
        due.Cancel(new CancelOp(late.RowKey, late.RegistrationId, expiry: true), late);
        Assert.Single(due.Deletions);
        Assert.Equal((0, 0, 1, 0), (due.Counters.Confirmed, due.Counters.Held, due.Counters.Unconfirmed, due.Counters.Withdrawn));

        // The freed seat goes to the head of the queue, held if they have not confirmed; their own confirmation in
        // the same commit is answered "try again" (never letting someone behind them past).
        due.Promote([new WaitingHead("reg-b", "B@X00000", 1, Unconfirmed: true)], room: 10);
        var waiting = Row("reg-b", RegistrationStatus.Waitlisted, 2, "B@X00000");
        waiting.ConfirmBy = Now + hold + hold;
        var sameCommit = new ConfirmOp("reg-b", "B@X00000");
        due.Confirm(sameCommit, waiting);
        Assert.IsType<ConfirmResult.NotSaved>(due.Results[sameCommit]);
        Assert.Equal((1, 1), (due.Counters.Confirmed, due.Counters.Held));
    }

    [Fact]
    public void Seats_go_in_arrival_order_then_the_waitlist_then_full()
    {
        var plan = Plan(Event(capacity: 2, waitlist: true));
        var ops = new[] { SignUp("a@x.cn"), SignUp("b@x.cn"), SignUp("c@x.cn"), SignUp("d@x.cn") };
        foreach (var op in ops) plan.SignUp(op);
        var after = plan.Finish();

        Assert.Equal([RegistrationStatus.Confirmed, RegistrationStatus.Confirmed, RegistrationStatus.Waitlisted, RegistrationStatus.Waitlisted], ops.Select(o => o.Row.Status));
        Assert.Equal([1L, 2, 3, 4], ops.Select(o => o.Row.Sequence));
        Assert.Equal((2, 2), (after.Confirmed, after.Waitlisted));
        Assert.Equal(2, Assert.IsType<SeatResult.Taken>(plan.Results[ops[3]]).WaitlistPosition);
        Assert.Null(Assert.IsType<SeatResult.Taken>(plan.Results[ops[0]]).WaitlistPosition);

        var noWaitlist = Plan(Event(capacity: 1, waitlist: false));
        var (first, second) = (SignUp("a@x.cn"), SignUp("b@x.cn"));
        noWaitlist.SignUp(first);
        noWaitlist.SignUp(second);
        noWaitlist.Finish();
        Assert.IsType<SeatResult.Full>(noWaitlist.Results[second]);
        Assert.Equal(RegistrationStatus.Confirmed, first.Row.Status);
    }

    [Fact]
    public void The_waitlist_stops_at_its_limit_three_times_the_seats_unless_the_organiser_says_otherwise()
    {
        var plan = Plan(Event(capacity: 1, waitlist: true) with { WaitlistLimit = 2 });
        var ops = new[] { SignUp("a@x.cn"), SignUp("b@x.cn"), SignUp("c@x.cn"), SignUp("d@x.cn") };
        foreach (var op in ops) plan.SignUp(op);
        var after = plan.Finish();
        Assert.Equal((1, 2), (after.Confirmed, after.Waitlisted));
        Assert.IsType<SeatResult.Full>(plan.Results[ops[3]]); // a script cannot grow a list everyone on it is mailed from
        Assert.False(after.WaitlistOpen);

        // Unset (rows stored before limits): three times the seats.
        Assert.Equal(30, Event(capacity: 10, waitlist: true).EffectiveWaitlistLimit);
        Assert.True(Event(capacity: 10, waitlist: true, waitlisted: 29).WaitlistOpen);
        Assert.False(Event(capacity: 10, waitlist: true, waitlisted: 30).WaitlistOpen);
        Assert.False(Event(capacity: 10, waitlist: false).WaitlistOpen);
    }

    [Fact]
    public void A_new_sign_up_never_takes_a_seat_while_someone_waits()
    {
        // A seat is free (capacity 3, 2 confirmed) but one person waits: the newcomer queues behind them.
        var plan = Plan(Event(capacity: 3, confirmed: 2, waitlisted: 1), nextSequence: 3);
        var late = SignUp("late@x.cn");
        plan.SignUp(late);
        plan.Finish();
        Assert.Equal(RegistrationStatus.Waitlisted, late.Row.Status);
        Assert.Equal(2, Assert.IsType<SeatResult.Taken>(plan.Results[late]).WaitlistPosition);
    }

    [Fact]
    public void A_cancelled_seat_goes_to_the_lowest_arrival_number_waiting()
    {
        var plan = Plan(Event(capacity: 1, confirmed: 1, waitlisted: 2), nextSequence: 3);
        var cancel = new CancelOp("reg-a", "AAAAAAAA");
        plan.Cancel(cancel, Row("reg-a", RegistrationStatus.Confirmed, 1, "AAAAAAAA"));
        Assert.Equal(1, plan.SeatsForTheWaitlist);
        plan.Promote([new WaitingHead("reg-b", "BBBBBBBB", 1), new WaitingHead("reg-c", "CCCCCCCC", 1)], room: 98);
        var after = plan.Finish();

        Assert.Equal("reg-b", Assert.Single(plan.Promotions).RowKey);
        Assert.Equal(["BBBBBBBB"], Assert.IsType<CancelResult.Cancelled>(plan.Results[cancel]).PromotedRegistrationIds);
        Assert.Equal((1, 1), (after.Confirmed, after.Waitlisted));
        Assert.Equal(1, plan.Counters.Withdrawn);
        Assert.False(plan.NeedsSettling);
    }

    [Fact]
    public void A_cancellation_of_a_row_that_is_gone_or_another_registration_is_not_found()
    {
        var plan = Plan(Event(capacity: 5, confirmed: 1));
        var gone = new CancelOp("reg-x", "XXXXXXXX");
        var wrongId = new CancelOp("reg-a", "ZZZZZZZZ");
        plan.Cancel(gone, null);
        plan.Cancel(wrongId, Row("reg-a", RegistrationStatus.Confirmed, 1, "AAAAAAAA"));
        // A removal notice (what is kept of someone removed until they are emailed) is not a registration to cancel.
        var notice = new CancelOp("removed-NNNNNNNN", "NNNNNNNN");
        plan.Cancel(notice, Row("removed-NNNNNNNN", RegistrationStatus.Removed, 0, "NNNNNNNN"));
        var after = plan.Finish();
        Assert.IsType<CancelResult.NotFound>(plan.Results[gone]);
        Assert.IsType<CancelResult.NotFound>(plan.Results[wrongId]);
        Assert.IsType<CancelResult.NotFound>(plan.Results[notice]);
        Assert.Equal((1, 0, 0), (after.Confirmed, after.Waitlisted, plan.Counters.Withdrawn));
        Assert.False(plan.Writes);
    }

    [Fact]
    public void Raising_capacity_gives_the_new_seats_to_the_waitlist_before_any_new_sign_up()
    {
        var plan = Plan(Event(capacity: 1, confirmed: 1, waitlisted: 3), nextSequence: 4);
        var raise = new ChangeOp((current, _) => (current with { Capacity = 3 }, null));
        Assert.True(plan.Change(raise));
        Assert.Equal(2, plan.SeatsForTheWaitlist);
        plan.Promote([new WaitingHead("reg-b", "BBBBBBBB", 1), new WaitingHead("reg-c", "CCCCCCCC", 1)], room: 99);
        var after = plan.Finish();
        Assert.Equal(["reg-b", "reg-c"], plan.Promotions.Select(p => p.RowKey));
        Assert.Equal((3, 3, 1), (after.Capacity, after.Confirmed, after.Waitlisted));
        Assert.Equal(2, Assert.IsType<ChangeResult.Changed>(plan.Results[raise]).Promoted);
    }

    [Fact]
    public void More_free_seats_than_one_transaction_holds_asks_for_a_follow_up_commit()
    {
        var plan = Plan(Event(capacity: 500, confirmed: 0, waitlisted: 300));
        plan.Change(new ChangeOp(null));
        var heads = Enumerable.Range(1, 99).Select(i => new WaitingHead($"reg-{i}", $"ID{i:000000}", 1)).ToList();
        plan.Promote(heads, room: 99);
        Assert.Equal(99, plan.Promotions.Count);
        Assert.True(plan.NeedsSettling);
    }

    [Fact]
    public void Capacity_below_the_confirmed_count_is_refused_with_one_message()
    {
        Assert.Equal("Capacity cannot be lowered below the 5 people already confirmed.", SeatRules.CapacityError(4, 5)!.En);
        Assert.Equal("名额不能少于已确认人数", SeatRules.CapacityError(4, 5)!.Zh);
        Assert.Equal($"Capacity must be a whole number from 1 to {EventValidator.MaxCapacity}.", SeatRules.CapacityError(0, 0)!.En);
        Assert.Null(SeatRules.CapacityError(5, 5));

        var plan = Plan(Event(capacity: 5, confirmed: 5));
        var lower = new ChangeOp((current, _) =>
        {
            var errors = new FieldErrors();
            if (SeatRules.CapacityError(4, current.Confirmed) is { } error) errors.Add("capacity", error);
            return errors.Any ? (null, errors) : (current with { Capacity = 4 }, null);
        });
        Assert.False(plan.Change(lower));
        Assert.IsType<ChangeResult.Rejected>(plan.Results[lower]);
        Assert.False(plan.Writes);
    }

    [Fact]
    public void A_change_that_changes_nothing_writes_nothing()
    {
        var plan = Plan(Event(capacity: 5, confirmed: 2) with { Cancelled = true });
        var cancelAgain = new ChangeOp((current, _) => current.Cancelled ? (null, null) : (current with { Cancelled = true }, null));
        Assert.False(plan.Change(cancelAgain));
        Assert.Equal(2, Assert.IsType<ChangeResult.Unchanged>(plan.Results[cancelAgain]).Event.Confirmed);
        Assert.False(plan.Writes);
    }

    [Fact]
    public void Nobody_is_promoted_once_the_event_has_started_or_is_cancelled()
    {
        var started = Plan(Event(capacity: 2, confirmed: 1, waitlisted: 1), at: Now.AddDays(3));
        Assert.Equal(0, started.SeatsForTheWaitlist);
        var cancelled = Plan(Event(capacity: 2, confirmed: 1, waitlisted: 1) with { Cancelled = true });
        Assert.Equal(0, cancelled.SeatsForTheWaitlist);
        var late = SignUp("late@x.cn");
        cancelled.SignUp(late);
        cancelled.Finish();
        Assert.Equal(SignUpWindow.EventCancelled, Assert.IsType<SeatResult.WindowShut>(cancelled.Results[late]).Window);
    }

    [Fact]
    public void The_same_email_twice_in_a_commit_is_one_registration()
    {
        var plan = Plan(Event(capacity: 5));
        var (tap, again) = (SignUp("a@x.cn"), SignUp("a@x.cn"));
        plan.SignUp(tap);
        plan.SignUp(again);
        var after = plan.Finish();
        Assert.IsType<SeatResult.Duplicate>(plan.Results[again]);
        Assert.Equal(1, after.Confirmed);
        Assert.Single(plan.Seated);
    }

    [Fact]
    public void The_waitlist_position_counts_the_people_ahead_when_read()
    {
        Assert.Equal(1, SeatRules.WaitlistPosition(7, [9L, 12]));
        Assert.Equal(3, SeatRules.WaitlistPosition(7, [2L, 5, 9]));
        Assert.Equal(3, SeatRules.WaitlistPosition(7, new long[] { 2, 5, 7, 9 })); // ascending: itself not counted
    }

    [Fact]
    public void Check_in_needs_a_confirmed_registration_and_happens_once()
    {
        var e = Event(capacity: 5);
        var confirmed = Row("reg-a", RegistrationStatus.Confirmed, 1);
        var (result, write) = AttendanceRules.Decide(new AttendanceOp(AttendanceKind.CheckIn, "reg-a", "door:1", null), confirmed, e, Now);
        Assert.Equal(AttendanceWrite.MarkCheckedIn, write);
        Assert.Equal(Now, Assert.IsType<AttendanceResult.CheckedIn>(result).At);

        var (again, none) = AttendanceRules.Decide(new AttendanceOp(AttendanceKind.CheckIn, "reg-a", "door:2", null), confirmed, e, Now.AddMinutes(1));
        Assert.Null(none);
        Assert.Equal(Now, Assert.IsType<AttendanceResult.AlreadyCheckedIn>(again).At);

        var (waiting, _) = AttendanceRules.Decide(new AttendanceOp(AttendanceKind.CheckIn, "reg-w", "door:1", null), Row("reg-w", RegistrationStatus.Waitlisted, 2), e, Now);
        Assert.Equal(CheckInRefusal.Waitlisted, Assert.IsType<AttendanceResult.Refused>(waiting).Reason);
        var (cancelledEvent, _) = AttendanceRules.Decide(new AttendanceOp(AttendanceKind.CheckIn, "reg-b", "door:1", null), Row("reg-b", RegistrationStatus.Confirmed, 3), e with { Cancelled = true }, Now);
        Assert.Equal(CheckInRefusal.EventCancelled, Assert.IsType<AttendanceResult.Refused>(cancelledEvent).Reason);
        var (missing, _) = AttendanceRules.Decide(new AttendanceOp(AttendanceKind.CheckIn, "reg-z", "door:1", null), null, e, Now);
        Assert.Equal(CheckInRefusal.NotFound, Assert.IsType<AttendanceResult.Refused>(missing).Reason);
    }

    [Fact]
    public void Undo_clears_a_check_in_deletes_a_walk_in_and_leaves_the_unchecked_alone()
    {
        var e = Event(capacity: 5);
        var checkedIn = Row("reg-a", RegistrationStatus.Confirmed, 1);
        checkedIn.CheckedInUtc = Now;
        Assert.Equal(AttendanceWrite.ClearCheckIn, AttendanceRules.Decide(new AttendanceOp(AttendanceKind.Undo, "reg-a", "door:1", null), checkedIn, e, Now).Write);
        Assert.Null(checkedIn.CheckedInUtc);
        Assert.Equal(AttendanceWrite.DeleteWalkIn, AttendanceRules.Decide(new AttendanceOp(AttendanceKind.Undo, "walkin-1", "door:1", null), Row("walkin-1", RegistrationStatus.WalkIn, 0), e, Now).Write);
        var (notIn, write) = AttendanceRules.Decide(new AttendanceOp(AttendanceKind.Undo, "reg-b", "door:1", null), Row("reg-b", RegistrationStatus.Confirmed, 2), e, Now);
        Assert.IsType<AttendanceResult.NotCheckedIn>(notIn);
        Assert.Null(write);
    }

    [Fact]
    public void The_counters_follow_attendance_and_a_second_tap_gets_the_first_answer()
    {
        var plan = Plan(Event(capacity: 5, confirmed: 1));
        var row = Row("reg-a", RegistrationStatus.Confirmed, 1);
        var tap = new AttendanceOp(AttendanceKind.CheckIn, "reg-a", "door:1", null);
        var second = new AttendanceOp(AttendanceKind.CheckIn, "reg-a", "door:2", null);
        var walkIn = new AttendanceOp(AttendanceKind.WalkIn, "walkin-9", "door:1", new RegistrationEntity { PartitionKey = "k7m2qxabcd", RowKey = "walkin-9", Name = "访客" });
        Assert.Equal(AttendanceWrite.MarkCheckedIn, plan.Attend(tap, row));
        Assert.Null(plan.Attend(second, row));
        Assert.Equal(AttendanceWrite.AddWalkIn, plan.Attend(walkIn, null));
        Assert.IsType<AttendanceResult.AlreadyCheckedIn>(plan.Results[second]);
        Assert.Equal((1, 1), (plan.Counters.CheckedIn, plan.Counters.WalkIns));

        // A row cancelled in the same commit cannot be checked in.
        var other = Plan(Event(capacity: 5, confirmed: 1));
        var cancel = new CancelOp("reg-a", row.RegistrationId);
        other.Cancel(cancel, Row("reg-a", RegistrationStatus.Confirmed, 1, row.RegistrationId));
        Assert.Null(other.Attend(new AttendanceOp(AttendanceKind.CheckIn, "reg-a", "door:1", null), row));
    }

    [Fact]
    public void Lottery_entries_take_no_seat_and_cannot_be_withdrawn_while_the_draw_lands_but_unconfirmed_ones_still_expire()
    {
        var e = Event(capacity: 2) with { Lottery = new EventFunctions.Shared.Admission.Lottery(Now.AddHours(1)) };
        var entering = Plan(e);
        var op = SignUp("wang@example.cn");
        entering.SignUp(op);
        Assert.Equal(RegistrationStatus.Entry, op.Row.Status);
        Assert.Equal(e.Lottery!.DrawUtc, op.Row.ConfirmBy);
        Assert.Equal((0, 0, 1, 1), (entering.Counters.Confirmed, entering.Counters.Waitlisted, entering.Counters.Entries, entering.Counters.Unconfirmed));
        Assert.Null(entering.Grant(10)); // no seat block before the draw

        // The draw has started: a confirmed entry (in the frozen list) cannot be withdrawn until it ends ("try again").
        var drawing = e with { Lottery = e.Lottery with { DrawStartedUtc = Now }, Entries = 2 };
        var plan = new SeatPlan(drawing, new SeatCounters(0, 0, 0, 0, 0, 2, Entries: 2, Unconfirmed: 1), Now.AddHours(1));
        var inList = Row("reg-a", RegistrationStatus.Entry, 1, "AAAAAAAA");
        inList.ConfirmBy = e.Lottery.DrawUtc;
        inList.EmailConfirmedUtc = Now;
        var withdraw = new CancelOp(inList.RowKey, inList.RegistrationId);
        plan.Cancel(withdraw, inList);
        Assert.IsType<CancelResult.NotSaved>(plan.Results[withdraw]);
        // An entry never confirmed was never in the draw: the sweep takes it off as ever.
        var unconfirmed = Row("reg-b", RegistrationStatus.Entry, 2, "BBBBBBBB");
        unconfirmed.ConfirmBy = e.Lottery.DrawUtc;
        var expire = new CancelOp(unconfirmed.RowKey, unconfirmed.RegistrationId, expiry: true);
        plan.Cancel(expire, unconfirmed);
        Assert.False(plan.Results.ContainsKey(expire));
        Assert.Equal((1, 0, 0), (plan.Counters.Entries, plan.Counters.Unconfirmed, plan.Counters.Withdrawn));
    }
}

/// <summary>Door staff see a masked phone in the number's own format: enough to tell two people apart, no more.</summary>
[Trait("Tier", "Fast")]
public sealed class PhoneMaskTests
{
    [Theory]
    [InlineData("+8613812345678", "138****5678")] // mainland mobile, as stored (E.164)
    [InlineData("13812345678", "138****5678")]
    [InlineData("+85291234567", "+852 **** 4567")] // Hong Kong: not 852****4567
    [InlineData("+85361234567", "+853 **** 4567")] // Macau
    [InlineData("+886912345678", "+886 *** **5 678")] // Taiwan: its own grouping, the last four digits
    [InlineData("+16502530000", "+1 ***-***-0000")]
    [InlineData("+442071838750", "+44 ** **** 8750")]
    public void A_phone_is_masked_in_its_own_format_keeping_the_last_digits(string stored, string masked) =>
        Assert.Equal(masked, EventFunctions.Shared.Attendance.AttendanceService.MaskPhone(stored));

    [Fact]
    public void Nothing_or_too_little_shows_nothing() => Assert.Null(EventFunctions.Shared.Attendance.AttendanceService.MaskPhone("12"));
}
