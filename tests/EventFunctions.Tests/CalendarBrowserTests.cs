using System.Net.Http.Json;
using System.Text.RegularExpressions;
using EventFunctions.Shared.Attendance;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Notifications;
using EventFunctions.Shared.Series;
using EventFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace EventFunctions.Tests;

/// <summary>
/// The street office's calendar in a real browser, on a phone with scripts off: the public calendar in Chinese and
/// English, filtered; a series signed up for whole and for one session; feedback answered from the thank-you email;
/// a volunteer checked in and out at the door and their certificate. Every page is checked with axe; screenshots go
/// to test-output/calendar/.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class CalendarBrowserTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private Chromium _chromium = null!;
    private readonly string _shots = Path.Combine(RepoRoot.Find(), "test-output", "calendar");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_shots);
        _chromium = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync() => await _chromium.DisposeAsync();

    private Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(_shots, name + ".png"), FullPage = true });

    private static Task<RunningHost> HostAsync(AzuriteFixture azurite, FakeTimeProvider? clock = null) =>
        RunningHost.StartAsync(azurite, new(ConsoleAccessTests.DevelopmentConsole()) { ["EventFunctions:CalendarRefresh"] = "00:00:00" },
            clock is null ? null : services => services.AddSingleton<TimeProvider>(clock));

    [Fact]
    public async Task A_resident_finds_events_on_the_calendar_on_a_phone_in_Chinese_and_English_and_filters_them()
    {
        await using var host = await HostAsync(azurite);
        var url = host.BaseUrl.TrimEnd('/');
        await host.CreateEventAsync(Seed.Salon());
        await host.CreateEventAsync(Seed.SiteVisit());
        var lecture = (await host.CreateEventAsync(Seed.Lecture())).GetProperty("id").GetString()!;
        await host.CreateEventAsync(Seed.Volunteering());

        await using var phone = await _chromium.PhoneAsync();
        var page = await phone.NewPageAsync();
        await page.GotoAsync($"{url}/api/calendar");
        Assert.Equal(4, await page.Locator("li[data-event]").CountAsync());
        Assert.Contains("余 200 席", await page.InnerTextAsync($"li[data-event='{lecture}']"));
        Assert.Equal(390, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"));
        await Accessibility.AssertAccessibleAsync(page, "calendar (Chinese)");
        await ShotAsync(page, "01-calendar-zh");

        await page.ClickAsync("nav a:text('讲座')");
        Assert.Equal(1, await page.Locator("li[data-event]").CountAsync());
        await Accessibility.AssertAccessibleAsync(page, "calendar filtered to lectures");
        await ShotAsync(page, "02-calendar-lectures");

        await page.ClickAsync("a.lang");
        Assert.Contains("Upcoming events", await page.InnerTextAsync("h1"));
        Assert.Equal(1, await page.Locator("li[data-event]").CountAsync());
        await page.ClickAsync("nav[aria-label='Kind'] a:text('All')");
        Assert.Equal(4, await page.Locator("li[data-event]").CountAsync());
        Assert.Contains("Volunteering", await page.InnerTextAsync("main"));
        Assert.Contains("/api/calendar.ics?lang=en", await page.InnerTextAsync("#feed-url"));
        await Accessibility.AssertAccessibleAsync(page, "calendar (English)");
        await ShotAsync(page, "03-calendar-en");

        // The entry leads to the event's form.
        await page.ClickAsync($"li[data-event='{lecture}'] h3 a");
        Assert.Contains($"/api/signup/{lecture}", page.Url);
    }

    [Fact]
    public async Task A_resident_signs_up_for_a_whole_series_and_another_for_one_session()
    {
        await using var host = await HostAsync(azurite);
        var url = host.BaseUrl.TrimEnd('/');
        var definition = Seed.Lecture(capacity: 30);
        definition["title"] = "《民法典》四讲：婚姻家庭编";
        var first = (await host.Get<EventService>().FindAsync((await host.CreateEventAsync(definition)).GetProperty("id").GetString()!, default))!;
        var (series, _) = await host.Get<SeriesService>().CreateAsync(first, "《民法典》四讲", "街道公共法律服务站的律师主讲，每周一次，共四讲。", Repeat.Weekly, 4, [], default);
        var sessions = await host.Get<SeriesService>().SessionsAsync(series!, default);
        // The calendar shows each session, and leads to the series.
        await using (var look = await _chromium.PhoneAsync())
        {
            var calendar = await look.NewPageAsync();
            await calendar.GotoAsync($"{url}/api/calendar");
            Assert.Equal(4, await calendar.Locator("li[data-event] a:text('系列活动 · 可整套报名')").CountAsync());
            await calendar.Locator("li[data-event] a:text('系列活动 · 可整套报名')").First.ClickAsync();
            Assert.Contains($"/api/series/{series!.RowKey}", calendar.Url);
        }

        await using var phone = await _chromium.PhoneAsync();
        var page = await phone.NewPageAsync();
        await page.GotoAsync($"{url}/api/series/{series!.RowKey}");
        Assert.Equal(4, await page.Locator("li[data-session]").CountAsync());
        Assert.True(await page.IsCheckedAsync("#mode-all"));
        await Accessibility.AssertAccessibleAsync(page, "series page");
        await ShotAsync(page, "04-series");
        await page.FillAsync("#name", "王磊");
        await page.FillAsync("#email", "wanglei@example.cn");
        await page.CheckAsync("#consent");
        await page.WaitForTimeoutAsync(2000); // a person takes a few seconds over the form; a post sooner is sent back
        await page.ClickAsync("button[type=submit]");
        Assert.Contains("已报名整套系列", await page.InnerTextAsync("main"));
        await Accessibility.AssertAccessibleAsync(page, "series signed up");
        await ShotAsync(page, "05-series-whole");
        foreach (var s in sessions) Assert.Single(await host.RegistrationsAsync(s.Id));

        await using var english = await _chromium.PhoneAsync("en-GB");
        var anna = await english.NewPageAsync();
        await anna.GotoAsync($"{url}/api/series/{series.RowKey}?lang=en");
        await anna.CheckAsync("#mode-some");
        await anna.CheckAsync($"#s-{sessions[2].Id}");
        await anna.FillAsync("#name", "Anna Smith");
        await anna.FillAsync("#email", "anna@example.com");
        await anna.CheckAsync("#consent");
        await anna.WaitForTimeoutAsync(2000);
        await anna.ClickAsync("button[type=submit]");
        Assert.Contains("Session 3", await anna.InnerTextAsync("main"));
        await Accessibility.AssertAccessibleAsync(anna, "series, one session (English)");
        await ShotAsync(anna, "06-series-one-session-en");
        Assert.Equal(2, (await host.RegistrationsAsync(sessions[2].Id)).Count);
        Assert.Single(await host.RegistrationsAsync(sessions[1].Id));
    }

    [Fact]
    public async Task A_participant_rates_the_event_from_the_thank_you_email_and_the_organiser_sees_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await HostAsync(azurite, clock);
        var url = host.BaseUrl.TrimEnd('/');
        var eventId = (await host.CreateEventAsync(Seed.Lecture(capacity: 20))).GetProperty("id").GetString()!;
        using (var signUp = await host.Http.PostAsJsonAsync($"/api/events/{eventId}/registrations", Seed.Person("李莹晖", "liyinghui@example.com", phone: null)))
            Assert.Equal(System.Net.HttpStatusCode.Created, signUp.StatusCode);
        var e = (await host.Get<EventService>().FindAsync(eventId, default))!;
        clock.SetUtcNow(e.StartUtc);
        var row = (await host.RegistrationsAsync(eventId)).Single();
        await host.Get<AttendanceService>().CheckInAsync(eventId, row.RowKey, "door:test", default);
        clock.SetUtcNow(e.EndUtc.AddMinutes(10));
        Assert.Equal(1, (await host.Get<NotificationSweep>().RunAsync(default)).Thanks);
        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.Mails.Select(Mail.From).Any(m => m.Notice == "thanks")), "the thank-you email");
        var mail = host.SendGrid.Mails.Select(Mail.From).Single(m => m.Notice == "thanks");
        var link = Regex.Match(mail.Plain, @"4 分 · 满意: (\S+)").Groups[1].Value.Replace("https://signup.example.cn", url);

        await using var phone = await _chromium.PhoneAsync();
        var page = await phone.NewPageAsync();
        await page.GotoAsync(link);
        Assert.True(await page.IsCheckedAsync("#rating-4"));
        await Accessibility.AssertAccessibleAsync(page, "feedback form");
        await page.FillAsync("#comment", "讲得很清楚，希望下次多留答疑时间。");
        await ShotAsync(page, "07-feedback");
        await page.ClickAsync("button[type=submit]");
        Assert.Contains("感谢您的反馈", await page.InnerTextAsync("main"));
        await Accessibility.AssertAccessibleAsync(page, "feedback thanks");
        await page.GotoAsync(link);
        Assert.Contains("您已经提交过反馈", await page.InnerTextAsync("main"));

        await using var laptop = await _chromium.LaptopAsync();
        var organiser = await laptop.NewPageAsync();
        await organiser.GotoAsync($"{url}/api/console");
        await organiser.ClickAsync("#signin-demo-admin");
        await organiser.GotoAsync($"{url}/api/console/events/{eventId}");
        Assert.Equal("1", await organiser.GetAttributeAsync("#feedback-summary", "data-answers"));
        Assert.Contains("希望下次多留答疑时间", await organiser.InnerTextAsync("#comments"));
        Assert.DoesNotContain("李莹晖", await organiser.InnerTextAsync("#feedback"));
        await Accessibility.AssertAccessibleAsync(organiser, "event page with feedback");
        await ShotAsync(organiser, "08-feedback-console");
    }

    [Fact]
    public async Task A_volunteer_is_checked_in_and_out_at_the_door_and_prints_their_hours_certificate()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await HostAsync(azurite, clock);
        var url = host.BaseUrl.TrimEnd('/');
        var eventId = (await host.CreateEventAsync(Seed.Volunteering(day: 3))).GetProperty("id").GetString()!;
        using (var signUp = await host.Http.PostAsJsonAsync($"/api/events/{eventId}/registrations", Seed.Person("陈静", "chenjing@example.cn", "13912345678")))
            Assert.Equal(System.Net.HttpStatusCode.Created, signUp.StatusCode);
        var e = (await host.Get<EventService>().FindAsync(eventId, default))!;
        var door = host.Get<DoorLinks>().Create(e).Replace("https://signup.example.cn", url);
        clock.SetUtcNow(e.StartUtc.AddMinutes(-10));

        await using var phone = await _chromium.PhoneAsync();
        var staff = await phone.NewPageAsync();
        await staff.GotoAsync(door);
        await staff.FillAsync("#q", "陈静");
        await staff.PressAsync("#q", "Enter");
        await staff.ClickAsync(".person form button:text('签到')");
        Assert.Contains("陈静 签到成功", await staff.InnerTextAsync("main"));
        await Accessibility.AssertAccessibleAsync(staff, "door page, volunteer checked in");
        await ShotAsync(staff, "09-door-checked-in");

        clock.Advance(TimeSpan.FromHours(3));
        await staff.FillAsync("#q", "陈静");
        await staff.PressAsync("#q", "Enter");
        await staff.ClickAsync("button.checkout");
        Assert.Contains("陈静 签退成功", await staff.InnerTextAsync("main"));
        Assert.Contains("本次 3.0 小时", await staff.InnerTextAsync("main"));
        await Accessibility.AssertAccessibleAsync(staff, "door page, volunteer checked out");
        await ShotAsync(staff, "10-door-checked-out");

        var row = (await host.RegistrationsAsync(eventId)).Single();
        var volunteer = await phone.NewPageAsync();
        await volunteer.GotoAsync($"{url}/api/manage/{eventId}/{row.RegistrationId}?t={Uri.EscapeDataString(TestTokens.Manage(row))}");
        await volunteer.ClickAsync("#certificate");
        Assert.Equal("3.0", await volunteer.InnerTextAsync("#hours"));
        Assert.Contains("兹证明 陈静", await volunteer.InnerTextAsync("#certificate"));
        await Accessibility.AssertAccessibleAsync(volunteer, "volunteer certificate");
        await ShotAsync(volunteer, "11-certificate");
        await volunteer.EmulateMediaAsync(new() { Media = Media.Print });
        await volunteer.PdfAsync(new() { Path = Path.Combine(_shots, "11-certificate.pdf"), Format = "A4" });
    }
}
