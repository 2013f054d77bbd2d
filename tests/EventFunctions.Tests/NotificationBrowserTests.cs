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
        var response = await page.GotoAsync($"{host.BaseUrl}/api/manage/{lecture}/{row.RegistrationId}?t={TestTokens.Manage(row)}");
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

    [Fact]
    public async Task On_an_English_phone_a_sign_up_confirmed_from_the_email_gets_its_seat_and_one_not_confirmed_in_time_lapses()
    {
        // Holds of 10 s and the hold sweep every second, so a hold runs out within the test.
        await using var host = await RunningHost.StartAsync(azurite, new()
        {
            ["EventFunctions:HoldTime"] = "00:00:10",
            ["HoldSweepSchedule"] = "*/1 * * * * *",
        });
        var definition = Seed.Lecture(capacity: 1);
        definition["confirmEmail"] = true;
        definition["english"] = new { title = "Shanghai's water supply: past, present and future" };
        var lecture = (await host.CreateEventAsync(definition)).GetProperty("id").GetString()!;
        string Local(string link) => link.Replace(TestSettings.PublicBaseUrl, host.BaseUrl.TrimEnd('/'));

        async Task<(IPage Page, string Email)> SignUpAsync(IBrowserContext phone, string name)
        {
            var page = await phone.NewPageAsync();
            await page.GotoAsync($"{host.BaseUrl}/api/signup/{lecture}?lang=en");
            var email = $"{Guid.NewGuid():N}@example.com";
            await page.FillAsync("#name", name);
            await page.FillAsync("#email", email);
            await page.CheckAsync("#consent");
            await page.WaitForTimeoutAsync(2000); // a person takes a few seconds over the form; a post sooner is sent back
            await page.ClickAsync("button[type=submit]");
            Assert.Equal("Check your email", (await page.InnerTextAsync("#result")).Trim());
            Assert.Contains("within 1 minute", await page.InnerTextAsync("main")); // 10 s, in whole minutes rounded up
            return (page, email);
        }

        async Task<string> LinkAsync(string email)
        {
            string? link = null;
            await RunningHost.Eventually(() => Task.FromResult((link = host.SendGrid.ManageLinkTo(email)) is not null), "the email asking to confirm");
            return Local(link!);
        }

        // Wendy confirms from the email at once: the seat is hers, the ticket on the page.
        await using var wendysPhone = await _chromium.PhoneAsync();
        var (wendy, wendyEmail) = await SignUpAsync(wendysPhone, "Wendy Wang");
        await Accessibility.AssertAccessibleAsync(wendy, "check-your-email page (English)");
        await wendy.GotoAsync(await LinkAsync(wendyEmail));
        Assert.StartsWith("Seat held until", (await wendy.InnerTextAsync("#status")).Trim());
        await Accessibility.AssertAccessibleAsync(wendy, "manage page asking to confirm (English)");
        await wendy.ClickAsync("#confirm button");
        Assert.Contains("Your sign-up is confirmed", await wendy.InnerTextAsync("#message"));
        Assert.Equal("Confirmed", (await wendy.InnerTextAsync("#status")).Trim());
        Assert.True(await wendy.IsVisibleAsync("#ticket-code"));
        Assert.True(await wendy.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 390);

        // Li signs up for the full event (the waitlist), is emailed, and does not confirm: after the hold time her
        // place lapses, and the link in her email then says so.
        await using var lisPhone = await _chromium.PhoneAsync();
        var (li, liEmail) = await SignUpAsync(lisPhone, "Li Ying");
        var liLink = await LinkAsync(liEmail);
        await RunningHost.Eventually(async () => (await host.RegistrationsAsync(lecture)).All(r => r.Email != liEmail), "the unconfirmed place lapses", seconds: 40);
        var response = await li.GotoAsync(liLink);
        Assert.Equal(404, response!.Status);
        Assert.Contains("not confirmed in time", await li.InnerTextAsync("main"));
        await Accessibility.AssertAccessibleAsync(li, "lapsed link (English)");
        Assert.Equal(1, (await host.RegistrationsAsync(lecture)).Count(r => r.Status == "Confirmed"));
    }
}
