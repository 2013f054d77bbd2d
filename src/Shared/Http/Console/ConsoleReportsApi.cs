using System.Globalization;
using System.Text;
using EventFunctions.Shared.Console;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Web;
using EventFunctions.Shared.Web.Console;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Http;

/// <summary>Exports (an event's registrations and attendance as CSV) and the attendance report by member unit.</summary>
public sealed class ConsoleReportsApi(
    ConsolePolicy policy,
    Attendance.AttendanceService attendance,
    Attendance.CsvExport csv,
    Feedback.FeedbackService feedback,
    AuditLog audit,
    PageRenderer pages,
    TimeProvider clock)
{
    public Task<IActionResult> ExportAsync(HttpRequest request, string eventId, string what, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
    {
        var excel = what == "attendance.xlsx";
        var bytes = what.StartsWith("attendance", StringComparison.Ordinal) ? await csv.AttendanceByUnitAsync(e.Id, excel, ct) : await csv.RegistrationsAsync(e.Id, ct);
        if (bytes is null) return await policy.MessageAsync(user, 404, ConsoleMessages.EventNotFound.Inline, ConsoleMessages.EventNotFoundExplain.Inline);
        await audit.RecordAsync(e.Id, user, ConsoleMessages.AuditExported.Inline, what, "OK", ct);
        return excel ? Xlsx(request, bytes, $"{e.Id}-attendance.xlsx") : Csv(request, bytes, $"{e.Id}-{what}.csv");
    });

    /// <summary>The event's feedback as CSV: rating, comment, when (no names).</summary>
    public Task<IActionResult> ExportFeedbackAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
    {
        await audit.RecordAsync(e.Id, user, ConsoleMessages.AuditExported.Inline, "feedback.csv", "OK", ct);
        return Csv(request, await feedback.CsvAsync(e, ct), $"{e.Id}-feedback.csv");
    });

    public Task<IActionResult> ReportsAsync(HttpRequest request, CancellationToken ct) => policy.ForUser(request, ct, async (user, _) =>
    {
        var (from, to, error) = Range(request);
        var units = error is null ? await attendance.UnitReportAsync(from, to, user.CanManage, ct) : [];
        return ConsolePolicy.Page(await pages.RenderAsync<ReportsPage>(new()
        {
            [nameof(ReportsPage.User)] = user,
            [nameof(ReportsPage.Csrf)] = policy.Csrf(user),
            [nameof(ReportsPage.From)] = from,
            [nameof(ReportsPage.To)] = to,
            [nameof(ReportsPage.Units)] = units,
            [nameof(ReportsPage.Error)] = error,
        }), error is null ? 200 : 400);
    });

    public Task<IActionResult> ReportCsvAsync(HttpRequest request, CancellationToken ct) => policy.ForUser(request, ct, async (user, _) =>
    {
        var (from, to, error) = Range(request);
        if (error is not null) return await policy.MessageAsync(user, 400, ConsoleMessages.WrongDates.Inline, error, Paths.Console.Reports, ConsoleMessages.Reports.Inline);
        await audit.RecordAsync(null, user, ConsoleMessages.AuditExportedUnitReport.Inline, $"{from:yyyy-MM-dd}..{to:yyyy-MM-dd}", "OK", ct);
        var excel = request.Path.Value?.EndsWith(".xlsx", StringComparison.Ordinal) == true;
        var bytes = await csv.UnitReportAsync(from, to, user.CanManage, excel, ct);
        return excel ? Xlsx(request, bytes, $"units-{from:yyyyMMdd}-{to:yyyyMMdd}.xlsx") : Csv(request, bytes, $"units-{from:yyyyMMdd}-{to:yyyyMMdd}.csv");
    });

    internal static IActionResult Xlsx(HttpRequest request, byte[] bytes, string fileName)
    {
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return new FileContentResult(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") { FileDownloadName = fileName };
    }

    /// <summary>A report's date range from the query (event-local dates); this month when none is given.</summary>
    private (DateOnly From, DateOnly To, string? Error) Range(HttpRequest request)
    {
        var today = Today(clock);
        var first = new DateOnly(today.Year, today.Month, 1);
        return Range(request, first, first.AddMonths(1).AddDays(-1));
    }

    /// <summary>Today in the street office's zone.</summary>
    internal static DateOnly Today(TimeProvider clock) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(EventValidator.DefaultTimeZone)).DateTime);

    /// <summary>The query's <c>from</c> and <c>to</c> (yyyy-MM-dd, both included), these defaults when absent, or what is wrong with them.</summary>
    internal static (DateOnly From, DateOnly To, string? Error) Range(HttpRequest request, DateOnly from, DateOnly to)
    {
        string? error = null;
        if (request.Query["from"].FirstOrDefault() is { Length: > 0 } f && !DateOnly.TryParseExact(f, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out from))
            error = ConsoleMessages.StartDateFormat.Inline;
        if (request.Query["to"].FirstOrDefault() is { Length: > 0 } t && !DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out to))
            error = ConsoleMessages.EndDateFormat.Inline;
        if (error is null && to < from) error = ConsoleMessages.EndBeforeStart.Inline;
        if (error is null && to.DayNumber - from.DayNumber > 3660) error = ConsoleMessages.AtMostTenYears.Inline;
        return (from, to, error);
    }

    internal static IActionResult Csv(HttpRequest request, byte[] bytes, string fileName)
    {
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return new FileContentResult(bytes, "text/csv; charset=utf-8") { FileDownloadName = fileName };
    }
}
