using Microsoft.Playwright;

namespace EventFunctions.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright (its own browser download cannot run here), headless, with the flags it
/// needs in a container; and the two screens the product is used on.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string WeChatUserAgent =
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36 MicroMessenger/8.0.49.2600(0x28003133) NetType/WIFI Language/zh_CN";

    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<Chromium> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return new Chromium(playwright, browser);
    }

    /// <summary>A phone inside WeChat, JavaScript off as in the strictest in-app browsers.</summary>
    public Task<IBrowserContext> PhoneAsync(string locale = "zh-CN") => Browser.NewContextAsync(new()
    {
        ViewportSize = new() { Width = 390, Height = 844 },
        UserAgent = WeChatUserAgent,
        Locale = locale,
        JavaScriptEnabled = false,
        IsMobile = true,
    });

    /// <summary>An organiser's laptop, downloads allowed.</summary>
    public Task<IBrowserContext> LaptopAsync() => Browser.NewContextAsync(new()
    {
        ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "zh-CN", AcceptDownloads = true,
    });

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
