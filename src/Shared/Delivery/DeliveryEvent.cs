using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EventFunctions.Shared.Delivery;

/// <summary>The delivery states recorded on a registration row (<see cref="Registrations.RegistrationEntity.DeliveryStatus"/>).</summary>
public static class DeliveryStates
{
    /// <summary>SendGrid accepted the email and will try to deliver it.</summary>
    public const string Processed = "Processed";
    /// <summary>The receiving server asked SendGrid to try later; SendGrid keeps trying (up to 72 hours).</summary>
    public const string Deferred = "Deferred";
    public const string Delivered = "Delivered";
    /// <summary>The receiving server refused it (a bounce, or blocked).</summary>
    public const string Bounced = "Bounced";
    /// <summary>SendGrid did not send it (an address that bounced before, an unsubscribe, an invalid address).</summary>
    public const string Dropped = "Dropped";

    /// <summary>Delivered, bounced and dropped end an email's story; processed and deferred are on the way there.</summary>
    public static bool IsFinal(string? state) => state is Delivered or Bounced or Dropped;

    /// <summary>Tie-break between events of one email with the same timestamp (SendGrid's are whole seconds).</summary>
    public static int Rank(string? state) => state switch
    {
        Processed => 1,
        Deferred => 2,
        Delivered => 3,
        Dropped => 4,
        Bounced => 5,
        _ => 0,
    };

    /// <summary>SendGrid's event name to ours; null for events not recorded (opens, clicks, spam reports, unsubscribes).</summary>
    public static string? FromSendGrid(string? eventName) => eventName switch
    {
        "processed" => Processed,
        "deferred" => Deferred,
        "delivered" => Delivered,
        "bounce" => Bounced,
        "dropped" => Dropped,
        _ => null,
    };
}

/// <summary>
/// One delivery event of one of our emails, read from the webhook's JSON: the ids our email carried as SendGrid
/// custom_args (event, registration, state version), what happened and when. No address: it is not needed.
/// </summary>
public sealed record DeliveryEvent(
    string? SgEventId,
    string EventId,
    string RegistrationId,
    int Version,
    string State,
    DateTimeOffset OccurredUtc,
    string? Detail)
{
    /// <summary>How a state stands against another; the highest is kept (see <see cref="Supersedes"/>).</summary>
    private (int Version, bool Final, DateTimeOffset When, int Rank) Order => (Version, DeliveryStates.IsFinal(State), OccurredUtc, DeliveryStates.Rank(State));

    /// <summary>
    /// Whether this event should replace what the row records. An email with a higher version always wins (the row
    /// moved on to a newer email); for one email, a final state (delivered, bounced, dropped) is never replaced by a
    /// passing one (a late "deferred"), then the later event wins, then the rank. It is a total order, so whatever
    /// order events arrive in, every instance ends on the same state, and applying an event twice changes nothing.
    /// </summary>
    public bool Supersedes(string? state, int version, DateTimeOffset? occurredUtc)
    {
        if (state is null || occurredUtc is null) return true;
        var current = (version, DeliveryStates.IsFinal(state), occurredUtc.Value, DeliveryStates.Rank(state));
        return Order.CompareTo(current) > 0;
    }
}

/// <summary>What a webhook body holds, sorted out.</summary>
public sealed record DeliveryBatch(IReadOnlyList<DeliveryEvent> Events, int Ignored, int NotOurs);

public static partial class DeliveryEventParser
{
    /// <summary>Longest detail kept: a bounce reason is a line of SMTP text; anything longer is cut.</summary>
    public const int MaxDetailLength = 200;

    /// <summary>
    /// Reads SendGrid's Event Webhook body: a JSON array of event objects. Our custom_args come back as top-level
    /// properties (older accounts: inside <c>unique_args</c>). Events we do not record (opens, clicks, …) are
    /// counted as ignored; events without our ids (another system's email, SendGrid's test event) as not ours.
    /// Throws <see cref="JsonException"/> for a body that is not an array of objects.
    /// </summary>
    public static DeliveryBatch Parse(string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new JsonException("The body must be a JSON array of events.");
        var events = new List<DeliveryEvent>();
        int ignored = 0, notOurs = 0;
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Object) throw new JsonException("Each event must be a JSON object.");
            var state = DeliveryStates.FromSendGrid(String(e, "event"));
            if (state is null)
            {
                ignored++;
                continue;
            }

            var args = e.TryGetProperty("unique_args", out var u) && u.ValueKind == JsonValueKind.Object ? u : default;
            var eventId = Arg(e, args, "eventId");
            var registrationId = Arg(e, args, "registrationId");
            var version = int.TryParse(Arg(e, args, "version"), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
            var timestamp = Number(e, "timestamp");
            if (!Ids.IsValidEventId(eventId) || !Ids.IsValidRegistrationId(registrationId) || version <= 0
                || timestamp is null or <= 0 or > 253402300799)
            {
                notOurs++;
                continue;
            }

            events.Add(new DeliveryEvent(
                String(e, "sg_event_id") is { Length: > 0 } id ? id : null,
                eventId!,
                registrationId!,
                version,
                state,
                DateTimeOffset.FromUnixTimeSeconds(timestamp.Value),
                Detail(e, state)));
        }

        return new DeliveryBatch(events, ignored, notOurs);
    }

    /// <summary>
    /// What an organiser needs to know why: a bounce's SMTP status and reason (and "blocked" when it was), a drop's
    /// reason, a deferral's response and attempt. Addresses in the text (SMTP replies quote them) are masked, control
    /// characters removed, and the text cut to <see cref="MaxDetailLength"/>.
    /// </summary>
    private static string? Detail(JsonElement e, string state)
    {
        var parts = state switch
        {
            DeliveryStates.Bounced => [String(e, "type") == "blocked" ? "blocked" : null, String(e, "status"), String(e, "reason")],
            DeliveryStates.Dropped => [String(e, "reason")],
            DeliveryStates.Deferred => [String(e, "response"), String(e, "attempt") is { } a ? $"(attempt {a})" : null],
            _ => Array.Empty<string?>(),
        };
        var text = string.Join(" ", parts.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p!.Trim()));
        return text.Length == 0 ? null : Clean(text);
    }

    /// <summary>Masks addresses, drops control characters, and cuts the text to <see cref="MaxDetailLength"/>.</summary>
    public static string Clean(string text)
    {
        var masked = Address().Replace(text, m => Privacy.MaskEmail(m.Value));
        var sb = new StringBuilder(Math.Min(masked.Length, MaxDetailLength + 1));
        foreach (var c in masked)
        {
            sb.Append(char.IsControl(c) ? ' ' : c);
            if (sb.Length > MaxDetailLength) break;
        }

        var result = sb.ToString().Trim();
        return result.Length > MaxDetailLength ? result[..(MaxDetailLength - 1)] + "…" : result;
    }

    [GeneratedRegex(@"[^\s<>""'(),;:\[\]]+@[^\s<>""'(),;:\[\]]+")]
    private static partial Regex Address();

    private static string? Arg(JsonElement e, JsonElement uniqueArgs, string name) =>
        String(e, name) ?? (uniqueArgs.ValueKind == JsonValueKind.Object ? String(uniqueArgs, name) : null);

    /// <summary>A property as text: strings as they are, numbers as written (SendGrid sends "attempt" as either).</summary>
    private static string? String(JsonElement e, string name) => e.TryGetProperty(name, out var p)
        ? p.ValueKind switch
        {
            JsonValueKind.String => p.GetString(),
            JsonValueKind.Number => p.GetRawText(),
            _ => null,
        }
        : null;

    private static long? Number(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var p)) return null;
        if (p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var n)) return n;
        if (p.ValueKind == JsonValueKind.String && long.TryParse(p.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var s)) return s;
        return null;
    }
}
