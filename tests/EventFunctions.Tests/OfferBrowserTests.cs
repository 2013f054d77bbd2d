using System.Net.Http.Json;
using System.Text.RegularExpressions;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace EventFunctions.Tests;

/// <summary>
/// Late seats as offers in a real browser, on a phone with scripts off: a seat freed the day before is offered to the
/// first person waiting, who lets it lapse (their link then says so); it moves on to the next, who takes it from the
/// email. Every page is checked with axe; screenshots go to test-output/offers/.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class OfferBrowserTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private Chromium _chromium = null!;
    private readonly string _shots = Path.Combine(RepoRoot.Find(), "test-output", "offers");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_shots);
        _chromium = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync() => await _chromium.DisposeAsync();

    [Fact]
    public async Task An_offer_that_lapses_moves_on_and_the_next_person_takes_it_from_the_email()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole(), services => services.AddSingleton<TimeProvider>(clock));
        var url = host.BaseUrl.TrimEnd('/');
        var definition = Seed.Lecture(capacity: 1, waitlist: true);
        var start = clock.GetUtcNow().AddHours(30);
        definition["title"] = "知名律师讲座：遗嘱与继承";
        definition["start"] = Seed.Local(start);
        definition["end"] = Seed.Local(start.AddHours(2));
        definition["offerHoursBefore"] = 48;
        var eventId = (await host.CreateEventAsync(definition)).GetProperty("id").GetString()!;
        foreach (var (name, email) in new[] { ("王磊", "wanglei@example.cn"), ("赵敏", "zhaomin@example.cn"), ("李明", "liming@example.cn") })
        {
            using var response = await host.Http.PostAsJsonAsync($"/api/events/{eventId}/registrations", Seed.Person(name, email, phone: null));
            Assert.True(response.IsSuccessStatusCode);
        }
        var first = (await host.RegistrationsAsync(eventId)).Single(r => r.Name == "王磊");
        using (var cancel = await host.Http.DeleteAsync($"/api/events/{eventId}/registrations/{first.RegistrationId}?t={Uri.EscapeDataString(TestTokens.Manage(first))}"))
            Assert.True(cancel.IsSuccessStatusCode);

        // Zhao, first waiting, is offered the seat (an email with a confirm-by time) and lets it lapse.
        string OfferLink(string to)
        {
            var mail = host.SendGrid.Mails.Select(Mail.From).Last(m => m.To == to && m.Subject.StartsWith("名额邀请：", StringComparison.Ordinal));
            return Regex.Match(mail.Plain, @"(https://signup\.example\.cn/api/manage/\S+)").Groups[1].Value.Replace("https://signup.example.cn", url);
        }
        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.Mails.Select(Mail.From).Any(m => m.To == "zhaomin@example.cn" && m.Subject.StartsWith("名额邀请：", StringComparison.Ordinal))), "Zhao's offer");
        var zhaoLink = OfferLink("zhaomin@example.cn");
        clock.Advance(host.Get<Microsoft.Extensions.Options.IOptions<EventFunctions.Shared.Storage.EventFunctionsOptions>>().Value.OfferTime + TimeSpan.FromMinutes(1));
        await host.Get<RegistrationService>().ExpireHoldsAsync(default);

        await using var phone = await _chromium.PhoneAsync();
        var zhao = await phone.NewPageAsync();
        await zhao.GotoAsync(zhaoLink);
        Assert.Contains("链接无效，或报名已取消、未在规定时间内确认", await zhao.InnerTextAsync("main"));
        await Accessibility.AssertAccessibleAsync(zhao, "a lapsed offer's link");
        await zhao.ScreenshotAsync(new() { Path = Path.Combine(_shots, "01-offer-lapsed.png"), FullPage = true });

        // It moved on to Li, who takes it from the email with one tap.
        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.Mails.Select(Mail.From).Any(m => m.To == "liming@example.cn" && m.Subject.StartsWith("名额邀请：", StringComparison.Ordinal))), "Li's offer");
        var li = await phone.NewPageAsync();
        await li.GotoAsync(OfferLink("liming@example.cn"));
        await Accessibility.AssertAccessibleAsync(li, "an offer on the manage page");
        await li.ScreenshotAsync(new() { Path = Path.Combine(_shots, "02-offer.png"), FullPage = true });
        await li.ClickAsync("#confirm button");
        Assert.Equal(RegistrationStatus.Confirmed, (await host.RegistrationsAsync(eventId)).Single(r => r.Name == "李明").Status);
        await Accessibility.AssertAccessibleAsync(li, "an offer taken");
        await li.ScreenshotAsync(new() { Path = Path.Combine(_shots, "03-offer-taken.png"), FullPage = true });
        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.Mails.Select(Mail.From).Any(m => m.To == "zhaomin@example.cn" && m.Subject.StartsWith("名额邀请已过期", StringComparison.Ordinal))), "Zhao told the offer lapsed");
    }
}
