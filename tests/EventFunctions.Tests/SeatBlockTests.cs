using EventFunctions.Shared.Events;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Time.Testing;

namespace EventFunctions.Tests;

/// <summary>
/// Seat blocks (Ledger/SeatBlock.cs): the rules without storage (fast tier), then the ledger against Azurite with
/// blocks on, on one and two instances: capacity, the waitlist's order, blocks given back, folded when someone would
/// otherwise wait, on a change of the event, by the sweep when their instance is gone, and a block commit whose answer
/// is lost.
/// </summary>
public sealed class SeatBlockRuleTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero));
    private static DateTimeOffset Now => Clock.GetUtcNow();

    private static EventRecord Event(int capacity, bool confirmEmail = false) => new()
    {
        Id = "k7m2qxabcd", Kind = EventKind.Lecture, Title = "上海供水的过去、现在和未来",
        StartUtc = Now.AddDays(2), EndUtc = Now.AddDays(2).AddHours(2), TimeZoneId = "Asia/Shanghai",
        Capacity = capacity, WaitlistAllowed = true, WaitlistLimit = 100, SignUpOpensUtc = Now.AddDays(-1), SignUpClosesUtc = Now.AddDays(2),
        OrganiserName = "街道党建办", OrganiserEmail = "djb@jiedao.example.cn", ConfirmEmail = confirmEmail,
    };

    private static SignUpOp SignUp(string email) => new(new RegistrationEntity { PartitionKey = "k7m2qxabcd", RowKey = "reg-" + email, RegistrationId = email.ToUpperInvariant()[..3] + "00000" });

    [Fact]
    [Trait("Tier", "Fast")]
    public void A_block_gives_its_seats_in_arrival_order_and_hands_the_rest_to_the_event_row()
    {
        var block = new SeatBlockEntity { Seats = 3, Used = 1, NextSequence = 10, LastSequence = 12 };
        var plan = new BlockPlan(Event(50), block, Now, TimeSpan.FromHours(1));
        var (a, again, b, c) = (SignUp("a@x.cn"), SignUp("a@x.cn"), SignUp("b@x.cn"), SignUp("c@x.cn"));
        foreach (var op in new[] { a, again, b, c }) plan.SignUp(op);

        Assert.Equal([(a, RegistrationStatus.Confirmed, 11L), (b, RegistrationStatus.Confirmed, 12L)], plan.Seated);
        Assert.Equal([again], plan.Duplicates); // one transaction writes a row once: answered from the first
        Assert.Equal([c], plan.ToEventRow); // the block is used up: the event row decides (a seat, the waitlist, full)
        Assert.Equal((2, 12L), (plan.Used, plan.NextSequence));
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void A_block_gives_nothing_once_sign_up_is_shut_and_holds_its_seats_on_events_that_need_a_confirmed_email()
    {
        var block = new SeatBlockEntity { Seats = 5, NextSequence = 0, LastSequence = 5 };
        var shut = new BlockPlan(Event(50) with { SignUpClosesUtc = Now.AddMinutes(-1) }, block, Now, TimeSpan.FromHours(1));
        var late = SignUp("late@x.cn");
        shut.SignUp(late);
        Assert.Empty(shut.Seated);
        Assert.Equal([late], shut.ToEventRow); // the event row says "closed", with the reason

        var held = new BlockPlan(Event(50, confirmEmail: true), block, Now, TimeSpan.FromHours(1));
        var a = SignUp("a@x.cn");
        held.SignUp(a);
        Assert.Equal((RegistrationStatus.Held, Now.AddHours(1)), (a.Row.Status, a.Row.ConfirmBy));
        Assert.Equal((1, 1), (held.Held, held.Unconfirmed));
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void Seats_go_to_blocks_only_while_nobody_waits_and_a_block_takes_at_most_the_free_seats()
    {
        var e = Event(10);
        var plan = new SeatPlan(e, new SeatCounters(4, 0, 0, 0, 0, 4), Now);
        Assert.Equal((6, 5L, 10L), plan.Grant(100)); // the six free seats, with arrival numbers 5 to 10 set aside
        Assert.Equal(0, plan.Free);
        Assert.Null(plan.Grant(1)); // none left

        var waiting = new SeatPlan(e, new SeatCounters(8, 1, 0, 0, 0, 9), Now);
        Assert.Null(waiting.Grant(2)); // someone waits: the free seats are theirs, never a block's

        // A sign-up after the block: the event row has no seat left for it, so it waits, behind the block's numbers.
        var late = SignUp("late@x.cn");
        plan.SignUp(late);
        plan.Finish();
        Assert.Equal((RegistrationStatus.Waitlisted, 11L), (late.Row.Status, late.Row.Sequence));
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void Folding_a_block_moves_what_it_gave_onto_the_event_and_frees_the_rest()
    {
        var e = Event(10);
        var plan = new SeatPlan(e, new SeatCounters(4, 0, 0, 0, 0, 10, Blocked: 6), Now);
        plan.Fold(new SeatBlockEntity { Seats = 6, Used = 4, Held = 1, Unconfirmed = 1 });
        Assert.Equal(2, plan.Free);
        Assert.Equal((8, 0, 1, 1), (plan.Counters.Confirmed, plan.Counters.Blocked, plan.Counters.Held, plan.Counters.Unconfirmed));
    }
}

[Collection(StorageCollection.Name)]
public sealed class SeatBlockTests(AzuriteFixture azurite)
{
    private static readonly Dictionary<string, string?> Blocks = new() { ["EventFunctions:SeatBlocks"] = "Always" };

    private async Task<(TestApp A, TestApp B)> TwoInstancesAsync(Dictionary<string, string?> a, Dictionary<string, string?> b, TimeProvider? clock = null)
    {
        var first = await TestApp.StartAsync(azurite.ConnectionString, settings: a, clock: clock);
        var second = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: new Dictionary<string, string?>(b)
        {
            ["EventFunctions:TableName"] = first.TableName,
            ["EventFunctions:ConfirmationQueue"] = first.QueueName,
        }, clock: clock);
        return (first, second);
    }

    private static Dictionary<string, string?> With(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>(Blocks);
        foreach (var (k, v) in more) settings[k] = v;
        return settings;
    }

    private static async Task<RegistrationView> SignUpAsync(TestApp app, string eventId, string who)
    {
        var result = await app.RegisterForEvent.Run(Requests.Json("POST", $"/api/events/{eventId}/registrations", Seed.Person(who, $"{who}@example.cn", null)), eventId, default);
        return Results.Object<RegistrationView>(result).Value;
    }

    [Fact]
    public async Task Blocks_on_two_instances_never_oversell_tell_every_waitlist_position_once_and_promote_in_that_order()
    {
        // Every sign-up told its place at once (without the waitlist inbox, whose sign-ups learn it by email: WaitlistInboxTests).
        var direct = With(("EventFunctions:WaitlistInbox", "Off"));
        var (a, b) = await TwoInstancesAsync(direct, direct);
        await using var _ = a;
        await using var __ = b;
        var input = Seed.Lecture(capacity: 100, waitlist: true);
        input["waitlistLimit"] = 1000;
        var lecture = await a.CreateEventAsync(input);

        var views = await LedgerTests.SignUpManyAsync([a, b], lecture.Id, Enumerable.Range(0, 400));
        Assert.Empty(await a.BlocksAsync(lecture.Id)); // people wait: no block may hold a seat
        Assert.Equal(100, views.Count(v => v.Status == RegistrationStatus.Confirmed));
        var told = views.Where(v => v.Status == RegistrationStatus.Waitlisted).ToDictionary(v => v.RegistrationId, v => v.WaitlistPosition!.Value);
        Assert.Equal(300, told.Values.Distinct().Count()); // no position told twice
        await LedgerTests.AssertCountersEqualRowsAsync(a, lecture.Id);

        // Positions follow arrival numbers.
        var rows = await a.RegistrationsAsync(lecture.Id);
        var bySequence = rows.Where(r => r.Status == RegistrationStatus.Waitlisted).OrderBy(r => r.Sequence).Select(r => told[r.RegistrationId]).ToList();
        Assert.Equal(bySequence.Order(), bySequence);

        // 30 seats come free at once, through both instances: exactly the first 30 waiting get them.
        var cancels = rows.Where(r => r.Status == RegistrationStatus.Confirmed).Take(30).Select((r, i) => Task.Run(() =>
            (i % 2 == 0 ? a : b).Get<RegistrationService>().CancelAsync(lecture.Id, r.RegistrationId, TestTokens.Manage(r), default))).ToList();
        Assert.All(await Task.WhenAll(cancels), c => Assert.IsType<CancelOutcome.Cancelled>(c));
        var promoted = (await a.RegistrationsAsync(lecture.Id)).Where(r => told.ContainsKey(r.RegistrationId) && r.Status == RegistrationStatus.Confirmed)
            .Select(r => told[r.RegistrationId]).Order().ToList();
        Assert.Equal(bySequence.Take(30), promoted);
        await LedgerTests.AssertCountersEqualRowsAsync(a, lecture.Id);
    }

    [Fact]
    public async Task Auto_takes_blocks_once_another_instance_commits_to_the_event_and_never_on_one_instance_alone()
    {
        var auto = new Dictionary<string, string?> { ["EventFunctions:SeatBlockIdle"] = "01:00:00" }; // the default mode, blocks kept
        await using (var alone = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: auto))
        {
            var quiet = await alone.CreateEventAsync(Seed.Lecture(capacity: 1000));
            await LedgerTests.SignUpManyAsync([alone], quiet.Id, Enumerable.Range(0, 300)); // its own stale copies meet 412s too
            Assert.Empty(await alone.BlocksAsync(quiet.Id));
        }

        var (a, b) = await TwoInstancesAsync(auto, auto);
        await using var _ = a;
        await using var __ = b;
        var lecture = await a.CreateEventAsync(Seed.Lecture(capacity: 1000));
        // Waves of 100 across both: once a commit meets the other instance's, the next commits take blocks. (On a
        // loaded machine one wave may go in a few large commits that never meet; a block must come within five.)
        var waves = 0;
        do
        {
            await LedgerTests.SignUpManyAsync([a, b], lecture.Id, Enumerable.Range(waves * 100, 100));
            waves++;
        }
        while (waves < 5 && (await a.BlocksAsync(lecture.Id)).Count == 0);

        Assert.NotEmpty(await a.BlocksAsync(lecture.Id));
        Assert.Equal(waves * 100, (await a.EventRowAsync(lecture.Id)).Confirmed);
        await LedgerTests.AssertCountersEqualRowsAsync(a, lecture.Id);
    }

    [Fact]
    public async Task An_instance_gives_its_unused_seats_back_once_it_goes_quiet()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: With(("EventFunctions:SeatBlockIdle", "00:00:00.300")));
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 50));
        await LedgerTests.SignUpManyAsync([app], lecture.Id, Enumerable.Range(0, 5));
        await RunningHost.Eventually(async () => (await app.StoredEventRowAsync(lecture.Id)).Blocked == 0 && (await app.BlocksAsync(lecture.Id)).Count == 0, "the block is folded back");
        var stored = await app.StoredEventRowAsync(lecture.Id);
        Assert.Equal((5, 0, 45), (stored.Confirmed, stored.Blocked, stored.ToRecord().SeatsLeft));
    }

    [Fact]
    public async Task A_sign_up_that_would_wait_takes_a_seat_another_instance_holds_unused_and_nobody_waits_while_one_is()
    {
        var quiet = With(("EventFunctions:SeatBlockIdle", "01:00:00")); // A keeps its block
        var (a, b) = await TwoInstancesAsync(quiet, new() { ["EventFunctions:SeatBlocks"] = "Off" });
        await using var _ = a;
        await using var __ = b;
        var lecture = await a.CreateEventAsync(Seed.Lecture(capacity: 10, waitlist: true));
        Assert.Equal(RegistrationStatus.Confirmed, (await SignUpAsync(a, lecture.Id, "first")).Status);
        var held = (await a.StoredEventRowAsync(lecture.Id)).Blocked;
        Assert.True(held > 0, "A took a block");

        // B takes the rest one by one: the seats A holds and does not use come to B's sign-ups, not the waitlist.
        for (var i = 0; i < 9; i++) Assert.Equal(RegistrationStatus.Confirmed, (await SignUpAsync(b, lecture.Id, $"b{i}")).Status);
        var late = await SignUpAsync(b, lecture.Id, "late");
        Assert.Equal((RegistrationStatus.Waitlisted, 1), (late.Status, late.WaitlistPosition));
        Assert.Empty(await a.BlocksAsync(lecture.Id));

        // A's block was folded under it: its next sign-up finds out and goes to the event row, behind B's.
        var afterFold = await SignUpAsync(a, lecture.Id, "later");
        Assert.Equal((RegistrationStatus.Waitlisted, 2), (afterFold.Status, afterFold.WaitlistPosition));
        await LedgerTests.AssertCountersEqualRowsAsync(a, lecture.Id);
    }

    [Fact]
    public async Task Closing_sign_up_on_one_instance_folds_the_blocks_so_no_instance_gives_a_seat_after()
    {
        var quiet = With(("EventFunctions:SeatBlockIdle", "01:00:00"));
        var (a, b) = await TwoInstancesAsync(quiet, quiet);
        await using var _ = a;
        await using var __ = b;
        var lecture = await a.CreateEventAsync(Seed.Lecture(capacity: 40));
        await SignUpAsync(a, lecture.Id, "first");
        Assert.NotEmpty(await a.BlocksAsync(lecture.Id));

        Assert.IsType<EventOutcome.Ok>(await b.Get<EventService>().CloseSignUpAsync(lecture.Id, default));
        Assert.Empty(await a.BlocksAsync(lecture.Id));
        var (status, _) = Results.Object<ProblemDetails>(await a.RegisterForEvent.Run(
            Requests.Json("POST", $"/api/events/{lecture.Id}/registrations", Seed.Person("晚到", "late@example.cn", null)), lecture.Id, default));
        Assert.Equal(409, status); // closed, though A still had seats in its block when it was closed
        Assert.Single(await a.RegistrationsAsync(lecture.Id));
        await LedgerTests.AssertCountersEqualRowsAsync(a, lecture.Id);
    }

    [Fact]
    public async Task The_hold_sweep_folds_the_block_of_an_instance_that_is_gone()
    {
        var gone = With(("EventFunctions:SeatBlockIdle", "01:00:00"), ("EventFunctions:SeatBlockLease", "00:01:00"));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (a, b) = await TwoInstancesAsync(gone, new() { ["EventFunctions:SeatBlocks"] = "Off" }, clock);
        await using var _ = a;
        await using var __ = b;
        var lecture = await a.CreateEventAsync(Seed.Lecture(capacity: 40));
        await SignUpAsync(a, lecture.Id, "first");
        await SignUpAsync(a, lecture.Id, "second"); // committed to A's block
        Assert.True((await a.StoredEventRowAsync(lecture.Id)).Blocked > 0);

        await b.Get<RegistrationService>().ExpireHoldsAsync(default);
        Assert.True((await b.StoredEventRowAsync(lecture.Id)).Blocked > 0); // within its lease the block is A's

        clock.Advance(TimeSpan.FromMinutes(2)); // A commits nothing more: its lease passes
        await b.Get<RegistrationService>().ExpireHoldsAsync(default);
        var stored = await b.StoredEventRowAsync(lecture.Id);
        Assert.Equal((2, 0), (stored.Confirmed, stored.Blocked));
        Assert.Empty(await b.BlocksAsync(lecture.Id));
        Assert.Equal(38, stored.ToRecord().SeatsLeft);
    }

    /// <summary>Once armed, holds the first entity-group transaction at a gate; counts transactions and refusals (412) after.</summary>
    private sealed class HoldFirstTransaction : Azure.Core.Pipeline.HttpPipelinePolicy
    {
        private int _armed, _held;
        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Transactions => Volatile.Read(ref _transactions);
        public int Refused => Volatile.Read(ref _refused);
        private int _transactions, _refused;

        public void Arm() => Volatile.Write(ref _armed, 1);

        public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            var transaction = Volatile.Read(ref _armed) == 1 && message.Request.Uri.Path.EndsWith("/$batch", StringComparison.Ordinal);
            if (transaction)
            {
                Interlocked.Increment(ref _transactions);
                if (Interlocked.Exchange(ref _held, 1) == 0)
                {
                    Held.TrySetResult();
                    await Gate.Task;
                }
            }

            await ProcessNextAsync(message, pipeline);
            if (transaction && message.Response.Content.ToString().Contains(" 412 ", StringComparison.Ordinal)) Interlocked.Increment(ref _refused);
        }
    }

    [Fact]
    public async Task A_commit_refused_because_another_instance_committed_first_carries_what_queued_meanwhile()
    {
        // Contention should make commits larger, not more: when another instance commits first, the retry takes the
        // sign-ups that queued on this instance while its commit was out, in their order, in the same transaction.
        var off = new Dictionary<string, string?> { ["EventFunctions:SeatBlocks"] = "Off" };
        var hold = new HoldFirstTransaction();
        await using var a = await TestApp.StartAsync(azurite.ConnectionString, settings: off,
            services: s => s.AddAzureClients(b => b.ConfigureDefaults(o => o.AddPolicy(hold, Azure.Core.HttpPipelinePosition.PerCall))));
        await using var b = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: new Dictionary<string, string?>(off)
        {
            ["EventFunctions:TableName"] = a.TableName,
            ["EventFunctions:ConfirmationQueue"] = a.QueueName,
        });
        var lecture = await a.CreateEventAsync(Seed.Lecture(capacity: 2));
        hold.Arm();

        var first = SignUpAsync(a, lecture.Id, "a0");
        await hold.Held.Task.WaitAsync(TimeSpan.FromSeconds(30)); // A's commit of a0 is on its way
        await SignUpAsync(b, lecture.Id, "b0"); // B commits first
        var later = Enumerable.Range(1, 4).Select(i => SignUpAsync(a, lecture.Id, $"a{i}")).ToList();
        await RunningHost.Eventually(() => Task.FromResult(a.Get<EventLedger>().Queued(lecture.Id) == 4), "the four queue behind A's commit");
        hold.Gate.TrySetResult();
        var views = await Task.WhenAll(later.Prepend(first));

        Assert.All(views, v => Assert.Contains(v.Status, new[] { RegistrationStatus.Confirmed, RegistrationStatus.Waitlisted }));
        Assert.Equal(1, hold.Refused);
        Assert.Equal(2, hold.Transactions); // the refused one, then one carrying a0 to a4 (before: a0 again alone, then a1 to a4)
        var rows = (await a.RegistrationsAsync(lecture.Id)).ToDictionary(r => r.Email);
        Assert.All(Enumerable.Range(1, 4), i => Assert.True(rows["a0@example.cn"].Sequence < rows[$"a{i}@example.cn"].Sequence)); // a0 first: it came first
        var stored = await a.EventRowAsync(lecture.Id);
        Assert.Equal((2, 4), (stored.Confirmed, stored.Waitlisted));
    }

    [Fact]
    public async Task A_block_commit_whose_answer_is_lost_for_a_moment_is_found_out_and_answered_as_stored()
    {
        await using var proxy = StallingProxy.Start(azurite.TablePort);
        var connection = azurite.ConnectionString.Replace($"127.0.0.1:{azurite.TablePort}", $"127.0.0.1:{proxy.Port}");
        await using var app = await TestApp.StartAsync(connection, settings: With(("EventFunctions:ContentionTimeout", "00:00:02"), ("EventFunctions:SeatBlockIdle", "01:00:00")));
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 10));
        await SignUpAsync(app, lecture.Id, "warm"); // the event row's commit hands this instance a block
        Assert.NotEmpty(await app.BlocksAsync(lecture.Id));

        proxy.HoldAnswers();
        var signUp = app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person("参与者", "held@example.cn", null)), lecture.Id, default);
        var release = Task.Delay(TimeSpan.FromSeconds(3)).ContinueWith(t => proxy.Release());
        var result = await signUp;
        await release;

        Assert.Equal(201, Results.Object<RegistrationView>(result).Status); // the truth: it was stored
        Assert.Contains(await app.RegistrationsAsync(lecture.Id), r => r.Email == "held@example.cn");
        Assert.Equal(2, (await app.EventRowAsync(lecture.Id)).Confirmed);
    }
}
