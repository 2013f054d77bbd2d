namespace EventFunctions.Shared.Http;

/// <summary>
/// Route templates (under host.json's routePrefix, "api"): the one place the functions' triggers, the links the app
/// builds (<see cref="Paths"/>, <see cref="Links"/>) and the wiring tests read them from.
/// </summary>
public static class Routes
{
    /// <summary>host.json's <c>extensions.http.routePrefix</c> (a test keeps them equal).</summary>
    public const string Prefix = "api";

    public const string Events = "events";
    public const string Event = "events/{eventId}";
    public const string Registrations = "events/{eventId}/registrations";
    public const string Registration = "events/{eventId}/registrations/{registrationId}";
    public const string SignUpForm = "signup/{eventId}";
    public const string Manage = "manage/{eventId}/{registrationId}";
    public const string ManageResend = "manage/{eventId}/{registrationId}/resend";
    public const string ManageConfirm = "manage/{eventId}/{registrationId}/confirm";
    public const string ManageCalendar = "manage/{eventId}/{registrationId}/calendar";
    /// <summary>The one feedback question after the event (the manage link's secret): GET shows it, POST answers once.</summary>
    public const string Feedback = "feedback/{eventId}/{registrationId}";
    /// <summary>A volunteer's printable hours certificate.</summary>
    public const string ManageCertificate = "manage/{eventId}/{registrationId}/certificate";
    /// <summary>An invited unit's contact: who from the unit signed up (signed contact link), cancelling on their behalf.</summary>
    public const string UnitContact = "unit/{eventId}";
    /// <summary>A series' public page: its sessions, and signing up for all of them or some.</summary>
    public const string Series = "series/{seriesId}";
    /// <summary>A lottery's public check: its commitments, the drawn order, and how to repeat the draw.</summary>
    public const string Lottery = "lottery/{eventId}";
    /// <summary>The entry list the draw froze, as text (its SHA-256 is the one published).</summary>
    public const string LotteryEntries = "lottery/{eventId}/entries.txt";
    /// <summary>The public calendar of upcoming events (filters in the query: kind, month, lang).</summary>
    public const string Calendar = "calendar";
    /// <summary>The same events as an iCalendar feed to subscribe to.</summary>
    public const string CalendarFeed = "calendar.ics";
    /// <summary>The image of shared links' previews.</summary>
    public const string CalendarCard = "calendar/card.png";

    // The organisers' console (signed-in pages; see src/Shared/Http/Console).
    public const string Console = "console";
    public const string ConsoleSignIn = "console/signin";
    public const string ConsoleSignOut = "console/signout";
    public const string ConsoleNewEvent = "console/events/new";
    public const string ConsoleEvent = "console/events/{eventId}";
    public const string ConsoleEditEvent = "console/events/{eventId}/edit";
    public const string ConsoleCapacity = "console/events/{eventId}/capacity";
    public const string ConsoleCloseSignUp = "console/events/{eventId}/close";
    public const string ConsoleRevokeDoorLinks = "console/events/{eventId}/door/revoke";
    public const string ConsoleDrawLottery = "console/events/{eventId}/lottery/draw";
    public const string ConsoleCancelEvent = "console/events/{eventId}/cancel";
    public const string ConsoleRemoveRegistration = "console/events/{eventId}/registrations/{registrationId}/remove";
    public const string ConsoleResend = "console/events/{eventId}/registrations/{registrationId}/resend";
    public const string ConsoleDecide = "console/events/{eventId}/decide";
    public const string ConsoleAllowAgain = "console/events/{eventId}/registrations/{registrationId}/allow";
    public const string ConsoleCheckIn = "console/events/{eventId}/registrations/{registrationId}/checkin";
    public const string ConsoleUndoCheckIn = "console/events/{eventId}/registrations/{registrationId}/undo-checkin";
    public const string ConsoleExportRegistrations = "console/events/{eventId}/export/registrations.csv";
    public const string ConsoleExportAttendance = "console/events/{eventId}/export/attendance.csv";
    public const string ConsoleReports = "console/reports";
    public const string ConsoleReportCsv = "console/reports/units.csv";
    public const string ConsoleReportXlsx = "console/reports/units.xlsx";
    public const string ConsoleExportAttendanceXlsx = "console/events/{eventId}/export/attendance.xlsx";
    public const string ConsoleShare = "console/events/{eventId}/share";
    public const string ConsoleQrPng = "console/events/{eventId}/qr.png";
    public const string ConsoleQrSvg = "console/events/{eventId}/qr.svg";
    public const string ConsolePoster = "console/events/{eventId}/poster";
    public const string ConsoleInvitation = "console/events/{eventId}/invitation";
    public const string ConsoleReleaseUnitSeats = "console/events/{eventId}/invitation/release";
    public const string ConsoleSendInvitations = "console/events/{eventId}/invitation/send";
    public const string ConsoleUnitQr = "console/events/{eventId}/invitation/{unitId}/qr.png";
    public const string ConsoleRepeat = "console/events/{eventId}/repeat";
    public const string ConsoleSeries = "console/series/{seriesId}";
    public const string ConsoleSeriesEdit = "console/series/{seriesId}/edit";
    public const string ConsoleSeriesFinish = "console/series/{seriesId}/finish";
    public const string ConsoleExportFeedback = "console/events/{eventId}/export/feedback.csv";
    public const string ConsoleHours = "console/events/{eventId}/hours";
    public const string ConsoleCorrectHours = "console/events/{eventId}/hours/{registrationId}";
    public const string ConsoleHoursReport = "console/reports/hours";
    public const string ConsoleHoursCsv = "console/reports/hours.csv";
    public const string ConsoleOrganisers = "console/organisers";
    public const string ConsoleRemoveOrganiser = "console/organisers/remove";
    public const string ConsoleUnits = "console/units";
    public const string ConsoleUnit = "console/units/{unitId}";
    public const string ConsoleUnitsImport = "console/units/import";
    public const string ConsoleUnitsExport = "console/units/export.csv";
    public const string ConsoleFailures = "console/failures";
    public const string ConsoleReplay = "console/failures/replay";

    /// <summary>Health (anonymous, no personal data): storage reachability, queue depths, poison counts.</summary>
    public const string Health = "health";
    /// <summary>The OpenAPI 3 document of the JSON APIs.</summary>
    public const string OpenApi = "openapi.json";

    /// <summary>SendGrid's Event Webhook (anonymous: the request's signature is its authentication).</summary>
    public const string SendGridEvents = "sendgrid/events";
    public const string Door = "door/{eventId}";
    public const string Ticket = "t/{eventId}/{code}";
}

public static class Schedules
{
    /// <summary>Every five minutes (NCRONTAB with seconds), overridable with the app setting ConfirmationSweepSchedule.</summary>
    public const string ConfirmationSweep = "%ConfirmationSweepSchedule%";
    /// <summary>Daily at 19:00 UTC (03:00 in Shanghai), when nobody is signing up.</summary>
    public const string RetentionPurge = "0 0 19 * * *";
    /// <summary>Reminders due and notices still owed; every five minutes in the template, app setting ReminderSchedule.</summary>
    public const string Reminders = "%ReminderSchedule%";
    /// <summary>Daily at 19:30 UTC: delivery event markers past SendGrid's retry window.</summary>
    public const string DeliveryEventsPurge = "0 30 19 * * *";
    /// <summary>Sign-ups not confirmed from the email in time give their places to the next people; every minute in the template, app setting HoldSweepSchedule.</summary>
    public const string HoldSweep = "%HoldSweepSchedule%";
}
