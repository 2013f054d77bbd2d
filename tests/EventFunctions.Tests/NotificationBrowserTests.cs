using System.Net.Http.Json;
using EventFunctions.Tests.Infrastructure;
using Microsoft.Playwright;

namespace EventFunctions.Tests;

/// <summary>The manage page in a real browser at a phone's size, JavaScript off, served by the local host.</summary>
[Collection(StorageCollection.Name)]
public sealed class NotificationBrowserTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private Chromium _chromium = null!;

    public async Task InitializeAsync()
    {
        _chromium = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync() => await _chromium.DisposeAsync();

    [Fact]
    public async Task A_participant_has_the_confirmation_sent_again_from_the_manage_page_on_a_phone()
    {
        await using var host = await RunningHost.StartAsync(azurite);
        var lecture = (await host.CreateEventAsync(Seed.Lecture())).GetProperty("id").GetString()!;
        using (var signUp = await host.Http.PostAsJsonAsync($"/api/events/{lecture}/registrations", Seed.Person("李莹晖", "liyinghui@example.com", null)))
        {
            Assert.Equal(System.Net.HttpStatusCode.Created, signUp.StatusCode);
        }

        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.Mails.Count == 1), "the confirmation is sent");
        var row = Assert.Single(await host.RegistrationsAsync(lecture));

        await using var context = await _chromium.PhoneAsync();
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync($"{host.BaseUrl}/api/manage/{lecture}/{row.RegistrationId}?t={row.ManageToken}");
        Assert.Equal(200, response!.Status);
        Assert.Equal(Shared.Http.HtmlPageResult.ContentSecurityPolicy, await response.HeaderValueAsync("content-security-policy"));
        Assert.Equal("已确认", (await page.InnerTextAsync("#status")).Trim());
        Assert.Contains("社区文化活动中心多功能厅", await page.InnerTextAsync("dl"));
        Assert.True(await page.IsVisibleAsync("#calendar"));
        await Accessibility.AssertAccessibleAsync(page, "manage page");
        var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"the page is {width}px wide on a 390px screen");

        await page.ClickAsync("#resend button");
        Assert.Contains("确认邮件已重新发送至 li***@example.com", await page.InnerTextAsync("#message"));
        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.Mails.Count == 2), "the confirmation is sent again");

        // A second tap at once: refused with when to try again, and nothing more is sent.
        var again = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#resend button"), r => r.Url.EndsWith("/resend"));
        Assert.Equal(429, again.Status);
        Assert.Contains("确认邮件刚刚发送过", await page.InnerTextAsync("#message"));
        Assert.Equal(2, host.SendGrid.Mails.Count);
    }
}
