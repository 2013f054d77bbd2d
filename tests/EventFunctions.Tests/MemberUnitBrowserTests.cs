using EventFunctions.Tests.Infrastructure;
using Microsoft.Playwright;

namespace EventFunctions.Tests;

/// <summary>
/// The member-unit meeting in a real browser: the admin imports the units' CSV, invites them with seats per unit and
/// sends the invitations (read in the fake mail), a unit's colleague signs up on a phone from the link in the email
/// (the unit fixed, not typed), the unit's contact sees them and cancels for them. Every page is checked with axe;
/// screenshots go to test-output/member-units/.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class MemberUnitBrowserTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private Chromium _chromium = null!;
    private readonly string _shots = Path.Combine(RepoRoot.Find(), "test-output", "member-units");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_shots);
        _chromium = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync() => await _chromium.DisposeAsync();

    private Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(_shots, name + ".png"), FullPage = true });

    [Fact]
    public async Task The_office_invites_its_units_and_a_units_colleague_signs_up_from_the_emailed_link()
    {
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole());
        var url = host.BaseUrl.TrimEnd('/');
        string Local(string link) => link.Replace("https://signup.example.cn", url);

        // 1. The admin imports the office's list (GBK, as Excel on a Chinese Windows saves it).
        await using var office = await _chromium.LaptopAsync();
        var admin = await office.NewPageAsync();
        await admin.GotoAsync($"{url}/api/console");
        await admin.ClickAsync("#signin-demo-admin");
        await admin.GotoAsync($"{url}/api/console/units");
        Assert.True(await admin.IsVisibleAsync("#no-units"));
        await Accessibility.AssertAccessibleAsync(admin, "member units page (empty)");
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        var csv = System.Text.Encoding.GetEncoding("GBK").GetBytes(
            "单位名称,联系人,联系人邮箱\r\n上海市自来水公司,王芳,water@example.cn\r\n金茂律师事务所,陈静,law@example.cn\r\n上海邮政博物馆,李明,museum@example.cn\r\n");
        await admin.SetInputFilesAsync("#file", new FilePayload { Name = "成员单位.csv", MimeType = "text/csv", Buffer = csv });
        await admin.ClickAsync("#import-units");
        Assert.Contains("新增 3 个", await admin.InnerTextAsync("#flash"));
        Assert.Equal(3, await admin.Locator("#units tbody tr").CountAsync());
        await Accessibility.AssertAccessibleAsync(admin, "member units page");
        await ShotAsync(admin, "01-units-imported");

        // 2. The joint meeting, by invitation: two seats for every active unit.
        var meeting = Seed.Lecture(capacity: 30);
        meeting["title"] = "党建联席会议（第四季度）";
        var created = await host.CreateEventAsync(meeting);
        var eventId = created.GetProperty("id").GetString()!;
        await admin.GotoAsync($"{url}/api/console/events/{eventId}");
        await admin.ClickAsync("#invitation");
        await Accessibility.AssertAccessibleAsync(admin, "invitation page (not yet by invitation)");
        await admin.FillAsync("#seatsEach", "2");
        await admin.ClickAsync("#invite-all");
        Assert.Contains("邀请已保存", await admin.InnerTextAsync("#flash"));
        await admin.ClickAsync("#send-invitations");
        Assert.Contains("已发送 3 封邀请邮件", await admin.InnerTextAsync("#flash"));
        Assert.Equal(3, await admin.Locator("#invited-units tbody tr").CountAsync());
        await Accessibility.AssertAccessibleAsync(admin, "invitation page");
        await ShotAsync(admin, "02-invitation");

        // 3. The water company's contact forwards the link from the email; a colleague signs up on a phone.
        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.Mails.Count >= 3), "the invitations");
        var invitation = host.SendGrid.Mails.Select(Mail.From).Single(m => m.To == "water@example.cn");
        var signUp = System.Text.RegularExpressions.Regex.Match(invitation.Plain, @"本单位报名链接: (\S+)").Groups[1].Value;
        var contact = System.Text.RegularExpressions.Regex.Match(invitation.Plain, @"请勿转发）: (\S+)").Groups[1].Value;
        Assert.NotEmpty(signUp);
        Assert.NotEmpty(contact);
        await using var phone = await _chromium.PhoneAsync();
        var colleague = await phone.NewPageAsync();
        await colleague.GotoAsync(Local(signUp));
        Assert.Equal("上海市自来水公司", await colleague.InputValueAsync("#organisation"));
        Assert.True(await colleague.IsDisabledAsync("#organisation") || await colleague.GetAttributeAsync("#organisation", "readonly") is not null);
        Assert.Contains("本单位还可报名 2 人", await colleague.InnerTextAsync("#seats"));
        await Accessibility.AssertAccessibleAsync(colleague, "a unit's sign-up form");
        await ShotAsync(colleague, "03-unit-sign-up");
        await colleague.FillAsync("#name", "赵敏");
        await colleague.FillAsync("#email", "zhaomin@example.cn");
        await colleague.CheckAsync("#consent");
        await colleague.WaitForTimeoutAsync(2000); // a person takes a few seconds over the form; a post sooner is sent back
        await colleague.ClickAsync("button[type=submit]");
        Assert.Equal("报名成功", (await colleague.InnerTextAsync("#result")).Trim());

        // People of the two other units sign up from their units' links (from the invitation emails too).
        foreach (var (to, name, email) in new[] { ("law@example.cn", "陈静", "chenjing.law@example.cn"), ("museum@example.cn", "李明", "liming.museum@example.cn") })
        {
            var mail = host.SendGrid.Mails.Select(Mail.From).Single(m => m.To == to);
            var link = System.Text.RegularExpressions.Regex.Match(mail.Plain, @"本单位报名链接: (\S+)").Groups[1].Value;
            var other = await phone.NewPageAsync();
            await other.GotoAsync(Local(link));
            await other.FillAsync("#name", name);
            await other.FillAsync("#email", email);
            await other.CheckAsync("#consent");
            await other.WaitForTimeoutAsync(2000);
            await other.ClickAsync("button[type=submit]");
            Assert.Equal("报名成功", (await other.InnerTextAsync("#result")).Trim());
        }

        // The plain link, without the unit's token: by invitation only.
        await colleague.GotoAsync($"{url}/api/signup/{eventId}");
        Assert.Contains("本活动仅限受邀单位报名", await colleague.InnerTextAsync("main"));
        await Accessibility.AssertAccessibleAsync(colleague, "by-invitation-only page");

        // 4. The contact sees their colleague and cancels for them.
        var page = await phone.NewPageAsync();
        await page.GotoAsync(Local(contact));
        Assert.Contains("赵敏", await page.InnerTextAsync("#people"));
        await Accessibility.AssertAccessibleAsync(page, "unit contact's page");
        await ShotAsync(page, "04-unit-contact");
        await page.ClickAsync("#people button");
        Assert.Contains("已取消", await page.InnerTextAsync("#message"));
        Assert.True(await page.IsVisibleAsync("#nobody"));

        // The meeting's attendance: every invited unit with its seats; the water company now sends nobody.
        await admin.GotoAsync($"{url}/api/console/events/{eventId}");
        Assert.Equal("0", (await admin.InnerTextAsync("#attendance tr[data-unit='上海市自来水公司'] td:nth-child(2)")).Trim());
        Assert.Equal("1", (await admin.InnerTextAsync("#attendance tr[data-unit='金茂律师事务所'] td:nth-child(2)")).Trim());
        Assert.Equal("1", (await admin.InnerTextAsync("#attendance tr[data-unit='上海邮政博物馆'] td:nth-child(2)")).Trim());
        await ShotAsync(admin, "04b-meeting-attendance");

        // 5. A site visit (the water plant's security desk checks each visitor): by invitation, and each sign-up approved.
        var visit = Seed.SiteVisit(capacity: 10);
        visit["title"] = "自来水厂参观考察";
        visit["requiresApproval"] = true;
        var visitId = (await host.CreateEventAsync(visit)).GetProperty("id").GetString()!;
        await admin.GotoAsync($"{url}/api/console/events/{visitId}/invitation");
        await admin.FillAsync("#seatsEach", "1");
        await admin.ClickAsync("#invite-all");
        var lawLink = await admin.InputValueAsync("#invited-units tr:has-text('金茂律师事务所') [data-link=signup]");
        var visitor = await phone.NewPageAsync();
        await visitor.GotoAsync(Local(lawLink));
        await visitor.FillAsync("#name", "陈静");
        await visitor.FillAsync("#phone", "13812345678");
        await visitor.FillAsync("#email", "chenjing@example.cn");
        await visitor.FillAsync("#sec_0", "1234");
        await visitor.CheckAsync("#consent");
        await visitor.WaitForTimeoutAsync(2000);
        await visitor.ClickAsync("button[type=submit]");
        Assert.Equal("已提交，等待审核", (await visitor.InnerTextAsync("#result")).Trim());
        await Accessibility.AssertAccessibleAsync(visitor, "pending page");
        await ShotAsync(visitor, "05-pending");

        // The organiser approves on the event page; the visitor has a seat and a ticket.
        await admin.GotoAsync($"{url}/api/console/events/{visitId}");
        Assert.Contains("待审核 Pending: 1", await admin.InnerTextAsync("#pending-count"));
        await Accessibility.AssertAccessibleAsync(admin, "event page with a pending sign-up");
        await ShotAsync(admin, "06-pending-on-event-page");
        await admin.ClickAsync("[data-approve]");
        Assert.Contains("已批准 1 人", await admin.InnerTextAsync("#flash"));
        var approved = (await host.RegistrationsAsync(visitId)).Single(r => r.Name == "陈静");
        Assert.Equal("Confirmed", approved.Status);

        // 6. At the door, by the ticket's short code.
        var doorLink = await admin.InputValueAsync("#door-link");
        var door = await phone.NewPageAsync();
        await door.GotoAsync(Local(doorLink));
        await door.FillAsync("#code", approved.TicketCode!);
        await door.ClickAsync("#code-submit");
        Assert.Contains("陈静", await door.InnerTextAsync("#door-message"));

        // 7. The event page's attendance lists every invited unit with its seats, the ones that sent nobody included.
        await admin.ReloadAsync();
        Assert.Equal("1", await admin.GetAttributeAsync("#attendance tr[data-unit='金茂律师事务所'] [data-attended]", "data-attended"));
        Assert.Equal("0", await admin.GetAttributeAsync("#attendance tr[data-unit='上海邮政博物馆'] [data-attended]", "data-attended"));
        await Accessibility.AssertAccessibleAsync(admin, "event page with attendance by invited unit");
        await ShotAsync(admin, "07-attendance-by-invited-unit");
    }
}
