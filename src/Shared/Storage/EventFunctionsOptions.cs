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

    /// <summary>
    /// Base of the links put in responses, emails, QR codes, posters and calendar files (the sign-up form, the manage
    /// link, door links), such as <c>https://signup.jiedao.example.cn</c>. When unset it comes from the platform
    /// (<c>WEBSITE_HOSTNAME</c>, the app's own host name in whichever cloud it runs), and in Development from the local
    /// host (<c>http://localhost:7071</c>); set it behind a custom domain or a front door.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "";

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

    /// <summary>
    /// How long a sign-up on an event that needs a confirmed email is held (a seat or a waitlist place) for its
    /// participant to follow the link in the email; then it goes to the next person. Long enough for an email that
    /// is slow to arrive and a resident who reads it over lunch, short enough that a script's holds do not last.
    /// </summary>
    public TimeSpan HoldTime { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>
    /// How often an instance reads the public calendar's events again (the page and the feed anyone may open are served
    /// from what it read last, so a crowd does not scan the table); a new, moved or cancelled event shows within this.
    /// </summary>
    public TimeSpan CalendarRefresh { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a late seat is offered to the next person waiting (never past the start) before it moves on (see <see cref="Events.EventRecord.OfferHoursBefore"/>).</summary>
    public TimeSpan OfferTime { get; set; } = TimeSpan.FromHours(4);

    /// <summary>A registration whose email is still unsent this long after it was queued is queued again by the sweep.</summary>
    public TimeSpan RequeueAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many times the sweep queues the same owed email again before it records the failure and stops.</summary>
    public int EmailSweepAttempts { get; set; } = 5;

    /// <summary>Registrations (personal data) are deleted this long after their event ends, as the privacy notice says.</summary>
    public TimeSpan RetentionAfterEvent { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// The first signing key (key id <c>0</c>): a secret of at least 32 characters for signed links and tokens
    /// (door-staff check-in links, anti-forgery tokens, the development sign-in). Links made before key ids existed
    /// carry no id and are verified with this key until it is removed. See <see cref="SigningKeys"/> for rotation.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// The key ring: more signing keys by id (settings <c>EventFunctions__SigningKeys__{id}</c>, ids of 1 to 16 letters,
    /// digits or '-'). Every key listed verifies; the one named by <see cref="SigningKeyId"/> signs. Rotation is two steps
    /// that void nothing: add the new key (every instance now verifies it), then name it in SigningKeyId. Removing a key
    /// voids what it signed (the emergency revocation).
    /// </summary>
    public Dictionary<string, string> SigningKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The id of the key that signs (<c>0</c> for <see cref="SigningKey"/>); may be left unset when there is one key.</summary>
    public string? SigningKeyId { get; set; }

    /// <summary>
    /// The secret that stored identifiers derive from (registration row keys from the email, ticket codes from the
    /// arrival number): at least 32 characters, set once and never changed, since a new one would change every key
    /// and code already stored. Not a signing key: it is not rotated with them. Required outside Development.
    /// </summary>
    public string? IdentifierKey { get; set; }

    public EmailOptions Email { get; set; } = new();

    /// <summary>Rate limits on the anonymous routes (settings <c>EventFunctions__Limits__…</c>).</summary>
    public LimitOptions Limits { get; set; } = new();

    /// <summary>How many registrations of one batch confirmation message are emailed at the same time.</summary>
    public int ConfirmationParallelism { get; set; } = 8;

    /// <summary>
    /// Group commit on a busy event: how long the ledger may wait for more sign-ups to join a batch smaller than
    /// the one before it (a quiet event's sign-up never waits). Zero turns waiting off.
    /// </summary>
    public TimeSpan CommitLinger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// The same on an event another instance has lately committed to (a rush spread over instances): there every
    /// commit waits for the others' under the event row's ETag, so a larger batch per commit is what keeps the
    /// event's rate up, and waiting a little longer for it costs less than a refused commit.
    /// </summary>
    public TimeSpan ContendedCommitLinger { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Seat blocks (see Ledger/SeatBlock.cs): <c>Auto</c> hands an instance a block of seats once it finds another
    /// instance committing to the same event (a rush on several instances), so each commits to its own row;
    /// <c>Always</c> on every busy lane, one instance or many; <c>Off</c> never.
    /// </summary>
    public SeatBlockMode SeatBlocks { get; set; } = SeatBlockMode.Auto;

    /// <summary>
    /// The waitlist inbox (see Ledger/WaitlistInbox.cs): once people wait for an event, a sign-up is certainly
    /// waitlisted, so it can be answered "on the waitlist" as soon as its row is stored, and given its arrival number
    /// (and its place, sent by email) by the next commit on the event row. <c>Auto</c> only while another instance
    /// commits to the same event (where the one event row is what every instance waits for); <c>Always</c> on every
    /// event with people waiting; <c>Off</c> never (every sign-up is told its place at once).
    /// </summary>
    public WaitlistInboxMode WaitlistInbox { get; set; } = WaitlistInboxMode.Auto;

    /// <summary>An instance gives its block's unused seats back after no sign-up for this long.</summary>
    public TimeSpan SeatBlockIdle { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A block its instance has not committed to for this long is folded by the hold sweep (its instance is taken to be gone).</summary>
    public TimeSpan SeatBlockLease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>When an email in a batch message fails, its registration is queued again on its own, visible after this.</summary>
    public TimeSpan ConfirmationRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The queue of notification messages; the trigger listens on <see cref="QueueNames.Notifications"/>.</summary>
    public string NotificationQueue { get; set; } = QueueNames.Notifications;

    public ConsoleOptions Console { get; set; } = new();

    /// <summary>The last error of each queue message that failed (see Operations/QueueFailures), for the console's failures page.</summary>
    public string FailuresTable { get; set; } = "queuefailures";
}

public enum SeatBlockMode
{
    Auto,
    Always,
    Off,
}

public enum WaitlistInboxMode
{
    Auto,
    Always,
    Off,
}

/// <summary>The organisers' console: who may sign in and how (settings <c>EventFunctions__Console__…</c>).</summary>
public sealed class ConsoleOptions
{
    /// <summary>
    /// The development sign-in (any visitor picks an email and is signed in as that organiser): only when this is true
    /// and the environment is Development and the platform's sign-in is off. Outside Development the app refuses to
    /// start with it on.
    /// </summary>
    public bool DevelopmentSignIn { get; set; }

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
    /// <summary>
    /// <c>SendGrid</c> sends for real; <c>Outbox</c> writes .eml files into <see cref="OutboxPath"/> (Development only:
    /// outside it the app refuses to start). Unset: SendGrid when an API key is set, otherwise the outbox.
    /// </summary>
    public string Mode { get; set; } = "";

    public string? SendGridApiKey { get; set; }

    /// <summary>SendGrid's API base; tests point it at a loopback fake.</summary>
    public string SendGridHost { get; set; } = "https://api.sendgrid.com";

    /// <summary>The sender: a SendGrid verified sender of the office's own domain. The placeholder is refused outside Development.</summary>
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

    /// <summary>
    /// Most emails one instance has handed to SendGrid and not yet recorded as sent, over every kind of email. An
    /// instance killed in that window sends those again (once) when their claims run out, so this bounds the
    /// duplicates a crash can cause; it also bounds the instance's sending rate to about this many per SendGrid
    /// round trip (8 at 150 ms: some 50 emails a second per instance).
    /// </summary>
    public int MaxInFlight { get; set; } = 8;

    /// <summary>
    /// Most emails one mailbox (a <c>+tag</c> is the same mailbox) is sent in a day (Shanghai's) for sign-ups it did not
    /// make itself: first confirmations and removal notices, across every event and instance. One more is not sent
    /// (recorded on the row as capped, shown to organisers), so the office's sender cannot be aimed at a stranger.
    /// </summary>
    public int MaxPerRecipientPerDay { get; set; } = 10;

    /// <summary>The table counting those emails per mailbox and day (keyed hashes, no addresses).</summary>
    public string RecipientCapTable { get; set; } = "recipientcaps";

    /// <summary>The table of delivery events already recorded (by sg_event_id), so a replay or a SendGrid retry counts once.</summary>
    public string DeliveryEventsTable { get; set; } = "deliveryevents";

    public bool UsesSendGrid => Mode.Equals("SendGrid", StringComparison.OrdinalIgnoreCase)
        || (Mode.Length == 0 && !string.IsNullOrWhiteSpace(SendGridApiKey));
}

/// <summary>
/// Rate limits on the anonymous routes (see Http/PublicLimits.cs), per instance: a bucket holds the allowance of its
/// window and refills evenly through it. Sized for a street office's events: a resident never meets them, a script does.
/// </summary>
public sealed class LimitOptions
{
    /// <summary>
    /// True where the platform's front end adds the client's address to <c>X-Forwarded-For</c> (App Service, Azure
    /// Functions): the limits then read its last entry. Off, they use the connection's address, and a client's own
    /// <c>X-Forwarded-For</c> is ignored (it could name anyone).
    /// </summary>
    public bool TrustForwardedFor { get; set; }

    /// <summary>Every anonymous request (pages, the API, tickets, door links) from one address.</summary>
    public int PagesPerAddressPerMinute { get; set; } = 300;

    /// <summary>Sign-ups (form or API) from one address. Mobile carriers put many people behind one address; a rush
    /// of neighbours for one event rarely shares one, a script always does.</summary>
    public int SignUpsPerAddressPerMinute { get; set; } = 20;

    /// <summary>Sign-ups for one event from everyone together: above any real rush, below what empties an event in seconds.</summary>
    public int SignUpsPerEventPerMinute { get; set; } = 1200;

    /// <summary>Sign-ups for one mailbox (a <c>+tag</c> is the same mailbox), across events: nobody's inbox is a target.</summary>
    public int SignUpsPerMailboxPerHour { get; set; } = 5;

    /// <summary>Requests on one door link (search, check in, walk-in): several volunteers at a busy door stay well under it.</summary>
    public int DoorRequestsPerLinkPerMinute { get; set; } = 240;
}

