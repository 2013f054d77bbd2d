using EventFunctions.Shared.Events;
using EventFunctions.Shared.Security;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Units;

/// <summary>
/// The links an invitation gives each unit, signed (<see cref="Signer"/>) for the event and the unit: the sign-up link
/// (and its QR) the unit's contact passes on to colleagues, and the contact's own page of who from the unit signed up.
/// Changing the unit in a link breaks its signature; each purpose is signed apart, so a sign-up link passed round a
/// unit's WeChat group never opens the contact's list. Both work until a while after the event.
/// </summary>
public sealed class UnitLinks(Signer signer, IOptions<EventFunctionsOptions> options)
{
    /// <summary>The query parameter that carries a unit's sign-up token.</summary>
    public const string Parameter = "u";
    public static readonly TimeSpan ValidAfterEvent = TimeSpan.FromDays(30);

    private static string SignUpPurpose(string eventId) => "unit-signup:" + eventId;
    private static string ContactPurpose(string eventId) => "unit-contact:" + eventId;

    public string SignUpToken(EventRecord e, string unitId) => signer.Sign(SignUpPurpose(e.Id), unitId, e.EndUtc + ValidAfterEvent);

    public string SignUpLink(EventRecord e, string unitId) =>
        $"{options.Value.PublicBaseUrl.TrimEnd('/')}{Http.Paths.SignUp(e.Id)}?{Parameter}={Uri.EscapeDataString(SignUpToken(e, unitId))}";

    public string ContactToken(EventRecord e, string unitId) => signer.Sign(ContactPurpose(e.Id), unitId, e.EndUtc + ValidAfterEvent);

    public string ContactLink(EventRecord e, string unitId) =>
        $"{options.Value.PublicBaseUrl.TrimEnd('/')}{Http.Paths.UnitContact(e.Id)}?k={Uri.EscapeDataString(ContactToken(e, unitId))}";

    /// <summary>The unit a sign-up token was made for on this event, or null (forged, another event's, expired).</summary>
    public string? SignUpUnit(string eventId, string? token) => Valid(signer.Verify(SignUpPurpose(eventId), token));

    public string? ContactUnit(string eventId, string? token) => Valid(signer.Verify(ContactPurpose(eventId), token));

    private static string? Valid(string? unitId) => Ids.IsValidUnitId(unitId) ? unitId : null;
}
