using Azure.Data.Tables;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Security;
using EventFunctions.Shared.Text;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Time.Testing;

namespace EventFunctions.Tests;

/// <summary>
/// The waitlist inbox (Ledger/WaitlistInbox.cs): the numbering rule without storage, then the ledger against Azurite:
/// two instances answering at the insert, the order across a stopped instance's leftovers and newer sign-ups, the hold
/// sweep, cancelling before the number, a double tap, a direct commit that finds more than it can number, and the page.
/// </summary>
public sealed class WaitlistInboxRuleTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero));
    private static DateTimeOffset Now => Clock.GetUtcNow();

    private static EventRecord Event(int capacity, int waitlistLimit) => new()
    {
        Id = "k7m2qxabcd", Kind = EventKind.Lecture, Title = "上海供水的过去、现在和未来",
        StartUtc = Now.AddDays(2), EndUtc = Now.AddDays(2).AddHours(2), TimeZoneId = "Asia/Shanghai",
        Capacity = capacity, WaitlistAllowed = true, WaitlistLimit = waitlistLimit, SignUpOpensUtc = Now.AddDays(-1), SignUpClosesUtc = Now.AddDays(2),
        OrganiserName = "街道党建办", OrganiserEmail = "djb@jiedao.example.cn",
    };

    [Fact]
    [Trait("Tier", "Fast")]
    public void The_inbox_is_numbered_in_order_a_seat_while_nobody_numbered_waits_and_past_a_limit_or_a_close_it_came_before()
    {
        var plan = new SeatPlan(Event(2, waitlistLimit: 1), new SeatCounters(1, 0, 0, 0, 0, 1), Now);
        Assert.Equal((RegistrationStatus.Confirmed, 2L), plan.Sequence("reg-a")); // the view at the insert was stale: the seat is theirs
        Assert.Equal((RegistrationStatus.Waitlisted, 3L), plan.Sequence("reg-b"));
        Assert.Equal((RegistrationStatus.Waitlisted, 4L), plan.Sequence("reg-c")); // past the limit of 1: told "waiting" when it still had room
        Assert.Equal((2, 2, 4L), (plan.Counters.Confirmed, plan.Counters.Waitlisted, plan.Counters.NextSequence));

        var closed = new SeatPlan(Event(2, 10) with { SignUpClosesUtc = Now.AddMinutes(-1) }, new SeatCounters(2, 5, 0, 0, 0, 7), Now);
        Assert.Equal((RegistrationStatus.Waitlisted, 8L), closed.Sequence("reg-d")); // stored before the close
        Assert.True(closed.Writes);
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void The_inbox_takes_sign_ups_only_while_people_wait_with_room_to_spare_on_a_plain_first_come_event()
    {
        var e = Event(10, waitlistLimit: 1000) with { Waitlisted = 5 };
        Assert.True(WaitlistInbox.Takes(e, Now));
        Assert.Equal(200, WaitlistInbox.Slack(e)); // at least 200, else a fifth of the limit
        Assert.True(WaitlistInbox.Takes(e with { Waitlisted = 800 }, Now));
        Assert.False(WaitlistInbox.Takes(e with { Waitlisted = 801 }, Now)); // fewer than 200 places left: the event row's
        Assert.False(WaitlistInbox.Takes(e with { Waitlisted = 0 }, Now)); // nobody waits: a sign-up may get a seat
        Assert.False(WaitlistInbox.Takes(e with { WaitlistLimit = 30 }, Now)); // a short waitlist is the event row's
        Assert.False(WaitlistInbox.Takes(e with { ConfirmEmail = true }, Now));
        Assert.False(WaitlistInbox.Takes(e with { RequiresApproval = true }, Now));
        Assert.False(WaitlistInbox.Takes(e with { SignUpClosesUtc = Now.AddMinutes(-1) }, Now));
        Assert.Equal(2000, WaitlistInbox.Slack(e with { WaitlistLimit = 10_000 }));
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void A_queued_sign_up_reads_as_waitlisted_to_the_organiser_the_door_and_the_export()
    {
        Assert.Equal(Shared.Console.ConsoleFormat.Status(RegistrationStatus.Waitlisted), Shared.Console.ConsoleFormat.Status(RegistrationStatus.Queued));
        Assert.Equal(Shared.Attendance.DoorText.Chinese.StatusWaitlisted, Shared.Attendance.DoorText.Chinese.Status(RegistrationStatus.Queued));
        Assert.Equal(Shared.Attendance.DoorText.English.StatusWaitlisted, Shared.Attendance.DoorText.English.Status(RegistrationStatus.Queued));
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void Cancelling_a_queued_sign_up_changes_no_seat_or_place_and_counts_as_withdrawn()
    {
        var plan = new SeatPlan(Event(1, 10), new SeatCounters(1, 3, 0, 0, 0, 4), Now);
        var row = new RegistrationEntity { PartitionKey = "k7m2qxabcd", RowKey = "reg-q", RegistrationId = "QQQ00000", Status = RegistrationStatus.Queued, InboxKey = "inbox-1" };
        plan.Cancel(new CancelOp(row.RowKey, row.RegistrationId), row);
        Assert.Equal((1, 3, 1), (plan.Counters.Confirmed, plan.Counters.Waitlisted, plan.Counters.Withdrawn));
        Assert.Single(plan.Deletions);
        Assert.Equal(0, plan.SeatsForTheWaitlist); // nothing freed
    }
}

[Collection(StorageCollection.Name)]
public sealed class WaitlistInboxTests(AzuriteFixture azurite)
{
    private static readonly Dictionary<string, string?> Always = new() { ["EventFunctions:WaitlistInbox"] = "Always" };

    /// <summary>One seat and a long waitlist (the inbox is used while a fifth of the limit, at least 200 places, is left).</summary>
    private static Dictionary<string, object?> OneSeat(int waitlistLimit = 1000)
    {
        var input = Seed.Lecture(capacity: 1, waitlist: true);
        input["waitlistLimit"] = waitlistLimit;
        return input;
    }

    private static async Task<List<TableEntity>> InboxAsync(TestApp app, string eventId)
    {
        var rows = new List<TableEntity>();
        await foreach (var r in (await app.TableAsync()).QueryAsync<TableEntity>(WaitlistInbox.Filter(eventId))) rows.Add(r);
        return rows;
    }

    /// <summary>What an instance that stopped right after its insert leaves: the queued row and its inbox row.</summary>
    private static async Task<RegistrationEntity> LeaveInInboxAsync(TestApp app, string eventId, string email, DateTimeOffset at, int n) =>
        (await LeaveBatchInInboxAsync(app, eventId, [email], at, n))[0];

    /// <summary>What an instance that stopped right after one insert of several leaves: their queued rows and one inbox row naming them.</summary>
    private static async Task<List<RegistrationEntity>> LeaveBatchInInboxAsync(TestApp app, string eventId, IReadOnlyList<string> emails, DateTimeOffset at, int n)
    {
        var key = WaitlistInbox.Key(at, "gone", n);
        var rows = emails.Select((email, i) => new RegistrationEntity
        {
            PartitionKey = eventId, RowKey = app.Get<IdentifierKeys>().RegistrationKey(email), RegistrationId = Shared.Ids.NewRegistrationId(),
            Name = "候补" + i, Email = email, Status = RegistrationStatus.Queued, CreatedUtc = at, ConsentUtc = at, InboxKey = WaitlistInbox.Place(key, i),
        }).ToList();
        await (await app.TableAsync()).SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r))
            .Append(new TableTransactionAction(TableTransactionActionType.Add, WaitlistInbox.Row(eventId, key, rows.Select(r => r.RowKey).ToList()))));
        return rows;
    }

    private static async Task<RegistrationView> SignUpAsync(TestApp app, string eventId, int i)
    {
        var (status, value) = await LedgerTests.SignUpAsync(app, eventId, i);
        Assert.True(status is 200 or 201, $"sign-up {i}: {status}");
        return Assert.IsType<RegistrationView>(value);
    }

    private static Task NumberedAsync(TestApp app, string eventId) => LedgerTests.NumberedAsync(app, eventId);

    [Fact]
    public async Task Two_instances_answer_at_the_insert_and_every_sign_up_is_numbered_once_in_order_with_its_email_owed()
    {
        var a = await TestApp.StartAsync(azurite.ConnectionString, settings: Always);
        await using var _ = a;
        await using var b = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: new Dictionary<string, string?>(Always)
        {
            ["EventFunctions:TableName"] = a.TableName,
            ["EventFunctions:ConfirmationQueue"] = a.QueueName,
        });
        var input = Seed.Lecture(capacity: 50, waitlist: true);
        input["waitlistLimit"] = 1000;
        var lecture = await a.CreateEventAsync(input);

        // The first 60 fill the seats and start the waitlist; the rush after them finds people waiting.
        var views = await LedgerTests.SignUpManyAsync([a, b], lecture.Id, Enumerable.Range(0, 60));
        views.AddRange(await LedgerTests.SignUpManyAsync([a, b], lecture.Id, Enumerable.Range(60, 240)));
        var answeredAtInsert = views.Where(v => v.Status == RegistrationStatus.Waitlisted && v.WaitlistPosition is null).Select(v => v.RegistrationId).ToHashSet();
        Assert.True(answeredAtInsert.Count > 0, "some sign-ups went through the inbox");
        Assert.True(views.Count(v => v.Status == RegistrationStatus.Confirmed) <= 50);
        await NumberedAsync(a, lecture.Id);

        var rows = await a.RegistrationsAsync(lecture.Id);
        Assert.Equal(300, rows.Count);
        Assert.Equal(300, rows.Select(r => r.Sequence).Distinct().Count()); // no number twice
        Assert.All(rows, r => Assert.True(r.Sequence > 0 && r.StateVersion == 1 && r.TicketCode is not null, $"{r.RegistrationId} numbered"));
        Assert.Equal(50, rows.Count(r => r.Status == RegistrationStatus.Confirmed));
        await LedgerTests.AssertCountersEqualRowsAsync(a, lecture.Id); // nobody waits before a later arrival holding a seat

        // A place told at once is the place the rows give (numbers only grow: those numbered later are behind).
        var waiting = rows.Where(r => r.Status == RegistrationStatus.Waitlisted).OrderBy(r => r.Sequence).Select((r, i) => (r.RegistrationId, Place: i + 1)).ToDictionary();
        foreach (var v in views.Where(v => v.WaitlistPosition is not null)) Assert.Equal(waiting[v.RegistrationId], v.WaitlistPosition);

        // Every one answered at the insert has its email owed now, with its place (the queue message or the row says so).
        Assert.All(rows.Where(r => answeredAtInsert.Contains(r.RegistrationId)), r =>
            Assert.True(r.EmailPending || r.EmailSentVersion == 1, $"{r.RegistrationId} owed its email"));
        var ev = await a.StoredEventRowAsync(lecture.Id);
        Assert.True(ev.InboxUntil > DateTimeOffset.UtcNow, "the inbox stays open while people wait");
    }

    [Fact]
    public async Task A_stopped_instances_leftovers_are_numbered_before_newer_sign_ups_and_by_the_sweep_when_nothing_else_comes()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: Always);
        var lecture = await app.CreateEventAsync(OneSeat());
        Assert.Equal(RegistrationStatus.Confirmed, (await SignUpAsync(app, lecture.Id, 0)).Status);
        Assert.Equal((RegistrationStatus.Waitlisted, 1), ((await SignUpAsync(app, lecture.Id, 1)) is var first ? (first.Status, first.WaitlistPosition) : default));
        Assert.NotNull((await app.StoredEventRowAsync(lecture.Id)).InboxUntil); // people wait: the inbox opened

        // People wait, so the next is answered at its insert, and numbered by the commit the instance queues.
        var third = await SignUpAsync(app, lecture.Id, 2);
        Assert.Equal((RegistrationStatus.Waitlisted, (int?)null), (third.Status, third.WaitlistPosition));
        await NumberedAsync(app, lecture.Id);

        // Another instance stopped between its insert and the numbering: its two are numbered before anyone newer.
        var now = DateTimeOffset.UtcNow;
        var left1 = await LeaveInInboxAsync(app, lecture.Id, "left1@example.cn", now.AddMilliseconds(-20), 1);
        var left2 = await LeaveInInboxAsync(app, lecture.Id, "left2@example.cn", now.AddMilliseconds(-10), 2);
        var newer = await SignUpAsync(app, lecture.Id, 3);
        await NumberedAsync(app, lecture.Id);
        var rows = (await app.RegistrationsAsync(lecture.Id)).ToDictionary(r => r.RegistrationId);
        Assert.Equal([left1.RegistrationId, left2.RegistrationId, newer.RegistrationId],
            rows.Values.Where(r => r.Sequence > rows[third.RegistrationId].Sequence).OrderBy(r => r.Sequence).Select(r => r.RegistrationId));
        Assert.All([left1.RegistrationId, left2.RegistrationId], id => Assert.Equal((RegistrationStatus.Waitlisted, true), (rows[id].Status, rows[id].EmailPending)));

        // Nothing else comes: the hold sweep numbers what was left.
        var lone = await LeaveInInboxAsync(app, lecture.Id, "lone@example.cn", DateTimeOffset.UtcNow, 3);
        await app.Get<RegistrationService>().ExpireHoldsAsync(default);
        Assert.Empty(await InboxAsync(app, lecture.Id));
        var swept = (await app.RegistrationsAsync(lecture.Id)).Single(r => r.RegistrationId == lone.RegistrationId);
        Assert.Equal((RegistrationStatus.Waitlisted, 7L, true), (swept.Status, swept.Sequence, swept.EmailPending));
        await LedgerTests.AssertCountersEqualRowsAsync(app, lecture.Id);
        Assert.Equal(6, (await app.StoredEventRowAsync(lecture.Id)).Waitlisted);
    }

    [Fact]
    public async Task A_queued_sign_up_can_be_cancelled_before_its_number_and_a_double_tap_stays_one_registration()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: Always);
        var lecture = await app.CreateEventAsync(OneSeat());
        await SignUpAsync(app, lecture.Id, 0);
        await SignUpAsync(app, lecture.Id, 1);

        var queued = await LeaveInInboxAsync(app, lecture.Id, "queued@example.cn", DateTimeOffset.UtcNow, 1);
        // As the console's removal does (the manage link comes with the email, after the number).
        Assert.IsType<CancelResult.Cancelled>(await app.Get<EventLedger>().CancelAsync(lecture.Id, queued.RowKey, queued.RegistrationId));
        Assert.Empty(await InboxAsync(app, lecture.Id)); // its inbox row went with it, so nobody numbers it later
        Assert.DoesNotContain(await app.RegistrationsAsync(lecture.Id), r => r.RegistrationId == queued.RegistrationId);
        var ev = await app.StoredEventRowAsync(lecture.Id);
        Assert.Equal((1, 1, 1), (ev.Confirmed, ev.Waitlisted, ev.Withdrawn));

        // The same form sent twice while people wait: the second insert meets the first's row.
        var once = await SignUpAsync(app, lecture.Id, 2);
        var twice = await SignUpAsync(app, lecture.Id, 2);
        Assert.Equal(once.RegistrationId, twice.RegistrationId);
        await NumberedAsync(app, lecture.Id);
        Assert.Single(await app.RegistrationsAsync(lecture.Id), r => r.Email == "person2@example.cn");
        await LedgerTests.AssertCountersEqualRowsAsync(app, lecture.Id);
    }

    [Fact]
    public async Task Cancelling_one_of_an_inserts_sign_ups_takes_only_its_name_off_the_inbox_row_and_the_others_are_numbered_in_order()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: Always);
        var lecture = await app.CreateEventAsync(OneSeat());
        await SignUpAsync(app, lecture.Id, 0);
        await SignUpAsync(app, lecture.Id, 1);
        var batch = await LeaveBatchInInboxAsync(app, lecture.Id, ["a@example.cn", "b@example.cn", "c@example.cn"], DateTimeOffset.UtcNow, 1);

        // The middle one cancels before the number: the row still names the other two, in their order.
        Assert.IsType<CancelResult.Cancelled>(await app.Get<EventLedger>().CancelAsync(lecture.Id, batch[1].RowKey, batch[1].RegistrationId));
        var inbox = Assert.Single(await InboxAsync(app, lecture.Id));
        Assert.Equal([batch[0].RowKey, batch[2].RowKey], WaitlistInbox.Named(inbox).Select(n => n.RegistrationKey));

        // The next commit numbers them (and deletes the row); the one who cancelled is never numbered.
        var newer = await SignUpAsync(app, lecture.Id, 2);
        await NumberedAsync(app, lecture.Id);
        var rows = (await app.RegistrationsAsync(lecture.Id)).Where(r => r.Sequence > 2).OrderBy(r => r.Sequence).Select(r => r.RegistrationId);
        Assert.Equal([batch[0].RegistrationId, batch[2].RegistrationId, newer.RegistrationId], rows);
        Assert.DoesNotContain(await app.RegistrationsAsync(lecture.Id), r => r.RegistrationId == batch[1].RegistrationId);
        await LedgerTests.AssertCountersEqualRowsAsync(app, lecture.Id);
    }

    [Fact]
    public async Task A_name_whose_registration_is_gone_is_dropped_and_the_rest_are_numbered()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: Always);
        var lecture = await app.CreateEventAsync(OneSeat());
        await SignUpAsync(app, lecture.Id, 0);
        await SignUpAsync(app, lecture.Id, 1);
        var batch = await LeaveBatchInInboxAsync(app, lecture.Id, ["a@example.cn", "b@example.cn", "c@example.cn"], DateTimeOffset.UtcNow, 1);
        var alone = await LeaveBatchInInboxAsync(app, lecture.Id, ["d@example.cn"], DateTimeOffset.UtcNow.AddMilliseconds(1), 2);
        // Rows deleted outside the ledger (never by it: a cancellation takes the name off too).
        var table = await app.TableAsync();
        await table.DeleteEntityAsync(lecture.Id, batch[1].RowKey);
        await table.DeleteEntityAsync(lecture.Id, alone[0].RowKey);

        // The numbering that meets them drops their names (the row of the lone one goes the next time round) and the
        // others are numbered in order, before a newer sign-up; nothing is left in the inbox to hold the event up.
        var newer = await SignUpAsync(app, lecture.Id, 2);
        await NumberedAsync(app, lecture.Id);
        var order = (await app.RegistrationsAsync(lecture.Id)).Where(r => r.Sequence > 2).OrderBy(r => r.Sequence).Select(r => r.RegistrationId);
        Assert.Equal([batch[0].RegistrationId, batch[2].RegistrationId, newer.RegistrationId], order);
        await LedgerTests.AssertCountersEqualRowsAsync(app, lecture.Id);
    }

    [Fact]
    public async Task An_inbox_row_numbered_in_part_keeps_the_rest_named_and_the_next_commit_numbers_them_in_order()
    {
        // This instance never uses the inbox itself; another left two inserts of 50 there: more than one commit holds.
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: new() { ["EventFunctions:WaitlistInbox"] = "Off" });
        var lecture = await app.CreateEventAsync(OneSeat());
        await SignUpAsync(app, lecture.Id, 0);
        await SignUpAsync(app, lecture.Id, 1);
        var table = await app.TableAsync();
        await table.UpdateEntityAsync(new TableEntity(lecture.Id, EventEntity.RowKeyValue) { [nameof(EventEntity.InboxUntil)] = DateTimeOffset.UtcNow.AddMinutes(2) }, Azure.ETag.All);
        var start = DateTimeOffset.UtcNow.AddSeconds(-1);
        var left = new List<RegistrationEntity>();
        for (var b = 0; b < 2; b++)
            left.AddRange(await LeaveBatchInInboxAsync(app, lecture.Id, Enumerable.Range(0, WaitlistInbox.MaxPerInsert).Select(i => $"left{b}-{i}@example.cn").ToList(), start.AddMilliseconds(b), b));

        var late = await SignUpAsync(app, lecture.Id, 2);
        Assert.Equal((RegistrationStatus.Waitlisted, (int?)102), (late.Status, late.WaitlistPosition)); // behind the one waiting and the 100
        await NumberedAsync(app, lecture.Id);
        var order = (await app.RegistrationsAsync(lecture.Id)).Where(r => r.Sequence > 2).OrderBy(r => r.Sequence).Select(r => r.RegistrationId).ToList();
        Assert.Equal(left.Select(r => r.RegistrationId).Append(late.RegistrationId), order);
        await LedgerTests.AssertCountersEqualRowsAsync(app, lecture.Id);
    }

    [Fact]
    public async Task A_direct_sign_up_that_finds_more_in_the_inbox_than_one_commit_numbers_waits_for_them_and_is_told_its_place()
    {
        // This instance never uses the inbox itself; another left 60 sign-ups there.
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: new() { ["EventFunctions:WaitlistInbox"] = "Off" });
        var lecture = await app.CreateEventAsync(OneSeat());
        await SignUpAsync(app, lecture.Id, 0);
        await SignUpAsync(app, lecture.Id, 1);
        var table = await app.TableAsync();
        await table.UpdateEntityAsync(new TableEntity(lecture.Id, EventEntity.RowKeyValue) { [nameof(EventEntity.InboxUntil)] = DateTimeOffset.UtcNow.AddMinutes(2) }, Azure.ETag.All);
        var start = DateTimeOffset.UtcNow.AddSeconds(-1);
        var left = new List<RegistrationEntity>();
        for (var i = 0; i < 60; i++) left.Add(await LeaveInInboxAsync(app, lecture.Id, $"left{i}@example.cn", start.AddMilliseconds(i), i));

        var late = await SignUpAsync(app, lecture.Id, 2);
        Assert.Equal((RegistrationStatus.Waitlisted, (int?)62), (late.Status, late.WaitlistPosition)); // behind the one waiting and the 60
        await NumberedAsync(app, lecture.Id);
        var order = (await app.RegistrationsAsync(lecture.Id)).Where(r => r.Sequence > 2).OrderBy(r => r.Sequence).Select(r => r.RegistrationId).ToList();
        Assert.Equal(left.Select(r => r.RegistrationId).Append(late.RegistrationId), order);
        await LedgerTests.AssertCountersEqualRowsAsync(app, lecture.Id);
    }

    /// <summary>Lets the first waitlist-inbox insert reach storage, then loses its answer (as a connection cut after the write).</summary>
    private sealed class LoseFirstInsertAnswer : Azure.Core.Pipeline.HttpPipelinePolicy
    {
        private int _armed, _lost;
        public int Lost => Volatile.Read(ref _lost);
        public void Arm() => Volatile.Write(ref _armed, 1);

        public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            var insert = false;
            if (Volatile.Read(ref _armed) == 1 && message.Request.Uri.Path.EndsWith("/$batch", StringComparison.Ordinal) && message.Request.Content is { } content)
            {
                using var body = new MemoryStream();
                await content.WriteToAsync(body, default);
                insert = System.Text.Encoding.UTF8.GetString(body.ToArray()).Contains($"\"{WaitlistInbox.Slot(0)}\"", StringComparison.Ordinal)
                    && !System.Text.Encoding.UTF8.GetString(body.ToArray()).Contains("MERGE", StringComparison.Ordinal);
            }

            await ProcessNextAsync(message, pipeline);
            if (insert && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                Interlocked.Increment(ref _lost);
                throw new HttpRequestException("The connection was cut after the insert was written (test).");
            }
        }
    }

    [Fact]
    public async Task An_insert_whose_answer_is_lost_is_found_stored_and_answered_once()
    {
        var lose = new LoseFirstInsertAnswer();
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: Always,
            services: s => s.AddAzureClients(b => b.ConfigureDefaults(o => o.AddPolicy(lose, Azure.Core.HttpPipelinePosition.PerCall))));
        var lecture = await app.CreateEventAsync(OneSeat());
        await SignUpAsync(app, lecture.Id, 0);
        await SignUpAsync(app, lecture.Id, 1);

        lose.Arm();
        var outcome = await app.Get<RegistrationService>().SignUpAsync(lecture.Id,
            new SignUpInput { Name = "参与者2", Email = "person2@example.cn", Consent = true, Language = "zh-CN" }, UiText.Chinese, default);
        Assert.Equal(1, lose.Lost);
        // The retry met its own row (409) and knew it by its id: stored now, not answered as a repeat of itself.
        var registered = Assert.IsType<SignUpOutcome.Registered>(outcome);
        Assert.False(registered.Repeated);
        var third = registered.Registration;
        Assert.Equal((RegistrationStatus.Waitlisted, (int?)null), (third.Status, third.WaitlistPosition));
        await NumberedAsync(app, lecture.Id);
        var row = Assert.Single(await app.RegistrationsAsync(lecture.Id), r => r.Email == "person2@example.cn");
        Assert.Equal((third.RegistrationId, RegistrationStatus.Waitlisted, 3L), (row.RegistrationId, row.Status, row.Sequence));
        await LedgerTests.AssertCountersEqualRowsAsync(app, lecture.Id);
    }

    [Fact]
    public async Task The_waitlists_limit_holds_the_inbox_closes_with_room_to_spare_and_the_event_row_fills_the_rest_exactly()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: Always);
        var lecture = await app.CreateEventAsync(OneSeat(waitlistLimit: 250)); // the inbox while 200 places are left
        await SignUpAsync(app, lecture.Id, 0);
        await SignUpAsync(app, lecture.Id, 1);

        using var go = new ManualResetEventSlim(false);
        var rush = Enumerable.Range(2, 300).Select(i => Task.Run(async () => { go.Wait(); return await LedgerTests.SignUpAsync(app, lecture.Id, i); })).ToList();
        go.Set();
        var answers = await Task.WhenAll(rush);
        await NumberedAsync(app, lecture.Id);

        var byStatus = string.Join(", ", answers.GroupBy(a => a.Status).Select(g => $"{g.Key}: {g.Count()}"));
        Assert.True(answers.Count(a => a.Status == 201) == 249, $"every place left, not one more: {byStatus}");
        Assert.Equal(51, answers.Count(a => a.Status == 409)); // the rest: full, told so
        Assert.Contains(answers, a => a.Value is RegistrationView { WaitlistPosition: null }); // some through the inbox
        Assert.Contains(answers, a => a.Value is RegistrationView { WaitlistPosition: > 0 }); // the last places told at once
        var ev = await app.StoredEventRowAsync(lecture.Id);
        Assert.Equal(250, ev.Waitlisted);
        Assert.True(ev.InboxUntil <= DateTimeOffset.UtcNow, "closed once fewer than 200 places were left");
        await LedgerTests.AssertCountersEqualRowsAsync(app, lecture.Id);
    }

    [Fact]
    public async Task The_result_page_says_the_place_comes_by_email()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: Always);
        var lecture = await app.CreateEventAsync(OneSeat());
        await SignUpAsync(app, lecture.Id, 0);
        await SignUpAsync(app, lecture.Id, 1);
        var (status, html) = Results.Html(await app.SignUpForm.Submit(Requests.Form($"/api/signup/{lecture.Id}",
            [new("name", "王磊"), new("email", "wanglei@example.cn"), new("phone", "13812345678"), new("consent", "true")]), lecture.Id, default));
        Assert.Equal(200, status);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(UiText.Chinese.WaitlistPlaceByEmail), html);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(UiText.Chinese.WaitlistedHeading), html);
        await NumberedAsync(app, lecture.Id);
    }
}
