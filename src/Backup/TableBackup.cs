using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;

namespace EventFunctions.Backup;

/// <summary>
/// Copies every table of a storage account to a folder (one <c>{table}.jsonl</c> file each: a JSON object per entity,
/// every property with its type, so a restore writes back exactly what was read) and back. Tables hold personal
/// data: a backup folder must be kept as carefully as the account (docs/backup.md).
/// </summary>
public sealed class TableBackup(TableServiceClient service, TextWriter log)
{
    public const string Manifest = "backup.json";

    public async Task<IReadOnlyDictionary<string, long>> BackupAsync(string folder, IReadOnlyCollection<string>? only, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        await foreach (var item in service.QueryAsync(cancellationToken: ct))
        {
            if (only is { Count: > 0 } && !only.Contains(item.Name)) continue;
            var table = service.GetTableClient(item.Name);
            var path = Path.Combine(folder, item.Name + ".jsonl");
            long n = 0;
            await using (var file = new StreamWriter(path, append: false, new UTF8Encoding(false)))
            {
                await foreach (var entity in table.QueryAsync<TableEntity>(cancellationToken: ct))
                {
                    await file.WriteLineAsync(ToJson(entity).ToJsonString());
                    n++;
                }
            }

            counts[item.Name] = n;
            log.WriteLine($"backed up {item.Name}: {n} entities");
        }

        await File.WriteAllTextAsync(Path.Combine(folder, Manifest), JsonSerializer.Serialize(new { createdUtc = TimeProvider.System.GetUtcNow(), tables = counts }, new JsonSerializerOptions { WriteIndented = true }), ct);
        return counts;
    }

    /// <summary>Writes every entity of the backup back (upsert, replacing), 100 to a transaction within a partition.</summary>
    public async Task<IReadOnlyDictionary<string, long>> RestoreAsync(string folder, IReadOnlyCollection<string>? only, CancellationToken ct)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var path in Directory.GetFiles(folder, "*.jsonl").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (only is { Count: > 0 } && !only.Contains(name)) continue;
            var table = service.GetTableClient(name);
            await table.CreateIfNotExistsAsync(ct);
            long n = 0;
            var batch = new List<TableEntity>();
            foreach (var line in File.ReadLines(path))
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                var entity = FromJson(JsonNode.Parse(line)!.AsObject());
                if (batch.Count == 100 || (batch.Count > 0 && batch[0].PartitionKey != entity.PartitionKey))
                {
                    n += await WriteAsync(table, batch, ct);
                    batch.Clear();
                }

                batch.Add(entity);
            }

            n += await WriteAsync(table, batch, ct);
            counts[name] = n;
            log.WriteLine($"restored {name}: {n} entities");
        }

        return counts;
    }

    private static async Task<int> WriteAsync(TableClient table, List<TableEntity> batch, CancellationToken ct)
    {
        if (batch.Count == 0) return 0;
        await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), ct);
        return batch.Count;
    }

    /// <summary>{"PartitionKey":…,"RowKey":…,"Properties":{"Name":{"Type":"String","Value":…},…}}</summary>
    public static JsonObject ToJson(TableEntity entity)
    {
        var properties = new JsonObject();
        foreach (var (key, value) in entity)
        {
            if (key is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag" || value is null) continue;
            var (type, text) = value switch
            {
                string s => ("String", (JsonNode?)s),
                bool b => ("Boolean", b),
                int i => ("Int32", i),
                long l => ("Int64", l.ToString(CultureInfo.InvariantCulture)),
                double d => ("Double", d.ToString("R", CultureInfo.InvariantCulture)),
                DateTimeOffset t => ("DateTime", t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
                DateTime t => ("DateTime", t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
                Guid g => ("Guid", g.ToString()),
                byte[] bytes => ("Binary", Convert.ToBase64String(bytes)),
                BinaryData data => ("Binary", Convert.ToBase64String(data.ToArray())),
                _ => throw new NotSupportedException($"Property {key} has a type tables do not store: {value.GetType().Name}"),
            };
            properties[key] = new JsonObject { ["Type"] = type, ["Value"] = text };
        }

        return new JsonObject { ["PartitionKey"] = entity.PartitionKey, ["RowKey"] = entity.RowKey, ["Properties"] = properties };
    }

    public static TableEntity FromJson(JsonObject json)
    {
        var entity = new TableEntity(json["PartitionKey"]!.GetValue<string>(), json["RowKey"]!.GetValue<string>());
        foreach (var (key, node) in json["Properties"]!.AsObject())
        {
            var type = node!["Type"]!.GetValue<string>();
            var value = node["Value"]!;
            entity[key] = type switch
            {
                "String" => value.GetValue<string>(),
                "Boolean" => value.GetValue<bool>(),
                "Int32" => value.GetValue<int>(),
                "Int64" => long.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture),
                "Double" => double.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture),
                "DateTime" => DateTimeOffset.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                "Guid" => Guid.Parse(value.GetValue<string>()),
                "Binary" => Convert.FromBase64String(value.GetValue<string>()),
                _ => throw new InvalidDataException($"Unknown property type {type} for {key}"),
            };
        }

        return entity;
    }
}
