using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using EventFunctions.Shared.Events;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Storage;

/// <summary>
/// The table and queue this app uses, created on first use. Clients come from DI (registered once);
/// this class only names them and makes sure they exist.
/// </summary>
public sealed class EventStore
{
    private readonly TableClient _table;
    private readonly QueueClient _queue;
    private Task? _tableCreated;
    private Task? _queueCreated;

    public EventStore(TableServiceClient tables, QueueServiceClient queues, IOptions<EventFunctionsOptions> options)
    {
        _table = tables.GetTableClient(options.Value.TableName);
        _queue = queues.GetQueueClient(options.Value.ConfirmationQueue);
    }

    public async Task<TableClient> TableAsync(CancellationToken ct)
    {
        await Once(ref _tableCreated, () => _table.CreateIfNotExistsAsync(ct));
        return _table;
    }

    /// <summary>The queue, created apart from the table: a queue that cannot be reached never stops a sign-up being stored.</summary>
    public async Task<QueueClient> QueueAsync(CancellationToken ct)
    {
        await Once(ref _queueCreated, () => _queue.CreateIfNotExistsAsync(cancellationToken: ct));
        return _queue;
    }

    /// <summary>
    /// The event as people should see it: with the seats instances' blocks gave counted as confirmed (one more read,
    /// only while an instance holds a block; see <see cref="Ledger.SeatBlockEntity"/>). Never to be written back.
    /// </summary>
    public async Task<EventEntity?> FindEventAsync(string eventId, CancellationToken ct)
    {
        var row = await FindEventRowAsync(eventId, ct);
        if (row is not { Blocked: > 0 }) return row;
        var table = await TableAsync(ct);
        var blocks = new List<Ledger.SeatBlockEntity>();
        await foreach (var b in table.QueryAsync<Ledger.SeatBlockEntity>(Ledger.SeatBlockEntity.Filter(eventId), cancellationToken: ct)) blocks.Add(b);
        return Ledger.SeatBlockEntity.View(row, blocks);
    }

    /// <summary>The event row as stored, with its ETag: what the ledger commits against.</summary>
    public async Task<EventEntity?> FindEventRowAsync(string eventId, CancellationToken ct)
    {
        if (!Ids.IsValidEventId(eventId)) return null;
        var table = await TableAsync(ct);
        var response = await table.GetEntityIfExistsAsync<EventEntity>(eventId, EventEntity.RowKeyValue, cancellationToken: ct);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Creates a table or queue on first use; a failed attempt (storage down at start) is tried again by the next call.</summary>
    internal static Task Once(ref Task? created, Func<Task> create)
    {
        var task = created;
        if (task is { IsCompletedSuccessfully: true }) return Task.CompletedTask;
        if (task is null || task.IsFaulted || task.IsCanceled)
        {
            // A failed attempt (storage down at start) is tried again by the next call.
            task = created = create();
        }

        return task;
    }
}

/// <summary>Which storage failures are the service being unavailable (503 + Retry-After), not a bug.</summary>
public static class StorageFaults
{
    public static bool IsTransient(Exception ex) => ex switch
    {
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500,
        HttpRequestException or TimeoutException or System.Net.Sockets.SocketException => true,
        // The SDK's network timeout and our own deadlines arrive as cancellations; so may its last retry's.
        OperationCanceledException => true,
        Polly.Timeout.TimeoutRejectedException => true,
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(IsTransient),
        ContentionTimeoutException => true,
        _ => false,
    };
}

/// <summary>An event row stayed too busy to take a sign-up within the configured time.</summary>
public sealed class ContentionTimeoutException(string message) : Exception(message);
