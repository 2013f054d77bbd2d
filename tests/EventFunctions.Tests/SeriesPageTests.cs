using System.Text.RegularExpressions;
using EventFunctions.Functions.Participants;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Series;
using EventFunctions.Shared.Text;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>A series' public page and its form, the manage page's list of sessions, and the console's series pages.</summary>
[Collection(StorageCollection.Name)]
public sealed class SeriesPageTests(AzuriteFixture azurite)
{
    private static async Task<(SeriesEntity Series, IReadOnlyList<EventRecord> Sessions)> CourseAsync(TestApp app, int capacity = 10)
    {
        var lecture = Seed.Lecture(capacity: capacity, waitlist: true);
        lecture["title"] = "《民法典》四讲";
        var first = (await app.Get<EventService>().FindAsync((await app.CreateEventAsync(lecture)).Id, default))!;
        var (series, _) = await app.Get<SeriesService>().CreateAsync(first, "《民法典》四讲", "四次课，每周六晚", Repeat.Weekly, 4, [], default);
        return (series!, await app.Get<SeriesService>().SessionsAsync(series!, default));
    }

    private static IEnumerable<KeyValuePair<string, string>> Fields(string seriesId, string name, string email, params (string, string)[] more) =>
        new[] { ("name", name), ("email", email), ("consent", "true"), ("ft", TestFormTokens.For(seriesId)) }.Concat(more).Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2));

    [Fact]
    public async Task The_page_lists_the_sessions_and_says_before_submitting_when_a_full_session_stops_the_whole_series()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var (series, sessions) = await CourseAsync(app, capacity: 2);
        var page = new SeriesForm(app.Get<SeriesApi>());
        var (status, html) = Results.Html(await page.Show(Requests.Get($"/api/series/{series.RowKey}"), series.RowKey, default));
        Assert.Equal(200, status);
        Assert.Contains("整套报名（全部 4 场）", html);
        Assert.All(sessions, s => Assert.Contains($"data-session=\"{s.Id}\"", html));
        Assert.Contains("property=\"og:title\" content=\"《民法典》四讲\"", html);
        Assert.DoesNotContain("<script", html);

        // The third session fills up: the whole-series choice is off, and the page says why.
        for (var i = 0; i < 2; i++) await app.Get<RegistrationService>().SignUpAsync(sessions[2].Id, new SignUpInput { Name = $"甲{i}", Email = $"a{i}@example.cn", Consent = true }, UiText.Chinese, default);
        (_, html) = Results.Html(await page.Show(Requests.Get($"/api/series/{series.RowKey}"), series.RowKey, default));
        Assert.Matches("id=\"mode-all\"[^>]*disabled", html);
        Assert.Contains("第 3 场已满或报名已截止，不能整套报名", html);
        Assert.Equal(404, Results.Html(await page.Show(Requests.Get("/api/series/nosuchone1"), "nosuchone1", default)).Status);
    }

    [Fact]
    public async Task The_form_signs_up_for_the_whole_series_or_the_sessions_ticked_and_the_manage_page_lists_them()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var (series, sessions) = await CourseAsync(app);
        var page = new SeriesForm(app.Get<SeriesApi>());
        var url = $"/api/series/{series.RowKey}";

        // No form token (a script posting blind): nothing stored.
        var (blind, _) = Results.Html(await page.Submit(Requests.Form(url, [new("mode", "all"), new("name", "机器人"), new("email", "bot@example.cn"), new("consent", "true")]), series.RowKey, default));
        Assert.Equal(400, blind);
        // Neither the whole series nor a session chosen: said beside the choice.
        var (none, nonePage) = Results.Html(await page.Submit(Requests.Form(url, Fields(series.RowKey, "王磊", "wanglei@example.cn", ("mode", "some"))), series.RowKey, default));
        Assert.Equal(400, none);
        Assert.Contains("请选择整套报名，或至少勾选一场", nonePage);
        // A bad email: beside the field, nothing held in any session.
        var (bad, badPage) = Results.Html(await page.Submit(Requests.Form(url, Fields(series.RowKey, "王磊", "not-an-email", ("mode", "all"))), series.RowKey, default));
        Assert.Equal(400, bad);
        Assert.Contains("id=\"email-error\"", badPage);
        foreach (var s in sessions) Assert.Empty(await app.RegistrationsAsync(s.Id));

        var (ok, okPage) = Results.Html(await page.Submit(Requests.Form(url, Fields(series.RowKey, "王磊", "wanglei@example.cn", ("mode", "all"))), series.RowKey, default));
        Assert.Equal(200, ok);
        Assert.Contains("已报名整套系列", okPage);
        foreach (var s in sessions) Assert.Equal(RegistrationStatus.Confirmed, (await app.RegistrationsAsync(s.Id)).Single().Status);

        // Someone else ticks two sessions only.
        var (some, somePage) = Results.Html(await page.Submit(Requests.Form(url, Fields(series.RowKey, "赵敏", "zhaomin@example.cn", ("mode", "some"), ($"s.{sessions[1].Id}", "on"), ($"s.{sessions[3].Id}", "on"))), series.RowKey, default));
        Assert.Equal(200, some);
        Assert.Contains("第 2 场 · 已确认", somePage);
        Assert.Contains("第 4 场 · 已确认", somePage);
        Assert.DoesNotContain(await app.RegistrationsAsync(sessions[0].Id), r => r.Name == "赵敏");

        // The manage page of any session lists the person's sessions of the series.
        var row = (await app.RegistrationsAsync(sessions[3].Id)).Single(r => r.Name == "赵敏");
        var manage = Results.Html(await app.CancelRegistration.Show(Requests.Get($"/x?t={TestTokens.Manage(row)}"), sessions[3].Id, row.RegistrationId, default)).Html;
        Assert.Contains("您在本系列的报名", manage);
        Assert.Equal(2, Regex.Matches(manage, "第 \\d 场 · ").Count);
        Assert.Contains($"/api/series/{series.RowKey}", manage);
    }

    [Fact]
    public async Task An_organiser_repeats_an_event_into_a_series_edits_the_following_sessions_and_sees_who_came_to_how_many()
    {
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole());
        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(ConsoleAccessTests.Admin);
        var lecture = Seed.Lecture(capacity: 20);
        var eventId = (await host.CreateEventAsync(lecture)).GetProperty("id").GetString()!;

        var (status, page) = await admin.GetAsync($"/api/console/events/{eventId}/repeat");
        Assert.Equal(200, status);
        (status, page, _) = await admin.PostAsync($"/api/console/events/{eventId}/repeat", ("title", "供水讲座系列"), ("repeat", "weekly"), ("count", "500"));
        Assert.Equal(400, status);
        Assert.Contains("一个系列最多 52 场", page);
        (status, page, _) = await admin.PostAsync($"/api/console/events/{eventId}/repeat", ("title", "供水讲座系列"), ("repeat", "dates"), ("dates", "2027-13-01"));
        Assert.Equal(400, status);
        Assert.Contains("日期格式应为", page);

        (status, page, _) = await admin.PostAsync($"/api/console/events/{eventId}/repeat", ("title", "供水讲座系列"), ("description", "三次课"),
            ("english.title", "Water supply lectures"), ("english.description", "Three talks"), ("repeat", "fortnightly"), ("count", "3"));
        Assert.Equal(200, status);
        Assert.Contains("系列已生成", page);
        var sessions = Regex.Matches(page, "data-session=\"(?<id>[a-z0-9]+)\"").Select(m => m.Groups["id"].Value).ToList();
        Assert.Equal(3, sessions.Count);
        Assert.Equal(eventId, sessions[0]);
        var seriesId = Regex.Match(page, "/api/series/(?<id>[a-z0-9]+)").Groups["id"].Value;
        // The series' page in each language.
        Assert.Contains("<h1>供水讲座系列</h1>", await host.Http.GetStringAsync($"/api/series/{seriesId}"));
        var english = await host.Http.GetStringAsync($"/api/series/{seriesId}?lang=en");
        Assert.Contains("<h1>Water supply lectures</h1>", english);
        Assert.Contains("Three talks", english);

        // Edit from the second session: a time that is not one is refused; a new venue and hour apply to sessions 2 and 3.
        (status, page, _) = await admin.PostAsync($"/api/console/series/{seriesId}/edit", ("from", sessions[1]), ("startTime", "7pm"));
        Assert.Equal(400, status);
        Assert.Contains("时间格式应为 19:00", page);
        (status, page, _) = await admin.PostAsync($"/api/console/series/{seriesId}/edit", ("from", sessions[1]), ("venue", "街道党群服务中心"), ("startTime", "18:30"), ("endTime", "20:00"));
        Assert.Equal(200, status);
        Assert.Contains("已修改 2 场", page);
        var stored = await Task.WhenAll(sessions.Select(id => host.Get<EventService>().FindAsync(id, default)));
        Assert.NotEqual("街道党群服务中心", stored[0]!.Venue);
        Assert.All(stored.Skip(1), e => Assert.Equal(("街道党群服务中心", "18:30"), (e!.Venue, e.ToLocal(e.StartUtc).ToString("HH:mm"))));

        // Attendance across the series: someone at every session, checked in at the first.
        var joined = await host.Get<SeriesService>().JoinAllAsync((await host.Get<SeriesService>().FindAsync(seriesId, default))!,
            new SignUpInput { Name = "李莹晖", Email = "liyinghui@example.com", Consent = true }, UiText.Chinese, default);
        var seats = Assert.IsType<SeriesJoinOutcome.Joined>(joined).Seats;
        await host.Get<EventFunctions.Shared.Attendance.AttendanceService>().CheckInAsync(sessions[0], seats[0].Row.RowKey, "door:test", default);
        (status, page) = await admin.GetAsync($"/api/console/series/{seriesId}");
        Assert.Equal(200, status);
        Assert.Contains("data-person=\"李莹晖\" data-attended=\"1\"", page);
        Assert.Contains("1 / 3", page);

        // Nothing missing: "finish" makes nothing and says so.
        (status, page, _) = await admin.PostAsync($"/api/console/series/{seriesId}/finish");
        Assert.Equal(200, status);
        Assert.Contains("已生成 3 / 3 场", page);

        // The event page of a session links its series.
        (_, page) = await admin.GetAsync($"/api/console/events/{sessions[2]}");
        Assert.Contains($"/api/console/series/{seriesId}", page);
    }
}
