using System.Net.Http.Json;
using System.Text.Json;
using EventFunctions.Shared.Attendance;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Security;
using EventFunctions.Shared.Storage;
using EventFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace EventFunctions.Tests;

/// <summary>The door page in a real browser at a phone's size, JavaScript off, served by the local host.</summary>
[Collection(StorageCollection.Name)]
public sealed class DoorBrowserTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private Chromium _chromium = null!;

    public async Task InitializeAsync()
    {
        _chromium = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync() => await _chromium.DisposeAsync();

    [Fact]
    public async Task Door_staff_check_in_by_code_open_a_ticket_QR_undo_and_add_a_walk_in_on_a_phone()
    {
        await using var host = await RunningHost.StartAsync(azurite);
        var eventId = (await host.CreateEventAsync(Seed.Lecture(capacity: 50))).GetProperty("id").GetString()!;
        using var signUp = await host.Http.PostAsJsonAsync($"/api/events/{eventId}/registrations", Seed.Person("李莹晖", "li@example.cn", null));
        var code = (await signUp.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ticketCode").GetString()!;

        // The organiser's console would hand out this link (same signing key as the host).
        var options = Options.Create(new EventFunctionsOptions { SigningKey = "test-signing-key-0123456789abcdef-0123456789", PublicBaseUrl = host.BaseUrl });
        var ev = (await host.Table.GetEntityAsync<EventEntity>(eventId, EventEntity.RowKeyValue)).Value.ToRecord();
        var link = new DoorLinks(new Signer(options, TimeProvider.System), TimeProvider.System, options).Create(ev);

        await using var context = await _chromium.PhoneAsync();
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(link);
        Assert.Equal(200, response!.Status);
        Assert.Equal("0 / 1", (await page.InnerTextAsync("#count-checked-in")).Trim());
        await Accessibility.AssertAccessibleAsync(page, "door page on a phone");
        var button = (await page.Locator("#code-submit").BoundingBoxAsync())!;
        Assert.True(button.Height >= 44 && button.Width >= 300, $"check-in button {button.Width}x{button.Height}");

        // Typed in lower case, as people do.
        await page.FillAsync("#code", code.ToLowerInvariant());
        await page.ClickAsync("#code-submit");
        Assert.Contains("李莹晖 签到成功", await page.InnerTextAsync("#door-message"));
        Assert.Equal("1 / 1", (await page.InnerTextAsync("#count-checked-in")).Trim());

        // The participant's QR, opened later by the phone's scanner: the cookie from the link leads to the check-in screen.
        await page.GotoAsync($"{host.BaseUrl}/api/t/{eventId}/{code}");
        Assert.Contains("李莹晖", await page.InnerTextAsync("#result-list"));
        await page.ClickAsync("#result-list button:has-text('撤销')");
        Assert.Contains("已撤销 李莹晖 的签到", await page.InnerTextAsync("#door-message"));
        Assert.Equal("0 / 1", (await page.InnerTextAsync("#count-checked-in")).Trim());

        await page.FillAsync("#walkin-name", "赵六");
        await page.FillAsync("#walkin-unit", "上海水务");
        await page.ClickAsync("#walkin-submit");
        Assert.Contains("已登记并签到：赵六", await page.InnerTextAsync("#door-message"));
        Assert.Equal("1", (await page.InnerTextAsync("#count-walk-ins")).Trim());
        Assert.Contains("赵六", await page.InnerTextAsync("#recent"));

        // The same QR in a browser without the door credential: the neutral page, no name.
        await using var stranger = await _chromium.Browser.NewContextAsync(new() { JavaScriptEnabled = false, Locale = "zh-CN" });
        var other = await stranger.NewPageAsync();
        await other.GotoAsync($"{host.BaseUrl}/api/t/{eventId}/{code}");
        var text = await other.InnerTextAsync("body");
        Assert.Contains("入场二维码", text);
        Assert.DoesNotContain("李莹晖", text);
        await Accessibility.AssertAccessibleAsync(other, "ticket page without the door link");
    }
}
