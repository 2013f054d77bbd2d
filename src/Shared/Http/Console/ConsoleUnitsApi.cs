using EventFunctions.Shared.Console;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Units;
using EventFunctions.Shared.Web;
using EventFunctions.Shared.Web.Console;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace EventFunctions.Shared.Http;

/// <summary>The street office's admins keep the member units: add, edit, deactivate, import a CSV, export one.</summary>
public sealed class ConsoleUnitsApi(ConsolePolicy policy, UnitDirectory units, AuditLog audit, PageRenderer pages)
{
    private static readonly string[] Fields = ["name", "englishName", "contact", "contactEmail"];

    public Task<IActionResult> UnitsPageAsync(HttpRequest request, CancellationToken ct) => policy.ForAdmin(request, ct, async (user, _) =>
        await UnitsPageAsync(user, null, null, [], Flash(request.Query["done"].FirstOrDefault()), 200, ct));

    public Task<IActionResult> AddUnitAsync(HttpRequest request, CancellationToken ct) => policy.ForAdmin(request, ct, async (user, form) =>
    {
        var values = Fields.ToDictionary(k => k, k => form![k].FirstOrDefault() ?? "");
        var result = await units.AddAsync(new UnitInput(values["name"], values["englishName"], values["contact"], values["contactEmail"]), user.Actor, ct);
        if (result is UnitSaveResult.Rejected rejected) return await UnitsPageAsync(user, values, rejected.Errors, [], null, 400, ct);
        var saved = ((UnitSaveResult.Saved)result).Unit;
        await audit.RecordAsync(null, user, UnitText.AddUnit.Inline, saved.Name, "OK", ct);
        return ConsolePolicy.SeeOther($"{Paths.Console.Units}?done=saved");
    }, isChange: true);

    public Task<IActionResult> UnitPageAsync(HttpRequest request, string unitId, CancellationToken ct) => policy.ForAdmin(request, ct, async (user, _) =>
    {
        var unit = await units.FindAsync(unitId, ct);
        if (unit is null) return await NotFoundAsync(user);
        return await UnitPageAsync(user, unit, null, null, Flash(request.Query["done"].FirstOrDefault()), 200);
    });

    public Task<IActionResult> SaveUnitAsync(HttpRequest request, string unitId, CancellationToken ct) => policy.ForAdmin(request, ct, async (user, form) =>
    {
        var values = Fields.Append("active").ToDictionary(k => k, k => form![k].FirstOrDefault() ?? "");
        var active = values["active"] == "true";
        var result = await units.UpdateAsync(unitId, form!["version"].FirstOrDefault() ?? "", new UnitInput(values["name"], values["englishName"], values["contact"], values["contactEmail"], active), user.Actor, ct);
        var current = await units.FindAsync(unitId, ct);
        switch (result)
        {
            case UnitSaveResult.NotFound:
                return await NotFoundAsync(user);
            case UnitSaveResult.Rejected rejected:
                return await UnitPageAsync(user, current!, values, rejected.Errors, null, 400);
            case UnitSaveResult.Conflict:
                // Show what it says now, with a line saying why nothing was saved (409: another admin's change won).
                return await UnitPageAsync(user, current!, null, null, UnitText.ChangedMeanwhile.Inline, 409);
        }

        var saved = (UnitSaveResult.Saved)result;
        if (saved.Changed) await audit.RecordAsync(null, user, UnitText.EditUnit.Inline, $"{saved.Unit.Name} · {(saved.Unit.Active ? UnitText.IsActive : UnitText.IsInactive).Inline}", "OK", ct);
        return ConsolePolicy.SeeOther($"{Paths.Console.Unit(unitId)}?done=saved");
    }, isChange: true);

    public Task<IActionResult> ImportAsync(HttpRequest request, CancellationToken ct) => policy.ForAdminUpload(request, UnitCsv.MaxBytes, ct, async (user, form) =>
    {
        var file = form.Files.GetFile("file");
        if (file is null || file.Length == 0) return await UnitsPageAsync(user, null, null, [UnitText.ChooseFile], null, 400, ct);
        if (file.Length > UnitCsv.MaxBytes) return await UnitsPageAsync(user, null, null, [UnitText.FileTooLarge(UnitCsv.MaxBytes / 1024)], null, 413, ct);
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        var (rows, errors) = UnitCsv.Parse(buffer.ToArray());
        if (rows is null) return await UnitsPageAsync(user, null, null, errors, null, 400, ct);

        var done = 0;
        try
        {
            var (added, updated, unchanged) = await units.ImportAsync(rows, user.Actor, new SyncProgress(n => done = n), ct);
            await audit.RecordAsync(null, user, UnitText.Import.Inline, UnitText.FlashImported(added, updated, unchanged).Inline, "OK", ct);
            return await UnitsPageAsync(user, null, null, [], UnitText.FlashImported(added, updated, unchanged).Inline, 200, ct);
        }
        catch (Azure.RequestFailedException) when (done > 0)
        {
            await audit.RecordAsync(null, user, UnitText.Import.Inline, UnitText.PartlyImported(done, rows.Count).Inline, "Partial", CancellationToken.None);
            return ConsolePolicy.Page(await RenderUnitsAsync(user, null, null, [UnitText.PartlyImported(done, rows.Count)], null, ct), 503);
        }
    });

    public Task<IActionResult> ExportAsync(HttpRequest request, CancellationToken ct) => policy.ForAdmin(request, ct, async (_, _) =>
        ConsoleReportsApi.Csv(request, UnitCsv.Write(await units.ListAsync(ct)), "member-units.csv"));

    private static string? Flash(string? done) => done switch
    {
        "saved" => UnitText.FlashSaved.Inline,
        _ => null,
    };

    private async Task<IActionResult> NotFoundAsync(ConsoleUser user) =>
        await policy.MessageAsync(user, 404, UnitText.UnitNotFound.Inline, UnitText.UnitNotFound.Inline, Paths.Console.Units, UnitText.Units.Inline);

    private async Task<IActionResult> UnitsPageAsync(ConsoleUser user, IReadOnlyDictionary<string, string>? values, FieldErrors? errors, IReadOnlyList<Bilingual> importErrors, string? flash, int status, CancellationToken ct) =>
        ConsolePolicy.Page(await RenderUnitsAsync(user, values, errors, importErrors, flash, ct), status);

    private async Task<string> RenderUnitsAsync(ConsoleUser user, IReadOnlyDictionary<string, string>? values, FieldErrors? errors, IReadOnlyList<Bilingual> importErrors, string? flash, CancellationToken ct) =>
        await pages.RenderAsync<UnitsPage>(new()
        {
            [nameof(UnitsPage.User)] = user,
            [nameof(UnitsPage.Csrf)] = policy.Csrf(user),
            [nameof(UnitsPage.Units)] = await units.ListAsync(ct),
            [nameof(UnitsPage.Values)] = values ?? new Dictionary<string, string>(),
            [nameof(UnitsPage.Errors)] = errors,
            [nameof(UnitsPage.ImportErrors)] = importErrors,
            [nameof(UnitsPage.Flash)] = flash,
        });

    private async Task<IActionResult> UnitPageAsync(ConsoleUser user, UnitView unit, IReadOnlyDictionary<string, string>? values, FieldErrors? errors, string? flash, int status) =>
        ConsolePolicy.Page(await pages.RenderAsync<UnitPage>(new()
        {
            [nameof(UnitPage.User)] = user,
            [nameof(UnitPage.Csrf)] = policy.Csrf(user),
            [nameof(UnitPage.Unit)] = unit,
            [nameof(UnitPage.Values)] = values ?? new Dictionary<string, string>
            {
                ["name"] = unit.Name, ["englishName"] = unit.EnglishName ?? "", ["contact"] = unit.Contact ?? "", ["contactEmail"] = unit.ContactEmail ?? "",
                ["active"] = unit.Active ? "true" : "",
            },
            [nameof(UnitPage.Errors)] = errors,
            [nameof(UnitPage.Flash)] = flash,
        }), status);

    private sealed class SyncProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
