using EventFunctions.Shared.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Console;

// Console routes are Anonymous at the Functions level: who may use them is decided by the platform's sign-in
// (App Service Authentication) and the organiser directory, in ConsolePolicy (src/Shared/Http/Console), on every request.

/// <summary>The sign-in page: the platform's sign-in in Azure; the development sign-in locally.</summary>
public sealed class ConsoleSignIn(ConsoleSignInApi api)
{
    [Function("ConsoleSignInPage")]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleSignIn)] HttpRequest request,
        CancellationToken ct) => api.SignInPageAsync(request, ct);

    [Function("ConsoleSignIn")]
    public Task<IActionResult> SignIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleSignIn)] HttpRequest request,
        CancellationToken ct) => api.SignInAsync(request, ct);

    [Function("ConsoleSignOut")]
    public Task<IActionResult> SignOut(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleSignOut)] HttpRequest request,
        CancellationToken ct) => api.SignOutAsync(request, ct);
}

/// <summary>The dashboard: upcoming and past events with live counts.</summary>
public sealed class ConsoleDashboard(ConsoleSignInApi api)
{
    [Function(nameof(ConsoleDashboard))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Console)] HttpRequest request,
        CancellationToken ct) => api.DashboardAsync(request, ct);
}

/// <summary>Admins add and remove organisers (email and member unit).</summary>
public sealed class ConsoleOrganisers(ConsoleOrganisersApi api)
{
    [Function(nameof(ConsoleOrganisers))]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleOrganisers)] HttpRequest request,
        CancellationToken ct) => api.OrganisersPageAsync(request, ct);

    [Function("ConsoleSaveOrganiser")]
    public Task<IActionResult> Save(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleOrganisers)] HttpRequest request,
        CancellationToken ct) => api.SaveOrganiserAsync(request, ct);

    [Function("ConsoleRemoveOrganiser")]
    public Task<IActionResult> Remove(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleRemoveOrganiser)] HttpRequest request,
        CancellationToken ct) => api.RemoveOrganiserAsync(request, ct);
}

/// <summary>Admins keep the member units: add, edit, deactivate, import and export a CSV.</summary>
public sealed class ConsoleUnits(ConsoleUnitsApi api)
{
    [Function(nameof(ConsoleUnits))]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleUnits)] HttpRequest request,
        CancellationToken ct) => api.UnitsPageAsync(request, ct);

    [Function("ConsoleAddUnit")]
    public Task<IActionResult> Add(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleUnits)] HttpRequest request,
        CancellationToken ct) => api.AddUnitAsync(request, ct);

    [Function("ConsoleUnit")]
    public Task<IActionResult> ShowUnit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleUnit)] HttpRequest request,
        string unitId,
        CancellationToken ct) => api.UnitPageAsync(request, unitId, ct);

    [Function("ConsoleSaveUnit")]
    public Task<IActionResult> SaveUnit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleUnit)] HttpRequest request,
        string unitId,
        CancellationToken ct) => api.SaveUnitAsync(request, unitId, ct);

    [Function("ConsoleImportUnits")]
    public Task<IActionResult> Import(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleUnitsImport)] HttpRequest request,
        CancellationToken ct) => api.ImportAsync(request, ct);

    [Function("ConsoleExportUnits")]
    public Task<IActionResult> Export(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleUnitsExport)] HttpRequest request,
        CancellationToken ct) => api.ExportAsync(request, ct);
}
