using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace EventFunctions.Tests;

/// <summary>The approval rule on its own: pending until decided, then a seat, the end of the waitlist, or declined.</summary>
[Trait("Tier", "Fast")]
public sealed class ApprovalRuleTests
{
    private static EventRecord Visit(int capacity, bool waitlist = true) => new()
    {
        Id = "visit", Kind = EventKind.SiteVisit, Title = "自来水厂参观", StartUtc = DateTimeOffset.UtcNow.AddDays(7), EndUtc = DateTimeOffset.UtcNow.AddDays(7).AddHours(2),
        TimeZoneId = "Asia/Shanghai", Capacity = capacity, WaitlistAllowed = waitlist, WaitlistLimit = 10, RequiresApproval = true,
        SignUpOpensUtc = DateTimeOffset.UtcNow.AddDays(-1), SignUpClosesUtc = DateTimeOffset.UtcNow.AddDays(6),
        OrganiserName = "自来水公司", OrganiserEmail = "visit@water.example.cn",
    };

    private static RegistrationEntity Row(string key, string status, long sequence) =>
        new() { RowKey = key, RegistrationId = key.ToUpperInvariant()[..8].PadRight(8, 'X'), Status = status, Sequence = sequence, StateVersion = 1 };

    [Fact]
    public void A_sign_up_waits_pending_without_a_seat_until_the_start()
    {
        var e = Visit(capacity: 2);
        var plan = new SeatPlan(e, new SeatCounters(0, 0, 0, 0, 0, 0), DateTimeOffset.UtcNow);
        var op = new SignUpOp(new RegistrationEntity { RowKey = "reg-a" });
        plan.SignUp(op);
        var after = plan.Finish();
        Assert.Equal(RegistrationStatus.Pending, op.Row.Status);
        Assert.Equal(e.StartUtc, op.Row.DecideBy);
        Assert.Equal((0, 0, 1, 1), (after.Confirmed, after.Waitlisted, after.Pending, after.Unconfirmed));
        Assert.False(SeatRules.Expired(op.Row, e.StartUtc.AddSeconds(-1)));
        Assert.True(SeatRules.Expired(op.Row, e.StartUtc));
    }

    [Fact]
    public void Approving_gives_a_seat_then_the_end_of_the_waitlist_and_never_more_than_there_is()
    {
        var e = Visit(capacity: 1, waitlist: true) with { WaitlistLimit = 1 };
        var plan = new SeatPlan(e, new SeatCounters(0, 0, 0, 0, 0, 10, Unconfirmed: 4, Pending: 4), DateTimeOffset.UtcNow);
        var rows = new[] { Row("reg-aaaaaaaa", RegistrationStatus.Pending, 1), Row("reg-bbbbbbbb", RegistrationStatus.Pending, 2), Row("reg-cccccccc", RegistrationStatus.Pending, 3), Row("reg-dddddddd", RegistrationStatus.Pending, 4) };
        var ops = rows.Select((r, i) => new DecideOp(r.RowKey, r.RegistrationId, approve: i < 3, "organiser:djb@example.cn")).ToList();
        for (var i = 0; i < rows.Length; i++) plan.Decide(ops[i], rows[i]);
        Assert.Equal(RegistrationStatus.Confirmed, rows[0].Status);
        Assert.Equal(RegistrationStatus.Waitlisted, rows[1].Status);
        Assert.Equal(11, rows[1].Sequence); // behind everyone who came before the approval
        Assert.IsType<DecideResult.Full>(plan.Results[ops[2]]); // no seat, waitlist full: stays pending
        Assert.Equal(RegistrationStatus.Pending, rows[2].Status);
        Assert.Equal(RegistrationStatus.Declined, rows[3].Status);
        var after = plan.Finish();
        Assert.Equal((1, 1, 1, 1), (after.Confirmed, after.Waitlisted, after.Pending, after.Unconfirmed));

        // Deciding again on someone decided: nothing written.
        var again = new SeatPlan(after, new SeatCounters(1, 1, 0, 0, 0, 11, Unconfirmed: 1, Pending: 1), DateTimeOffset.UtcNow);
        var twice = new DecideOp(rows[0].RowKey, rows[0].RegistrationId, approve: false, "organiser:other@example.cn");
        again.Decide(twice, rows[0]);
        Assert.Equal(new DecideResult.AlreadyDecided(RegistrationStatus.Confirmed), again.Results[twice]);
        Assert.False(again.Writes);
    }
}

/// <summary>At the door: someone not (yet) approved has no seat and is not checked in.</summary>
[Trait("Tier", "Fast")]
public sealed class ApprovalDoorRuleTests
{
    [Theory]
    [InlineData(RegistrationStatus.Pending)]
    [InlineData(RegistrationStatus.Declined)]
    public void A_sign_up_without_approval_is_refused_at_the_door(string status)
    {
        var e = new EventRecord
        {
            Id = "visit", Kind = EventKind.SiteVisit, Title = "参观", StartUtc = DateTimeOffset.UtcNow, EndUtc = DateTimeOffset.UtcNow.AddHours(2), TimeZoneId = "Asia/Shanghai",
            Capacity = 5, WaitlistAllowed = false, SignUpOpensUtc = DateTimeOffset.UtcNow.AddDays(-2), SignUpClosesUtc = DateTimeOffset.UtcNow.AddDays(-1),
            OrganiserName = "x", OrganiserEmail = "x@example.cn", RequiresApproval = true,
        };
        var row = new RegistrationEntity { RowKey = "reg-a", RegistrationId = "AAAAAAAA", Status = status };
        var (result, write) = AttendanceRules.Decide(new AttendanceOp(AttendanceKind.CheckIn, "reg-a", "door:x", null), row, e, DateTimeOffset.UtcNow);
        Assert.Equal(CheckInRefusal.NotApproved, Assert.IsType<AttendanceResult.Refused>(result).Reason);
        Assert.Null(write);
        Assert.Equal("未获批准", Shared.Attendance.DoorText.Chinese.Status(status));
    }
}

/// <summary>Approval in the ledger against Azurite, with two instances and the hold sweep.</summary>
[Collection(StorageCollection.Name)]
public sealed class ApprovalTests(AzuriteFixture azurite)
{
    private static Dictionary<string, object?> Visit(int capacity)
    {
        var visit = Seed.Lecture(capacity: capacity);
        visit["requiresApproval"] = true;
        visit["confirmEmail"] = true; // asked for, but an event that needs approval does not also ask for the email
        return visit;
    }

    [Fact]
    public async Task Two_organisers_approving_many_at_once_on_two_instances_never_oversell_and_each_person_is_decided_once()
    {
        var a = await TestApp.StartAsync(azurite.ConnectionString);
        await using var _ = a;
        await using var b = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: new()
        {
            ["EventFunctions:TableName"] = a.TableName,
            ["EventFunctions:ConfirmationQueue"] = a.QueueName,
        });
        var e = await a.CreateEventAsync(Visit(capacity: 5));
        Assert.False(e.ConfirmEmail);
        var people = new List<RegistrationView>();
        for (var i = 0; i < 12; i++) people.Add(await Kit.SignUpAsync(a, e.Id, $"访客{i}", $"visitor{i}@example.cn", null));
        Assert.All(people, p => Assert.Equal(RegistrationStatus.Pending, p.Status));
        Assert.Equal((0, 12), ((await a.EventRowAsync(e.Id)).Confirmed, (await a.EventRowAsync(e.Id)).Pending));
        await a.DeliverQueuedAsync(); // told at once that it waits for approval
        Assert.Equal(12, a.SendGrid!.Mails.Select(Mail.From).Count(m => m.Subject.StartsWith("报名已收到，等待审核", StringComparison.Ordinal)));

        // Both organisers approve all twelve at the same moment, one through each instance.
        var rows = await a.RegistrationsAsync(e.Id);
        var decisions = rows.SelectMany(r => new[] { (App: a, Row: r, By: "organiser:one@example.cn"), (App: b, Row: r, By: "organiser:two@example.cn") })
            .Select(d => Task.Run(() => d.App.Get<EventLedger>().DecideAsync(e.Id, d.Row.RowKey, d.Row.RegistrationId, approve: true, d.By))).ToList();
        var results = await Task.WhenAll(decisions);
        Assert.Equal(12, results.Count(r => r is DecideResult.Decided));
        Assert.Equal(12, results.Count(r => r is DecideResult.AlreadyDecided));

        var after = await a.RegistrationsAsync(e.Id);
        var ev = await a.EventRowAsync(e.Id);
        Assert.Equal(5, after.Count(r => r.Status == RegistrationStatus.Confirmed));
        Assert.Equal(7, after.Count(r => r.Status == RegistrationStatus.Waitlisted));
        Assert.Equal((5, 7, 0, 0), (ev.Confirmed, ev.Waitlisted, ev.Pending, ev.Unconfirmed));
        Assert.All(after, r => Assert.Equal(2, r.StateVersion)); // each decided once

        // Each person hears once: pending at sign-up, then the outcome.
        await a.DeliverQueuedAsync();
        var mails = a.SendGrid!.Mails.Select(Mail.From).ToList();
        Assert.True(mails.Count == 24, string.Join(" | ", mails.Select(m => m.Subject)));
        Assert.Contains(mails, m => m.Subject.StartsWith("报名已通过审核", StringComparison.Ordinal) && m.Plain.Contains("候补", StringComparison.Ordinal));
        Assert.Equal(12, mails.Count(m => m.Subject.StartsWith("报名已收到，等待审核", StringComparison.Ordinal)));
        Assert.Equal(12, mails.Count(m => m.Subject.StartsWith("报名已通过审核", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_declined_person_signs_up_again_only_when_allowed_and_undecided_ones_lapse_at_the_start_and_are_told()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, clock: clock);
        var e = await app.CreateEventAsync(Visit(capacity: 5));
        var wang = await Kit.SignUpAsync(app, e.Id, "王芳", "wangfang@example.cn", null);
        var li = await Kit.SignUpAsync(app, e.Id, "李强", "liqiang@example.cn", null);
        var wangRow = await Kit.RowAsync(app, e.Id, wang.RegistrationId);
        var declined = await app.Get<EventLedger>().DecideAsync(e.Id, wangRow.RowKey, wang.RegistrationId, approve: false, "organiser:djb@example.cn");
        Assert.Equal(RegistrationStatus.Declined, Assert.IsType<DecideResult.Decided>(declined).Row.Status);

        // The same address again: refused as registered; nothing new stored.
        var (status, _) = await LedgerTests.SignUpAsync(app, e.Id, 0);
        Assert.Equal(201, status); // someone else is fine
        var again = await app.RegisterForEvent.Run(Requests.Json("POST", $"/api/events/{e.Id}/registrations", Seed.Person("王芳", "wangfang@example.cn", null)), e.Id, default);
        Assert.Equal(409, Assert.IsAssignableFrom<Microsoft.AspNetCore.Mvc.ObjectResult>(again).StatusCode);

        // Approving someone who cancelled meanwhile: nothing to approve.
        var liRow = await Kit.RowAsync(app, e.Id, li.RegistrationId);
        Assert.IsType<CancelOutcome.Cancelled>(await app.Get<RegistrationService>().CancelAsync(e.Id, li.RegistrationId, TestTokens.Manage(liRow), default));
        Assert.IsType<DecideResult.NotFound>(await app.Get<EventLedger>().DecideAsync(e.Id, liRow.RowKey, li.RegistrationId, approve: true, "organiser:djb@example.cn"));

        // Nobody decides on the third before the start: the sweep takes it off and tells them.
        Assert.Equal(1, (await app.EventRowAsync(e.Id)).Pending);
        clock.SetUtcNow((await app.EventRowAsync(e.Id)).StartUtc.AddMinutes(1));
        Assert.Equal(1, await app.Get<RegistrationService>().ExpireHoldsAsync(default));
        var ev = await app.EventRowAsync(e.Id);
        Assert.Equal((0, 0, 0), (ev.Pending, ev.Unconfirmed, ev.Confirmed));
        await app.DeliverQueuedAsync();
        var lapsed = Assert.Single(app.SendGrid!.Mails.Select(Mail.From), m => m.Subject.StartsWith("报名未能审核，已失效", StringComparison.Ordinal));
        Assert.Equal("person0@example.cn", lapsed.To);
        Assert.Single(app.SendGrid!.Mails.Select(Mail.From), m => m.Subject.StartsWith("报名未通过审核", StringComparison.Ordinal) && m.To == "wangfang@example.cn");
    }

    [Fact]
    public async Task The_organiser_approves_many_and_declines_one_from_the_event_page_and_lets_them_sign_up_again()
    {
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole());
        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(ConsoleAccessTests.Admin);
        var created = await host.CreateEventAsync(Visit(capacity: 2));
        var eventId = created.GetProperty("id").GetString()!;
        async Task<int> SignUp(string name, string email)
        {
            using var response = await host.Http.PostAsync($"/api/events/{eventId}/registrations",
                System.Net.Http.Json.JsonContent.Create(Seed.Person(name, email, null)));
            return (int)response.StatusCode;
        }

        foreach (var (name, email) in new[] { ("王芳", "wf@example.cn"), ("李强", "lq@example.cn"), ("赵敏", "zm@example.cn"), ("陈静", "cj@example.cn") })
            Assert.Equal(201, await SignUp(name, email));
        var rows = (await host.RegistrationsAsync(eventId)).ToDictionary(r => r.Name);
        var (status, page) = await admin.GetAsync($"/api/console/events/{eventId}");
        Assert.Equal(200, status);
        Assert.Contains("待审核 Pending: 4", page);

        // Nothing ticked: said so, nothing changed.
        (status, page, _) = await admin.PostAsync($"/api/console/events/{eventId}/decide", ("decision", "approve"));
        Assert.Equal(400, status);
        Assert.Contains("请先勾选", page);

        // Three approved at once for two seats: two seated, one on the waitlist; one declined on its own.
        (status, page, _) = await admin.PostAsync($"/api/console/events/{eventId}/decide",
            ("r." + rows["王芳"].RegistrationId, "on"), ("r." + rows["李强"].RegistrationId, "on"), ("r." + rows["赵敏"].RegistrationId, "on"), ("decision", "approve"));
        Assert.Equal(200, status);
        Assert.Contains("已批准 3 人（其中 1 人因满员转为候补）", page);
        (status, page, _) = await admin.PostAsync($"/api/console/events/{eventId}/decide", ("r." + rows["陈静"].RegistrationId, "on"), ("decision", "decline"));
        Assert.Contains("拒绝 1 人", page);
        var after = (await host.RegistrationsAsync(eventId)).ToDictionary(r => r.Name);
        Assert.Equal([RegistrationStatus.Confirmed, RegistrationStatus.Confirmed, RegistrationStatus.Waitlisted, RegistrationStatus.Declined],
            new[] { "王芳", "李强", "赵敏", "陈静" }.Select(n => after[n].Status));
        Assert.Equal(ConsoleAccessTests.Admin, after["王芳"].DecidedBy); // who decided, as the change history names them

        // Declined: the same address is refused until the organiser allows it again.
        Assert.Equal(409, await SignUp("陈静", "cj@example.cn"));
        (status, page, _) = await admin.PostAsync($"/api/console/events/{eventId}/registrations/{after["陈静"].RegistrationId}/allow");
        Assert.Equal(200, status);
        Assert.Contains("已允许此人重新报名", page);
        Assert.Equal(201, await SignUp("陈静", "cj@example.cn"));
        Assert.Equal(RegistrationStatus.Pending, (await host.RegistrationsAsync(eventId)).Single(r => r.Name == "陈静").Status);
    }
}
