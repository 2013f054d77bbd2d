using System.Globalization;

namespace EventFunctions.Shared.Security;

/// <summary>Why a sign-up form's token was not accepted.</summary>
public enum FormTokenCheck
{
    Valid,
    /// <summary>No token, a forged or expired one, or one made for another event's form.</summary>
    Invalid,
    /// <summary>Sent sooner after the form was served than a person can fill it in.</summary>
    TooFast,
}

/// <summary>
/// The sign-up form's token: a hidden field signed (<see cref="Signer"/>, purpose <c>signup-form</c>) with the event
/// and the time the form was served, good for a day. A post without one (a script that never loads the page), with one
/// for another event, or sooner than <see cref="MinimumFillTime"/> after the page was served is sent back to be
/// checked and sent again, nothing stored. No script is needed: the page carries it. It does not stop a script that
/// loads the page once and reuses the token; the per-address limits and holds do that.
/// </summary>
public sealed class FormTokens(Signer signer, TimeProvider clock)
{
    public const string Field = "ft";
    private const string Purpose = "signup-form";
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);
    /// <summary>Nobody reads the form and types a name and an email in less (autofill and a tap included).</summary>
    public static readonly TimeSpan MinimumFillTime = TimeSpan.FromSeconds(2);

    public string Issue(string eventId)
    {
        var now = clock.GetUtcNow();
        return signer.Sign(Purpose, eventId + "|" + now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), now + Lifetime);
    }

    public FormTokenCheck Check(string eventId, string? token)
    {
        var payload = signer.Verify(Purpose, token);
        if (payload is null) return FormTokenCheck.Invalid;
        var bar = payload.LastIndexOf('|');
        if (bar < 0 || payload[..bar] != eventId || !long.TryParse(payload[(bar + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var served))
            return FormTokenCheck.Invalid;
        return clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(served) < MinimumFillTime ? FormTokenCheck.TooFast : FormTokenCheck.Valid;
    }
}
