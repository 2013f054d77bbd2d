using System.Net.Http.Json;
using EventFunctions.Shared;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Units;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace EventFunctions.Tests;

/// <summary>The seats-per-unit rule on its own: a unit's own seats, then the pool, never past the capacity.</summary>
[Trait("Tier", "Fast")]
public sealed class UnitSeatRuleTests
{
    private static EventRecord Meeting(Invitation invitation, Dictionary<string, int>? used = null) => new()
    {
        Id = "meeting", Kind = EventKind.Salon, Title = "联席会议", StartUtc = DateTimeOffset.UtcNow.AddDays(7), EndUtc = DateTimeOffset.UtcNow.AddDays(7).AddHours(2),
        TimeZoneId = "Asia/Shanghai", Capacity = invitation.UnitSeats + invitation.Pool, WaitlistAllowed = true,
        SignUpOpensUtc = DateTimeOffset.UtcNow.AddDays(-1), SignUpClosesUtc = DateTimeOffset.UtcNow.AddDays(6),
        OrganiserName = "党建办", OrganiserEmail = "djb@jiedao.example.cn", Invitation = invitation,
        UnitUsed = used ?? new Dictionary<string, int>(), Confirmed = used?.Values.Sum() ?? 0,
    };

    private static readonly Invitation TwoEachPoolOne = new([new("water", "自来水公司", 2), new("law", "律所", 2)], Pool: 1);

    [Fact]
    public void A_unit_takes_its_own_seats_then_the_pool_and_then_waits()
    {
        var e = Meeting(TwoEachPoolOne);
        Assert.True(UnitSeatRules.CanSeat(e, new Dictionary<string, int> { ["water"] = 1 }, "water"));
        Assert.True(UnitSeatRules.CanSeat(e, new Dictionary<string, int> { ["water"] = 2 }, "water")); // the pool's one
        Assert.False(UnitSeatRules.CanSeat(e, new Dictionary<string, int> { ["water"] = 3 }, "water"));
        // The law firm's seats are kept for it even when the water company has taken the pool.
        Assert.True(UnitSeatRules.CanSeat(e, new Dictionary<string, int> { ["water"] = 3, ["law"] = 1 }, "law"));
        Assert.False(UnitSeatRules.CanSeat(e, new Dictionary<string, int> { ["water"] = 3, ["law"] = 2 }, "law"));
        Assert.False(UnitSeatRules.CanSeat(e, new Dictionary<string, int>(), "museum")); // not invited
        Assert.Equal(5, UnitSeatRules.Taken(TwoEachPoolOne, new Dictionary<string, int> { ["water"] = 3 }));
    }

    [Fact]
    public void Released_seats_are_the_pools_and_a_plan_seats_waits_and_promotes_in_order()
    {
        var e = Meeting(TwoEachPoolOne);
        var plan = new SeatPlan(e, new SeatCounters(0, 0, 0, 0, 0, 0), DateTimeOffset.UtcNow);
        var ops = new List<SignUpOp>();
        for (var i = 0; i < 5; i++)
        {
            var op = new SignUpOp(new RegistrationEntity { RowKey = $"reg-w{i}", UnitId = "water" });
            ops.Add(op);
            plan.SignUp(op);
        }

        // Two of the water company's seats, the pool's one, then two wait; the law firm's two are untouched.
        Assert.Equal([RegistrationStatus.Confirmed, RegistrationStatus.Confirmed, RegistrationStatus.Confirmed, RegistrationStatus.Waitlisted, RegistrationStatus.Waitlisted], ops.Select(o => o.Row.Status));
        var after = plan.Finish();
        Assert.Equal(3, after.UnitUsed["water"]);
        Assert.Equal(3, after.Confirmed);

        // Released: the law firm's unused seats go to the water company's people waiting, in order.
        var released = after with { Invitation = TwoEachPoolOne with { Released = true } };
        var next = new SeatPlan(released, new SeatCounters(3, 2, 0, 0, 0, 5), DateTimeOffset.UtcNow);
        next.Promote([new WaitingHead("reg-w3", "W3", 1, UnitId: "water"), new WaitingHead("reg-w4", "W4", 1, UnitId: "water")], room: 10);
        Assert.Equal(["reg-w3", "reg-w4"], next.Promotions.Select(p => p.RowKey));
        Assert.Equal(5, next.Finish().UnitUsed["water"]);
    }

    [Fact]
    public void Fewer_seats_than_a_unit_holds_are_refused_unless_the_pool_covers_them()
    {
        var used = new Dictionary<string, int> { ["water"] = 2 };
        Assert.Null(UnitSeatRules.Error(Meeting(new Invitation([new("water", "自来水公司", 1), new("law", "律所", 2)], 1), used), used));
        Assert.NotNull(UnitSeatRules.Error(Meeting(new Invitation([new("water", "自来水公司", 1), new("law", "律所", 2)], 0), used), used));
    }
}

/// <summary>Seats per unit in the ledger, against Azurite, with two instances: the guarantees capacity has, per unit.</summary>
[Collection(StorageCollection.Name)]
public sealed class UnitSeatTests(AzuriteFixture azurite)
{
    private async Task<(TestApp A, TestApp B)> TwoInstancesAsync()
    {
        var a = await TestApp.StartAsync(azurite.ConnectionString);
        var b = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: new()
        {
            ["EventFunctions:TableName"] = a.TableName,
            ["EventFunctions:ConfirmationQueue"] = a.QueueName,
        });
        return (a, b);
    }

    private static async Task<(string EventId, Invitation Invitation)> MeetingAsync(TestApp app, int units, int seatsEach, int pool)
    {
        var e = await app.CreateEventAsync(Seed.Lecture(capacity: 10, waitlist: true));
        var invitation = new Invitation(Enumerable.Range(0, units).Select(i => new InvitedUnit(Ids.NewUnitId(), $"成员单位{i}", seatsEach)).ToList(), pool);
        var set = await app.Get<EventService>().SetInvitationAsync(e.Id, invitation, default);
        Assert.IsType<EventOutcome.Ok>(set);
        return (e.Id, invitation);
    }

    private static async Task<int> SignUpAsync(TestApp app, string eventId, string? unitToken, int i)
    {
        var path = $"/api/events/{eventId}/registrations" + (unitToken is null ? "" : $"?u={Uri.EscapeDataString(unitToken)}");
        var result = await app.RegisterForEvent.Run(Requests.Json("POST", path, Seed.Person($"参会者{i}", $"member{i}@example.cn", phone: null)), eventId, default);
        return Assert.IsAssignableFrom<ObjectResult>(result).StatusCode ?? 200;
    }

    private static async Task AssertUnitSeatsHoldAsync(TestApp app, string eventId)
    {
        var rows = await app.RegistrationsAsync(eventId);
        var ev = (await app.EventRowAsync(eventId)).ToRecord();
        var seated = rows.Where(r => r.Status is RegistrationStatus.Confirmed or RegistrationStatus.Held).ToList();
        Assert.Equal(seated.Count, ev.Confirmed);
        Assert.Equal(rows.Count(r => r.Status == RegistrationStatus.Waitlisted), ev.Waitlisted);
        Assert.True(ev.Confirmed <= ev.Capacity, $"{ev.Confirmed} seated for {ev.Capacity} seats");
        foreach (var unit in ev.Invitation!.Units)
        {
            var people = seated.Count(r => r.UnitId == unit.UnitId);
            Assert.Equal(people, UnitSeatRules.Used(ev.UnitUsed, unit.UnitId)); // the counters are the rows
            Assert.All(rows.Where(r => r.UnitId == unit.UnitId), r => Assert.Equal(unit.Name, r.Organisation));
        }

        // Beyond its own seats a unit holds only pool seats, and the pool is never over-given.
        var overflow = ev.Invitation.Units.Sum(u => Math.Max(0, UnitSeatRules.Used(ev.UnitUsed, u.UnitId) - UnitSeatRules.Kept(ev.Invitation, u.UnitId)));
        Assert.True(overflow <= ev.Capacity - ev.Invitation.Units.Sum(u => UnitSeatRules.Kept(ev.Invitation, u.UnitId)), $"{overflow} people in a pool of {ev.Invitation.Pool}");
    }

    [Fact]
    public async Task Several_units_rushing_at_once_on_two_instances_never_pass_their_seats_or_the_capacity()
    {
        var (a, b) = await TwoInstancesAsync();
        await using var _ = a;
        await using var __ = b;
        var (eventId, invitation) = await MeetingAsync(a, units: 4, seatsEach: 2, pool: 3);
        var links = a.Get<UnitLinks>();
        var ev = (await a.EventRowAsync(eventId)).ToRecord();
        Assert.Equal(11, ev.Capacity);

        // 4 units × 10 people, all at once, through both instances (11 seats, 29 on the waitlist of 30).
        using var go = new ManualResetEventSlim(false);
        var tasks = Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            go.Wait();
            var unit = invitation.Units[i % 4];
            return await SignUpAsync(i % 2 == 0 ? a : b, eventId, links.SignUpToken(ev, unit.UnitId), i);
        })).ToList();
        go.Set();
        var statuses = await Task.WhenAll(tasks);
        Assert.All(statuses, s => Assert.Equal(201, s));

        var rows = await a.RegistrationsAsync(eventId);
        Assert.Equal(40, rows.Count);
        Assert.Equal(11, rows.Count(r => r.Status == RegistrationStatus.Confirmed));
        foreach (var unit in invitation.Units) Assert.InRange(rows.Count(r => r.UnitId == unit.UnitId && r.Status == RegistrationStatus.Confirmed), 2, 5);
        await AssertUnitSeatsHoldAsync(a, eventId);
    }

    [Fact]
    public async Task A_link_edited_to_another_unit_or_missing_is_refused_and_nothing_is_stored()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var (eventId, invitation) = await MeetingAsync(app, units: 2, seatsEach: 1, pool: 0);
        var links = app.Get<UnitLinks>();
        var ev = (await app.EventRowAsync(eventId)).ToRecord();
        var token = links.SignUpToken(ev, invitation.Units[0].UnitId);

        // The unit's id in the token swapped for the other unit's: the signature no longer matches.
        var parts = token.Split('.');
        parts[1] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(invitation.Units[1].UnitId)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(403, await SignUpAsync(app, eventId, string.Join('.', parts), 1));
        Assert.Equal(403, await SignUpAsync(app, eventId, null, 2));
        Assert.Equal(403, await SignUpAsync(app, eventId, links.SignUpToken(ev with { Id = "otherevent" }, invitation.Units[0].UnitId), 3));
        // A unit taken off the invitation: its old link no longer signs up.
        var dropped = links.SignUpToken(ev, invitation.Units[1].UnitId);
        Assert.IsType<EventOutcome.Ok>(await app.Get<EventService>().SetInvitationAsync(eventId, invitation with { Units = [invitation.Units[0]] }, default));
        Assert.Equal(403, await SignUpAsync(app, eventId, dropped, 4));
        Assert.Empty(await app.RegistrationsAsync(eventId));

        // The form without a unit's link says the event is by invitation; with it, the unit is fixed, not typed.
        var (status, html) = Results.Html(await app.SignUpForm.Show(Requests.Get($"/api/signup/{eventId}"), eventId, default));
        Assert.Equal(403, status);
        Assert.Contains("本活动仅限受邀单位报名", html);
        (status, html) = Results.Html(await app.SignUpForm.Show(Requests.Get($"/api/signup/{eventId}?u={Uri.EscapeDataString(token)}"), eventId, default));
        Assert.Equal(200, status);
        Assert.Contains("成员单位0", html);
        Assert.Contains("readonly", html);
        Assert.DoesNotContain("name=\"organisation\"", html);

        // Signed up through the link, the unit is the invitation's even if the post names another.
        Assert.Equal(201, await SignUpAsync(app, eventId, token, 5));
        Assert.Equal("成员单位0", Assert.Single(await app.RegistrationsAsync(eventId)).Organisation);
    }

    [Fact]
    public async Task Units_that_signed_nobody_up_are_reminded_once_a_day_before_sign_up_closes()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, settings: new() { ["EventFunctions:Console:OrganiserTable"] = "u" + Guid.NewGuid().ToString("N")[..12] });
        var directory = app.Get<UnitDirectory>();
        var ids = new List<UnitView>();
        foreach (var (name, email) in new[] { ("上海市自来水公司", "water@example.cn"), ("金茂律师事务所", "law@example.cn"), ("上海邮政博物馆", (string?)null) })
            ids.Add(((UnitSaveResult.Saved)await directory.AddAsync(new UnitInput(name, null, "联系人", email), "admin", default)).Unit);
        var lecture = Seed.Lecture(capacity: 10);
        lecture["start"] = Seed.Local(DateTimeOffset.UtcNow.AddHours(20));
        lecture["end"] = Seed.Local(DateTimeOffset.UtcNow.AddHours(22));
        var e = await app.CreateEventAsync(lecture);
        var invitation = new Invitation(ids.Select(u => new InvitedUnit(u.Id, u.Name, 2)).ToList(), 0);
        Assert.IsType<EventOutcome.Ok>(await app.Get<EventService>().SetInvitationAsync(e.Id, invitation, default));
        var ev = (await app.EventRowAsync(e.Id)).ToRecord();
        Assert.Equal(201, await SignUpAsync(app, e.Id, app.Get<UnitLinks>().SignUpToken(ev, ids[0].Id), 1));

        // The law firm has nobody and an email: reminded; the water company has someone; the museum has no email.
        // Through the reminder timer's sweep, as the app runs it.
        var sweep = app.Get<Shared.Notifications.NotificationSweep>();
        Assert.Equal(1, (await sweep.RunAsync(default)).UnitReminders);
        Assert.Equal(0, (await sweep.RunAsync(default)).UnitReminders); // once
        await app.DeliverQueuedAsync();
        var sent = app.SendGrid!.Mails.Select(Mail.From).ToList();
        var reminder = Assert.Single(sent, m => m.Subject.StartsWith("提醒：", StringComparison.Ordinal));
        Assert.Equal("law@example.cn", reminder.To);
        Assert.Contains("金茂律师事务所尚无人报名", reminder.Plain);
        Assert.Contains(app.Get<UnitLinks>().SignUpLink(ev, ids[1].Id), reminder.Plain);
    }

    [Fact]
    public async Task The_report_names_each_invited_unit_with_its_seats_and_the_ones_nobody_came_from_even_after_the_purge()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, clock: clock);
        var (eventId, invitation) = await MeetingAsync(app, units: 3, seatsEach: 2, pool: 0);
        var ev = (await app.EventRowAsync(eventId)).ToRecord();
        var links = app.Get<UnitLinks>();
        Assert.Equal(201, await SignUpAsync(app, eventId, links.SignUpToken(ev, invitation.Units[0].UnitId), 1));
        Assert.Equal(201, await SignUpAsync(app, eventId, links.SignUpToken(ev, invitation.Units[0].UnitId), 2));
        Assert.Equal(201, await SignUpAsync(app, eventId, links.SignUpToken(ev, invitation.Units[1].UnitId), 3));
        var service = app.Get<Shared.Attendance.AttendanceService>();
        var rows = (await app.RegistrationsAsync(eventId)).Where(r => r.RowKey.StartsWith("reg-", StringComparison.Ordinal)).ToList();
        Assert.IsType<Shared.Attendance.CheckInOutcome.CheckedIn>(await service.CheckInAsync(eventId, rows.First(r => r.UnitId == invitation.Units[0].UnitId).TicketCode!, "door:test", default));

        // Before the event nobody is "no one came"; after it, the second unit (signed up, nobody at the door) and the
        // third (nobody signed up) are, each with the seats it was invited with.
        var before = (await service.ReportAsync(eventId, default))!;
        Assert.Equal(3, before.ByUnit.Count);
        Assert.DoesNotContain(before.ByUnit, u => u.NoOneCame(before.Ended));
        clock.SetUtcNow(ev.EndUtc.AddMinutes(1));
        var after = (await service.ReportAsync(eventId, default))!;
        Assert.Equal(["成员单位1", "成员单位2"], after.ByUnit.Where(u => u.NoOneCame(after.Ended)).Select(u => u.Unit).Order());
        Assert.All(after.ByUnit, u => Assert.Equal(2, u.Seats));

        // The period report: each unit's invitations, the events its people came to, and those nobody came to.
        var date = DateOnly.FromDateTime(ev.ToLocal(ev.StartUtc).DateTime);
        var period = await service.UnitReportAsync(date, date, _ => true, default);
        var first = period.Single(u => u.Unit == "成员单位0");
        Assert.Equal((1, 1, 0), (first.Invited, first.Events.Count, first.Missed.Count));
        var third = period.Single(u => u.Unit == "成员单位2");
        Assert.Equal((1, 0, 1), (third.Invited, third.Events.Count, third.Missed.Count));
        var csv = System.Text.Encoding.UTF8.GetString(await app.Get<Shared.Attendance.CsvExport>().UnitReportAsync(date, date, _ => true, default));
        Assert.Contains("成员单位2,1,0,0,", csv);
        Assert.Contains("受邀，无人出席 (invited, no one came)", csv);
        // The same sheet as an Excel workbook: read back, counts as numbers, the unit nobody came from named.
        var xlsx = await app.Get<Shared.Attendance.CsvExport>().UnitReportAsync(date, date, _ => true, excel: true, default);
        using (var book = new MemoryStream(xlsx))
        {
            var sheet = MiniExcelLibs.MiniExcel.Query(book, useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
            var missed = Assert.Single(sheet, r => (string)r["单位 (Unit)"] == "成员单位2");
            Assert.Equal(1d, Convert.ToDouble(missed["受邀次数 (Invitations)"], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("受邀，无人出席 (invited, no one came)", missed["受邀 (Invited)"]);
        }

        // After the personal-data purge, the same lines, from the anonymous counts.
        clock.Advance(app.Options.RetentionAfterEvent + TimeSpan.FromHours(1));
        await app.Get<RetentionService>().PurgeAsync(default);
        Assert.DoesNotContain(await app.RegistrationsAsync(eventId), r => r.RowKey.StartsWith("reg-", StringComparison.Ordinal));
        var kept = (await service.ReportAsync(eventId, default))!;
        Assert.True(kept.FromSummary);
        Assert.Equal(after.ByUnit.Select(u => (u.Unit, u.Seats, u.Attended)), kept.ByUnit.Select(u => (u.Unit, u.Seats, u.Attended)));
        Assert.Equal(["成员单位1", "成员单位2"], kept.ByUnit.Where(u => u.NoOneCame(kept.Ended)).Select(u => u.Unit).Order());
    }

    [Fact]
    public async Task A_units_links_expire_a_month_after_the_event()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, clock: clock);
        var (eventId, invitation) = await MeetingAsync(app, units: 1, seatsEach: 1, pool: 0);
        var ev = (await app.EventRowAsync(eventId)).ToRecord();
        var links = app.Get<UnitLinks>();
        var unit = invitation.Units[0].UnitId;
        var (signUp, contact) = (links.SignUpToken(ev, unit), links.ContactToken(ev, unit));
        Assert.Equal(unit, links.SignUpUnit(eventId, signUp));
        Assert.Equal(unit, links.ContactUnit(eventId, contact));
        Assert.Null(links.ContactUnit(eventId, signUp)); // each link for its own purpose

        clock.SetUtcNow(ev.EndUtc + UnitLinks.ValidAfterEvent + TimeSpan.FromMinutes(1));
        Assert.Null(links.SignUpUnit(eventId, signUp));
        Assert.Null(links.ContactUnit(eventId, contact));
        var page = await app.Get<Shared.Http.UnitContactApi>().PageAsync(Requests.Get($"/api/unit/{eventId}?k={Uri.EscapeDataString(contact)}"), eventId, default);
        var (status, html) = Results.Html(page);
        Assert.Equal(403, status);
        Assert.Contains("链接无效或已过期", html);
    }

    [Fact]
    public async Task Releasing_unused_seats_promotes_from_the_waitlist_in_order()
    {
        var (a, b) = await TwoInstancesAsync();
        await using var _ = a;
        await using var __ = b;
        var (eventId, invitation) = await MeetingAsync(a, units: 3, seatsEach: 2, pool: 0);
        var links = a.Get<UnitLinks>();
        var ev = (await a.EventRowAsync(eventId)).ToRecord();
        var busy = links.SignUpToken(ev, invitation.Units[0].UnitId);

        // The first unit sends six people: two seats, four wait (in the order they came).
        for (var i = 0; i < 6; i++) Assert.Equal(201, await SignUpAsync(i % 2 == 0 ? a : b, eventId, busy, i));
        var waiting = (await a.RegistrationsAsync(eventId)).Where(r => r.Status == RegistrationStatus.Waitlisted).OrderBy(r => r.Sequence).ToList();
        Assert.Equal(4, waiting.Count);
        // The second unit has sent one: after the release it keeps that seat; the third has sent nobody.
        Assert.Equal(201, await SignUpAsync(b, eventId, links.SignUpToken(ev, invitation.Units[1].UnitId), 10));

        // The organiser sets the release for a moment that has passed; the hold sweep (every minute) releases, once,
        // whichever instance runs it, however often.
        Assert.IsType<EventOutcome.Ok>(await a.Get<EventService>().SetInvitationAsync(eventId, invitation with { ReleaseUtc = DateTimeOffset.UtcNow.AddSeconds(-1) }, default));
        Assert.False((await a.EventRowAsync(eventId)).ToRecord().Invitation!.Released);
        await Task.WhenAll(a.Get<RegistrationService>().ExpireHoldsAsync(default), b.Get<RegistrationService>().ExpireHoldsAsync(default));
        await a.Get<RegistrationService>().ExpireHoldsAsync(default);
        var released = await a.EventRowAsync(eventId);
        Assert.True(released.ToRecord().Invitation!.Released);
        Assert.Equal(EventEntity.NotDue, released.UnitReleaseDueUtc);
        var rows = await a.RegistrationsAsync(eventId);
        // Three seats were unused (one of the second unit's, two of the third's): the first three waiting have them.
        Assert.Equal(waiting.Take(3).Select(w => w.RegistrationId), rows.Where(r => r.Status == RegistrationStatus.Confirmed && r.UnitId == invitation.Units[0].UnitId && waiting.Any(w => w.RowKey == r.RowKey)).OrderBy(r => r.Sequence).Select(r => r.RegistrationId));
        Assert.Equal(RegistrationStatus.Waitlisted, rows.Single(r => r.RowKey == waiting[3].RowKey).Status);
        await AssertUnitSeatsHoldAsync(a, eventId);

        // A released seat, freed again by a cancellation, goes to the next in order, whatever their unit.
        var leaving = rows.First(r => r.Status == RegistrationStatus.Confirmed && r.UnitId == invitation.Units[1].UnitId);
        Assert.IsType<CancelOutcome.Cancelled>(await b.Get<RegistrationService>().CancelAsync(eventId, leaving.RegistrationId, TestTokens.Manage(leaving), default));
        Assert.Equal(RegistrationStatus.Confirmed, (await a.RegistrationsAsync(eventId)).Single(r => r.RowKey == waiting[3].RowKey).Status);
        await AssertUnitSeatsHoldAsync(a, eventId);
    }
}

/// <summary>The member-unit meeting from the console and the units' links, over HTTP: invitation, sign-ups, the contact's page.</summary>
[Collection(StorageCollection.Name)]
public sealed partial class InvitationConsoleTests(AzuriteFixture azurite)
{
    [System.Text.RegularExpressions.GeneratedRegex("data-unit=\"(?<id>[a-z0-9]+)\">\\s*<td>(?<name>[^<]+)</td>[\\s\\S]*?value=\"(?<signup>[^\"]+)\"[^>]*data-link=\"signup\"[\\s\\S]*?value=\"(?<contact>[^\"]+)\"[^>]*data-link=\"contact\"")]
    private static partial System.Text.RegularExpressions.Regex InvitedRow();

    [System.Text.RegularExpressions.GeneratedRegex("name=\"af\" value=\"(?<af>[^\"]+)\"")]
    private static partial System.Text.RegularExpressions.Regex FormToken();

    [Fact]
    public async Task An_organiser_invites_units_whose_people_sign_up_by_link_and_a_contact_sees_and_cancels_only_their_own()
    {
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole());
        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(ConsoleAccessTests.Admin);
        foreach (var (name, email) in new[] { ("上海市自来水公司", "water@example.cn"), ("金茂律师事务所", "law@example.cn"), ("上海邮政博物馆", "museum@example.cn") })
            Assert.Equal(200, (await admin.PostAsync("/api/console/units", ("name", name), ("contact", "联系人"), ("contactEmail", email))).Status);
        var created = await host.CreateEventAsync(Seed.Lecture(capacity: 10));
        var eventId = created.GetProperty("id").GetString()!;

        var (status, page) = await admin.GetAsync($"/api/console/events/{eventId}/invitation");
        Assert.Equal(200, status);
        var ids = System.Text.RegularExpressions.Regex.Matches(page, "name=\"seats\\.(?<id>[a-z0-9]+)\"").Select(m => m.Groups["id"].Value).ToList();
        Assert.Equal(3, ids.Count);

        // Bad seats: beside the field, nothing saved.
        (status, page, _) = await admin.PostAsync($"/api/console/events/{eventId}/invitation", ("seats." + ids[0], "-1"), ("pool", "x"), ("action", "save"));
        Assert.Equal(400, status);
        Assert.Contains($"id=\"seats-{ids[0]}-error\"", page);
        Assert.Contains("id=\"pool-error\"", page);

        // Two seats each for the first two units, one for the third, a pool of one: 6 seats, by invitation.
        (status, page, _) = await admin.PostAsync($"/api/console/events/{eventId}/invitation",
            ("seats." + ids[0], "2"), ("seats." + ids[1], "2"), ("seats." + ids[2], "1"), ("pool", "1"), ("releaseAt", ""), ("action", "save"));
        Assert.Equal(200, status);
        Assert.Contains("邀请已保存", page);
        var rows = InvitedRow().Matches(page).ToDictionary(m => m.Groups["name"].Value, m => (Id: m.Groups["id"].Value,
            SignUp: System.Net.WebUtility.HtmlDecode(m.Groups["signup"].Value), Contact: System.Net.WebUtility.HtmlDecode(m.Groups["contact"].Value)));
        Assert.Equal(3, rows.Count);
        Assert.Equal(6, (await host.Table.GetEntityAsync<EventEntity>(eventId, EventEntity.RowKeyValue)).Value.Capacity);

        // The invitations: one email to each unit's contact, with the unit's own sign-up link, QR code and contact page.
        (status, page, _) = await admin.PostAsync($"/api/console/events/{eventId}/invitation/send");
        Assert.Equal(200, status);
        Assert.Contains("已发送 3 封邀请邮件", page);
        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.Mails.Count >= 3), "the three invitations sent");
        var mails = host.SendGrid.Mails.Select(Mail.From).ToList();
        var waterMail = mails.Single(m => m.To == "water@example.cn");
        Assert.StartsWith("邀请：", waterMail.Subject);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(rows["上海市自来水公司"].SignUp), waterMail.Html);
        Assert.Contains(rows["上海市自来水公司"].Contact, waterMail.Plain);
        Assert.DoesNotContain(rows["金茂律师事务所"].SignUp, waterMail.Plain); // nothing of another unit's
        Assert.Contains(waterMail.Attachments, a => a.Type == "image/png");
        await RunningHost.Eventually(async () => (await admin.GetAsync($"/api/console/events/{eventId}/invitation")).Html.Contains("data-mail=\"state\">20"), "the console shows when each invitation went");

        // The public link without a unit's token: by invitation only.
        using (var open = await host.Http.GetAsync($"/api/signup/{eventId}"))
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, open.StatusCode);

        // Three of the water company (two seats and the pool's one), one of the law firm.
        async Task<int> SignUp(string link, string name, string email)
        {
            var query = new Uri(link).Query;
            using var response = await host.Http.PostAsJsonAsync($"/api/events/{eventId}/registrations{query}", Seed.Person(name, email));
            return (int)response.StatusCode;
        }

        var water = rows["上海市自来水公司"];
        var law = rows["金茂律师事务所"];
        Assert.Equal(201, await SignUp(water.SignUp, "王芳", "wangfang@example.cn"));
        Assert.Equal(201, await SignUp(water.SignUp, "李强", "liqiang@example.cn"));
        Assert.Equal(201, await SignUp(water.SignUp, "赵敏", "zhaomin@example.cn"));
        Assert.Equal(201, await SignUp(law.SignUp, "陈静", "chenjing@example.cn"));
        var people = (await host.RegistrationsAsync(eventId)).Where(p => p.RowKey.StartsWith("reg-", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, people.Count);
        Assert.All(people.Where(p => p.Name != "陈静"), p => Assert.Equal("上海市自来水公司", p.Organisation));

        // The contact's page: their three, nobody of the law firm; a sign-up link is not a contact link.
        using var contact = new ConsoleClient(host.BaseUrl);
        var contactPath = new Uri(water.Contact).PathAndQuery;
        (status, page) = await contact.GetAsync(contactPath);
        Assert.Equal(200, status);
        Assert.Contains("王芳", page);
        Assert.Contains("赵敏", page);
        Assert.DoesNotContain("陈静", page);
        (status, _) = await contact.GetAsync($"/api/unit/{eventId}{new Uri(water.SignUp).Query.Replace("?u=", "?k=")}");
        Assert.Equal(403, status);
        (status, _) = await contact.GetAsync(contactPath[..^3] + "abc");
        Assert.Equal(403, status);

        // Cancelling for a colleague: gone, and they are told (a removal notice owed an email); another unit's person cannot be.
        var af = FormToken().Match(page).Groups["af"].Value;
        var token = System.Web.HttpUtility.ParseQueryString(new Uri(water.Contact).Query)["k"]!;
        var zhao = people.Single(p => p.Name == "赵敏");
        var chen = people.Single(p => p.Name == "陈静");
        using (var cancel = await contact.PostRawAsync($"/api/unit/{eventId}", [new("k", token), new("af", af), new("r", chen.RegistrationId)]))
            Assert.Equal(System.Net.HttpStatusCode.NotFound, cancel.StatusCode);
        using (var cancel = await contact.PostRawAsync($"/api/unit/{eventId}", [new("k", token), new("af", "forged"), new("r", zhao.RegistrationId)]))
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, cancel.StatusCode);
        using (var cancel = await contact.PostRawAsync($"/api/unit/{eventId}", [new("k", token), new("af", System.Net.WebUtility.HtmlDecode(af)), new("r", zhao.RegistrationId)]))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, cancel.StatusCode);
            Assert.Contains("已取消", await cancel.Content.ReadAsStringAsync());
        }

        var after = await host.RegistrationsAsync(eventId);
        Assert.DoesNotContain(after, p => p.RegistrationId == zhao.RegistrationId);
        Assert.Contains(after, p => p.RegistrationId == chen.RegistrationId);
        var ev = (await host.Table.GetEntityAsync<EventEntity>(eventId, EventEntity.RowKeyValue)).Value.ToRecord();
        Assert.Equal(2, UnitSeatRules.Used(ev.UnitUsed, water.Id));
        Assert.Equal(3, ev.Confirmed);

        // The invitation rows are no registrations: not counted, not listed to the contact.
        Assert.Equal(3, after.Count(p => p.RowKey.StartsWith(Ids.UnitMailPrefix, StringComparison.Ordinal)));
        Assert.DoesNotContain(after, p => p.Email == "water@example.cn" && p.RowKey.StartsWith("reg-", StringComparison.Ordinal));

        // With people signed up, the event cannot become open to anyone.
        (status, page, _) = await admin.PostAsync($"/api/console/events/{eventId}/invitation", ("action", "open"));
        Assert.Equal(400, status);
        Assert.Contains("不能改为公开报名", page);
    }
}
