using EventFunctions.Shared.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Console;

/// <summary>Create an event with a form (and preview the participant's page before publishing).</summary>
public sealed class ConsoleNewEvent(ConsoleEventsApi api)
{
    [Function(nameof(ConsoleNewEvent))]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleNewEvent)] HttpRequest request,
        CancellationToken ct) => api.NewEventFormAsync(request, ct);

    [Function("ConsoleCreateEvent")]
    public Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleNewEvent)] HttpRequest request,
        CancellationToken ct) => api.CreateEventAsync(request, ct);
}

/// <summary>One event: its registrations (searchable), counts, and the organiser's actions.</summary>
public sealed class ConsoleEvent(ConsoleEventsApi api, ConsolePeopleApi people)
{
    [Function(nameof(ConsoleEvent))]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleEvent)] HttpRequest request,
        string eventId, CancellationToken ct) => api.EventPageAsync(request, eventId, ct);

    [Function("ConsoleEditEventForm")]
    public Task<IActionResult> EditForm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleEditEvent)] HttpRequest request,
        string eventId, CancellationToken ct) => api.EditEventFormAsync(request, eventId, ct);

    [Function("ConsoleUpdateEvent")]
    public Task<IActionResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleEditEvent)] HttpRequest request,
        string eventId, CancellationToken ct) => api.UpdateEventAsync(request, eventId, ct);

    [Function("ConsoleSetCapacity")]
    public Task<IActionResult> SetCapacity(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleCapacity)] HttpRequest request,
        string eventId, CancellationToken ct) => api.SetCapacityAsync(request, eventId, ct);

    [Function("ConsoleCloseSignUp")]
    public Task<IActionResult> CloseSignUp(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleCloseSignUp)] HttpRequest request,
        string eventId, CancellationToken ct) => api.CloseSignUpAsync(request, eventId, ct);

    [Function("ConsoleDrawLottery")]
    public Task<IActionResult> DrawLottery(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleDrawLottery)] HttpRequest request,
        string eventId, CancellationToken ct) => api.DrawLotteryAsync(request, eventId, ct);

    [Function("ConsoleRevokeDoorLinks")]
    public Task<IActionResult> RevokeDoorLinks(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleRevokeDoorLinks)] HttpRequest request,
        string eventId, CancellationToken ct) => api.RevokeDoorLinksAsync(request, eventId, ct);

    [Function("ConsoleCancelEvent")]
    public Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleCancelEvent)] HttpRequest request,
        string eventId, CancellationToken ct) => api.CancelEventAsync(request, eventId, ct);

    [Function("ConsoleResendConfirmation")]
    public Task<IActionResult> Resend(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleResend)] HttpRequest request,
        string eventId, string registrationId, CancellationToken ct) => people.ResendAsync(request, eventId, registrationId, ct);

    [Function("ConsoleRemoveRegistration")]
    public Task<IActionResult> RemoveRegistration(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleRemoveRegistration)] HttpRequest request,
        string eventId, string registrationId, CancellationToken ct) => people.RemoveRegistrationAsync(request, eventId, registrationId, ct);
}

/// <summary>Share an event: the link, its QR code (PNG, SVG) and a printable A4 poster.</summary>
public sealed class ConsoleShare(ConsoleEventsApi api)
{
    [Function(nameof(ConsoleShare))]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleShare)] HttpRequest request,
        string eventId, CancellationToken ct) => api.SharePageAsync(request, eventId, ct);

    [Function("ConsoleQrPng")]
    public Task<IActionResult> Png(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleQrPng)] HttpRequest request,
        string eventId, CancellationToken ct) => api.QrCodeAsync(request, eventId, "png", ct);

    [Function("ConsoleQrSvg")]
    public Task<IActionResult> Svg(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleQrSvg)] HttpRequest request,
        string eventId, CancellationToken ct) => api.QrCodeAsync(request, eventId, "svg", ct);

    [Function("ConsolePoster")]
    public Task<IActionResult> Poster(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsolePoster)] HttpRequest request,
        string eventId, CancellationToken ct) => api.PosterAsync(request, eventId, ct);
}

/// <summary>Check-in from the console (the organiser at the door, or a correction afterwards).</summary>
public sealed class ConsoleCheckIn(ConsolePeopleApi api)
{
    [Function(nameof(ConsoleCheckIn))]
    public Task<IActionResult> CheckIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleCheckIn)] HttpRequest request,
        string eventId, string registrationId, CancellationToken ct) => api.CheckInAsync(request, eventId, registrationId, undo: false, ct);

    [Function("ConsoleUndoCheckIn")]
    public Task<IActionResult> Undo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleUndoCheckIn)] HttpRequest request,
        string eventId, string registrationId, CancellationToken ct) => api.CheckInAsync(request, eventId, registrationId, undo: true, ct);
}

/// <summary>CSV exports (UTF-8 with BOM, for Excel) and the unit report.</summary>
public sealed class ConsoleReports(ConsoleReportsApi api)
{
    [Function("ConsoleExportRegistrations")]
    public Task<IActionResult> Registrations(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleExportRegistrations)] HttpRequest request,
        string eventId, CancellationToken ct) => api.ExportAsync(request, eventId, "registrations", ct);

    [Function("ConsoleExportAttendance")]
    public Task<IActionResult> Attendance(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleExportAttendance)] HttpRequest request,
        string eventId, CancellationToken ct) => api.ExportAsync(request, eventId, "attendance", ct);

    [Function("ConsoleExportAttendanceXlsx")]
    public Task<IActionResult> AttendanceXlsx(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleExportAttendanceXlsx)] HttpRequest request,
        string eventId, CancellationToken ct) => api.ExportAsync(request, eventId, "attendance.xlsx", ct);

    [Function("ConsoleExportFeedback")]
    public Task<IActionResult> Feedback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleExportFeedback)] HttpRequest request,
        string eventId, CancellationToken ct) => api.ExportFeedbackAsync(request, eventId, ct);

    [Function(nameof(ConsoleReports))]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleReports)] HttpRequest request,
        CancellationToken ct) => api.ReportsAsync(request, ct);

    [Function("ConsoleReportCsv")]
    public Task<IActionResult> Csv(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleReportCsv)] HttpRequest request,
        CancellationToken ct) => api.ReportCsvAsync(request, ct);

    [Function("ConsoleReportXlsx")]
    public Task<IActionResult> Xlsx(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleReportXlsx)] HttpRequest request,
        CancellationToken ct) => api.ReportCsvAsync(request, ct);
}

/// <summary>An event's invitation: the invited member units and their seats, the pool, the release; each unit's link and QR.</summary>
public sealed class ConsoleInvitation(ConsoleInvitationApi api)
{
    [Function(nameof(ConsoleInvitation))]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleInvitation)] HttpRequest request,
        string eventId,
        CancellationToken ct) => api.PageAsync(request, eventId, ct);

    [Function("ConsoleSaveInvitation")]
    public Task<IActionResult> Save(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleInvitation)] HttpRequest request,
        string eventId,
        CancellationToken ct) => api.SaveAsync(request, eventId, ct);

    [Function("ConsoleReleaseUnitSeats")]
    public Task<IActionResult> Release(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleReleaseUnitSeats)] HttpRequest request,
        string eventId,
        CancellationToken ct) => api.ReleaseAsync(request, eventId, ct);

    [Function("ConsoleSendInvitations")]
    public Task<IActionResult> Send(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleSendInvitations)] HttpRequest request,
        string eventId,
        CancellationToken ct) => api.SendAsync(request, eventId, ct);

    [Function("ConsoleUnitQr")]
    public Task<IActionResult> Qr(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleUnitQr)] HttpRequest request,
        string eventId,
        string unitId,
        CancellationToken ct) => api.QrAsync(request, eventId, unitId, ct);
}

/// <summary>Approving and declining pending sign-ups (one or many), and letting a declined person sign up again.</summary>
public sealed class ConsoleApproval(ConsoleApprovalApi api)
{
    [Function("ConsoleDecide")]
    public Task<IActionResult> Decide(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleDecide)] HttpRequest request,
        string eventId,
        CancellationToken ct) => api.DecideAsync(request, eventId, ct);

    [Function("ConsoleAllowAgain")]
    public Task<IActionResult> AllowAgain(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleAllowAgain)] HttpRequest request,
        string eventId,
        string registrationId,
        CancellationToken ct) => api.AllowAgainAsync(request, eventId, registrationId, ct);
}

/// <summary>Volunteer hours: one shift's times (corrected with a reason) and the hours of a period per team.</summary>
public sealed class ConsoleVolunteerHours(ConsoleVolunteerApi api)
{
    [Function("ConsoleHours")]
    public Task<IActionResult> Shift(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleHours)] HttpRequest request,
        string eventId, CancellationToken ct) => api.ShiftAsync(request, eventId, ct);

    [Function("ConsoleCorrectHours")]
    public Task<IActionResult> Correct(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleCorrectHours)] HttpRequest request,
        string eventId, string registrationId, CancellationToken ct) => api.CorrectAsync(request, eventId, registrationId, ct);

    [Function("ConsoleHoursReport")]
    public Task<IActionResult> Report(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleHoursReport)] HttpRequest request,
        CancellationToken ct) => api.ReportAsync(request, ct);

    [Function("ConsoleHoursCsv")]
    public Task<IActionResult> Csv(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleHoursCsv)] HttpRequest request,
        CancellationToken ct) => api.CsvAsync(request, ct);
}

/// <summary>Series: repeating an event into sessions, the series' page, editing from one session on.</summary>
public sealed class ConsoleSeries(ConsoleSeriesApi api)
{
    [Function("ConsoleRepeatForm")]
    public Task<IActionResult> RepeatForm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleRepeat)] HttpRequest request,
        string eventId, CancellationToken ct) => api.RepeatFormAsync(request, eventId, ct);

    [Function("ConsoleRepeat")]
    public Task<IActionResult> Repeat(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleRepeat)] HttpRequest request,
        string eventId, CancellationToken ct) => api.RepeatAsync(request, eventId, ct);

    [Function(nameof(ConsoleSeries))]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleSeries)] HttpRequest request,
        string seriesId, CancellationToken ct) => api.SeriesAsync(request, seriesId, ct);

    [Function("ConsoleSeriesFinish")]
    public Task<IActionResult> Finish(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleSeriesFinish)] HttpRequest request,
        string seriesId, CancellationToken ct) => api.FinishAsync(request, seriesId, ct);

    [Function("ConsoleSeriesEdit")]
    public Task<IActionResult> Edit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleSeriesEdit)] HttpRequest request,
        string seriesId, CancellationToken ct) => api.EditAsync(request, seriesId, ct);
}
