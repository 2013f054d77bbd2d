using EventFunctions.Shared.Text;
using System.Text.Json;
using EventFunctions.Shared.Console;
using EventFunctions.Shared.Hosting;
using EventFunctions.Shared.Operations;
using EventFunctions.Shared.Web;
using EventFunctions.Shared.Web.Console;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Shared.Http;

/// <summary>
/// What an operator uses: the health route (anonymous, no personal data) and the console's failures page, where an
/// admin sees the messages in the poison queues and replays them once the cause is fixed.
/// </summary>
public sealed class OperationsApi(
    HealthCheckService health,
    PoisonQueues poison,
    ConsolePolicy console,
    AuditLog audit,
    PageRenderer pages,
    TimeProvider clock,
    ILogger<OperationsApi> log)
{
    /// <summary>A report is reused this long, so probes (or a flood of anonymous requests) cost storage at most a few requests a minute.</summary>
    public static readonly TimeSpan HealthCacheFor = TimeSpan.FromSeconds(10);

    /// <summary>The last report and when it was made, swapped as one reference (probes read it without the lock).</summary>
    private sealed record Checked(HealthReport Report, DateTimeOffset At);

    private volatile Checked? _last;
    private readonly SemaphoreSlim _checking = new(1, 1);

    // ---- GET /api/health ----

    public async Task<IActionResult> HealthAsync(HttpRequest request, CancellationToken ct)
    {
        var (report, at) = await ReportAsync(ct);
        var body = new
        {
            status = report.Status.ToString(),
            checkedUtc = at,
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                durationMs = (int)e.Value.Duration.TotalMilliseconds,
                data = e.Value.Data.Count == 0 ? null : e.Value.Data,
            }),
        };
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        if (report.Status == HealthStatus.Unhealthy) request.HttpContext.Response.Headers.RetryAfter = "30";
        return new ContentResult
        {
            Content = JsonSerializer.Serialize(body, Json.Options),
            ContentType = "application/json; charset=utf-8",
            StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK,
        };
    }

    private async Task<Checked> ReportAsync(CancellationToken ct)
    {
        if (_last is { } fresh && clock.GetUtcNow() - fresh.At < HealthCacheFor) return fresh;
        await _checking.WaitAsync(ct);
        try
        {
            if (_last is { } again && clock.GetUtcNow() - again.At < HealthCacheFor) return again;
            var report = await health.CheckHealthAsync(ct);
            var made = _last = new Checked(report, clock.GetUtcNow());
            if (report.Status != HealthStatus.Healthy)
                log.LogWarning("Health: {Status} ({Failed})", report.Status, string.Join(", ", report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => e.Key)));
            return made;
        }
        finally
        {
            _checking.Release();
        }
    }

    // ---- The console's failures page (admins) ----

    public Task<IActionResult> FailuresPageAsync(HttpRequest request, CancellationToken ct) => console.ForAdmin(request, ct, async (user, _) =>
    {
        var done = request.Query["replayed"].FirstOrDefault();
        return await PageAsync(user, console.Csrf(user), done is null ? null : int.TryParse(done, out var n) && n > 0
            ? ConsoleMessages.Replayed(n).Inline
            : ConsoleMessages.NothingReplayed.Inline, ct);
    });

    public Task<IActionResult> ReplayAsync(HttpRequest request, CancellationToken ct) => console.ForAdmin(request, ct, async (user, form) =>
    {
        var queue = form!["queue"].FirstOrDefault() ?? "";
        var id = form["messageId"].FirstOrDefault();
        if (!poison.Sources.Any(s => s.Queue == queue) || (id is not null && (id.Length is 0 or > 100)))
            return HttpIO.Problem(400, "Unknown queue or message", "Choose a message from the failures page.");
        var replayed = await poison.ReplayAsync(queue, id, ct);
        await audit.RecordAsync(null, user, ConsoleMessages.AuditReplayed.Inline, $"{queue} · {(id is null ? "all" : id)}", replayed.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        return ConsolePolicy.SeeOther($"{Paths.Console.Failures}?replayed={replayed}");
    }, isChange: true);

    private async Task<IActionResult> PageAsync(ConsoleUser user, string csrf, string? flash, CancellationToken ct)
    {
        var html = await pages.RenderAsync<FailuresPage>(new()
        {
            [nameof(FailuresPage.User)] = user,
            [nameof(FailuresPage.Csrf)] = csrf,
            [nameof(FailuresPage.Depths)] = await poison.DepthsAsync(ct),
            [nameof(FailuresPage.Messages)] = await poison.ListAsync(ct),
            [nameof(FailuresPage.Flash)] = flash,
        });
        return ConsolePolicy.Page(html);
    }
}
