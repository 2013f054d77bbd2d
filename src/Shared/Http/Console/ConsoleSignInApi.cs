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

/// <summary>The console's sign-in (the platform's in Azure, the development sign-in locally), sign-out and dashboard.</summary>
public sealed class ConsoleSignInApi(
    ConsolePolicy policy,
    ConsoleAuth auth,
    OrganiserDirectory directory,
    ConsoleQueries queries,
    PageRenderer pages,
    TimeProvider clock,
    IOptions<Storage.EventFunctionsOptions> options,
    ILogger<ConsoleSignInApi> log)
{
    public Task<IActionResult> SignInPageAsync(HttpRequest request, CancellationToken ct) => policy.Guard(request, async () =>
    {
        var returnUrl = SafeReturnUrl(request.Query["returnUrl"].FirstOrDefault());
        if (auth.PlatformAuthentication)
            return new RedirectResult(auth.PlatformSignInUrl(returnUrl));
        return await SignInFormAsync(returnUrl, null, null, 200);
    });

    public Task<IActionResult> SignInAsync(HttpRequest request, CancellationToken ct) => policy.Guard(request, async () =>
    {
        if (!auth.DevelopmentSignInEnabled) return await policy.MessageAsync(null, 404, ConsoleMessages.NoDevelopmentSignIn.Inline, ConsoleMessages.NoDevelopmentSignInExplain.Inline);
        var form = await policy.ReadFormAsync(request, ct);
        if (form.Error is not null) return form.Error;
        var returnUrl = SafeReturnUrl(form.Value!["returnUrl"].FirstOrDefault());
        var email = Input.NormaliseEmail(form.Value!["email"].FirstOrDefault());
        if (email is null) return await SignInFormAsync(returnUrl, form.Value!["email"].FirstOrDefault(), ConsoleMessages.EnterValidEmail.Inline, 400);
        var user = await directory.FindAsync(email, developmentSignIn: true, ct);
        if (user is null) return await SignInFormAsync(returnUrl, email, ConsoleMessages.NotAdminOrOrganiser.Inline, 403);
        auth.SignInForDevelopment(request.HttpContext.Response, email);
        log.LogInformation("Console: development sign-in as {Role} of {Unit}", user.Role, user.Unit);
        return new RedirectResult(returnUrl);
    });

    public Task<IActionResult> SignOutAsync(HttpRequest request, CancellationToken ct) => policy.ForUser(request, ct, async (user, form) =>
    {
        ConsoleAuth.SignOutOfDevelopment(request.HttpContext.Response);
        await Task.CompletedTask;
        return new RedirectResult(auth.PlatformAuthentication ? "/.auth/logout" : Paths.Console.SignIn);
    }, isChange: true);

    // ---- Dashboard ----

    public Task<IActionResult> DashboardAsync(HttpRequest request, CancellationToken ct) => policy.ForUser(request, ct, async (user, _) =>
        ConsolePolicy.Page(await pages.RenderAsync<DashboardPage>(new()
        {
            [nameof(DashboardPage.User)] = user,
            [nameof(DashboardPage.Csrf)] = policy.Csrf(user),
            [nameof(DashboardPage.Rows)] = await queries.DashboardAsync(user, ct),
            [nameof(DashboardPage.Now)] = clock.GetUtcNow(),
        })));

    private async Task<IActionResult> SignInFormAsync(string returnUrl, string? email, string? error, int status) =>
        ConsolePolicy.Page(await pages.RenderAsync<SignInPage>(new()
        {
            [nameof(SignInPage.Development)] = auth.DevelopmentSignInEnabled,
            [nameof(SignInPage.DemoAdmin)] = options.Value.Console.AdminEmails.FirstOrDefault(),
            [nameof(SignInPage.ReturnUrl)] = returnUrl,
            [nameof(SignInPage.Email)] = email,
            [nameof(SignInPage.Error)] = error,
        }), status);

    private static string SafeReturnUrl(string? url) =>
        url is { Length: > 0 and < 500 } && url.StartsWith(ConsolePolicy.Base, StringComparison.Ordinal) && !url.Contains("//") && !url.Contains('\\') ? url : ConsolePolicy.Base;
}
