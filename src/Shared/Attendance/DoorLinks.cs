using EventFunctions.Shared.Events;
using EventFunctions.Shared.Security;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Attendance;

/// <summary>A verified door credential: which event, which link (<see cref="LinkId"/>), until when, made when (null: made before links carried it).</summary>
public sealed record DoorCredential(string EventId, string LinkId, string Token, DateTimeOffset ExpiresUtc, DateTimeOffset? IssuedUtc = null)
{
    /// <summary>Whether the organiser has revoked the event's door links since this one was made (a link without its time, made before links carried it, counts as made before).</summary>
    public bool RevokedBy(EventRecord e) => e.DoorLinksRevokedUtc is { } revoked && (IssuedUtc ?? DateTimeOffset.MinValue) < revoked;

    /// <summary>What a check-in made with this link records as its actor.</summary>
    public string Actor => "door:" + LinkId;
}

/// <summary>
/// Door staff have no accounts: an event's check-in link carries a token signed (see <see cref="Signer"/>) for the
/// purpose <c>door:{eventId}</c>, expiring <see cref="ValidAfterEvent"/> after the event ends. It authorises
/// check-in for that event only. Each link made gets its own id, so check-ins say which link made them, and the
/// time it was made, so that the organiser can revoke every link made so far (one passed on too far) and hand
/// out a new one (<see cref="EventRecord.DoorLinksRevokedUtc"/>, checked wherever a door credential is used).
/// </summary>
public sealed class DoorLinks(Signer signer, TimeProvider clock, IOptions<EventFunctionsOptions> options)
{
    public static readonly TimeSpan ValidAfterEvent = TimeSpan.FromHours(12);
    /// <summary>How long a door form's anti-forgery token lasts (a page left open through a long event).</summary>
    public static readonly TimeSpan FormLifetime = TimeSpan.FromHours(12);

    public static string Purpose(string eventId) => "door:" + eventId;

    /// <summary>The full check-in link for the organiser to hand to door staff.</summary>
    public string Create(EventRecord e) =>
        $"{options.Value.PublicBaseUrl.TrimEnd('/')}{Http.Paths.Door(e.Id)}?k={Uri.EscapeDataString(CreateToken(e))}";

    public string CreateToken(EventRecord e) =>
        signer.Sign(Purpose(e.Id), $"{e.Id}:{Ids.NewRegistrationId()}:{clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)}", e.EndUtc + ValidAfterEvent);

    /// <summary>The credential when <paramref name="token"/> is a live door token for <paramref name="eventId"/>; null when wrong, expired or another event's.</summary>
    public DoorCredential? Verify(string eventId, string? token)
    {
        if (signer.VerifySigned(Purpose(eventId), token) is not var (payload, expiry)) return null;
        var colon = payload.IndexOf(':');
        if (colon <= 0 || payload[..colon] != eventId) return null;
        // {eventId}:{linkId}:{issued, unix ms}; links made before the issue time was added carry none.
        var rest = payload[(colon + 1)..].Split(':');
        DateTimeOffset? issued = rest.Length > 1 && long.TryParse(rest[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        return new DoorCredential(eventId, rest[0], token!, expiry, issued);
    }

    /// <summary>An anti-forgery token for the door page's forms, bound to the event and the link that opened it.</summary>
    public string FormToken(DoorCredential c) => signer.Sign("door-form:" + c.EventId, c.LinkId, clock.GetUtcNow() + FormLifetime);

    public bool CheckFormToken(DoorCredential c, string? token) => signer.Verify("door-form:" + c.EventId, token) == c.LinkId;
}
