using System.Text;
using EventFunctions.Functions.Participants;
using EventFunctions.Shared.Attendance;
using EventFunctions.Shared.Console;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Volunteering;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EventFunctions.Tests;

/// <summary>The hours rules, without storage.</summary>
public sealed class VolunteerRuleTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 12, 1, 0, 0, TimeSpan.Zero); // 09:00 in Shanghai

    private static EventRecord Shift() => new()
    {
        Id = "e", Kind = EventKind.Volunteering, Title = "法律咨询", StartUtc = Start, EndUtc = Start.AddHours(3), TimeZoneId = "Asia/Shanghai",
        Capacity = 8, WaitlistAllowed = false, SignUpOpensUtc = Start.AddDays(-7), SignUpClosesUtc = Start, OrganiserName = "服务队", OrganiserEmail = "a@example.cn",
        Volunteering = new VolunteeringDetails("律师青年志愿服务队", "法律咨询"),
    };

    [Fact]
    public void Hours_run_from_check_in_to_check_out_and_a_forgotten_check_out_closes_at_the_end_marked_so()
    {
        var e = Shift();
        var row = new RegistrationEntity { CheckedInUtc = Start.AddMinutes(-10), CheckedOutUtc = Start.AddHours(2).AddMinutes(5) };
        Assert.Equal(2.3m, VolunteerHours.Served(e, row, Start.AddDays(1))!.Hours); // 2 h 15 min → 2.3 (to one decimal)

        var forgotten = new RegistrationEntity { CheckedInUtc = Start };
        var during = VolunteerHours.Served(e, forgotten, Start.AddHours(1))!;
        Assert.True(during.Open);
        Assert.Equal(0m, during.Hours);
        var after = VolunteerHours.Served(e, forgotten, Start.AddHours(3))!;
        Assert.True(after.ClosedAtEnd);
        Assert.Equal(3.0m, after.Hours);

        Assert.Null(VolunteerHours.Served(e, new RegistrationEntity(), Start.AddDays(1)));
    }

    [Theory]
    [InlineData(2, 1, "纠正", "checkedOut")] // out before in: negative hours
    [InlineData(0, 17, "纠正", "checkedOut")] // longer than a shift can be
    [InlineData(0, 2, "", "reason")]
    [InlineData(-48, -46, "纠正", "checkedIn")] // two days early: a typo of the date
    public void A_correction_that_makes_no_sense_is_refused_beside_its_field(int inHours, int outHours, string reason, string field)
    {
        var errors = VolunteerHours.CorrectionErrors(Shift(), Start.AddHours(inHours), Start.AddHours(outHours), reason);
        Assert.NotNull(errors.For(field));
    }

    [Fact]
    public void A_volunteering_shift_names_its_team_and_asks_volunteers_for_a_phone()
    {
        var input = new EventInput
        {
            Kind = "volunteering", Title = "法律咨询", Venue = "公共法律服务站", Start = "2027-01-09T09:00", End = "2027-01-09T12:00", Capacity = 8,
            OrganiserName = "服务队", OrganiserEmail = "a@example.cn", Volunteering = new VolunteeringDetails(null, "法律咨询"),
        };
        var (none, errors) = EventValidator.Validate(input, "e1", Start.AddDays(-20));
        Assert.Null(none);
        Assert.NotNull(errors.For("volunteering.team"));
        var (shift, _) = EventValidator.Validate(input with { Volunteering = new VolunteeringDetails("律师青年志愿服务队", "法律咨询") }, "e1", Start.AddDays(-20));
        Assert.Equal("律师青年志愿服务队", shift!.Volunteering!.Team);
        Assert.True(shift.Fields.PhoneRequired);
    }

    [Fact]
    public void A_sensible_correction_passes()
    {
        Assert.False(VolunteerHours.CorrectionErrors(Shift(), Start, Start.AddHours(3.5), "志愿者忘记签退，按负责人记录更正").Any);
        Assert.True(VolunteerHours.CorrectionErrors(Shift(), Start, Start.AddHours(1), new string('理', 201)).Any);
    }
}

[Collection(StorageCollection.Name)]
public sealed class VolunteerTests(AzuriteFixture azurite)
{
    private const string Door = "door:test";

    private static async Task<(TestApp App, FakeTimeProvider Clock, EventView Shift, List<RegistrationEntity> Rows)> ShiftAsync(AzuriteFixture azurite, int people)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, clock: clock);
        var shift = await app.CreateEventAsync(Seed.Volunteering(day: 3));
        for (var i = 0; i < people; i++)
            Assert.Equal(201, Results.Object<object>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person($"志愿者{i}", $"v{i}@example.cn", $"1391234{i:0000}")), shift.Id, default)).Status);
        return (app, clock, shift, await app.RegistrationsAsync(shift.Id));
    }

    [Fact]
    public async Task Door_checks_volunteers_in_and_out_once_refuses_out_before_in_and_an_undo_takes_the_check_out_with_it()
    {
        var (app, clock, shift, rows) = await ShiftAsync(azurite, 3);
        await using var _ = app;
        var e = (await app.Get<EventService>().FindAsync(shift.Id, default))!;
        var hours = app.Get<VolunteerHours>();
        var attendance = app.Get<AttendanceService>();
        var lecture = (await app.Get<EventService>().FindAsync((await app.CreateEventAsync(Seed.Lecture())).Id, default))!;
        clock.SetUtcNow(e.StartUtc.AddMinutes(-5));

        // Out before in: refused, nothing written.
        Assert.IsType<CheckOutOutcome.NotCheckedIn>(await hours.CheckOutAsync(e, rows[0].RowKey, Door, default));
        Assert.Null((await app.RegistrationsAsync(shift.Id)).Single(r => r.RowKey == rows[0].RowKey).CheckedOutUtc);

        foreach (var r in rows) Assert.IsType<CheckInOutcome.CheckedIn>(await attendance.CheckInAsync(shift.Id, r.RowKey, Door, default));
        clock.Advance(TimeSpan.FromHours(2));
        // Two door phones check the same volunteer out at once: one check-out, the other told when it was.
        var both = await Task.WhenAll(hours.CheckOutAsync(e, rows[0].RowKey, Door, default), hours.CheckOutAsync(e, rows[0].RowKey, "door:other", default));
        Assert.Single(both.OfType<CheckOutOutcome.CheckedOut>());
        Assert.Single(both.OfType<CheckOutOutcome.AlreadyCheckedOut>());
        Assert.IsType<CheckOutOutcome.CheckedOut>(await hours.CheckOutAsync(e, rows[1].RowKey, Door, default));

        // Check-in undone for the second: their check-out goes with it, and they can be checked in again.
        Assert.IsType<CheckInOutcome.Undone>(await attendance.UndoAsync(shift.Id, rows[1].RowKey, Door, default));
        var undone = (await app.RegistrationsAsync(shift.Id)).Single(r => r.RowKey == rows[1].RowKey);
        Assert.Null(undone.CheckedInUtc);
        Assert.Null(undone.CheckedOutUtc);

        // The third forgets to check out: after the end the shift closes at the end time, marked so.
        clock.SetUtcNow(e.EndUtc.AddHours(1));
        var served = await hours.ShiftAsync(e, default);
        Assert.Equal(2, served.Count);
        var first = served.Single(s => s.Row.RowKey == rows[0].RowKey).Time;
        Assert.Equal(2.0m, first.Hours);
        Assert.False(first.ClosedAtEnd);
        var third = served.Single(s => s.Row.RowKey == rows[2].RowKey).Time;
        Assert.True(third.ClosedAtEnd);
        Assert.Equal(3.1m, third.Hours); // 08:55 to 12:00

        // After the retention period the people's records go; the team's hours stay as counts.
        var day = DateOnly.FromDateTime(e.ToLocal(e.StartUtc).DateTime);
        Assert.Equal(2, (await hours.PeriodAsync(day, day, null, _ => true, default)).Lines.Count);
        clock.SetUtcNow(e.EndUtc + app.Options.RetentionAfterEvent + TimeSpan.FromDays(1));
        await app.Get<RetentionService>().PurgeAsync(default);
        var (lines, kept) = await hours.PeriodAsync(day, day, null, _ => true, default);
        Assert.Empty(lines);
        var total = Assert.Single(kept);
        Assert.Equal(("律师青年志愿服务队", 5.1m, 2, 1), (total.Team, total.Hours, total.Volunteers, total.Shifts));

        // Not a volunteering shift: nobody is checked out.
        Assert.IsType<CheckOutOutcome.NotVolunteering>(await hours.CheckOutAsync(lecture, rows[0].RowKey, Door, default));
    }

    [Fact]
    public async Task A_volunteer_opens_a_printable_certificate_from_their_manage_link_once_the_shift_is_closed()
    {
        var (app, clock, shift, rows) = await ShiftAsync(azurite, 2);
        await using var _ = app;
        var e = (await app.Get<EventService>().FindAsync(shift.Id, default))!;
        var functions = new AfterEvent(app.Get<AfterEventApi>());
        var row = rows.Single(r => r.Name == "志愿者0");
        var url = $"/x?t={TestTokens.Manage(row)}";
        clock.SetUtcNow(e.StartUtc);
        await app.Get<AttendanceService>().CheckInAsync(shift.Id, row.RowKey, Door, default);

        var (serving, servingPage) = Results.Html(await functions.Certificate(Requests.Get(url), shift.Id, row.RegistrationId, default));
        Assert.Equal(409, serving);
        Assert.Contains("签退或活动结束后", servingPage);

        clock.Advance(TimeSpan.FromHours(2.5));
        await app.Get<VolunteerHours>().CheckOutAsync(e, row.RowKey, Door, default);
        var (status, page) = Results.Html(await functions.Certificate(Requests.Get(url), shift.Id, row.RegistrationId, default));
        Assert.Equal(200, status);
        Assert.Contains("志愿服务时长证明", page);
        Assert.Contains("兹证明 志愿者0", page);
        Assert.Contains("律师青年志愿服务队", page);
        Assert.Contains("<span class=\"hours\" id=\"hours\">2.5</span>", page);
        Assert.Contains("size: A4", page);
        var (_, english) = Results.Html(await functions.Certificate(Requests.Get(url + "&lang=en"), shift.Id, row.RegistrationId, default));
        Assert.Contains("This certifies that 志愿者0 volunteered", english);

        // The manage page links it; a forged link or someone never checked in gets no certificate.
        var manage = Results.Html(await app.CancelRegistration.Show(Requests.Get(url), shift.Id, row.RegistrationId, default)).Html;
        Assert.Contains("志愿服务时长证明（可打印）", manage);
        Assert.Equal(404, Results.Html(await functions.Certificate(Requests.Get("/x?t=forged"), shift.Id, row.RegistrationId, default)).Status);
        var other = rows.Single(r => r.Name == "志愿者1");
        var (none, nonePage) = Results.Html(await functions.Certificate(Requests.Get($"/x?t={TestTokens.Manage(other)}"), shift.Id, other.RegistrationId, default));
        Assert.Equal(404, none);
        Assert.Contains("没有签到记录", nonePage);
    }

    [Fact]
    public async Task Organiser_corrects_a_time_with_a_reason_kept_in_the_change_log_and_exports_the_hours_a_platform_imports()
    {
        // The host on a clock the test moves: sign-up before the shift, check-in at it, the console after it.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole(),
            services => services.AddSingleton<TimeProvider>(clock));
        var eventId = (await host.CreateEventAsync(Seed.Volunteering(day: 3))).GetProperty("id").GetString()!;
        for (var i = 0; i < 2; i++)
        {
            using var signUp = await host.Http.PostAsJsonAsync($"/api/events/{eventId}/registrations", Seed.Person($"志愿者{i}", $"v{i}@example.cn", $"1391234{i:0000}"));
            Assert.Equal(System.Net.HttpStatusCode.Created, signUp.StatusCode);
        }
        var e = (await host.Get<EventService>().FindAsync(eventId, default))!;
        var rows = (await host.RegistrationsAsync(eventId)).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        clock.SetUtcNow(e.StartUtc);
        foreach (var r in rows) Assert.IsType<CheckInOutcome.CheckedIn>(await host.Get<AttendanceService>().CheckInAsync(eventId, r.RowKey, Door, default));
        clock.SetUtcNow(e.EndUtc.AddHours(1));
        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(ConsoleAccessTests.Admin);

        var (status, page) = await admin.GetAsync($"/api/console/events/{eventId}/hours");
        Assert.Equal(200, status);
        Assert.Contains("未签退，按结束时间计", page);
        var id = rows[0].RegistrationId;

        // Out before in: refused beside the field, nothing changed.
        var localStart = Seed.Local(e.StartUtc);
        (status, page, _) = await admin.PostAsync($"/api/console/events/{eventId}/hours/{id}", ("checkedIn", localStart), ("checkedOut", Seed.Local(e.StartUtc.AddHours(-1))), ("reason", "更正"));
        Assert.Equal(400, status);
        Assert.Contains("签退时间须晚于签到时间", page);
        Assert.Null((await host.RegistrationsAsync(eventId)).Single(r => r.RegistrationId == id).CheckedOutUtc);
        (status, page, _) = await admin.PostAsync($"/api/console/events/{eventId}/hours/{id}", ("checkedIn", localStart), ("checkedOut", Seed.Local(e.StartUtc.AddHours(1.5))), ("reason", ""));
        Assert.Equal(400, status);
        Assert.Contains("请写明更正原因", page);

        (status, page, _) = await admin.PostAsync($"/api/console/events/{eventId}/hours/{id}", ("checkedIn", localStart), ("checkedOut", Seed.Local(e.StartUtc.AddHours(1.5))), ("reason", "提前离开，按负责人记录"));
        Assert.Equal(200, status);
        Assert.Contains("时间已更正", page);
        Assert.Contains("data-hours=\"1.5\"", page);
        var audit = await host.Get<AuditLog>().ListAsync(eventId, 10, default);
        Assert.Contains(audit, a => a.Action.Contains("更正志愿时长") && a.Detail.Contains("提前离开，按负责人记录"));

        var localDay = Seed.Local(e.StartUtc)[..10];
        (status, page) = await admin.GetAsync($"/api/console/reports/hours?from={localDay}&to={localDay}");
        Assert.Equal(200, status);
        Assert.Contains("律师青年志愿服务队", page);
        Assert.Contains("data-total=\"4.5\"", page); // 1.5 + 3.0 for the team

        using var csv = await admin.Http.GetAsync($"/api/console/reports/hours.csv?from={localDay}&to={localDay}&team={Uri.EscapeDataString("律师青年志愿服务队")}");
        Assert.Equal(System.Net.HttpStatusCode.OK, csv.StatusCode);
        var lines = Encoding.UTF8.GetString(await csv.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("姓名,手机号,日期,时长（小时）,活动", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.StartsWith($"志愿者0,139****0000,{localDay},1.5,法律咨询", StringComparison.Ordinal) && l.Contains("已更正"));
        Assert.Contains(lines, l => l.StartsWith($"志愿者1,139****0001,{localDay},3.0,法律咨询", StringComparison.Ordinal) && l.Contains("未签退"));
        using var otherTeam = await admin.Http.GetAsync($"/api/console/reports/hours.csv?from={localDay}&to={localDay}&team=other");
        Assert.Single(Encoding.UTF8.GetString(await otherTeam.Content.ReadAsByteArrayAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
    }
}
