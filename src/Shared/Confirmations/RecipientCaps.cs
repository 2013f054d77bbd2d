using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Confirmations;

/// <summary>
/// The per-recipient daily cap (<see cref="EmailOptions.MaxPerRecipientPerDay"/>): one counter row per mailbox and day
/// (PartitionKey the day in Shanghai, <c>yyyyMMdd</c>; RowKey the mailbox's keyed hash), taken under its ETag, so every
/// instance counts against the same number. Old days are simply never read again (a row is a few bytes).
/// </summary>
public sealed class RecipientCaps(TableServiceClient tables, Security.IdentifierKeys ids, TimeProvider clock, IOptions<EventFunctionsOptions> options)
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private readonly TableClient _table = tables.GetTableClient(options.Value.Email.RecipientCapTable);
    private Task? _created;

    /// <summary>Counts one email to <paramref name="email"/>'s mailbox today; false (and nothing counted) when today's cap is reached.</summary>
    public async Task<bool> TakeAsync(string email, CancellationToken ct)
    {
        await EventStore.Once(ref _created, () => _table.CreateIfNotExistsAsync(ct));
        var cap = Math.Max(1, options.Value.Email.MaxPerRecipientPerDay);
        var day = Today();
        var key = ids.MailboxKey(Input.MailboxIdentity(email.ToLowerInvariant()));
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var found = await _table.GetEntityIfExistsAsync<TableEntity>(day, key, cancellationToken: ct);
            try
            {
                if (!found.HasValue)
                {
                    await _table.AddEntityAsync(new TableEntity(day, key) { ["Count"] = 1 }, ct);
                    return true;
                }

                var count = found.Value!.GetInt32("Count") ?? 0;
                if (count >= cap) return false;
                await _table.UpdateEntityAsync(new TableEntity(day, key) { ["Count"] = count + 1 }, found.Value.ETag, TableUpdateMode.Merge, ct);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another email to the same mailbox counted first: read again.
            }
        }

        throw new TransientEmailException("The recipient's daily count kept changing; trying again later.");
    }

    /// <summary>
    /// Counts one email to each of <paramref name="emails"/> (in order; several may share a mailbox) with one query per
    /// 14 mailboxes and one entity-group transaction per 100 (the day's counters share a partition), each counter under
    /// its ETag. True where the email may go. If another instance counted one of these mailboxes meanwhile, the
    /// transaction writes nothing and its emails are counted one by one instead.
    /// </summary>
    public async Task<bool[]> TakeManyAsync(IReadOnlyList<string> emails, CancellationToken ct)
    {
        await EventStore.Once(ref _created, () => _table.CreateIfNotExistsAsync(ct));
        var cap = Math.Max(1, options.Value.Email.MaxPerRecipientPerDay);
        var day = Today();
        var keys = emails.Select(e => ids.MailboxKey(Input.MailboxIdentity(e.ToLowerInvariant()))).ToList();
        var allowed = new bool[emails.Count];
        foreach (var chunk in keys.Distinct(StringComparer.Ordinal).Chunk(TableLimits.TransactionActions))
        {
            var stored = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
            foreach (var query in chunk.Chunk(TableLimits.RowKeysPerFilter))
            {
                await foreach (var e in _table.QueryAsync<TableEntity>(TableLimits.RowKeysFilter(day, query), cancellationToken: ct)) stored[e.RowKey] = e;
            }

            var counts = chunk.ToDictionary(k => k, k => stored.TryGetValue(k, out var e) ? e.GetInt32("Count") ?? 0 : 0, StringComparer.Ordinal);
            var start = new Dictionary<string, int>(counts, StringComparer.Ordinal);
            var inChunk = chunk.ToHashSet(StringComparer.Ordinal);
            for (var i = 0; i < keys.Count; i++)
            {
                if (!inChunk.Contains(keys[i]) || counts[keys[i]] >= cap) continue;
                counts[keys[i]]++;
                allowed[i] = true;
            }

            var actions = chunk.Where(k => counts[k] > start[k]).Select(k => stored.TryGetValue(k, out var e)
                ? new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(day, k) { ["Count"] = counts[k] }, e.ETag)
                : new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(day, k) { ["Count"] = counts[k] })).ToList();
            if (actions.Count == 0) continue;
            try
            {
                await _table.SubmitTransactionAsync(actions, ct);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Counted by someone else meanwhile: nothing was written; count these one by one.
                for (var i = 0; i < keys.Count; i++)
                {
                    if (inChunk.Contains(keys[i])) allowed[i] = await TakeAsync(emails[i], ct);
                }
            }
        }

        return allowed;
    }

    private string Today() => TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Shanghai).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Deletes the counts of days before yesterday (the nightly purge): they limit nothing any more.</summary>
    public async Task<int> PurgeAsync(CancellationToken ct)
    {
        await EventStore.Once(ref _created, () => _table.CreateIfNotExistsAsync(ct));
        var before = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Shanghai).AddDays(-1).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        var old = new List<TableEntity>();
        await foreach (var e in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey lt {before}"), select: ["PartitionKey", "RowKey"], cancellationToken: ct)) old.Add(e);
        foreach (var day in old.GroupBy(e => e.PartitionKey))
        {
            foreach (var chunk in day.Chunk(TableLimits.TransactionActions))
            {
                await _table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All)), ct);
            }
        }

        return old.Count;
    }
}
