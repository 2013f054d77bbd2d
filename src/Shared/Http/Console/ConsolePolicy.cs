using System.Globalization;
using System.Text;
using EventFunctions.Shared.Console;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Web;
using EventFunctions.Shared.Web.Console;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Http;

/// <summary>
/// The one policy in front of every console route (the feature files under Http/Console use nothing else): the
/// storage guard (503 page), sign-in (the platform's, or the development sign-in), the organiser directory, the
/// event's unit, the admin role where asked, and for every change the person's anti-forgery token from this site and
/// an entry in the change history (the endpoint's own words, or the method and path when it recorded nothing).
/// A route that skipped it would show up in the console route walk (ConsoleAccessTests), which proves every console
/// route refuses anonymous, other-unit and cross-site callers.
/// </summary>
public sealed class ConsolePolicy(ConsoleAuth auth, EventService events, PageRenderer pages, AuditLog audit, ILogger<ConsolePolicy> log)
{
    public static readonly string Base = Paths.Console.Home;

    public static readonly string Busy = ConsoleMessages.Busy.Inline;
    public static readonly string Unknown = ConsoleMessages.Unknown.Inline;

    /// <summary>Written by hand, not rendered: it is what the console shows when something failed, rendering included.</summary>
    private static readonly string UnavailableHtml =
        $"<!DOCTYPE html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>{ConsoleMessages.Unavailable.Inline}</title>" +
        $"<p>{ConsoleMessages.UnavailableExplain.Inline}</p></html>";

    /// <summary>The person's anti-forgery token, for the forms of a page.</summary>
    public string Csrf(ConsoleUser user) => auth.AntiforgeryToken(user);

    /// <summary>
    /// Runs a console endpoint for a signed-in organiser or admin. Anonymous: a page (GET: a redirect) to sign in;
    /// not an organiser: 403; a principal header nobody vouches for: 400. A change (POST) must carry the person's
    /// anti-forgery token and come from this site.
    /// </summary>
    public Task<IActionResult> ForUser(HttpRequest request, CancellationToken ct, Func<ConsoleUser, IFormCollection?, Task<IActionResult>> endpoint, bool isChange = false) =>
        ForUser(request, null, ct, endpoint, isChange);

    private Task<IActionResult> ForUser(HttpRequest request, string? eventId, CancellationToken ct, Func<ConsoleUser, IFormCollection?, Task<IActionResult>> endpoint, bool isChange, int uploadBytes = 0) =>
        Guard(request, async () =>
        {
            var state = await auth.IdentifyAsync(request, ct);
            switch (state)
            {
                case SignInState.ForgedPrincipal:
                    log.LogWarning("Console: refused a request carrying {Header} while platform authentication is off", ConsoleAuth.PrincipalHeader);
                    return await MessageAsync(null, 400, ConsoleMessages.RequestRefused.Inline, ConsoleMessages.PrincipalHeaderRefused(ConsoleAuth.PrincipalHeader).Inline);
                case SignInState.Anonymous:
                    var signIn = $"{Paths.Console.SignIn}?returnUrl={Uri.EscapeDataString(request.Method == "GET" ? request.Path + request.QueryString : Base)}";
                    if (request.Method == "GET") return new RedirectResult(signIn);
                    return await MessageAsync(null, 401, ConsoleMessages.PleaseSignIn.Inline, ConsoleMessages.PleaseSignInExplain.Inline, signIn, ConsoleMessages.SignIn.Inline);
                case SignInState.NotOrganiser:
                    return await MessageAsync(null, 403, ConsoleMessages.NotAnOrganiser.Inline, ConsoleMessages.NotAnOrganiserExplain.Inline);
            }

            var user = ((SignInState.Known)state).User;
            IFormCollection? form = null;
            if (isChange)
            {
                var read = uploadBytes > 0 ? await ReadUploadAsync(request, uploadBytes, ct) : await ReadFormAsync(request, ct);
                if (read.Error is not null) return read.Error;
                form = read.Value;
                if (!auth.IsSameSiteRequest(request, user, form!["_csrf"].FirstOrDefault()))
                {
                    log.LogWarning("Console: refused a {Method} to {Path} without a valid anti-forgery token", request.Method, request.Path);
                    return await MessageAsync(user, 403, ConsoleMessages.PageExpired.Inline, ConsoleMessages.PageExpiredExplain.Inline, Base, ConsoleMessages.Back.Inline);
                }
            }
            if (!isChange) return await endpoint(user, form);

            // Every change is in the history: an endpoint records what it did in its own words; one that succeeded
            // without doing so (a new route that forgot) is recorded here by its method and path (ids only).
            using var change = AuditLog.BeginChange();
            var result = await endpoint(user, form);
            if (!change.Recorded && StatusOf(result) < 400)
            {
                log.LogWarning("Console: {Method} {Path} changed something without recording it; the policy records it", request.Method, request.Path);
                await audit.RecordAsync(eventId, user, ConsoleMessages.AuditChange.Inline, $"{request.Method} {request.Path}", StatusOf(result).ToString(CultureInfo.InvariantCulture), ct);
            }

            return result;
        });

    private static int StatusOf(IActionResult result) => result switch
    {
        SeeOtherResult => StatusCodes.Status303SeeOther,
        RedirectResult => StatusCodes.Status302Found,
        ContentResult c => c.StatusCode ?? 200,
        ObjectResult o => o.StatusCode ?? 200,
        StatusCodeResult s => s.StatusCode,
        _ => 200,
    };

    /// <summary>As <see cref="ForUser"/>, for an event of the person's unit (admins: any): 404 when there is none, 403 for another unit's.</summary>
    public Task<IActionResult> ForEvent(HttpRequest request, string eventId, CancellationToken ct, Func<ConsoleUser, EventRecord, IFormCollection?, Task<IActionResult>> endpoint, bool isChange = false) =>
        ForUser(request, eventId, ct, async (user, form) =>
        {
            var e = await events.FindAsync(eventId, ct);
            if (e is null) return await MessageAsync(user, 404, ConsoleMessages.EventNotFound.Inline, ConsoleMessages.EventNotFoundExplain.Inline, Base, ConsoleMessages.AllEvents.Inline);
            if (!user.CanManage(e))
            {
                log.LogWarning("Console: refused event {EventId} to an organiser of another unit", e.Id);
                return await MessageAsync(user, 403, ConsoleMessages.NotYourUnit.Inline, ConsoleMessages.NotYourUnitExplain.Inline, Base, ConsoleMessages.AllEvents.Inline);
            }
            return await endpoint(user, e, form);
        }, isChange);


    /// <summary>As <see cref="ForUser"/>, for the street office's admins only (403 for anyone else).</summary>
    public Task<IActionResult> ForAdmin(HttpRequest request, CancellationToken ct, Func<ConsoleUser, IFormCollection?, Task<IActionResult>> endpoint, bool isChange = false) =>
        ForUser(request, ct, async (user, form) => user.IsAdmin
            ? await endpoint(user, form)
            : await MessageAsync(user, 403, ConsoleMessages.AdminsOnly.Inline, ConsoleMessages.AdminsOnlyExplain.Inline), isChange);

    /// <summary>
    /// As <see cref="ForAdmin"/>, for a change that uploads one file (<c>multipart/form-data</c>, the only route that
    /// takes it): at most <paramref name="maxFileBytes"/> in it, a few fields beside it; anything else a 413 or 415 page.
    /// </summary>
    public Task<IActionResult> ForAdminUpload(HttpRequest request, int maxFileBytes, CancellationToken ct, Func<ConsoleUser, IFormCollection, Task<IActionResult>> endpoint) =>
        ForUser(request, null, ct, async (user, form) => user.IsAdmin
            ? await endpoint(user, form!)
            : await MessageAsync(user, 403, ConsoleMessages.AdminsOnly.Inline, ConsoleMessages.AdminsOnlyExplain.Inline), isChange: true, uploadBytes: maxFileBytes);

    private async Task<HttpIO.Read<IFormCollection>> ReadUploadAsync(HttpRequest request, int maxFileBytes, CancellationToken ct)
    {
        if (!request.HasFormContentType || request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) != true)
            return await ReadFormAsync(request, ct); // a form without the file: read as any other, the endpoint says what is missing
        if (request.ContentLength > maxFileBytes + 64 * 1024)
            return new(null, await MessageAsync(null, 413, ConsoleMessages.RequestRefused.Inline, Text.UnitText.FileTooLarge(maxFileBytes / 1024).Inline));
        try
        {
            var form = await request.ReadFormAsync(new Microsoft.AspNetCore.Http.Features.FormOptions
            {
                MultipartBodyLengthLimit = maxFileBytes + 1, // one byte over is how a file over the limit is told apart
                ValueCountLimit = 16,
                ValueLengthLimit = 4096,
                MultipartHeadersLengthLimit = 8192,
            }, ct);
            return new(form, null);
        }
        catch (InvalidDataException)
        {
            return new(null, await MessageAsync(null, 413, ConsoleMessages.RequestRefused.Inline, Text.UnitText.FileTooLarge(maxFileBytes / 1024).Inline));
        }
        catch (IOException) when (!ct.IsCancellationRequested)
        {
            return new(null, await MessageAsync(null, 400, ConsoleMessages.RequestRefused.Inline, Text.UnitText.ChooseFile.Inline));
        }
    }

    /// <summary>A message page (with the header when someone is signed in).</summary>
    public async Task<IActionResult> MessageAsync(ConsoleUser? user, int status, string heading, string message, string? linkUrl = null, string? linkText = null) =>
        Page(await pages.RenderAsync<ConsoleMessagePage>(new()
        {
            [nameof(ConsoleMessagePage.User)] = user,
            [nameof(ConsoleMessagePage.Csrf)] = user is null ? null : auth.AntiforgeryToken(user),
            [nameof(ConsoleMessagePage.Heading)] = heading,
            [nameof(ConsoleMessagePage.Message)] = message,
            [nameof(ConsoleMessagePage.LinkUrl)] = linkUrl,
            [nameof(ConsoleMessagePage.LinkText)] = linkText,
        }), status);

    public async Task<HttpIO.Read<IFormCollection>> ReadFormAsync(HttpRequest request, CancellationToken ct) =>
        await HttpIO.ReadFormAsync(request, UiText.Chinese, pages, ct);

    /// <summary>Storage faults answer a 503 page with Retry-After (nothing changed), never a stack trace.</summary>
    public Task<IActionResult> Guard(HttpRequest request, Func<Task<IActionResult>> endpoint) =>
        HttpIO.GuardAsync(request, log, endpoint, () => HttpIO.Html(UnavailableHtml, 503));

    public static IActionResult Page(string html, int status = 200) =>
        new HtmlPageResult { Content = html, ContentType = "text/html; charset=utf-8", StatusCode = status, ImagesFromSelf = true };

    /// <summary>After a change, the browser loads the result with GET (a reload never repeats the change).</summary>
    public static IActionResult SeeOther(string url) => new SeeOtherResult(url);

    private sealed class SeeOtherResult(string url) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            context.HttpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            context.HttpContext.Response.Headers.Location = url;
            return Task.CompletedTask;
        }
    }
}
