using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Http;

/// <summary>
/// The app's own paths (<c>/api/…</c>), filled in from the route templates in <see cref="Routes"/>: pages, forms and
/// redirects link with these, never with a path written by hand, so a route changed in one place changes every link.
/// </summary>
public static class Paths
{
    /// <summary>A route template with its <c>{name}</c> parameters filled in (escaped), under the route prefix.</summary>
    public static string Of(string template, params (string Name, string Value)[] values)
    {
        var path = template;
        foreach (var (name, value) in values) path = path.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        if (path.Contains('{')) throw new ArgumentException($"Route {template} needs more values than were given.", nameof(values));
        return "/" + Routes.Prefix + "/" + path;
    }

    public static string SignUp(string eventId) => Of(Routes.SignUpForm, ("eventId", eventId));
    public static string Series(string seriesId) => Of(Routes.Series, ("seriesId", seriesId));
    public static string Lottery(string eventId) => Of(Routes.Lottery, ("eventId", eventId));
    public static string LotteryEntries(string eventId) => Of(Routes.LotteryEntries, ("eventId", eventId));
    public static readonly string Calendar = Of(Routes.Calendar);
    public static readonly string CalendarFeed = Of(Routes.CalendarFeed);
    public static readonly string CalendarCard = Of(Routes.CalendarCard);
    public static string UnitContact(string eventId) => Of(Routes.UnitContact, ("eventId", eventId));
    public static string Manage(string eventId, string registrationId) => Of(Routes.Manage, ("eventId", eventId), ("registrationId", registrationId));
    public static string ManageResend(string eventId, string registrationId) => Of(Routes.ManageResend, ("eventId", eventId), ("registrationId", registrationId));
    public static string ManageConfirm(string eventId, string registrationId) => Of(Routes.ManageConfirm, ("eventId", eventId), ("registrationId", registrationId));
    public static string ManageCalendar(string eventId, string registrationId) => Of(Routes.ManageCalendar, ("eventId", eventId), ("registrationId", registrationId));
    public static string Feedback(string eventId, string registrationId) => Of(Routes.Feedback, ("eventId", eventId), ("registrationId", registrationId));
    public static string ManageCertificate(string eventId, string registrationId) => Of(Routes.ManageCertificate, ("eventId", eventId), ("registrationId", registrationId));
    public static string Event(string eventId) => Of(Routes.Event, ("eventId", eventId));
    public static string Registration(string eventId, string registrationId) => Of(Routes.Registration, ("eventId", eventId), ("registrationId", registrationId));
    public static string Door(string eventId) => Of(Routes.Door, ("eventId", eventId));
    public static string Ticket(string eventId, string code) => Of(Routes.Ticket, ("eventId", eventId), ("code", code));

    /// <summary>The door page and the ticket links share the door's cookie.</summary>
    public static readonly string DoorRoot = "/" + Routes.Prefix + "/" + Routes.Door[..Routes.Door.IndexOf('/')];
    public static readonly string TicketRoot = "/" + Routes.Prefix + "/" + Routes.Ticket[..Routes.Ticket.IndexOf('/')];

    /// <summary>The organisers' console.</summary>
    public static class Console
    {
        public static readonly string Home = Of(Routes.Console);
        public static readonly string SignIn = Of(Routes.ConsoleSignIn);
        public static readonly string SignOut = Of(Routes.ConsoleSignOut);
        public static readonly string NewEvent = Of(Routes.ConsoleNewEvent);
        public static readonly string Reports = Of(Routes.ConsoleReports);
        public static readonly string ReportCsv = Of(Routes.ConsoleReportCsv);
        public static readonly string ReportXlsx = Of(Routes.ConsoleReportXlsx);
        public static readonly string HoursReport = Of(Routes.ConsoleHoursReport);
        public static readonly string HoursCsv = Of(Routes.ConsoleHoursCsv);
        public static string Repeat(string eventId) => Of(Routes.ConsoleRepeat, ("eventId", eventId));
        public static string Series(string seriesId) => Of(Routes.ConsoleSeries, ("seriesId", seriesId));
        public static string SeriesEdit(string seriesId) => Of(Routes.ConsoleSeriesEdit, ("seriesId", seriesId));
        public static string SeriesFinish(string seriesId) => Of(Routes.ConsoleSeriesFinish, ("seriesId", seriesId));
        public static string ExportFeedback(string eventId) => Of(Routes.ConsoleExportFeedback, ("eventId", eventId));
        public static string Hours(string eventId) => Of(Routes.ConsoleHours, ("eventId", eventId));
        public static string CorrectHours(string eventId, string registrationId) => Of(Routes.ConsoleCorrectHours, ("eventId", eventId), ("registrationId", registrationId));
        public static readonly string Organisers = Of(Routes.ConsoleOrganisers);
        public static readonly string RemoveOrganiser = Of(Routes.ConsoleRemoveOrganiser);
        public static readonly string Units = Of(Routes.ConsoleUnits);
        public static readonly string UnitsImport = Of(Routes.ConsoleUnitsImport);
        public static readonly string UnitsExport = Of(Routes.ConsoleUnitsExport);

        public static string Unit(string unitId) => Of(Routes.ConsoleUnit, ("unitId", unitId));
        public static readonly string Failures = Of(Routes.ConsoleFailures);
        public static readonly string Replay = Of(Routes.ConsoleReplay);

        public static string ManageCertificate(string eventId, string registrationId) => Of(Routes.ManageCertificate, ("eventId", eventId), ("registrationId", registrationId));
    public static string Event(string eventId) => Of(Routes.ConsoleEvent, ("eventId", eventId));
        public static string Decide(string eventId) => Of(Routes.ConsoleDecide, ("eventId", eventId));
        public static string AllowAgain(string eventId, string registrationId) => Of(Routes.ConsoleAllowAgain, ("eventId", eventId), ("registrationId", registrationId));
        public static string Invitation(string eventId) => Of(Routes.ConsoleInvitation, ("eventId", eventId));
        public static string ReleaseUnitSeats(string eventId) => Of(Routes.ConsoleReleaseUnitSeats, ("eventId", eventId));
        public static string SendInvitations(string eventId) => Of(Routes.ConsoleSendInvitations, ("eventId", eventId));
        public static string UnitQr(string eventId, string unitId) => Of(Routes.ConsoleUnitQr, ("eventId", eventId), ("unitId", unitId));
        public static string EditEvent(string eventId) => Of(Routes.ConsoleEditEvent, ("eventId", eventId));
        public static string Capacity(string eventId) => Of(Routes.ConsoleCapacity, ("eventId", eventId));
        public static string CloseSignUp(string eventId) => Of(Routes.ConsoleCloseSignUp, ("eventId", eventId));
        public static string RevokeDoorLinks(string eventId) => Of(Routes.ConsoleRevokeDoorLinks, ("eventId", eventId));
        public static string DrawLottery(string eventId) => Of(Routes.ConsoleDrawLottery, ("eventId", eventId));
        public static string CancelEvent(string eventId) => Of(Routes.ConsoleCancelEvent, ("eventId", eventId));
        public static string RemoveRegistration(string eventId, string registrationId) => Of(Routes.ConsoleRemoveRegistration, ("eventId", eventId), ("registrationId", registrationId));
        public static string Resend(string eventId, string registrationId) => Of(Routes.ConsoleResend, ("eventId", eventId), ("registrationId", registrationId));
        public static string CheckIn(string eventId, string registrationId) => Of(Routes.ConsoleCheckIn, ("eventId", eventId), ("registrationId", registrationId));
        public static string UndoCheckIn(string eventId, string registrationId) => Of(Routes.ConsoleUndoCheckIn, ("eventId", eventId), ("registrationId", registrationId));
        public static string ExportRegistrations(string eventId) => Of(Routes.ConsoleExportRegistrations, ("eventId", eventId));
        public static string ExportAttendance(string eventId) => Of(Routes.ConsoleExportAttendance, ("eventId", eventId));
        public static string ExportAttendanceXlsx(string eventId) => Of(Routes.ConsoleExportAttendanceXlsx, ("eventId", eventId));
        public static string Share(string eventId) => Of(Routes.ConsoleShare, ("eventId", eventId));
        public static string QrPng(string eventId) => Of(Routes.ConsoleQrPng, ("eventId", eventId));
        public static string QrSvg(string eventId) => Of(Routes.ConsoleQrSvg, ("eventId", eventId));
        public static string Poster(string eventId) => Of(Routes.ConsolePoster, ("eventId", eventId));
    }
}

/// <summary>Absolute links for emails, QR codes, posters and calendar files: <see cref="EventFunctionsOptions.PublicBaseUrl"/> + a <see cref="Paths"/> path.</summary>
public sealed class Links(IOptions<EventFunctionsOptions> options)
{
    public string Absolute(string path) => options.Value.PublicBaseUrl.TrimEnd('/') + path;

    public string SignUp(string eventId) => Absolute(Paths.SignUp(eventId));

    /// <summary>The participant's manage page (their secret token), in their language.</summary>
    public string Manage(string eventId, string registrationId, string? token, string language) =>
        Absolute(Paths.Manage(eventId, registrationId)) + $"?t={Uri.EscapeDataString(token ?? "")}&lang={Uri.EscapeDataString(language)}";

    public string Ticket(string eventId, string code) => Absolute(Paths.Ticket(eventId, code));

    /// <summary>A lottery's public check page, in the reader's language.</summary>
    public string Lottery(string eventId, string language) => Absolute(Paths.Lottery(eventId) + $"?lang={language}");

    /// <summary>The feedback page (the manage link's secret), a rating chosen in the email already ticked.</summary>
    public string Feedback(string eventId, string registrationId, string token, string language, int? rating = null) =>
        Absolute(Paths.Feedback(eventId, registrationId)) + $"?t={Uri.EscapeDataString(token)}&lang={Uri.EscapeDataString(language)}" + (rating is { } r ? $"&r={r}" : "");
}
