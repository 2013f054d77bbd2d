using EventFunctions.Shared;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Web;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace EventFunctions.Tests;

/// <summary>Measures the whole process's managed heap, so it runs alone (not beside other test classes).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeapMeasuringCollection
{
    public const string Name = "heap measuring";
}

/// <summary>
/// The app renders a page or an email for every request and message for as long as the process lives: a render
/// must leave nothing behind, and Chinese must stay Chinese (not numeric entities).
/// </summary>
[Collection(HeapMeasuringCollection.Name)]
public sealed class PageRendererMemoryTests(ITestOutputHelper output)
{
    private static ServiceProvider AppServices() => new ServiceCollection()
        .AddEventFunctions(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true", ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development", // never contacted here
        }).Build())
        .BuildServiceProvider();

    private static Task<string> RenderAsync(PageRenderer pages, int i) => pages.RenderAsync<ResultPage>(new()
    {
        [nameof(ResultPage.Text)] = UiText.Chinese,
        [nameof(ResultPage.Heading)] = "报名成功",
        [nameof(ResultPage.Lines)] = new[] { $"报名编号：K7M2Q9{i:D4}", "确认邮件已发送至 li***@example.com。" },
        [nameof(ResultPage.Success)] = true,
    });

    [Fact]
    public async Task Rendering_thousands_of_pages_keeps_none_of_them()
    {
        await using var services = AppServices();
        var pages = services.GetRequiredService<PageRenderer>();
        for (var i = 0; i < 200; i++) await RenderAsync(pages, i); // warm-up: code, caches, pools
        var before = GC.GetTotalMemory(forceFullCollection: true);

        const int renders = 3_000;
        for (var i = 0; i < renders; i++) await RenderAsync(pages, i);
        var after = GC.GetTotalMemory(forceFullCollection: true);

        // A kept render is ~13 kB (3,000 of them ~40 MB); allow a little noise from the runtime, nothing per render.
        var grownPerRender = (after - before) / (double)renders;
        output.WriteLine($"heap after warm-up {before / 1024} kB, after {renders} renders {after / 1024} kB");
        Assert.True(after - before < 2 * 1024 * 1024,
            $"the heap grew by {(after - before) / 1024} kB over {renders} renders ({grownPerRender:F0} bytes per render)");
    }

    [Fact]
    public async Task Pages_render_side_by_side_with_Chinese_kept_as_text()
    {
        await using var services = AppServices();
        var pages = services.GetRequiredService<PageRenderer>();

        var html = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() => RenderAsync(pages, i))));

        for (var i = 0; i < html.Length; i++)
        {
            Assert.StartsWith("<!DOCTYPE html>", html[i]);
            Assert.Contains($"报名编号：K7M2Q9{i:D4}", html[i]);
            Assert.Contains("报名成功", html[i]);
            Assert.DoesNotContain("&#x62A5;", html[i]); // 报 as an entity
        }
    }
}
