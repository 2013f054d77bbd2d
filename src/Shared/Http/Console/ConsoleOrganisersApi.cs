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

/// <summary>Admins add and remove organisers (email, member unit, role).</summary>
public sealed class ConsoleOrganisersApi(
    ConsolePolicy policy,
    OrganiserDirectory directory,
    AuditLog audit,
    PageRenderer pages)
{
    public Task<IActionResult> OrganisersPageAsync(HttpRequest request, CancellationToken ct) => policy.ForAdmin(request, ct, async (user, _) =>
        await OrganisersPageAsync(user, null, null, null, 200, ct));

    public Task<IActionResult> SaveOrganiserAsync(HttpRequest request, CancellationToken ct) => policy.ForAdmin(request, ct, async (user, form) =>
    {
        var values = new[] { "email", "name", "unit", "role" }.ToDictionary(k => k, k => form![k].FirstOrDefault() ?? "");
        var errors = await directory.SaveAsync(values["email"], values["name"], values["unit"], values["role"], user.Actor, ct);
        if (errors is not null) return await OrganisersPageAsync(user, values, errors, null, 400, ct);
        await audit.RecordAsync(null, user, ConsoleMessages.AuditSavedOrganiser.Inline, $"{values["role"]} · {Input.Clean(values["unit"])}", "OK", ct);
        return ConsolePolicy.SeeOther($"{Paths.Console.Organisers}?done=saved");
    }, isChange: true);

    public Task<IActionResult> RemoveOrganiserAsync(HttpRequest request, CancellationToken ct) => policy.ForAdmin(request, ct, async (user, form) =>
    {
        var email = form!["email"].FirstOrDefault();
        if (Input.NormaliseEmail(email) == user.Email)
            return await OrganisersPageAsync(user, null, null, ConsoleMessages.CannotRemoveYourself.Inline, 400, ct);
        var removed = await directory.RemoveAsync(email, ct);
        await audit.RecordAsync(null, user, ConsoleMessages.AuditRemovedOrganiser.Inline, "", removed ? "OK" : "NotFound", ct);
        return ConsolePolicy.SeeOther($"{Paths.Console.Organisers}?done=removed");
    }, isChange: true);

    private async Task<IActionResult> OrganisersPageAsync(ConsoleUser user, IReadOnlyDictionary<string, string>? values, FieldErrors? errors, string? flash, int status, CancellationToken ct) =>
        ConsolePolicy.Page(await pages.RenderAsync<OrganisersPage>(new()
        {
            [nameof(OrganisersPage.User)] = user,
            [nameof(OrganisersPage.Csrf)] = policy.Csrf(user),
            [nameof(OrganisersPage.Organisers)] = await directory.ListAsync(ct),
            [nameof(OrganisersPage.Values)] = values ?? new Dictionary<string, string>(),
            [nameof(OrganisersPage.Errors)] = errors,
            [nameof(OrganisersPage.Flash)] = flash,
        }), status);
}
