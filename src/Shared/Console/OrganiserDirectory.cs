using EventFunctions.Shared.Text;
using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Console;

/// <summary>One organiser or admin (PartitionKey <see cref="OrganiserDirectory.Partition"/>, RowKey the lower-cased email).</summary>
public sealed class OrganiserEntity : ITableEntity
{
    public string PartitionKey { get; set; } = OrganiserDirectory.Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Name { get; set; } = "";
    public string Role { get; set; } = nameof(ConsoleRole.Organiser);
    public string Unit { get; set; } = "";
    public string AddedBy { get; set; } = "";
    public DateTimeOffset AddedUtc { get; set; }
}

public sealed record OrganiserView(string Email, string Name, ConsoleRole Role, string Unit, string AddedBy, DateTimeOffset? AddedUtc, bool FromConfiguration);

/// <summary>
/// Who may use the console, kept in Table Storage: admins (the street office; the first ones from
/// configuration, <see cref="ConsoleOptions.Admins"/>) add organisers by email and member unit.
/// </summary>
public sealed class OrganiserDirectory(TableServiceClient tables, IOptions<EventFunctionsOptions> options, TimeProvider clock, ILogger<OrganiserDirectory> log)
{
    public const string Partition = "organiser";
    private readonly TableClient _table = tables.GetTableClient(options.Value.Console.OrganiserTable);
    private Task? _created;

    private async Task<TableClient> TableAsync(CancellationToken ct)
    {
        if (_created is not { IsCompletedSuccessfully: true }) _created = _table.CreateIfNotExistsAsync(ct);
        await _created;
        return _table;
    }

    public async Task<ConsoleUser?> FindAsync(string email, bool developmentSignIn, CancellationToken ct)
    {
        var key = Normalise(email);
        if (key is null) return null;
        if (options.Value.Console.AdminEmails.Contains(key))
            return new ConsoleUser(key, key, ConsoleRole.Admin, Events.EventValidator.DefaultUnit, developmentSignIn);
        var table = await TableAsync(ct);
        var row = await table.GetEntityIfExistsAsync<OrganiserEntity>(Partition, key, cancellationToken: ct);
        if (!row.HasValue || row.Value is not { } o) return null;
        return new ConsoleUser(key, o.Name.Length > 0 ? o.Name : key, Enum.Parse<ConsoleRole>(o.Role), o.Unit, developmentSignIn);
    }

    /// <summary>Where the provider ids that signed in as each email are kept (RowKey the email).</summary>
    public const string BindingPartition = "binding";

    /// <summary>
    /// Ties <paramref name="email"/> to the provider id that first signs in with it, and afterwards lets only that id
    /// in as that email: someone who sets a victim's address as their own at a provider gets nowhere once the victim
    /// has signed in. Without an id in the principal (a provider that sends none), the email alone decides, as before.
    /// Removing an organiser forgets the tie, so the address can be given to someone else.
    /// </summary>
    public async Task<bool> BindSubjectAsync(string email, string? subject, CancellationToken ct)
    {
        var key = Normalise(email);
        if (key is null) return false;
        if (subject is null)
        {
            log.LogWarning("Console sign-in for an organiser without a stable provider id in the principal; the email alone decides");
            return true;
        }

        var table = await TableAsync(ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(BindingPartition, key, cancellationToken: ct);
        if (found.HasValue) return string.Equals(found.Value!.GetString("Subject"), subject, StringComparison.Ordinal) || Refused();
        try
        {
            await table.AddEntityAsync(new TableEntity(BindingPartition, key) { ["Subject"] = subject, ["BoundUtc"] = clock.GetUtcNow() }, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var now = await table.GetEntityAsync<TableEntity>(BindingPartition, key, cancellationToken: ct);
            return string.Equals(now.Value.GetString("Subject"), subject, StringComparison.Ordinal) || Refused();
        }

        bool Refused()
        {
            log.LogWarning("Console sign-in refused: an organiser's email signed in from another provider id than the one tied to it");
            return false;
        }
    }

    public async Task<IReadOnlyList<OrganiserView>> ListAsync(CancellationToken ct)
    {
        var table = await TableAsync(ct);
        var list = options.Value.Console.AdminEmails
            .Select(e => new OrganiserView(e, e, ConsoleRole.Admin, Events.EventValidator.DefaultUnit, "configuration", null, true)).ToList();
        await foreach (var o in table.QueryAsync<OrganiserEntity>(x => x.PartitionKey == Partition, cancellationToken: ct))
        {
            if (list.Any(v => v.Email == o.RowKey)) continue;
            list.Add(new OrganiserView(o.RowKey, o.Name, Enum.Parse<ConsoleRole>(o.Role), o.Unit, o.AddedBy, o.AddedUtc, false));
        }
        return list.OrderBy(v => v.Role).ThenBy(v => v.Unit, StringComparer.Ordinal).ThenBy(v => v.Email, StringComparer.Ordinal).ToList();
    }

    /// <summary>The units organisers belong to (for the admin's unit picker and reports).</summary>
    public async Task<IReadOnlyList<string>> UnitsAsync(CancellationToken ct) =>
        (await ListAsync(ct)).Select(o => o.Unit).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>Adds or replaces an organiser (upsert: adding the same email again changes their unit or role).</summary>
    public async Task<FieldErrors?> SaveAsync(string? email, string? name, string? unit, string? role, string actor, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var key = Normalise(email);
        if (key is null) errors.Add("email", ConsoleMessages.EnterValidEmail.Inline);
        var cleanUnit = Input.Clean(unit);
        if (cleanUnit is null) errors.Add("unit", ConsoleMessages.EnterUnit.Inline);
        else if (cleanUnit.Length > 50) errors.Add("unit", ConsoleMessages.UnitTooLong.Inline);
        var cleanName = Input.Clean(name) ?? "";
        if (cleanName.Length > 100) errors.Add("name", ConsoleMessages.NameTooLong.Inline);
        if (!Enum.TryParse<ConsoleRole>(role, ignoreCase: true, out var parsedRole) || !Enum.IsDefined(parsedRole))
            errors.Add("role", ConsoleMessages.ChooseRole.Inline);
        if (key is not null && options.Value.Console.AdminEmails.Contains(key))
            errors.Add("email", ConsoleMessages.AdminFromConfiguration.Inline);
        if (errors.Any) return errors;

        var table = await TableAsync(ct);
        await table.UpsertEntityAsync(new OrganiserEntity
        {
            RowKey = key!, Name = cleanName, Role = parsedRole.ToString(), Unit = cleanUnit!, AddedBy = actor, AddedUtc = clock.GetUtcNow(),
        }, TableUpdateMode.Replace, ct);
        log.LogInformation("Console: {Role} for unit {Unit} saved by an admin", parsedRole, cleanUnit);
        return null;
    }

    public async Task<bool> RemoveAsync(string? email, CancellationToken ct)
    {
        var key = Normalise(email);
        if (key is null) return false;
        var table = await TableAsync(ct);
        var response = await table.DeleteEntityAsync(Partition, key, ETag.All, ct);
        await table.DeleteEntityAsync(BindingPartition, key, ETag.All, ct); // the address may go to someone else now
        return response.Status != 404;
    }

    private static string? Normalise(string? email) => Input.NormaliseEmail(email);
}
