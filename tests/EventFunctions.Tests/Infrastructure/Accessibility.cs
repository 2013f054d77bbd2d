using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace EventFunctions.Tests.Infrastructure;

/// <summary>
/// WCAG 2.1 AA, checked by axe-core on the page as the browser shows it. The pages need no script (phones run with
/// JavaScript off) but axe does, so the page's own HTML is checked in a script-enabled page of the same size.
/// </summary>
public static class Accessibility
{
    private static readonly AxeRunOptions WcagAA = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    };

    public static async Task AssertAccessibleAsync(IPage page, string what)
    {
        var html = await page.ContentAsync();
        var context = await page.Context.Browser!.NewContextAsync(new()
        {
            ViewportSize = page.ViewportSize is { } v ? new ViewportSize { Width = v.Width, Height = v.Height } : null,
            JavaScriptEnabled = true,
        });
        try
        {
            var check = await context.NewPageAsync();
            await check.SetContentAsync(html);
            var result = await check.RunAxe(WcagAA);
            var problems = result.Violations.Select(v =>
                $"{v.Id} ({v.Impact}): {v.Help} — {string.Join("; ", v.Nodes.Take(3).Select(n => n.Target?.ToString() + " " + n.Html))}").ToList();
            Assert.True(problems.Count == 0, $"{what}: WCAG 2.1 AA violations:\n" + string.Join("\n", problems));
        }
        finally
        {
            await context.DisposeAsync();
        }
    }
}
