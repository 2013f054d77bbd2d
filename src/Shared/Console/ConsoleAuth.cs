using System.Text;
using System.Text.Json;
using EventFunctions.Shared.Hosting;
using EventFunctions.Shared.Security;
using EventFunctions.Shared.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Console;

public abstract record SignInState
{
    /// <summary>Signed in and known as an organiser or admin.</summary>
    public sealed record Known(ConsoleUser User) : SignInState;
    /// <summary>Nobody signed in: send them to sign in.</summary>
    public sealed record Anonymous : SignInState;
    /// <summary>Signed in, but not an organiser: ask an admin.</summary>
    public sealed record NotOrganiser(string Email) : SignInState;
    /// <summary>A principal header this deployment does not trust (it could be forged).</summary>
    public sealed record ForgedPrincipal : SignInState;
}

/// <summary>
/// Who is using the console. In Azure: App Service Authentication (Easy Auth) signs people in (Microsoft Entra ID or
/// any OpenID Connect provider) and passes the principal in <c>X-MS-CLIENT-PRINCIPAL</c>; the app reads it only when
/// <see cref="ConsoleOptions.PlatformAuthentication"/> says the platform sets it. Locally and in tests: a development
/// sign-in (a signed cookie naming an email) that exists only when the environment is Development. Either way the
/// person must be in the <see cref="OrganiserDirectory"/> (or a configured admin). No passwords are kept here.
/// </summary>
public sealed class ConsoleAuth(
    OrganiserDirectory directory,
    Signer signer,
    TimeProvider clock,
    IOptions<EventFunctionsOptions> options,
    AppEnvironment environment)
{
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";
    public const string DevelopmentCookie = "ef_dev_signin";
    private const string DevelopmentPurpose = "console:development-sign-in";
    private const string AntiforgeryPurpose = "console:antiforgery";
    public static readonly TimeSpan SessionLength = TimeSpan.FromHours(12);

    /// <summary>
    /// The development sign-in exists only when asked for (<see cref="ConsoleOptions.DevelopmentSignIn"/>), in the
    /// Development environment (see <see cref="AppEnvironment"/>), and without the platform's sign-in. Outside
    /// Development the setting stops the app at start-up, so one wrong environment name is not enough to open it; on
    /// the platform itself (<see cref="AppEnvironment.OnPlatform"/>) it never exists.
    /// </summary>
    public bool DevelopmentSignInEnabled =>
        options.Value.Console.DevelopmentSignIn && !options.Value.Console.PlatformAuthentication && environment.IsDevelopment && !environment.OnPlatform;

    public bool PlatformAuthentication => options.Value.Console.PlatformAuthentication;

    public string PlatformSignInUrl(string returnPath) =>
        options.Value.Console.PlatformSignInPath + "?post_login_redirect_uri=" + Uri.EscapeDataString(returnPath);

    public async Task<SignInState> IdentifyAsync(HttpRequest request, CancellationToken ct)
    {
        var hasPrincipal = request.Headers.ContainsKey(PrincipalHeader);
        if (options.Value.Console.PlatformAuthentication)
        {
            if (!hasPrincipal) return new SignInState.Anonymous();
            // The setting says the platform signs people in; the header is believed only if the platform agrees (with its
            // sign-in off, nothing strips a header a client made up).
            if (!environment.PlatformSignInOn) return new SignInState.ForgedPrincipal();
            var header = request.Headers[PrincipalHeader].ToString();
            var email = EmailFromPrincipal(header);
            if (email is null) return new SignInState.Anonymous();
            var user = await directory.FindAsync(email, developmentSignIn: false, ct);
            if (user is null) return new SignInState.NotOrganiser(email);
            // The email found the person; the provider's stable id must be the one that signed in as them first (an
            // email claim a user can edit at some providers is not enough on its own).
            return await directory.BindSubjectAsync(email, SubjectFromPrincipal(header), ct) ? new SignInState.Known(user) : new SignInState.NotOrganiser(email);
        }

        if (hasPrincipal) return new SignInState.ForgedPrincipal();
        if (!DevelopmentSignInEnabled) return new SignInState.Anonymous();
        var signedIn = signer.Verify(DevelopmentPurpose, request.Cookies[DevelopmentCookie]);
        if (signedIn is null) return new SignInState.Anonymous();
        var known = await directory.FindAsync(signedIn, developmentSignIn: true, ct);
        return known is null ? new SignInState.NotOrganiser(signedIn) : new SignInState.Known(known);
    }

    /// <summary>Signs <paramref name="email"/> in through the development sign-in (Development only).</summary>
    public void SignInForDevelopment(HttpResponse response, string email)
    {
        if (!DevelopmentSignInEnabled) throw new InvalidOperationException("The development sign-in exists only in the Development environment.");
        var expires = clock.GetUtcNow() + SessionLength;
        response.Cookies.Append(DevelopmentCookie, signer.Sign(DevelopmentPurpose, email, expires), new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Lax, Path = Http.Paths.Console.Home, Expires = expires, Secure = response.HttpContext.Request.IsHttps,
        });
    }

    public static void SignOutOfDevelopment(HttpResponse response) =>
        response.Cookies.Delete(DevelopmentCookie, new CookieOptions { Path = Http.Paths.Console.Home });

    /// <summary>A form's anti-forgery token: bound to the signed-in person, valid for a session's length.</summary>
    public string AntiforgeryToken(ConsoleUser user) => signer.Sign(AntiforgeryPurpose, user.Email, clock.GetUtcNow() + SessionLength);

    /// <summary>
    /// A state-changing request is accepted only with the signed-in person's own token in the form, and, when the
    /// browser says where the request came from, only from this site.
    /// </summary>
    public bool IsSameSiteRequest(HttpRequest request, ConsoleUser user, string? token)
    {
        if (request.Headers.TryGetValue("Sec-Fetch-Site", out var site) && site.ToString() is "cross-site" or "same-site") return false;
        if (request.Headers.TryGetValue("Origin", out var origin) && origin.ToString() is { Length: > 0 } o && o != "null")
        {
            if (!Uri.TryCreate(o, UriKind.Absolute, out var u) || !string.Equals(u.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)) return false;
        }
        return signer.Verify(AntiforgeryPurpose, token) == user.Email;
    }

    /// <summary>
    /// The signed-in person's stable id at their provider, issuer and subject (Microsoft Entra's object id, else the
    /// OpenID subject); null when the principal carries none.
    /// </summary>
    public static string? SubjectFromPrincipal(string header)
    {
        try
        {
            using var doc = JsonDocument.Parse(Convert.FromBase64String(header));
            if (!doc.RootElement.TryGetProperty("claims", out var claims) || claims.ValueKind != JsonValueKind.Array) return null;
            string? Claim(params string[] types) => types.Select(type => claims.EnumerateArray()
                .FirstOrDefault(c => c.TryGetProperty("typ", out var t) && t.GetString() == type && c.TryGetProperty("val", out _)))
                .Where(c => c.ValueKind == JsonValueKind.Object).Select(c => c.GetProperty("val").GetString()).FirstOrDefault(v => !string.IsNullOrEmpty(v));
            var subject = Claim("http://schemas.microsoft.com/identity/claims/objectidentifier", "oid", "sub", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier");
            if (subject is null) return null;
            var issuer = Claim("iss", "http://schemas.microsoft.com/identity/claims/tenantid", "tid")
                ?? (doc.RootElement.TryGetProperty("auth_typ", out var a) ? a.GetString() : null) ?? "";
            return issuer + "|" + subject;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>The signed-in email from Easy Auth's principal (base64 JSON with <c>claims</c>).</summary>
    public static string? EmailFromPrincipal(string header)
    {
        try
        {
            using var doc = JsonDocument.Parse(Convert.FromBase64String(header));
            if (!doc.RootElement.TryGetProperty("claims", out var claims) || claims.ValueKind != JsonValueKind.Array) return null;
            string[] types = ["preferred_username", "email", "emails", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "upn", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"];
            foreach (var type in types)
            {
                foreach (var claim in claims.EnumerateArray())
                {
                    if (claim.TryGetProperty("typ", out var t) && t.GetString() == type && claim.TryGetProperty("val", out var v)
                        && Input.NormaliseEmail(v.GetString()) is { } email)
                        return email;
                }
            }
            return null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or DecoderFallbackException)
        {
            return null;
        }
    }
}
