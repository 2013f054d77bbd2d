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

    /// <summary>How many registrations of one batch confirmation message are emailed at the same time.</summary>
    public int ConfirmationParallelism { get; set; } = 8;

    /// <summary>
    /// Group commit on a busy event: how long the ledger may wait for more sign-ups to join a batch smaller than
    /// the one before it (a quiet event's sign-up never waits). Zero turns waiting off.
    /// </summary>
    public TimeSpan CommitLinger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>When an email in a batch message fails, its registration is queued again on its own, visible after this.</summary>
    public TimeSpan ConfirmationRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The queue of notification messages; the trigger listens on <see cref="QueueNames.Notifications"/>.</summary>
    public string NotificationQueue { get; set; } = QueueNames.Notifications;

    public ConsoleOptions Console { get; set; } = new();
}

/// <summary>The organisers' console: who may sign in and how (settings <c>EventFunctions__Console__…</c>).</summary>
public sealed class ConsoleOptions
{
    /// <summary>
    /// Emails of the street office's first admins (comma or semicolon separated). They are admins whatever the
    /// organiser table says, so there is always someone who can add organisers.
    /// </summary>
    public string Admins { get; set; } = "";

    /// <summary>
    /// True only where App Service Authentication ("Easy Auth") runs in front of the app: it signs people in and
    /// passes who they are in <c>X-MS-CLIENT-PRINCIPAL</c> (stripping any such header a client sends). Anywhere else
    /// the header could be forged, so with this false a request carrying it is refused.
    /// </summary>
    public bool PlatformAuthentication { get; set; }

    /// <summary>Where the platform's sign-in starts (Easy Auth's provider path).</summary>
    public string PlatformSignInPath { get; set; } = "/.auth/login/aad";

    /// <summary>Organisers and admins, one row each.</summary>
    public string OrganiserTable { get; set; } = "organisers";

    /// <summary>Who changed what: one row per organiser action.</summary>
    public string AuditTable { get; set; } = "audit";

    public IReadOnlyList<string> AdminEmails =>
        Admins.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(e => e.ToLowerInvariant()).ToList();
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

    /// <summary>
    /// The Signed Event Webhook's verification key (SendGrid shows it base64, an ECDSA P-256 public key). Without it
    /// the SendGridEvents endpoint refuses every request: unsigned delivery events are never accepted.
    /// </summary>
    public string? WebhookPublicKey { get; set; }

    /// <summary>A signed webhook request whose timestamp is further than this from now is refused (a replayed old body).</summary>
    public TimeSpan WebhookMaxAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The table of delivery events already recorded (by sg_event_id), so a replay or a SendGrid retry counts once.</summary>
    public string DeliveryEventsTable { get; set; } = "deliveryevents";

    public bool UsesSendGrid => Mode.Equals("SendGrid", StringComparison.OrdinalIgnoreCase)
        || (Mode.Length == 0 && !string.IsNullOrWhiteSpace(SendGridApiKey));
}
