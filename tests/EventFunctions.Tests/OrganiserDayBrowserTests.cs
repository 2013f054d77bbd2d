using System.Globalization;
using System.Text;
using CsvHelper;
using EventFunctions.Shared.Events;
using EventFunctions.Tests.Infrastructure;
using Microsoft.Playwright;

namespace EventFunctions.Tests;

/// <summary>
/// The organiser's day in a real browser (Debian's Chromium driven by Playwright) through the local host: sign in
/// as the development admin, add an organiser for a unit, sign in as that organiser, create a site visit, open its
/// poster, three people sign up on phones, door staff check two in on a phone (one by short code, one by search) and
/// add a walk-in, the counts, the CSV downloaded and read back. Screenshots go to test-output/organiser-day/.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class OrganiserDayBrowserTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private Chromium _chromium = null!;
    private readonly string _shots = Path.Combine(RepoRoot.Find(), "test-output", "organiser-day");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_shots);
        _chromium = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync() => await _chromium.DisposeAsync();

    private Task<IBrowserContext> LaptopAsync() => _chromium.LaptopAsync();

    private Task<IBrowserContext> PhoneAsync() => _chromium.PhoneAsync();

    private Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(_shots, name + ".png"), FullPage = true });

    [Fact]
    public async Task An_organisers_day_from_sign_in_to_the_attendance_export()
    {
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole());
        var url = host.BaseUrl.TrimEnd('/');

        // 1. The street office signs in with the development sign-in, as the demo admin.
        await using var office = await LaptopAsync();
        var admin = await office.NewPageAsync();
        await admin.GotoAsync($"{url}/api/console");
        Assert.EndsWith("/api/console/signin?returnUrl=%2Fapi%2Fconsole", admin.Url);
        Assert.True(await admin.IsVisibleAsync("#dev-signin-banner"));
        await Accessibility.AssertAccessibleAsync(admin, "sign-in page");
        await admin.ClickAsync("#signin-demo-admin");
        Assert.Contains("开发环境登录", await admin.InnerTextAsync("#dev-signin-banner"));
        await Accessibility.AssertAccessibleAsync(admin, "dashboard");

        // 2. It adds an organiser for the party-building office.
        await admin.GotoAsync($"{url}/api/console/organisers");
        await admin.FillAsync("#email", "djb@jiedao.example.cn");
        await admin.FillAsync("#name", "陈晓");
        await admin.FillAsync("#unit", "党建办");
        await admin.SelectOptionAsync("#role", "Organiser");
        await admin.ClickAsync("#add-organiser");
        Assert.Contains("党建办", await admin.InnerTextAsync("tr[data-email='djb@jiedao.example.cn']"));
        await Accessibility.AssertAccessibleAsync(admin, "organisers page");
        await ShotAsync(admin, "01-organisers");

        // 3. The organiser signs in and creates a site visit with the form.
        await using var laptop = await LaptopAsync();
        var organiser = await laptop.NewPageAsync();
        await organiser.GotoAsync($"{url}/api/console");
        await organiser.FillAsync("#email", "djb@jiedao.example.cn");
        await organiser.ClickAsync("#signin");
        await organiser.ClickAsync("#new-event");
        var day = DateTimeOffset.UtcNow.AddDays(6);
        await organiser.CheckAsync("#kind-siteVisit");
        Assert.False(await organiser.IsVisibleAsync("#salon-hostOrganisation")); // only the chosen kind's fields show
        await Accessibility.AssertAccessibleAsync(organiser, "new event form");
        await organiser.FillAsync("#title", "5G 全球创新港参观考察");
        await organiser.FillAsync("#description", "参观 5G 全球创新港展厅与塔楼屋顶。");
        await organiser.FillAsync("#start", Seed.Local(day));
        await organiser.FillAsync("#end", Seed.Local(day.AddHours(2)));
        await organiser.FillAsync("#venue", "5G 全球创新港");
        await organiser.FillAsync("#address", "上海市虹口区东大名路");
        await organiser.FillAsync("#siteVisit-meetingPoint", "白玉兰广场北门");
        await organiser.FillAsync("#siteVisit-meetingTime", Seed.Local(day.AddMinutes(-30)));
        await organiser.FillAsync("#capacity", "10");
        await organiser.FillAsync("#organiserName", "北外滩街道党建办");
        await organiser.FillAsync("#organiserEmail", "djb@jiedao.example.cn");
        await organiser.FillAsync("#siteVisit-bring", "身份证原件");
        await organiser.FillAsync("#reminderHoursBefore", "48");
        Assert.False(await organiser.IsVisibleAsync("#english-title")); // folded away until wanted
        await organiser.ClickAsync("#english-section summary");
        await organiser.FillAsync("#english-title", "Visit to the 5G Global Innovation Port");
        await organiser.FillAsync("#english-bring", "Your ID card");
        Assert.False(await organiser.IsVisibleAsync("#english-topic")); // a salon's field
        await ShotAsync(organiser, "02-new-event");
        await organiser.ClickAsync("#save");
        Assert.Contains("活动已发布", await organiser.InnerTextAsync("#flash"));
        await Accessibility.AssertAccessibleAsync(organiser, "event page");
        var eventId = organiser.Url.Split("/api/console/events/")[1].Split('?')[0];

        // Opened for editing and saved unchanged, the event keeps all of it, English text included.
        await organiser.ClickAsync("#edit");
        Assert.Equal("Visit to the 5G Global Innovation Port", await organiser.InputValueAsync("#english-title"));
        await organiser.ClickAsync("#save");
        Assert.Contains("已保存", await organiser.InnerTextAsync("#flash"));
        var saved = (await host.Table.GetEntityAsync<EventEntity>(eventId, EventEntity.RowKeyValue)).Value.ToRecord();
        Assert.Equal(("Visit to the 5G Global Innovation Port", "Your ID card", "身份证原件", 48),
            (saved.English?.Title, saved.English?.Bring, saved.SiteVisit?.Bring, saved.ReminderHoursBefore));

        // 4. Its poster: title, time, place and a QR code that loads.
        await organiser.ClickAsync("#share");
        var signUpUrl = await organiser.InputValueAsync("#signup-url");
        Assert.EndsWith($"/api/signup/{eventId}", signUpUrl);
        await organiser.ClickAsync("#poster");
        Assert.Equal("5G 全球创新港参观考察", (await organiser.InnerTextAsync("#poster-title")).Trim());
        Assert.Contains("白玉兰广场北门", await organiser.InnerTextAsync("#poster"));
        await Accessibility.AssertAccessibleAsync(organiser, "poster");
        Assert.True(await organiser.EvalOnSelectorAsync<int>("#poster-qr", "img => img.naturalWidth") > 0, "the poster's QR code did not load");
        await ShotAsync(organiser, "03-poster");
        await organiser.EmulateMediaAsync(new() { Media = Media.Print });
        Assert.False(await organiser.IsVisibleAsync(".noprint")); // prints cleanly: only the sheet
        await organiser.EmulateMediaAsync(new() { Media = Media.Screen });

        // 5. Three people sign up on their phones. New events need a confirmed email (the default): the page says to
        // check the inbox, the email's button opens the manage page, and confirming there gives the seat and the ticket.
        var people = new[] { ("王磊", "13812345678", "北外滩商会"), ("李莹晖", "13900001111", "上海某律师事务所"), ("张伟", "13700002222", "北外滩商会") };
        var codes = new List<string>();
        foreach (var (name, phone, unit) in people)
        {
            await using var phoneContext = await PhoneAsync();
            var p = await phoneContext.NewPageAsync();
            await p.GotoAsync(signUpUrl.Replace("https://signup.example.cn", url).Replace("http://localhost:7071", url));
            var email = $"{Guid.NewGuid():N}@example.cn";
            await p.FillAsync("#name", name);
            await p.FillAsync("#phone", phone);
            await p.FillAsync("#email", email);
            await p.FillAsync("#organisation", unit);
            await p.CheckAsync("#consent");
            await p.WaitForTimeoutAsync(2000); // a person takes a few seconds over the form; a post sooner is sent back
            await p.ClickAsync("button[type=submit]");
            Assert.Equal("请查收邮件", (await p.InnerTextAsync("#result")).Trim());
            Assert.Contains("60 分钟内", await p.InnerTextAsync("main"));
            await Accessibility.AssertAccessibleAsync(p, "check-your-email page");
            if (codes.Count == 0) await ShotAsync(p, "04-check-email");

            string? link = null;
            await RunningHost.Eventually(() => Task.FromResult((link = host.SendGrid.ManageLinkTo(email)) is not null), "the email asking to confirm");
            await p.GotoAsync(link!.Replace("https://signup.example.cn", url).Replace("http://localhost:7071", url));
            Assert.StartsWith("名额保留至", (await p.InnerTextAsync("#status")).Trim());
            Assert.False(await p.IsVisibleAsync("#ticket-code")); // no ticket for a seat only held
            await Accessibility.AssertAccessibleAsync(p, "manage page asking to confirm");
            await p.ClickAsync("#confirm button");
            Assert.Contains("报名已确认", await p.InnerTextAsync("#message"));
            Assert.Equal("已确认", (await p.InnerTextAsync("#status")).Trim());
            codes.Add((await p.InnerTextAsync("#ticket-code")).Trim());
            if (codes.Count == 1) await ShotAsync(p, "04-ticket");
        }

        // 6. The door link, from the event page, opened on a volunteer's phone.
        await organiser.GotoAsync($"{url}/api/console/events/{eventId}");
        var doorLink = await organiser.InputValueAsync("#door-link");
        await using var doorPhone = await PhoneAsync();
        var door = await doorPhone.NewPageAsync();
        await door.GotoAsync(doorLink.Replace("https://signup.example.cn", url).Replace("http://localhost:7071", url));

        // One by the short code on the ticket...
        await door.FillAsync("#code", codes[0]);
        await door.ClickAsync("#code-submit");
        Assert.Contains("王磊", await door.InnerTextAsync("#door-message"));
        await Accessibility.AssertAccessibleAsync(door, "door page");
        // ...one found by name...
        await door.FillAsync("#q", "莹晖");
        await door.ClickAsync("#search-submit");
        await door.ClickAsync("#result-list .person button");
        Assert.Contains("李莹晖", await door.InnerTextAsync("#door-message"));
        // ...and a walk-in.
        await door.FillAsync("#walkin-name", "赵敏");
        await door.FillAsync("#walkin-unit", "北外滩商会");
        await door.ClickAsync("#walkin-submit");
        Assert.Equal("2 / 3", (await door.InnerTextAsync("#count-checked-in")).Trim());
        Assert.Equal("1", (await door.InnerTextAsync("#count-walk-ins")).Trim());
        await ShotAsync(door, "05-door");

        // 7. The organiser sees the counts and attendance by unit.
        await organiser.ReloadAsync();
        Assert.Equal("3", (await organiser.InnerTextAsync("[data-count=confirmed]")).Trim());
        Assert.Equal("2", (await organiser.InnerTextAsync("[data-count=checkedIn]")).Trim());
        Assert.Equal("1", (await organiser.InnerTextAsync("[data-count=walkIns]")).Trim());
        Assert.Equal("2", (await organiser.GetAttributeAsync("#attendance tr[data-unit='北外滩商会'] [data-attended]", "data-attended")));
        Assert.Equal("3", (await organiser.InnerTextAsync("#attended-total")).Trim());
        await Accessibility.AssertAccessibleAsync(organiser, "event page with people and attendance");
        await ShotAsync(organiser, "06-event-page");

        // On a phone the page fits its width: wide tables scroll inside their cards, not the whole page.
        await organiser.SetViewportSizeAsync(390, 844);
        Assert.True(await organiser.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 390,
            $"the event page is {await organiser.EvaluateAsync<int>("document.documentElement.scrollWidth")} px wide on a 390 px phone");
        await ShotAsync(organiser, "07-event-page-phone");
        await organiser.SetViewportSizeAsync(1280, 900);

        // 8. The CSV, downloaded and read back as Excel would: UTF-8 with a BOM, Chinese intact.
        var download = await organiser.RunAndWaitForDownloadAsync(() => organiser.ClickAsync("#export-registrations"));
        var file = Path.Combine(_shots, "registrations.csv");
        await download.SaveAsAsync(file);
        var bytes = await File.ReadAllBytesAsync(file);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        using var reader = new StringReader(new UTF8Encoding(true).GetString(bytes).TrimStart('\uFEFF'));
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        var rows = csv.GetRecords<dynamic>().Cast<IDictionary<string, object>>().ToList();
        Assert.Equal(["王磊", "李莹晖", "张伟", "赵敏"], rows.Select(r => (string)r["姓名 (Name)"]).OrderBy(n => n == "赵敏").ThenBy(n => Array.IndexOf(["王磊", "李莹晖", "张伟"], n)));
        Assert.Equal(3, rows.Count(r => ((string)r["签到时间 (Checked in)"]).Length > 0));
        Assert.Equal("", (string)rows.Single(r => (string)r["姓名 (Name)"] == "张伟")["签到时间 (Checked in)"]);

        // 9. The door link was passed on too far: the organiser revokes it; the volunteer's page stops working and
        // the new link from the event page works.
        await organiser.ClickAsync("#revoke-door-links");
        Assert.Contains("旧签到链接已停用", await organiser.InnerTextAsync("#flash"));
        var newDoorLink = await organiser.InputValueAsync("#door-link");
        Assert.NotEqual(doorLink, newDoorLink);
        await door.ReloadAsync();
        Assert.Contains("已被组织者停用", await door.InnerTextAsync("body"));
        await door.GotoAsync(newDoorLink.Replace("https://signup.example.cn", url).Replace("http://localhost:7071", url));
        Assert.Equal("2 / 3", (await door.InnerTextAsync("#count-checked-in")).Trim());
    }
}
