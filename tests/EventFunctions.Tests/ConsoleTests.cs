using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventFunctions.Shared.Console;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>The organisers' console doing the job: post an event with the form, see who is coming, change seats, share.</summary>
[Collection(StorageCollection.Name)]
public sealed class ConsoleTests(AzuriteFixture azurite)
{
    private static (string, string)[] SiteVisitForm(string title = "5G 全球创新港参观") =>
    [
        ("kind", "siteVisit"), ("title", title), ("description", "参观 5G 创新港与塔楼屋顶。"),
        ("start", Seed.Local(DateTimeOffset.UtcNow.AddDays(9))), ("end", Seed.Local(DateTimeOffset.UtcNow.AddDays(9).AddHours(2))),
        ("venue", "5G 全球创新港"), ("address", "上海市虹口区"),
        ("siteVisit.meetingPoint", "白玉兰广场北门"), ("siteVisit.meetingTime", Seed.Local(DateTimeOffset.UtcNow.AddDays(9).AddMinutes(-30))),
        ("siteVisit.securityFields", "身份证号后四位"),
        ("capacity", "2"), ("waitlistAllowed", "on"),
        ("organiserName", "北外滩街道党建办"), ("organiserEmail", "djb@jiedao.example.cn"),
        ("questions[0].label", "是否需要停车位？"), ("questions[0].type", "yesNo"),
        ("action", "save"),
    ];

    [Fact]
    public async Task An_organiser_posts_an_event_with_the_form_and_errors_stand_beside_their_fields()
    {
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole());
        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(ConsoleAccessTests.Admin);
        await ConsoleSeed.AddOrganiserAsync(admin, "djb@jiedao.example.cn", "党建办");
        using var organiser = new ConsoleClient(host.BaseUrl);
        await organiser.SignInAsync("djb@jiedao.example.cn");
        await organiser.GetAsync("/api/console/events/new");

        // Missing title and an end before the start: 400, the form again, each message beside its field, values kept.
        var bad = SiteVisitForm().Select(f => f.Item1 switch
        {
            "title" => ("title", ""),
            "end" => ("end", Seed.Local(DateTimeOffset.UtcNow.AddDays(8))),
            _ => f,
        }).ToArray();
        var (status, html, _) = await organiser.PostAsync("/api/console/events/new", bad);
        Assert.Equal(400, status);
        Assert.Contains("id=\"title-error\"", html);
        Assert.Contains("必填", html);
        Assert.Contains("id=\"end-error\"", html);
        Assert.Contains("结束时间须晚于开始时间", html);
        Assert.Contains("白玉兰广场北门", html); // what was typed stays
        Assert.Empty(await EventsAsync(host));

        // Preview: the participant's page for the draft, nothing stored, the form cannot be sent from it.
        var preview = SiteVisitForm().Select(f => f.Item1 == "action" ? ("action", "preview") : f).ToArray();
        (status, html, _) = await organiser.PostAsync("/api/console/events/new", preview);
        Assert.Equal(200, status);
        Assert.Contains("id=\"preview-banner\"", html);
        Assert.Contains("5G 全球创新港参观", html);
        Assert.Contains("身份证号后四位", html); // the security-desk field participants will be asked
        Assert.Contains("是否需要停车位？", html);
        Assert.Contains("disabled", html);
        Assert.Empty(await EventsAsync(host));

        // Publish: 303 to the event page; the event belongs to the organiser's unit, whatever the form said.
        var publish = SiteVisitForm().Append(("unit", "商会")).ToArray();
        (status, html, var location) = await organiser.PostAsync("/api/console/events/new", publish);
        Assert.Equal(200, status);
        Assert.Contains("活动已发布", html);
        var stored = Assert.Single(await EventsAsync(host));
        Assert.Equal("党建办", stored.Unit);
        Assert.Equal(EventKind.SiteVisit.ToString(), stored.Kind);
        Assert.Equal($"/api/console/events/{stored.PartitionKey}?done=created", location);
        Assert.Contains("djb@jiedao.example.cn", html); // the change history names who made it
        Assert.Contains("创建 Created", html);

        // Editing keeps what was there and records who changed what.
        var (_, edit) = await organiser.GetAsync($"/api/console/events/{stored.PartitionKey}/edit");
        Assert.Contains("value=\"白玉兰广场北门\"", edit);
        var changed = SiteVisitForm("5G 创新港与塔楼屋顶参观").Select(f => f.Item1 == "venue" ? ("venue", "5G 创新港 3 楼") : f).ToArray();
        (status, html, _) = await organiser.PostAsync($"/api/console/events/{stored.PartitionKey}/edit", changed);
        Assert.Equal(200, status);
        Assert.Contains("已保存", html);
        Assert.Contains("title, place", html);
        Assert.Equal("5G 创新港与塔楼屋顶参观", Assert.Single(await EventsAsync(host)).Title);
    }

    [Fact]
    public async Task A_sign_up_deadline_left_at_the_start_follows_the_start_when_the_event_is_moved_and_a_start_already_past_is_named_beside_start()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var lecture = await app.CreateEventAsync(Seed.Lecture()); // no deadline given: sign-up closes at the start
        var events = app.Get<EventService>();
        var record = (await events.FindAsync(lecture.Id, default))!;
        Assert.Equal(record.StartUtc, record.SignUpClosesUtc);

        // The edit form shows the deadline as "at the start" (empty), so moving the event an hour earlier moves it too.
        var values = EventForm.FromRecord(record);
        Assert.Equal("", values["signUpCloses"]);
        values["start"] = Seed.Local(record.StartUtc.AddHours(-1));
        values["end"] = Seed.Local(record.EndUtc.AddHours(-1));
        Assert.IsType<EventOutcome.Ok>(await events.UpdateAsync(lecture.Id, EventForm.ToInput(values, record.Unit), default));
        var moved = (await events.FindAsync(lecture.Id, default))!;
        Assert.Equal((record.StartUtc.AddHours(-1), record.StartUtc.AddHours(-1)), (moved.StartUtc, moved.SignUpClosesUtc));

        // A deadline the organiser set stays where it was put.
        values["signUpCloses"] = Seed.Local(moved.StartUtc.AddDays(-1));
        Assert.IsType<EventOutcome.Ok>(await events.UpdateAsync(lecture.Id, EventForm.ToInput(values, record.Unit), default));
        Assert.Equal(Seed.Local(moved.StartUtc.AddDays(-1)), EventForm.FromRecord((await events.FindAsync(lecture.Id, default))!)["signUpCloses"]);

        // A new event whose start has passed, sign-up fields left empty: the error is beside the start.
        var past = EventForm.FromRecord(moved);
        past["start"] = "2020-12-12T09:30";
        past["end"] = "2020-12-12T11:30";
        past["signUpOpens"] = "";
        past["signUpCloses"] = "";
        var invalid = Assert.IsType<EventOutcome.Invalid>(await events.CreateAsync(EventForm.ToInput(past, record.Unit), default));
        Assert.NotNull(invalid.Errors.For("start"));
        Assert.Null(invalid.Errors.For("signUpCloses"));
        Assert.StartsWith("活动开始须晚于报名开始", invalid.Errors.ForBoth("start")!);
    }

    [Fact]
    public async Task The_event_page_lists_searches_and_changes_seats_through_the_ledger()
    {
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole());
        var input = Seed.Salon(capacity: 1, waitlist: true);
        input["unit"] = "商会";
        var eventId = (await host.CreateEventAsync(input)).GetProperty("id").GetString()!;
        var first = await SignUpAsync(host, eventId, "王磊", "13812345678", "上海某律师事务所");
        var second = await SignUpAsync(host, eventId, "李莹晖", "13900001111", "北外滩商会");
        var third = await SignUpAsync(host, eventId, "张伟", "13700002222", "白玉兰广场物业");

        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(ConsoleAccessTests.Admin);
        var (status, html) = await admin.GetAsync($"/api/console/events/{eventId}");
        Assert.Equal(200, status);
        Assert.Contains("data-count=\"confirmed\">1<", html);
        Assert.Contains("data-count=\"waitlisted\">2<", html);
        Assert.Contains("第 1 位", html);
        Assert.Contains("第 2 位", html);

        // Search by the last four digits of a phone, by unit, by part of a name.
        (_, html) = await admin.GetAsync($"/api/console/events/{eventId}?q=1111");
        Assert.Contains(second, html);
        Assert.DoesNotContain(first, html);
        (_, html) = await admin.GetAsync($"/api/console/events/{eventId}?q=" + Uri.EscapeDataString("律师"));
        Assert.Contains(first, html);
        Assert.DoesNotContain(third, html);
        (_, html) = await admin.GetAsync($"/api/console/events/{eventId}?q=" + Uri.EscapeDataString("莹"));
        Assert.Contains(second, html);
        Assert.DoesNotContain(first, html);

        // Raising the seats promotes the first in line, in the same change.
        (status, html, _) = await admin.PostAsync($"/api/console/events/{eventId}/capacity", ("capacity", "2"));
        Assert.Equal(200, status);
        var rows = await host.RegistrationsAsync(eventId);
        Assert.Equal(RegistrationStatus.Confirmed, rows.Single(r => r.RegistrationId == second).Status);
        Assert.Equal(RegistrationStatus.Waitlisted, rows.Single(r => r.RegistrationId == third).Status);

        // Lowering below the confirmed count is refused with the reason.
        (status, html, _) = await admin.PostAsync($"/api/console/events/{eventId}/capacity", ("capacity", "1"));
        Assert.Equal(400, status);
        Assert.Contains("名额不能少于已确认人数", html);

        // Removing a confirmed registration frees the seat for the next in line.
        (status, html, _) = await admin.PostAsync($"/api/console/events/{eventId}/registrations/{first}/remove", ("confirm", "yes"));
        Assert.Equal(200, status);
        rows = await host.RegistrationsAsync(eventId);
        Assert.DoesNotContain(rows, r => r.RegistrationId == first);
        Assert.Equal(RegistrationStatus.Confirmed, rows.Single(r => r.RegistrationId == third).Status);

        // Close sign-up early; then cancel the event; an edit afterwards cannot revive it.
        (status, _, _) = await admin.PostAsync($"/api/console/events/{eventId}/close");
        Assert.Equal(200, status);
        var e = (await host.Table.GetEntityAsync<EventEntity>(eventId, EventEntity.RowKeyValue)).Value;
        Assert.True(e.SignUpClosesUtc <= DateTimeOffset.UtcNow);
        // Closing it again changes nothing: nothing is written, and the history does not say it happened twice.
        (status, html, _) = await admin.PostAsync($"/api/console/events/{eventId}/close");
        Assert.Equal(200, status);
        var again = (await host.Table.GetEntityAsync<EventEntity>(eventId, EventEntity.RowKeyValue)).Value;
        Assert.Equal((e.SignUpClosesUtc, e.Version), (again.SignUpClosesUtc, again.Version));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "截止报名 Closed sign-up"));
        (status, html, _) = await admin.PostAsync($"/api/console/events/{eventId}/cancel");
        Assert.Equal(400, status); // not confirmed
        (status, html, _) = await admin.PostAsync($"/api/console/events/{eventId}/cancel", ("confirm", "yes"));
        Assert.Equal(200, status);
        Assert.Contains("已取消 Cancelled", html);
        input["capacity"] = 2;
        using var put = await host.Http.PutAsJsonAsync($"/api/events/{eventId}", input);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.True((await host.Table.GetEntityAsync<EventEntity>(eventId, EventEntity.RowKeyValue)).Value.Cancelled);

        // The history says who did each of these.
        (_, html) = await admin.GetAsync($"/api/console/events/{eventId}");
        foreach (var action in new[] { "修改名额", "移除报名", "截止报名", "取消活动" }) Assert.Contains(action, html);
    }

    [Fact]
    public async Task Share_gives_the_link_its_QR_code_as_PNG_and_SVG_and_an_A4_poster()
    {
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole());
        var (eventId, _) = await ConsoleSeed.SeedEventAsync(host, unit: "商会");
        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(ConsoleAccessTests.Admin);

        var (status, html) = await admin.GetAsync($"/api/console/events/{eventId}/share");
        Assert.Equal(200, status);
        Assert.Contains($"/api/signup/{eventId}", html);

        using var png = await admin.Http.GetAsync($"/api/console/events/{eventId}/qr.png");
        Assert.Equal("image/png", png.Content.Headers.ContentType!.MediaType);
        var bytes = await png.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        using var svg = await admin.Http.GetAsync($"/api/console/events/{eventId}/qr.svg");
        Assert.Equal("image/svg+xml", svg.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<svg", await svg.Content.ReadAsStringAsync());

        (status, html) = await admin.GetAsync($"/api/console/events/{eventId}/poster");
        Assert.Equal(200, status);
        Assert.Contains("size: A4", html);
        Assert.Contains("北外滩商会沙龙", html);
        Assert.Contains($"/api/console/events/{eventId}/qr.svg", html);
        Assert.Contains("白玉兰广场 42 楼", html);
    }

    [Fact]
    public async Task From_the_event_page_an_organiser_checks_people_in_resends_a_confirmation_and_reports_by_unit()
    {
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole());
        var input = Seed.Salon(capacity: 10);
        input["unit"] = "商会";
        var eventId = (await host.CreateEventAsync(input)).GetProperty("id").GetString()!;
        var wang = await SignUpAsync(host, eventId, "王磊", "13812345678", "上海某律师事务所");
        var li = await SignUpAsync(host, eventId, "李莹晖", "13900001111", "=HYPERLINK(\"x\")");
        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.MailsFor(wang).Count == 1), "the first confirmation");

        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(ConsoleAccessTests.Admin);
        var key = (await host.RegistrationsAsync(eventId)).Single(r => r.RegistrationId == wang).RowKey;

        // Check-in from the console: recorded once, a second tap says when; undo takes it back.
        var (status, html, _) = await admin.PostAsync($"/api/console/events/{eventId}/registrations/{wang}/checkin", ("key", key));
        Assert.Equal(200, status);
        Assert.Contains("data-count=\"checkedIn\">1<", html);
        (status, html, _) = await admin.PostAsync($"/api/console/events/{eventId}/registrations/{wang}/checkin", ("key", key));
        Assert.Contains("已签到", html);
        var row = (await host.RegistrationsAsync(eventId)).Single(r => r.RegistrationId == wang);
        Assert.Equal("organiser:" + ConsoleAccessTests.Admin, row.CheckedInBy);
        Assert.Equal(1, (await host.Table.GetEntityAsync<EventEntity>(eventId, EventEntity.RowKeyValue)).Value.CheckedIn);
        (status, _, _) = await admin.PostAsync($"/api/console/events/{eventId}/registrations/{li}/undo-checkin", ("key", "reg-" + new string('0', 40)));
        Assert.Equal(404, status);
        // The route names one person, the form another: refused, nobody's check-in touched.
        (status, _, _) = await admin.PostAsync($"/api/console/events/{eventId}/registrations/{li}/undo-checkin", ("key", key));
        Assert.Equal(404, status);
        Assert.NotNull((await host.RegistrationsAsync(eventId)).Single(r => r.RegistrationId == wang).CheckedInUtc);
        (status, html, _) = await admin.PostAsync($"/api/console/events/{eventId}/registrations/{wang}/checkin", ("key", key));

        // Resend: a second confirmation reaches SendGrid.
        (status, html, _) = await admin.PostAsync($"/api/console/events/{eventId}/registrations/{wang}/resend");
        Assert.Equal(200, status);
        Assert.Contains("确认邮件将重新发送", html);
        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.MailsFor(wang).Count >= 2), "the resent confirmation");

        // The unit report for this month and its CSV (BOM, formula-looking unit neutralised).
        var day = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow.AddDays(10), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        var range = $"from={day:yyyy-MM}-01&to={day.AddDays(40):yyyy-MM-dd}";
        (status, html) = await admin.GetAsync($"/api/console/reports?{range}");
        Assert.Equal(200, status);
        Assert.Contains("data-unit=\"上海某律师事务所\"", html);
        Assert.DoesNotContain("data-unit=\"=HYPERLINK", html); // nobody of that unit attended
        // The page's own export link, as a browser reads it (attribute decoded once).
        var link = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "id=\"report-csv\" href=\"([^\"]+)\"").Groups[1].Value);
        Assert.Equal($"/api/console/reports/units.csv?{range}", link);
        using var csv = await admin.Http.GetAsync(link);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        Assert.Contains("上海某律师事务所", System.Text.Encoding.UTF8.GetString(bytes));
        (status, html) = await admin.GetAsync("/api/console/reports?from=2026-13-01");
        Assert.Equal(400, status);

        // The registrations export neutralises the formula-looking unit.
        using var export = await admin.Http.GetAsync($"/api/console/events/{eventId}/export/registrations.csv");
        var text = System.Text.Encoding.UTF8.GetString(await export.Content.ReadAsByteArrayAsync());
        Assert.Contains("'=HYPERLINK", text);
    }

    private static async Task<List<EventEntity>> EventsAsync(RunningHost host)
    {
        var list = new List<EventEntity>();
        await foreach (var e in host.Table.QueryAsync<EventEntity>(x => x.RowKey == EventEntity.RowKeyValue)) list.Add(e);
        return list;
    }

    [Fact]
    public async Task A_person_removed_from_the_console_is_told_by_email_unless_the_organiser_ticks_do_not_notify()
    {
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole());
        var input = Seed.Salon(capacity: 5);
        input["unit"] = "商会";
        var eventId = (await host.CreateEventAsync(input)).GetProperty("id").GetString()!;
        var told = await SignUpAsync(host, eventId, "王磊", "13812345678", "上海某律师事务所");
        var quiet = await SignUpAsync(host, eventId, "李莹晖", "13900001111", "北外滩商会");
        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.Sent.Count(m => m.Status == RegistrationStatus.Confirmed) == 2), "both confirmations sent");
        var toldEmail = (await host.RegistrationsAsync(eventId)).Single(r => r.RegistrationId == told).Email;

        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(ConsoleAccessTests.Admin);
        var (status, html, _) = await admin.PostAsync($"/api/console/events/{eventId}/registrations/{told}/remove", ("confirm", "yes"));
        Assert.Equal(200, status);
        Assert.Contains("已发邮件通知本人", html);
        (status, html, _) = await admin.PostAsync($"/api/console/events/{eventId}/registrations/{quiet}/remove", ("confirm", "yes"), ("quiet", "yes"));
        Assert.Equal(200, status);
        Assert.DoesNotContain("已发邮件通知本人", html);

        // One removal email, to the person removed with notice, once; then nothing of them is kept.
        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.Sent.Any(m => m.RegistrationId == told && m.Status == RegistrationStatus.Removed)), "the removal email is sent");
        await RunningHost.Eventually(async () => !(await host.Table.QueryAsync<RegistrationEntity>(x => x.PartitionKey == eventId).ToListAsync()).Any(r => r.RowKey.StartsWith("removed-", StringComparison.Ordinal)),
            "the removal notice row is deleted once its email is recorded");
        var removal = Assert.Single(host.SendGrid.Sent, m => m.Status == RegistrationStatus.Removed);
        Assert.Equal(toldEmail, removal.To);
        Assert.DoesNotContain(host.SendGrid.Sent, m => m.RegistrationId == quiet && m.Status == RegistrationStatus.Removed);
        Assert.Empty(await host.RegistrationsAsync(eventId));

        // The console shows neither as a registration, and the history says which one was told.
        (_, html) = await admin.GetAsync($"/api/console/events/{eventId}");
        Assert.DoesNotContain(told, html.Split("id=\"history\"")[0]);
        Assert.Contains("移除报名并通知本人", html);
        Assert.Contains("移除报名（未通知）", html);
    }

    private static async Task<string> SignUpAsync(RunningHost host, string eventId, string name, string phone, string unit)
    {
        using var response = await host.Http.PostAsJsonAsync($"/api/events/{eventId}/registrations", new
        {
            name, phone, email = $"{Guid.NewGuid():N}@example.cn", organisation = unit,
            answers = new Dictionary<string, string> { ["lunch"] = "yes" }, consent = true,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("registrationId").GetString()!;
    }
}
