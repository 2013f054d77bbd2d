using System.Text.RegularExpressions;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EventFunctions.Tests;

/// <summary>
/// A lottery event from entry to result in a real browser, on phones with scripts off: one resident enters in Chinese,
/// one in English; each confirms from the email; the draw runs at its time; each is told; the public check page shows
/// the seed, the list's hash and the drawn order in both languages. Every page is checked with axe; screenshots go to
/// test-output/lottery/.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class LotteryBrowserTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private Chromium _chromium = null!;
    private readonly string _shots = Path.Combine(RepoRoot.Find(), "test-output", "lottery");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_shots);
        _chromium = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync() => await _chromium.DisposeAsync();

    [Fact]
    public async Task Two_residents_enter_in_Chinese_and_English_confirm_by_email_and_see_the_draw_they_can_check()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole(), services => services.AddSingleton<TimeProvider>(clock));
        var url = host.BaseUrl.TrimEnd('/');
        var definition = Seed.Lecture(capacity: 1, waitlist: true);
        definition["title"] = "5G 枢纽参观名额抽签";
        definition["english"] = new { title = "5G hub visit (lottery)" };
        definition["lotteryDraw"] = Seed.Local(clock.GetUtcNow().AddHours(2));
        var eventId = (await host.CreateEventAsync(definition)).GetProperty("id").GetString()!;

        string Link(string to, string subjectStart)
        {
            var mail = host.SendGrid.Mails.Select(Mail.From).Last(m => m.To == to && m.Subject.StartsWith(subjectStart, StringComparison.Ordinal));
            return Regex.Match(mail.Plain, @"(https://signup\.example\.cn/api/manage/\S+)").Groups[1].Value.Replace("https://signup.example.cn", url);
        }

        // Wang, in Chinese: the page says it is a lottery (no need to rush); the answer says to confirm by email.
        await using var phone = await _chromium.PhoneAsync();
        var wang = await phone.NewPageAsync();
        await wang.GotoAsync($"{url}/api/signup/{eventId}");
        Assert.Contains("不分先后", await wang.InnerTextAsync("#lottery"));
        var committed = (await wang.InnerTextAsync("#lottery #seed-hash")).Trim(); // the seed's hash, on the event page from the start
        await Accessibility.AssertAccessibleAsync(wang, "a lottery's sign-up page (zh)");
        await wang.ScreenshotAsync(new() { Path = Path.Combine(_shots, "01-entry-form-zh.png"), FullPage = true });
        await wang.FillAsync("#name", "王磊");
        await wang.FillAsync("#email", "wanglei@example.cn");
        await wang.CheckAsync("#consent");
        clock.Advance(TimeSpan.FromSeconds(5)); // a person takes a few seconds over the form; a post sooner is sent back (the host runs on this clock)
        await wang.ClickAsync("button[type=submit]");
        Assert.Contains("请到邮箱确认抽签报名", await wang.InnerTextAsync("main"));
        await Accessibility.AssertAccessibleAsync(wang, "a lottery entry received (zh)");
        await wang.ScreenshotAsync(new() { Path = Path.Combine(_shots, "02-entry-received-zh.png"), FullPage = true });

        // Anna, in English, on another phone.
        await using var other = await _chromium.PhoneAsync();
        var anna = await other.NewPageAsync();
        await anna.GotoAsync($"{url}/api/signup/{eventId}?lang=en");
        Assert.Contains("no need to rush", await anna.InnerTextAsync("#lottery"));
        await Accessibility.AssertAccessibleAsync(anna, "a lottery's sign-up page (en)");
        await anna.FillAsync("#name", "Anna Smith");
        await anna.FillAsync("#email", "anna@example.com");
        await anna.CheckAsync("#consent");
        clock.Advance(TimeSpan.FromSeconds(5));
        await anna.ClickAsync("button[type=submit]");
        Assert.Contains("Confirm your lottery entry by email", await anna.InnerTextAsync("main"));

        // Each confirms the entry from the email, with one tap on the manage page.
        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.Mails.Select(Mail.From).Count(m => m.Subject.StartsWith("请确认抽签报名", StringComparison.Ordinal) || m.Subject.StartsWith("Please confirm your lottery entry", StringComparison.Ordinal)) == 2), "both entry emails");
        await wang.GotoAsync(Link("wanglei@example.cn", "请确认抽签报名"));
        Assert.Contains("抽签报名待确认", await wang.InnerTextAsync("main"));
        await Accessibility.AssertAccessibleAsync(wang, "an entry to confirm (zh)");
        await wang.ClickAsync("#confirm button");
        Assert.Contains("抽签报名已确认", await wang.InnerTextAsync("main"));
        await Accessibility.AssertAccessibleAsync(wang, "an entry confirmed (zh)");
        await wang.ScreenshotAsync(new() { Path = Path.Combine(_shots, "03-entry-confirmed-zh.png"), FullPage = true });
        await anna.GotoAsync(Link("anna@example.com", "Please confirm your lottery entry"));
        await anna.ClickAsync("#confirm button");
        Assert.Contains("Your lottery entry is confirmed", await anna.InnerTextAsync("main"));
        await anna.ScreenshotAsync(new() { Path = Path.Combine(_shots, "04-entry-confirmed-en.png"), FullPage = true });

        // Before the draw the check page shows the seed's hash and says when the draw is.
        var check = await phone.NewPageAsync();
        await check.GotoAsync($"{url}/api/lottery/{eventId}");
        var seedHash = (await check.InnerTextAsync("#seed-hash")).Trim();
        Assert.Matches("^[0-9a-f]{64}$", seedHash);
        Assert.Contains("抽签后公布", await check.InnerTextAsync("#seed"));
        await Accessibility.AssertAccessibleAsync(check, "the check page before the draw");

        // The draw time: the sweep draws; one seat, two entries: one is told they won, the other they wait.
        clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        await host.Get<RegistrationService>().ExpireHoldsAsync(default);
        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.Mails.Select(Mail.From).Count(m => m.Subject.StartsWith("抽签结果", StringComparison.Ordinal) || m.Subject.StartsWith("Lottery result", StringComparison.Ordinal)) == 2), "both results");
        var results = host.SendGrid.Mails.Select(Mail.From).Where(m => m.Subject.StartsWith("抽签结果", StringComparison.Ordinal) || m.Subject.StartsWith("Lottery result", StringComparison.Ordinal)).ToList();
        Assert.Single(results, m => m.Subject.Contains("中签") && !m.Subject.Contains("未中签") || m.Subject.Contains("you have a seat"));
        Assert.Single(results, m => m.Subject.Contains("候补") || m.Subject.Contains("on the waitlist"));

        await check.ReloadAsync();
        Assert.Equal(seedHash, (await check.InnerTextAsync("#seed-hash")).Trim());
        Assert.Equal(committed, seedHash);
        Assert.Matches("^[0-9a-f]{64}$", (await check.InnerTextAsync("#seed")).Trim());
        Assert.Equal(2, await check.Locator("#order tbody tr").CountAsync());
        await Accessibility.AssertAccessibleAsync(check, "the check page after the draw (zh)");
        await check.ScreenshotAsync(new() { Path = Path.Combine(_shots, "05-check-zh.png"), FullPage = true });
        var checkEn = await other.NewPageAsync();
        await checkEn.GotoAsync($"{url}/api/lottery/{eventId}?lang=en");
        Assert.Contains("Drawn at", await checkEn.InnerTextAsync("#state"));
        await Accessibility.AssertAccessibleAsync(checkEn, "the check page after the draw (en)");
        await checkEn.ScreenshotAsync(new() { Path = Path.Combine(_shots, "06-check-en.png"), FullPage = true });

        // The winner's page has the ticket; the sign-up page now says the draw is done and goes on first come.
        var winner = (await host.RegistrationsAsync(eventId)).Single(r => r.Status == RegistrationStatus.Confirmed);
        Assert.Equal(1, winner.DrawRank);
        await wang.GotoAsync($"{url}/api/signup/{eventId}");
        Assert.Contains("已于", await wang.InnerTextAsync("#lottery"));
        Assert.Equal((await check.InnerTextAsync("#list-hash")).Trim(), (await wang.InnerTextAsync("#lottery #list-hash")).Trim()); // the list's hash, once the draw starts
        await Accessibility.AssertAccessibleAsync(wang, "the sign-up page after the draw");
        await wang.ScreenshotAsync(new() { Path = Path.Combine(_shots, "07-after-draw-zh.png"), FullPage = true });
    }
}
