using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;
using Microsoft.Playwright;

namespace EventFunctions.Tests;

/// <summary>
/// The web form in a real browser (Debian's Chromium driven by Playwright), at a phone's size with
/// WeChat's user agent, JavaScript off as in the strictest in-app browsers, served by the local host.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class BrowserTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private Chromium _chromium = null!;

    public async Task InitializeAsync()
    {
        _chromium = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync() => await _chromium.DisposeAsync();

    private Task<IBrowserContext> PhoneAsync(string locale = "zh-CN") => _chromium.PhoneAsync(locale);

    [Fact]
    public async Task A_participant_signs_up_on_a_phone_fixing_a_mistake_on_the_way()
    {
        await using var host = await RunningHost.StartAsync(azurite);
        var salon = (await host.CreateEventAsync(Seed.Salon(capacity: 30))).GetProperty("id").GetString()!;
        await using var context = await PhoneAsync();
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync($"{host.BaseUrl}/api/signup/{salon}");
        Assert.Equal(Shared.Http.HtmlPageResult.ContentSecurityPolicy, await response!.HeaderValueAsync("content-security-policy"));
        Assert.Equal("no-store", await response.HeaderValueAsync("cache-control"));
        Assert.Equal("zh-CN", await page.GetAttributeAsync("html", "lang"));
        Assert.Contains("北外滩商会沙龙", await page.TitleAsync());
        Assert.Equal("剩余名额 30 / 30", (await page.InnerTextAsync("#seats")).Trim());
        Assert.True(await page.IsVisibleAsync("#privacy-notice"));
        await Accessibility.AssertAccessibleAsync(page, "sign-up form");

        await page.FillAsync("#name", "李莹晖");
        await page.FillAsync("#phone", "1381234567"); // one digit short
        await page.FillAsync("#email", "liyinghui@example.com");
        await page.FillAsync("#organisation", "上海某律师事务所");
        await page.CheckAsync("input[name=q_lunch][value=yes]");
        await page.SelectOptionAsync("#q_industry", "法律");
        await page.WaitForTimeoutAsync(2000); // a person takes a few seconds over the form; a post sooner is sent back
        await page.ClickAsync("button[type=submit]");

        // The form comes back with the message beside the phone field and everything else kept.
        Assert.Contains("手机号码格式不正确", await page.InnerTextAsync("#phone-error"));
        Assert.Contains("请阅读个人信息告知", await page.InnerTextAsync("#consent-error"));
        Assert.Equal("李莹晖", await page.InputValueAsync("#name"));
        Assert.Equal("法律", await page.InputValueAsync("#q_industry"));
        Assert.True(await page.IsCheckedAsync("input[name=q_lunch][value=yes]"));
        Assert.Equal("true", await page.GetAttributeAsync("#phone", "aria-invalid"));
        await Accessibility.AssertAccessibleAsync(page, "sign-up form with errors");
        Assert.Empty(await host.RegistrationsAsync(salon));

        await page.FillAsync("#phone", "13812345678");
        await page.CheckAsync("#consent");
        await page.WaitForTimeoutAsync(2000);
        await page.ClickAsync("button[type=submit]");

        Assert.Equal("报名成功", (await page.InnerTextAsync("#result")).Trim());
        Assert.Contains("li***@example.com", await page.ContentAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "eventfunctions-signup-result.png"), FullPage = true });

        var row = Assert.Single(await host.RegistrationsAsync(salon));
        Assert.Equal("李莹晖", row.Name);
        Assert.Equal("+8613812345678", row.Phone);
        Assert.Equal(RegistrationStatus.Confirmed, row.Status);
    }

    [Fact]
    public async Task The_form_switches_to_English_and_fits_a_phone_screen()
    {
        await using var host = await RunningHost.StartAsync(azurite);
        var visit = (await host.CreateEventAsync(Seed.SiteVisit())).GetProperty("id").GetString()!;
        await using var context = await PhoneAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync($"{host.BaseUrl}/api/signup/{visit}");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "eventfunctions-signup-form.png"), FullPage = true });
        Assert.Contains("身份证号后四位", await page.InnerTextAsync("form"));
        var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth"); // evaluate works with page scripts off
        Assert.True(width <= 390, $"the page is {width}px wide on a 390px screen");

        await page.ClickAsync("a.lang");
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        Assert.Contains("How your information is used", await page.InnerTextAsync("form"));
        await Accessibility.AssertAccessibleAsync(page, "English site-visit form");
        Assert.Contains("Meeting point", await page.InnerTextAsync("dl"));
    }
}
