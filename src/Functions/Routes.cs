namespace EventFunctions.Functions;

/// <summary>Route templates (under host.json's routePrefix, "api"), one place for the functions and the wiring test.</summary>
public static class Routes
{
    public const string Events = "events";
    public const string Event = "events/{eventId}";
    public const string Registrations = "events/{eventId}/registrations";
    public const string Registration = "events/{eventId}/registrations/{registrationId}";
    public const string SignUpForm = "signup/{eventId}";
    public const string Manage = "manage/{eventId}/{registrationId}";
    public const string ManageResend = "manage/{eventId}/{registrationId}/resend";
    public const string ManageCalendar = "manage/{eventId}/{registrationId}/calendar";
}

public static class Schedules
{
    /// <summary>Every five minutes (NCRONTAB with seconds), overridable with the app setting ConfirmationSweepSchedule.</summary>
    public const string ConfirmationSweep = "%ConfirmationSweepSchedule%";
    /// <summary>Daily at 19:00 UTC (03:00 in Shanghai), when nobody is signing up.</summary>
    public const string RetentionPurge = "0 0 19 * * *";
    /// <summary>Reminders due and notices still owed; every five minutes in the template, app setting ReminderSchedule.</summary>
    public const string Reminders = "%ReminderSchedule%";
}
