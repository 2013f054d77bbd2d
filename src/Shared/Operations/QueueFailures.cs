using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Operations;

/// <summary>
/// The last error of each queue message that failed, so the console can say why a message ended in a poison queue
/// (the poison queue keeps only the message). One row per queue and message body (the host copies the body into the
/// poison queue under a new id, so the body's hash is what both share). Keys only: messages hold ids, never personal
/// data, and the error is the exception's type and first line.
/// </summary>
public sealed class QueueFailures(TableServiceClient tables, IOptions<EventFunctionsOptions> options, TimeProvider clock, ILogger<QueueFailures> log)
{
    private readonly TableClient _table = tables.GetTableClient(options.Value.FailuresTable);
    private Task? _created;

    public sealed record Failure(string Error, DateTimeOffset FailedUtc, int Failures);

    public static string Key(string message) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(message)))[..40];

    /// <summary>Runs a queue message's work; a failure is recorded (best effort) and thrown on, so the message comes back as before.</summary>
    public async Task RunAsync(string queue, string message, Func<Task> work, CancellationToken ct)
    {
        try
        {
            await work();
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            await RecordAsync(queue, message, ex);
            throw;
        }
    }

    public async Task RecordAsync(string queue, string message, Exception error)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var table = await TableAsync(cts.Token);
            var key = Key(message);
            var existing = await table.GetEntityIfExistsAsync<TableEntity>(queue, key, cancellationToken: cts.Token);
            var count = existing.HasValue ? existing.Value!.GetInt32("Failures") ?? 0 : 0;
            await table.UpsertEntityAsync(new TableEntity(queue, key)
            {
                ["Error"] = Describe(error),
                ["FailedUtc"] = clock.GetUtcNow(),
                ["Failures"] = count + 1,
            }, TableUpdateMode.Replace, cts.Token);
        }
        catch (Exception ex)
        {
            log.LogWarning("Could not record the failure of a {Queue} message ({Error})", queue, ex.GetType().Name);
        }
    }

    public async Task<Failure?> FindAsync(string queue, string message, CancellationToken ct)
    {
        var table = await TableAsync(ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(queue, Key(message), cancellationToken: ct);
        return row.HasValue
            ? new Failure(row.Value!.GetString("Error") ?? "", row.Value.GetDateTimeOffset("FailedUtc") ?? default, row.Value.GetInt32("Failures") ?? 0)
            : null;
    }

    public async Task ForgetAsync(string queue, string message, CancellationToken ct)
    {
        var table = await TableAsync(ct);
        try
        {
            await table.DeleteEntityAsync(queue, Key(message), ETag.All, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    /// <summary>The exception's type and the first line of its message (ours carry ids only), at most 300 characters.</summary>
    public static string Describe(Exception error)
    {
        var first = (error.Message ?? "").Split('\n', 2)[0].Trim();
        var text = $"{error.GetType().Name}: {first}";
        return text.Length <= 300 ? text : text[..300] + "…";
    }

    private async Task<TableClient> TableAsync(CancellationToken ct)
    {
        await EventStore.Once(ref _created, () => _table.CreateIfNotExistsAsync(ct));
        return _table;
    }
}
