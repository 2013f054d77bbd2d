using System.Globalization;
using EventFunctions.Shared.Console;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Volunteering;
using EventFunctions.Shared.Web;
using EventFunctions.Shared.Web.Console;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace EventFunctions.Shared.Http;

/// <summary>Volunteer hours in the console: a shift's times (and their correction, with a reason), and the hours of a period per team.</summary>
public sealed class ConsoleVolunteerApi(ConsolePolicy policy, VolunteerHours hours, AuditLog audit, PageRenderer pages, TimeProvider clock)
{
    public Task<IActionResult> ShiftAsync(HttpRequest request, string eventId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, _) =>
        await ShiftPageAsync(user, e, null, null, null, 200, ct));

    /// <summary>Form fields <c>checkedIn</c>, <c>checkedOut</c> (local, datetime-local) and <c>reason</c>.</summary>
    public Task<IActionResult> CorrectAsync(HttpRequest request, string eventId, string registrationId, CancellationToken ct) => policy.ForEvent(request, eventId, ct, async (user, e, form) =>
    {
        var inUtc = Local(e, form!["checkedIn"].FirstOrDefault());
        var outUtc = Local(e, form["checkedOut"].FirstOrDefault());
        var reason = Input.Clean(form["reason"].FirstOrDefault());
        var outcome = await hours.CorrectAsync(e, registrationId, inUtc, outUtc, reason, ct);
        switch (outcome)
        {
            case CorrectOutcome.Corrected c:
                await audit.RecordAsync(e.Id, user, VolunteerText.AuditCorrected.Inline,
                    $"{registrationId}: {ConsoleFormat.Local(e, c.Row.CheckedInUtc)}–{ConsoleFormat.Local(e, c.Row.CheckedOutUtc)} · {reason}", "OK", ct);
                return await ShiftPageAsync(user, e, VolunteerText.FlashCorrected.Inline, null, null, 200, ct);
            case CorrectOutcome.Invalid i:
                return await ShiftPageAsync(user, e, null, (registrationId, i.Errors, form), null, 400, ct);
            case CorrectOutcome.NotFound:
                return await ShiftPageAsync(user, e, null, null, ConsoleMessages.NoSuchRegistration.Inline, 404, ct);
            default:
                return HttpIO.Unavailable(request, await ShiftPageAsync(user, e, null, null, ConsolePolicy.Busy, 503, ct));
        }
    }, isChange: true);

    public Task<IActionResult> ReportAsync(HttpRequest request, CancellationToken ct) => policy.ForUser(request, ct, async (user, _) =>
    {
        var (from, to, team, error) = Range(request);
        var (lines, kept) = error is null ? await hours.PeriodAsync(from, to, team, user.CanManage, ct) : ([], []);
        return ConsolePolicy.Page(await pages.RenderAsync<HoursReportPage>(new()
        {
            [nameof(HoursReportPage.User)] = user,
            [nameof(HoursReportPage.Csrf)] = policy.Csrf(user),
            [nameof(HoursReportPage.From)] = from,
            [nameof(HoursReportPage.To)] = to,
            [nameof(HoursReportPage.Team)] = team,
            [nameof(HoursReportPage.Lines)] = lines,
            [nameof(HoursReportPage.Kept)] = kept,
            [nameof(HoursReportPage.Error)] = error,
        }), error is null ? 200 : 400);
    });

    public Task<IActionResult> CsvAsync(HttpRequest request, CancellationToken ct) => policy.ForUser(request, ct, async (user, _) =>
    {
        var (from, to, team, error) = Range(request);
        if (error is not null) return await policy.MessageAsync(user, 400, ConsoleMessages.WrongDates.Inline, error, Paths.Console.HoursReport, VolunteerText.HoursReport.Inline);
        var (lines, _) = await hours.PeriodAsync(from, to, team, user.CanManage, ct);
        await audit.RecordAsync(null, user, ConsoleMessages.AuditExported.Inline, $"volunteer hours {from:yyyy-MM-dd}..{to:yyyy-MM-dd} {team}", "OK", ct);
        return ConsoleReportsApi.Csv(request, Csv(lines), $"volunteer-hours-{from:yyyyMMdd}-{to:yyyyMMdd}.csv");
    });

    /// <summary>
    /// The hours export: the five columns volunteer platforms import first (姓名, 手机号 masked, 日期, 时长, 活动), then the
    /// team, the shift and how its time was recorded.
    /// </summary>
    public static byte[] Csv(IReadOnlyList<HoursLine> lines) => Attendance.CsvExport.Write(
        VolunteerText.ExportColumns,
        lines.Select(l => new[]
        {
            l.Name, l.MaskedPhone ?? "", l.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            l.Hours.ToString("0.0", CultureInfo.InvariantCulture), l.Activity, l.Team, l.EventTitle,
            string.Join("；", new[] { l.ClosedAtEnd ? VolunteerText.ClosedAtEnd.Zh : null, l.Corrected ? VolunteerText.Corrected.Zh : null }.OfType<string>()),
        }));

    private async Task<IActionResult> ShiftPageAsync(ConsoleUser user, EventRecord e, string? flash, (string RegistrationId, FieldErrors Errors, IFormCollection Form)? failed, string? message, int status, CancellationToken ct) =>
        ConsolePolicy.Page(await pages.RenderAsync<HoursPage>(new()
        {
            [nameof(HoursPage.User)] = user,
            [nameof(HoursPage.Csrf)] = policy.Csrf(user),
            [nameof(HoursPage.Event)] = e,
            [nameof(HoursPage.Shift)] = await hours.ShiftAsync(e, ct),
            [nameof(HoursPage.Flash)] = flash,
            [nameof(HoursPage.Message)] = message,
            [nameof(HoursPage.Failed)] = failed is { } f ? new HoursPage.FailedCorrection(f.RegistrationId, f.Errors,
                f.Form["checkedIn"].FirstOrDefault(), f.Form["checkedOut"].FirstOrDefault(), f.Form["reason"].FirstOrDefault()) : null,
        }), status);

    /// <summary>A datetime-local value in the event's zone (the event form's parser), or null when empty or not a time (the correction's rules say so).</summary>
    private static DateTimeOffset? Local(EventRecord e, string? value) => EventValidator.LocalTime(value, "time", e.Zone, required: false, new FieldErrors());

    /// <summary>The period (this year when none is given) and the team (all when none).</summary>
    private (DateOnly From, DateOnly To, string? Team, string? Error) Range(HttpRequest request)
    {
        var year = ConsoleReportsApi.Today(clock).Year;
        var (from, to, error) = ConsoleReportsApi.Range(request, new DateOnly(year, 1, 1), new DateOnly(year, 12, 31));
        return (from, to, Input.Clean(request.Query["team"].FirstOrDefault()), error);
    }
}
