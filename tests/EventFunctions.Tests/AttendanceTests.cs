using Azure.Data.Tables;
using EventFunctions.Shared.Attendance;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Text;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Time.Testing;

namespace EventFunctions.Tests;

/// <summary>Shared steps of the attendance, door, ticket and CSV tests.</summary>
internal static class Kit
{
    public static async Task<RegistrationView> SignUpAsync(TestApp app, string eventId, string name, string email, string? phone = "13812345678", string? unit = "虹口区律师事务所", Dictionary<string, string?>? answers = null)
    {
        var person = Seed.Person(name, email, phone);
        person["organisation"] = unit;
        if (answers is not null) person["answers"] = answers;
        var result = await app.RegisterForEvent.Run(Requests.Json("POST", "/x", person), eventId, default);
        var o = Assert.IsAssignableFrom<ObjectResult>(result);
        return Assert.IsType<RegistrationView>(o.Value);
    }

    public static async Task<RegistrationEntity> RowAsync(TestApp app, string eventId, string registrationId) =>
        (await app.RegistrationsAsync(eventId)).Single(r => r.RegistrationId == registrationId);

    public static async Task<EventRecord> EventAsync(TestApp app, string eventId) => (await app.EventRowAsync(eventId)).ToRecord();

    /// <summary>A salon whose lunch question is answered (the salon asks it, required).</summary>
    public static Dictionary<string, string?> Lunch => new() { ["lunch"] = "yes" };

    /// <summary>Every row of the partition, as stored (the event row, registrations, walk-ins, the summary).</summary>
    public static async Task<List<TableEntity>> PartitionAsync(TestApp app, string eventId)
    {
        var rows = new List<TableEntity>();
        await foreach (var r in (await app.TableAsync()).QueryAsync<TableEntity>(x => x.PartitionKey == eventId)) rows.Add(r);
        return rows;
    }
}

[Collection(StorageCollection.Name)]
public sealed class AttendanceTests(AzuriteFixture azurite)
{
    private const string Door = "door:test";

    [Fact]
    public async Task Check_in_is_recorded_once_counted_and_undone()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        var li = await Kit.SignUpAsync(app, lecture.Id, "李莹晖", "li@example.cn", null);
        var service = app.Get<AttendanceService>();

        var first = Assert.IsType<CheckInOutcome.CheckedIn>(await service.CheckInAsync(lecture.Id, li.TicketCode!, Door, default));
        Assert.Equal("李莹晖", first.Person.Name);
        var again = Assert.IsType<CheckInOutcome.AlreadyCheckedIn>(await service.CheckInAsync(lecture.Id, li.TicketCode!.ToLowerInvariant(), "organiser:x@example.cn", default));
        Assert.Equal(first.At, again.At);

        var row = await Kit.RowAsync(app, lecture.Id, li.RegistrationId);
        Assert.Equal(first.At, row.CheckedInUtc);
        Assert.Equal(Door, row.CheckedInBy); // the second check-in wrote nothing
        Assert.Equal(1, (await app.EventRowAsync(lecture.Id)).CheckedIn);

        var before = await (await app.TableAsync()).GetEntityAsync<TableEntity>(lecture.Id, row.RowKey);
        Assert.IsType<CheckInOutcome.Undone>(await service.UndoAsync(lecture.Id, row.RowKey, Door, default));
        var afterUndo = (await (await app.TableAsync()).GetEntityAsync<TableEntity>(lecture.Id, row.RowKey)).Value;
        // Every other column stays as it was (the undo replaces the row as stored, less the check-in).
        Assert.Equal(before.Value.Keys.Except(["CheckedInUtc", "CheckedInBy", "odata.etag", "Timestamp"]).Order(), afterUndo.Keys.Except(["odata.etag", "Timestamp"]).Order());
        Assert.All(afterUndo.Keys.Except(["odata.etag", "Timestamp"]), k => Assert.Equal(before.Value[k], afterUndo[k]));
        row = await Kit.RowAsync(app, lecture.Id, li.RegistrationId);
        Assert.Null(row.CheckedInUtc);
        Assert.Null(row.CheckedInBy);
        Assert.Equal(0, (await app.EventRowAsync(lecture.Id)).CheckedIn);
        Assert.IsType<CheckInOutcome.NotCheckedIn>(await service.UndoAsync(lecture.Id, row.RowKey, Door, default));
        Assert.Equal("Confirmed", row.Status); // nothing else about the registration changed
        Assert.Equal(1, row.StateVersion);

        // Checked in again after the undo: a new check-in.
        Assert.IsType<CheckInOutcome.CheckedIn>(await service.CheckInAsync(lecture.Id, row.RowKey, Door, default));
        Assert.Equal(1, (await app.EventRowAsync(lecture.Id)).CheckedIn);
    }

    [Fact]
    public async Task Attendance_counters_survive_a_change_of_the_events_definition()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var input = Seed.Lecture(capacity: 5);
        var lecture = await app.CreateEventAsync(input);
        var a = await Kit.SignUpAsync(app, lecture.Id, "甲", "a@example.cn", null);
        var b = await Kit.SignUpAsync(app, lecture.Id, "乙", "b@example.cn", null);
        var service = app.Get<AttendanceService>();
        await service.CheckInAsync(lecture.Id, a.TicketCode!, Door, default);
        await service.AddWalkInAsync(lecture.Id, "丙", null, Door, null, UiText.Chinese, default);
        var bRow = await Kit.RowAsync(app, lecture.Id, b.RegistrationId);
        await app.CancelRegistration.Delete(Requests.Get($"/x?t={TestTokens.Manage(bRow)}"), lecture.Id, b.RegistrationId, default);

        input["capacity"] = 8; // the organiser edits the event: the ledger replaces the event row
        Assert.Equal(200, Results.Object<object>(await app.UpdateEvent.Run(Requests.Json("PUT", "/x", input), lecture.Id, default)).Status);
        var ev = await app.EventRowAsync(lecture.Id);
        Assert.Equal((8, 1, 1, 1, 1), (ev.Capacity, ev.Confirmed, ev.CheckedIn, ev.WalkIns, ev.Withdrawn));
    }

    [Fact]
    public async Task Refusals_say_why_and_write_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 1));
        var seated = await Kit.SignUpAsync(app, lecture.Id, "甲", "a@example.cn", null);
        var waiting = await Kit.SignUpAsync(app, lecture.Id, "乙", "b@example.cn", null);
        var cancelled = await Kit.SignUpAsync(app, lecture.Id, "丙", "c@example.cn", null);
        Assert.Equal("Waitlisted", waiting.Status);
        Assert.Null(waiting.TicketCode); // waitlisted people get no ticket
        var service = app.Get<AttendanceService>();
        var waitingRow = await Kit.RowAsync(app, lecture.Id, waiting.RegistrationId);
        var cancelledRow = await Kit.RowAsync(app, lecture.Id, cancelled.RegistrationId);
        var cancelledCode = app.Get<EventFunctions.Shared.Security.IdentifierKeys>().TicketOf(cancelledRow)!;

        var w = Assert.IsType<CheckInOutcome.Refused>(await service.CheckInAsync(lecture.Id, app.Get<EventFunctions.Shared.Security.IdentifierKeys>().TicketOf(waitingRow)!, Door, default));
        Assert.Equal(CheckInRefusal.Waitlisted, w.Reason);
        Assert.Equal("乙", w.Person!.Name);

        var cancel = await app.CancelRegistration.Delete(Requests.Get($"/x?t={TestTokens.Manage(cancelledRow)}"), lecture.Id, cancelled.RegistrationId, default);
        Assert.IsType<NoContentResult>(cancel);
        Assert.Equal(CheckInRefusal.NotFound, Assert.IsType<CheckInOutcome.Refused>(await service.CheckInAsync(lecture.Id, cancelledCode, Door, default)).Reason);
        Assert.Equal(CheckInRefusal.NotFound, Assert.IsType<CheckInOutcome.Refused>(await service.CheckInAsync(lecture.Id, "ZZZZZZ", Door, default)).Reason);
        Assert.Equal(CheckInRefusal.NotFound, Assert.IsType<CheckInOutcome.Refused>(await service.CheckInAsync(lecture.Id, "not a code", Door, default)).Reason);
        Assert.Equal(1, (await app.EventRowAsync(lecture.Id)).Withdrawn);

        // Another event's ticket code is not a ticket here.
        var other = await app.CreateEventAsync(Seed.Lecture());
        var elsewhere = await Kit.SignUpAsync(app, other.Id, "丁", "d@example.cn", null);
        Assert.IsType<CheckInOutcome.Refused>(await service.CheckInAsync(lecture.Id, elsewhere.TicketCode!, Door, default));

        Assert.IsType<EventOutcome.Ok>(await app.Get<EventService>().CancelEventAsync(lecture.Id, default));
        var c = Assert.IsType<CheckInOutcome.Refused>(await service.CheckInAsync(lecture.Id, seated.TicketCode!, Door, default));
        Assert.Equal(CheckInRefusal.EventCancelled, c.Reason);
        Assert.IsType<CheckInOutcome.Refused>(await service.AddWalkInAsync(lecture.Id, "戊", null, Door, null, UiText.Chinese, default));

        var ev = await app.EventRowAsync(lecture.Id);
        Assert.Equal((0, 0), (ev.CheckedIn, ev.WalkIns));
        Assert.All(await app.RegistrationsAsync(lecture.Id), r => Assert.Null(r.CheckedInUtc));
    }

    [Fact]
    public async Task Two_instances_checking_in_the_same_ticket_at_once_record_one_check_in()
    {
        await using var a = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        await using var b = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false,
            settings: new() { ["EventFunctions:TableName"] = a.TableName, ["EventFunctions:ConfirmationQueue"] = a.QueueName });
        var lecture = await a.CreateEventAsync(Seed.Lecture());
        var people = new List<RegistrationView>();
        for (var i = 0; i < 3; i++) people.Add(await Kit.SignUpAsync(a, lecture.Id, $"听众{i}", $"p{i}@example.cn", null));

        // 3 people, each checked in 8 times at once, half through each instance (each has its own ledger).
        var attempts = people.SelectMany(p => Enumerable.Range(0, 8).Select(i =>
            (i % 2 == 0 ? a : b).Get<AttendanceService>().CheckInAsync(lecture.Id, p.TicketCode!, $"door:phone{i}", default))).ToList();
        var outcomes = await Task.WhenAll(attempts);

        Assert.Equal(3, outcomes.Count(o => o is CheckInOutcome.CheckedIn));
        Assert.Equal(21, outcomes.Count(o => o is CheckInOutcome.AlreadyCheckedIn));
        foreach (var p in people)
        {
            var row = await Kit.RowAsync(a, lecture.Id, p.RegistrationId);
            var mine = outcomes.Where(o => (o as CheckInOutcome.CheckedIn)?.Person.RegistrationId == p.RegistrationId
                || (o as CheckInOutcome.AlreadyCheckedIn)?.Person?.RegistrationId == p.RegistrationId).ToList();
            Assert.Equal(8, mine.Count);
            Assert.All(mine, o => Assert.Equal(row.CheckedInUtc, o is CheckInOutcome.CheckedIn c ? c.At : ((CheckInOutcome.AlreadyCheckedIn)o).At));
        }

        Assert.Equal(3, (await a.EventRowAsync(lecture.Id)).CheckedIn);
    }

    [Fact]
    public async Task Walk_ins_count_as_attended_and_disturb_nothing_that_scans_registrations()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, clock: clock);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 1));
        var seated = await Kit.SignUpAsync(app, lecture.Id, "甲", "a@example.cn", null);
        var first = await Kit.SignUpAsync(app, lecture.Id, "乙", "b@example.cn", null);
        var second = await Kit.SignUpAsync(app, lecture.Id, "丙", "c@example.cn", null);
        await app.DeliverQueuedAsync();
        var service = app.Get<AttendanceService>();

        var walkIn = Assert.IsType<CheckInOutcome.CheckedIn>(await service.AddWalkInAsync(lecture.Id, "  王五 ", " 上海水务 ", Door, "WALK0001", UiText.Chinese, default));
        Assert.Equal(("王五", "上海水务", "WalkIn"), (walkIn.Person.Name, walkIn.Person.Unit, walkIn.Person.Status));
        // The same form sent again adds nobody, and answers with the walk-in as stored, even if edited meanwhile.
        var again = Assert.IsType<CheckInOutcome.AlreadyCheckedIn>(await service.AddWalkInAsync(lecture.Id, "王五五", "上海水务", Door, "WALK0001", UiText.Chinese, default));
        Assert.Equal(("王五", walkIn.At), (again.Person?.Name, again.At));
        Assert.Equal(1, (await app.EventRowAsync(lecture.Id)).WalkIns);
        var walkInRow = Assert.Single(await app.RegistrationsAsync(lecture.Id), r => r.Status == RegistrationStatus.WalkIn);
        Assert.Equal("walkin-WALK0001", walkInRow.RowKey);
        Assert.False(walkInRow.EmailPending);

        var invalid = Assert.IsType<CheckInOutcome.Invalid>(await service.AddWalkInAsync(lecture.Id, "  ", null, Door, null, UiText.English, default));
        Assert.Equal("Enter a name.", invalid.Errors.For("name"));

        // Waitlist positions, promotion and the email sweep go on as if the walk-in were not there.
        var table = await app.TableAsync();
        Assert.Equal(2, await RegistrationService.WaitlistPositionAsync(table, await Kit.RowAsync(app, lecture.Id, second.RegistrationId), default));
        var seatedRow = await Kit.RowAsync(app, lecture.Id, seated.RegistrationId);
        Assert.IsType<NoContentResult>(await app.CancelRegistration.Delete(Requests.Get($"/x?t={TestTokens.Manage(seatedRow)}"), lecture.Id, seated.RegistrationId, default));
        Assert.Equal("Confirmed", (await Kit.RowAsync(app, lecture.Id, first.RegistrationId)).Status);
        Assert.Equal(1, await RegistrationService.WaitlistPositionAsync(table, await Kit.RowAsync(app, lecture.Id, second.RegistrationId), default));
        clock.Advance(TimeSpan.FromHours(1));
        await app.DrainQueueAsync();
        await app.SweepConfirmations.Run(null!, default);
        var swept = await app.DrainQueueAsync();
        Assert.DoesNotContain(swept, m => m.Contains("walkin", StringComparison.Ordinal));
        Assert.Single(swept); // the promoted person's email, whose queue message was drained unsent above
        var ev = await app.EventRowAsync(lecture.Id);
        Assert.Equal((1, 1, 1), (ev.Confirmed, ev.Waitlisted, ev.Withdrawn));

        // Search finds walk-ins and registrations; undo removes the walk-in.
        Assert.Equal("王五", Assert.Single(await service.SearchAsync(lecture.Id, "王五", default)).Name);
        Assert.IsType<CheckInOutcome.Undone>(await service.UndoAsync(lecture.Id, walkInRow.RowKey, Door, default));
        Assert.DoesNotContain(await app.RegistrationsAsync(lecture.Id), r => r.Status == RegistrationStatus.WalkIn);
        Assert.Equal(0, (await app.EventRowAsync(lecture.Id)).WalkIns);
    }

    [Fact]
    public async Task Search_by_name_last_four_phone_digits_or_code_masks_the_phone()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var salon = await app.CreateEventAsync(Seed.Salon());
        var li = await Kit.SignUpAsync(app, salon.Id, "李莹晖", "li@example.cn", "13812345678", answers: Kit.Lunch);
        await Kit.SignUpAsync(app, salon.Id, "Zhang Wei", "zw@example.cn", "13900009999", unit: null, answers: Kit.Lunch);
        var service = app.Get<AttendanceService>();

        var byPhone = Assert.Single(await service.SearchAsync(salon.Id, "5678", default));
        Assert.Equal(("李莹晖", "138****5678", "虹口区律师事务所"), (byPhone.Name, byPhone.MaskedPhone, byPhone.Unit));
        Assert.Equal("Zhang Wei", Assert.Single(await service.SearchAsync(salon.Id, "zhang", default)).Name);
        Assert.Equal(AttendanceService.UnitNotGiven, Assert.Single(await service.SearchAsync(salon.Id, "9999", default)).Unit);
        Assert.Equal(li.RegistrationId, Assert.Single(await service.SearchAsync(salon.Id, li.TicketCode!.ToLowerInvariant(), default)).RegistrationId);
        Assert.Empty(await service.SearchAsync(salon.Id, "王", default));
    }

    [Fact]
    public async Task Report_counts_by_unit_and_no_shows_after_the_event()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, clock: clock);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 3));
        var a1 = await Kit.SignUpAsync(app, lecture.Id, "甲", "a@example.cn", null, unit: "律所");
        await Kit.SignUpAsync(app, lecture.Id, "乙", "b@example.cn", null, unit: " 律所 ");
        var c = await Kit.SignUpAsync(app, lecture.Id, "丙", "c@example.cn", null, unit: null);
        await Kit.SignUpAsync(app, lecture.Id, "丁", "d@example.cn", null, unit: "水务");
        var gone = await Kit.SignUpAsync(app, lecture.Id, "戊", "e@example.cn", null, unit: "水务");
        var goneRow = await Kit.RowAsync(app, lecture.Id, gone.RegistrationId);
        await app.CancelRegistration.Delete(Requests.Get($"/x?t={TestTokens.Manage(goneRow)}"), lecture.Id, gone.RegistrationId, default);
        var service = app.Get<AttendanceService>();
        await service.CheckInAsync(lecture.Id, a1.TicketCode!, Door, default);
        await service.CheckInAsync(lecture.Id, c.TicketCode!, Door, default);
        await service.AddWalkInAsync(lecture.Id, "己", "水务", Door, null, UiText.Chinese, default);

        var before = (await service.ReportAsync(lecture.Id, default))!;
        Assert.False(before.Ended);
        Assert.Equal((3, 1, 1, 3, 0, 1), (before.Registered, before.Waitlisted, before.Withdrawn, before.Attended, before.NoShows, before.WalkIns));

        clock.SetUtcNow((await Kit.EventAsync(app, lecture.Id)).EndUtc.AddMinutes(1));
        var after = (await service.ReportAsync(lecture.Id, default))!;
        Assert.True(after.Ended);
        Assert.Equal(1, after.NoShows);
        UnitAttendance[] expected = [new("律所", 2, 0, 1, 1, 0), new("水务", 0, 1, 1, 0, 1), new(AttendanceService.UnitNotGiven, 1, 0, 1, 0, 0)];
        Assert.Equal(expected.OrderBy(u => u.Unit, StringComparer.Ordinal), after.ByUnit.OrderBy(u => u.Unit, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Retention_keeps_attendance_by_unit_as_anonymous_counts()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, clock: clock);
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        var a = await Kit.SignUpAsync(app, lecture.Id, "李莹晖", "li@example.cn", null, unit: "虹口区律师事务所");
        await Kit.SignUpAsync(app, lecture.Id, "王磊", "wl@example.cn", null, unit: "虹口区律师事务所");
        var c = await Kit.SignUpAsync(app, lecture.Id, "张伟", "zw@example.cn", null, unit: "上海水务");
        var service = app.Get<AttendanceService>();
        await service.CheckInAsync(lecture.Id, a.TicketCode!, Door, default);
        await service.CheckInAsync(lecture.Id, c.TicketCode!, Door, default);
        await service.AddWalkInAsync(lecture.Id, "赵六", "上海水务", Door, null, UiText.Chinese, default);

        clock.SetUtcNow((await Kit.EventAsync(app, lecture.Id)).EndUtc.AddHours(2));
        var expected = (await service.ReportAsync(lecture.Id, default))!;

        // The purge is killed after writing the summary and deleting one registration; then it runs again.
        Assert.True(await service.WriteSummaryIfMissingAsync(await app.EventRowAsync(lecture.Id), default));
        var one = await Kit.RowAsync(app, lecture.Id, a.RegistrationId);
        await (await app.TableAsync()).DeleteEntityAsync(lecture.Id, one.RowKey);
        clock.Advance(app.Options.RetentionAfterEvent);
        var purged = await app.Get<RetentionService>().PurgeAsync(default);
        Assert.Equal(3, purged.RegistrationsDeleted);
        Assert.Equal(0, (await app.Get<RetentionService>().PurgeAsync(default)).RegistrationsDeleted);

        var rows = await Kit.PartitionAsync(app, lecture.Id);
        Assert.Equal(["attendance", "event"], rows.Select(r => r.RowKey).Order().ToArray());
        var stored = string.Join("\n", rows.SelectMany(r => r).Select(kv => kv.Value?.ToString()));
        foreach (var personal in new[] { "李莹晖", "王磊", "张伟", "赵六", "li@example.cn", "13812345678" }) Assert.DoesNotContain(personal, stored);

        var report = (await service.ReportAsync(lecture.Id, default))!;
        Assert.True(report.FromSummary);
        Assert.Equal(expected.ByUnit, report.ByUnit);
        Assert.Equal((3, 3, 1, 1), (report.Registered, report.Attended, report.NoShows, report.WalkIns));
        Assert.Equal(new UnitAttendance("上海水务", 1, 0, 2, 0, 1), report.ByUnit.Single(u => u.Unit == "上海水务"));
    }

    [Fact]
    public async Task Unit_report_lists_the_events_each_unit_took_part_in_within_the_dates_and_filter()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        var salon = await app.CreateEventAsync(Seed.Salon());
        var service = app.Get<AttendanceService>();
        var l1 = await Kit.SignUpAsync(app, lecture.Id, "甲", "a@example.cn", null, unit: "律所");
        var l2 = await Kit.SignUpAsync(app, lecture.Id, "乙", "b@example.cn", null, unit: "律所");
        await Kit.SignUpAsync(app, lecture.Id, "丙", "c@example.cn", null, unit: "水务"); // registered, never came
        var s1 = await Kit.SignUpAsync(app, salon.Id, "丁", "d@example.cn", "13912345678", unit: "律所", answers: Kit.Lunch);
        await service.AddWalkInAsync(salon.Id, "戊", "商会", Door, null, UiText.Chinese, default);
        foreach (var code in new[] { l1.TicketCode!, l2.TicketCode! }) await service.CheckInAsync(lecture.Id, code, Door, default);
        await service.CheckInAsync(salon.Id, s1.TicketCode!, Door, default);

        var days = DateOnly.FromDateTime(DateTime.UtcNow);
        var all = await service.UnitReportAsync(days, days.AddDays(30), _ => true, default);
        var firm = all.Single(u => u.Unit == "律所");
        Assert.Equal(3, firm.Attended);
        Assert.Equal([lecture.Id, salon.Id], firm.Events.Select(e => e.EventId).ToArray()); // the lecture is on day 7, the salon day 10
        Assert.Equal(1, all.Single(u => u.Unit == "商会").Attended);
        Assert.DoesNotContain(all, u => u.Unit == "水务");

        var onlySalon = await service.UnitReportAsync(days, days.AddDays(30), e => e.Kind == EventKind.Salon, default);
        Assert.Equal(1, onlySalon.Single(u => u.Unit == "律所").Attended);
        Assert.Empty(await service.UnitReportAsync(days.AddDays(8), days.AddDays(9), _ => true, default));
    }
}
