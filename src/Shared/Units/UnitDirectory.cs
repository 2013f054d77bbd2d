using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Units;

/// <summary>One member unit (PartitionKey <see cref="UnitDirectory.Partition"/>, RowKey <c>u-{id}</c>).</summary>
public sealed class UnitEntity : ITableEntity
{
    public string PartitionKey { get; set; } = UnitDirectory.Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Name { get; set; } = "";
    public string? EnglishName { get; set; }
    public string? Contact { get; set; }
    public string? ContactEmail { get; set; }
    public bool Active { get; set; } = true;
    public DateTimeOffset CreatedUtc { get; set; }
    public DateTimeOffset UpdatedUtc { get; set; }
    public string UpdatedBy { get; set; } = "";

    public UnitView ToView() => new(RowKey[UnitDirectory.UnitPrefix.Length..], Name, EnglishName, Contact, ContactEmail, Active, UpdatedUtc, UpdatedBy, ETag.ToString());
}

/// <summary>A member unit as the console and the invitations read it; <paramref name="Version"/> guards an edit.</summary>
public sealed record UnitView(string Id, string Name, string? EnglishName, string? Contact, string? ContactEmail, bool Active, DateTimeOffset UpdatedUtc, string UpdatedBy, string Version);

/// <summary>What an admin sends for a unit (the form, or one CSV row).</summary>
public sealed record UnitInput(string? Name, string? EnglishName, string? Contact, string? ContactEmail, bool Active = true);

/// <summary>A unit that passed the rules, normalised.</summary>
public sealed record ValidUnit(string Name, string? EnglishName, string? Contact, string? ContactEmail, bool Active)
{
    public string NameKey => UnitDirectory.NameKey(Name);
}

public abstract record UnitSaveResult
{
    public sealed record Saved(UnitView Unit, bool Changed) : UnitSaveResult;
    public sealed record Rejected(FieldErrors Errors) : UnitSaveResult;
    /// <summary>Changed by someone else since it was read (the version did not match): nothing was written.</summary>
    public sealed record Conflict : UnitSaveResult;
    public sealed record NotFound : UnitSaveResult;
}

/// <summary>
/// The street office's directory of member units, in Table Storage beside the organisers: add, edit, deactivate
/// (never delete: a unit has history in invitations and reports), import from the CSV the office keeps in Excel,
/// export. A unit's name is unique, ignoring case, width and spacing: each name is claimed by a row of its own
/// (<c>n-{hash}</c>) written in the same transaction as the unit, so two admins adding one name at once get one unit.
/// </summary>
public sealed class UnitDirectory(TableServiceClient tables, IOptions<EventFunctionsOptions> options, TimeProvider clock, ILogger<UnitDirectory> log)
{
    public const string Partition = "unit";
    public const string UnitPrefix = "u-";
    private const string NamePrefix = "n-";
    public const int MaxName = 60;
    public const int MaxEnglishName = 120;
    public const int MaxContact = 40;

    private readonly TableClient _table = tables.GetTableClient(options.Value.Console.OrganiserTable);
    private Task? _created;

    private async Task<TableClient> TableAsync(CancellationToken ct)
    {
        if (_created is not { IsCompletedSuccessfully: true }) _created = _table.CreateIfNotExistsAsync(ct);
        await _created;
        return _table;
    }

    /// <summary>A name as compared for uniqueness: full-width folded (NFKC), spaces dropped (上海市 自来水公司 is 上海市自来水公司), case ignored.</summary>
    public static string NameKey(string name)
    {
        var folded = string.Concat(name.Normalize(NormalizationForm.FormKC).Where(c => !char.IsWhiteSpace(c))).ToLowerInvariant();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(folded)))[..32];
    }

    /// <summary>Checks and normalises one unit; <paramref name="errors"/> gets each field's problem under its name.</summary>
    public static ValidUnit? Validate(UnitInput input, FieldErrors errors) => Validate(input, errors.Add);

    /// <summary>As above, each problem handed to <paramref name="error"/> with its field's name.</summary>
    public static ValidUnit? Validate(UnitInput input, Action<string, Bilingual> error)
    {
        var any = false;
        var prefix = "";
        void Fail(string field, Bilingual message)
        {
            any = true;
            error(field, message);
        }

        var name = Input.Clean(input.Name);
        if (name is null) Fail(prefix + "name", UnitText.EnterName);
        else Check(prefix + "name", name, MaxName, UnitText.NameTooLong(MaxName));
        var english = Input.Clean(input.EnglishName);
        if (english is not null) Check(prefix + "englishName", english, MaxEnglishName, UnitText.TooLong(MaxEnglishName));
        var contact = Input.Clean(input.Contact);
        if (contact is not null) Check(prefix + "contact", contact, MaxContact, UnitText.TooLong(MaxContact));
        string? email = null;
        if (Input.Clean(input.ContactEmail) is { } rawEmail)
        {
            email = Input.NormaliseEmail(rawEmail);
            if (email is null) Fail(prefix + "contactEmail", UnitText.EnterValidEmail);
        }

        return any || name is null ? null : new ValidUnit(name, english, contact, email, input.Active);

        void Check(string field, string value, int max, Bilingual tooLong)
        {
            if (Input.Length(value) > max) Fail(field, tooLong);
            else if (Input.HasControlCharacters(value)) Fail(field, UnitText.NoControlCharacters);
            else if (value[0] is '=' or '+' or '@') Fail(field, UnitText.NoFormula);
        }
    }

    public async Task<IReadOnlyList<UnitView>> ListAsync(CancellationToken ct)
    {
        var table = await TableAsync(ct);
        var list = new List<UnitView>();
        await foreach (var u in table.QueryAsync<UnitEntity>(x => x.PartitionKey == Partition && x.RowKey.CompareTo(UnitPrefix) >= 0 && x.RowKey.CompareTo("u.") < 0, cancellationToken: ct))
            list.Add(u.ToView());
        return list.OrderByDescending(u => u.Active).ThenBy(u => u.Name, StringComparer.Create(CultureInfo.GetCultureInfo("zh-CN"), CompareOptions.None)).ToList();
    }

    public async Task<UnitView?> FindAsync(string? id, CancellationToken ct)
    {
        if (!Ids.IsValidUnitId(id)) return null;
        var table = await TableAsync(ct);
        var row = await table.GetEntityIfExistsAsync<UnitEntity>(Partition, UnitPrefix + id, cancellationToken: ct);
        return row.HasValue ? row.Value!.ToView() : null;
    }

    /// <summary>Adds a unit; its name must be free.</summary>
    public async Task<UnitSaveResult> AddAsync(UnitInput input, string actor, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var unit = Validate(input, errors);
        if (unit is null) return new UnitSaveResult.Rejected(errors);
        var table = await TableAsync(ct);
        var now = clock.GetUtcNow();
        var entity = new UnitEntity
        {
            RowKey = UnitPrefix + Ids.NewUnitId(), Name = unit.Name, EnglishName = unit.EnglishName, Contact = unit.Contact,
            ContactEmail = unit.ContactEmail, Active = unit.Active, CreatedUtc = now, UpdatedUtc = now, UpdatedBy = actor,
        };
        try
        {
            var responses = await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.Add, entity),
                new TableTransactionAction(TableTransactionActionType.Add, NameClaim(unit.NameKey, entity.RowKey)),
            ], ct);
            entity.ETag = responses.Value[0].Headers.ETag ?? default;
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            // The name's claim exists: another unit has the name. (An add whose answer was lost and is sent again lands
            // here too: the unit stands in the list, under the name the admin gave it.)
            errors.Add("name", UnitText.NameTaken);
            return new UnitSaveResult.Rejected(errors);
        }

        log.LogInformation("Units: unit {UnitId} added", entity.RowKey);
        return new UnitSaveResult.Saved(entity.ToView(), Changed: true);
    }

    /// <summary>Changes a unit as it was read (<paramref name="version"/>; null: as it is now), its name claim moving with a rename.</summary>
    public async Task<UnitSaveResult> UpdateAsync(string id, string? version, UnitInput input, string actor, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var unit = Validate(input, errors);
        if (unit is null) return new UnitSaveResult.Rejected(errors);
        if (!Ids.IsValidUnitId(id)) return new UnitSaveResult.NotFound();
        var table = await TableAsync(ct);
        var found = await table.GetEntityIfExistsAsync<UnitEntity>(Partition, UnitPrefix + id, cancellationToken: ct);
        if (!found.HasValue) return new UnitSaveResult.NotFound();
        var entity = found.Value!;
        if (version is not null && entity.ETag.ToString() != version) return new UnitSaveResult.Conflict();
        return await WriteAsync(table, entity, unit, actor, errors, ct);
    }

    private async Task<UnitSaveResult> WriteAsync(TableClient table, UnitEntity entity, ValidUnit unit, string actor, FieldErrors errors, CancellationToken ct)
    {
        if (entity.Name == unit.Name && entity.EnglishName == unit.EnglishName && entity.Contact == unit.Contact
            && entity.ContactEmail == unit.ContactEmail && entity.Active == unit.Active)
            return new UnitSaveResult.Saved(entity.ToView(), Changed: false);

        var actions = new List<TableTransactionAction>();
        var oldKey = NameKey(entity.Name);
        if (oldKey != unit.NameKey)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Add, NameClaim(unit.NameKey, entity.RowKey)));
            actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(Partition, NamePrefix + oldKey), ETag.All));
        }

        entity.Name = unit.Name;
        entity.EnglishName = unit.EnglishName;
        entity.Contact = unit.Contact;
        entity.ContactEmail = unit.ContactEmail;
        entity.Active = unit.Active;
        entity.UpdatedUtc = clock.GetUtcNow();
        entity.UpdatedBy = actor;
        actions.Insert(0, new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, entity.ETag));
        try
        {
            var responses = await table.SubmitTransactionAsync(actions, ct);
            entity.ETag = responses.Value[0].Headers.ETag ?? default;
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 412)
        {
            return new UnitSaveResult.Conflict();
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            errors.Add("name", UnitText.NameTaken);
            return new UnitSaveResult.Rejected(errors);
        }

        return new UnitSaveResult.Saved(entity.ToView(), Changed: true);
    }

    /// <summary>
    /// Adds and updates the units of an import, matched by name (<see cref="NameKey"/>): a unit of that name is
    /// updated (the columns the file has), a new one is added. Checked as a whole first (<see cref="UnitCsv"/>), so a
    /// file with an error stores nothing; then one unit at a time, so a storage fault half-way leaves what was done,
    /// and importing the same file again finishes the rest without adding anything twice.
    /// </summary>
    public async Task<(int Added, int Updated, int Unchanged)> ImportAsync(IReadOnlyList<UnitCsv.Row> rows, string actor, IProgress<int>? progress, CancellationToken ct)
    {
        var table = await TableAsync(ct);
        var existing = (await ListAsync(ct)).ToDictionary(u => NameKey(u.Name), StringComparer.Ordinal);
        int added = 0, updated = 0, unchanged = 0, done = 0;
        foreach (var row in rows)
        {
            var unit = row.Unit;
            if (existing.TryGetValue(unit.NameKey, out var current))
            {
                var merged = new ValidUnit(unit.Name, row.HasEnglishName ? unit.EnglishName : current.EnglishName, row.HasContact ? unit.Contact : current.Contact,
                    row.HasContactEmail ? unit.ContactEmail : current.ContactEmail, row.HasActive ? unit.Active : current.Active);
                var entity = (await table.GetEntityAsync<UnitEntity>(Partition, UnitPrefix + current.Id, cancellationToken: ct)).Value;
                var result = await WriteAsync(table, entity, merged, actor, new FieldErrors(), ct);
                if (result is UnitSaveResult.Saved { Changed: true }) updated++;
                else if (result is UnitSaveResult.Saved) unchanged++;
                else throw new RequestFailedException(409, "The unit changed during the import; import again.");
            }
            else
            {
                var result = await AddAsync(new UnitInput(unit.Name, unit.EnglishName, unit.Contact, unit.ContactEmail, unit.Active), actor, ct);
                if (result is UnitSaveResult.Saved saved) existing[unit.NameKey] = saved.Unit;
                else throw new RequestFailedException(409, "A unit of this name was added during the import; import again.");
                added++;
            }

            progress?.Report(++done);
        }

        log.LogInformation("Units: import of {Rows} rows: {Added} added, {Updated} updated, {Unchanged} unchanged", rows.Count, added, updated, unchanged);
        return (added, updated, unchanged);
    }

    private static TableEntity NameClaim(string nameKey, string unitRowKey) => new(Partition, NamePrefix + nameKey) { ["Unit"] = unitRowKey };

}
