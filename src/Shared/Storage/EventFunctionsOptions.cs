namespace EventFunctions.Shared.Storage;

/// <summary>Queue names are constants: the queue trigger's attribute needs them at compile time.</summary>
public static class QueueNames
{
    public const string Confirmations = "confirmations";
    /// <summary>Change and cancellation notices, reminders and resent confirmations (see Notifications/).</summary>
    public const string Notifications = "notifications";
}

/// <summary>Settings under the <c>EventFunctions</c> section (in app settings: <c>EventFunctions__TableName</c> and so on).</summary>
public sealed class EventFunctionsOptions
{
    public const string Section = "EventFunctions";

    /// <summary>The table holding events and their registrations, one partition per event.</summary>
    public string TableName { get; set; } = "events";

    /// <summary>The queue of confirmation messages; the trigger listens on <see cref="QueueNames.Confirmations"/>.</summary>
    public string ConfirmationQueue { get; set; } = QueueNames.Confirmations;

    /// <summary>Base of the links put in responses and emails (the sign-up form, the cancel link).</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:7071";

    /// <summary>
    /// The ledger's deadline: how long a sign-up, cancellation or change may take (waiting for its turn and
    /// retrying a busy event row) before the caller is told it was not saved (503), or, when its commit's fate
    /// could not be found out, that it is unknown.
    /// </summary>
    public TimeSpan ContentionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Most sign-ups one transaction carries (group commit, 1 to 99). 1 writes each sign-up on its own
    /// (still one at a time per event and process); the benchmark compares the two.
    /// </summary>
    public int MaxBatch { get; set; } = 99;

    /// <summary>A registration whose email is still unsent this long after it was queued is queued again by the sweep.</summary>
    public TimeSpan RequeueAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many times the sweep queues the same owed email again before it records the failure and stops.</summary>
    public int EmailSweepAttempts { get; set; } = 5;

    /// <summary>Registrations (personal data) are deleted this long after their event ends, as the privacy notice says.</summary>
    public TimeSpan RetentionAfterEvent { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Secret for signed links and tokens (door-staff check-in links, anti-forgery tokens, the development sign-in):
    /// at least 32 characters, the same on every instance. Rotating it voids links already handed out.
    /// </summary>
    public string? SigningKey { get; set; }

    public EmailOptions Email { get; set; } = new();

    /// <summary>The queue of notification messages; the trigger listens on <see cref="QueueNames.Notifications"/>.</summary>
    public string NotificationQueue { get; set; } = QueueNames.Notifications;
}

public sealed class EmailOptions
{
    /// <summary><c>Outbox</c> writes .eml files (local runs); <c>SendGrid</c> sends for real. Outbox when no API key is set.</summary>
    public string Mode { get; set; } = "";

    public string? SendGridApiKey { get; set; }

    /// <summary>SendGrid's API base; tests point it at a loopback fake.</summary>
    public string SendGridHost { get; set; } = "https://api.sendgrid.com";

    public string FromAddress { get; set; } = "no-reply@eventfunctions.example";

    public string FromName { get; set; } = "EventFunctions 活动报名";

    public string OutboxPath { get; set; } = ".outbox";

    public bool UsesSendGrid => Mode.Equals("SendGrid", StringComparison.OrdinalIgnoreCase)
        || (Mode.Length == 0 && !string.IsNullOrWhiteSpace(SendGridApiKey));
}
