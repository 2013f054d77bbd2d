using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Console;

/// <summary>One organiser action: PartitionKey the event id (or <see cref="AuditLog.ConsolePartition"/>), RowKey newest first.</summary>
public sealed class AuditEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Actor { get; set; } = "";
    public string Action { get; set; } = "";
    /// <summary>Ids and figures only: never a participant's name, phone or email.</summary>
    public string Detail { get; set; } = "";
    public string Outcome { get; set; } = "";
    public DateTimeOffset AtUtc { get; set; }
}

public sealed record AuditView(DateTimeOffset AtUtc, string Actor, string Action, string Detail, string Outcome);

/// <summary>Every change made in the console records who made it, when, and what came of it.</summary>
public sealed class AuditLog(TableServiceClient tables, IOptions<EventFunctionsOptions> options, TimeProvider clock)
{
    public const string ConsolePartition = "console";

    /// <summary>The actor of a change made through the organisers' JSON API (a function key: automation, not a person).</summary>
    public const string OrganiserApiActor = "organiser API (function key)";
    private readonly TableClient _table = tables.GetTableClient(options.Value.Console.AuditTable);
    private Task? _created;

    private async Task<TableClient> TableAsync(CancellationToken ct)
    {
        if (_created is not { IsCompletedSuccessfully: true }) _created = _table.CreateIfNotExistsAsync(ct);
        await _created;
        return _table;
    }

    private static readonly AsyncLocal<ChangeScope?> Current = new();

    /// <summary>
    /// One console change in progress (opened by the console policy around every change route): whether its
    /// endpoint recorded what it did, so the policy can record a change that named nothing (see ConsolePolicy).
    /// </summary>
    public sealed class ChangeScope : IDisposable
    {
        private readonly ChangeScope? _outer = Current.Value;

        internal ChangeScope() => Current.Value = this;

        public bool Recorded { get; internal set; }

        public void Dispose() => Current.Value = _outer;
    }

    /// <summary>Opens the scope of one console change (the console policy does, for every change route).</summary>
    public static ChangeScope BeginChange() => new();

    public Task RecordAsync(string? eventId, ConsoleUser user, string action, string detail, string outcome, CancellationToken ct) =>
        RecordAsync(eventId, user.Actor, action, detail, outcome, ct);

    /// <summary>The actor who made the change: a console user's email, or <see cref="OrganiserApiActor"/>.</summary>
    public async Task RecordAsync(string? eventId, string actor, string action, string detail, string outcome, CancellationToken ct)
    {
        if (Current.Value is { } scope) scope.Recorded = true;
        var now = clock.GetUtcNow();
        var table = await TableAsync(ct);
        try
        {
            await table.AddEntityAsync(new AuditEntity
            {
                PartitionKey = eventId ?? ConsolePartition,
                // Newest first in a partition query; the random tail keeps two actions in one tick apart.
                RowKey = $"{DateTimeOffset.MaxValue.UtcTicks - now.UtcTicks:D19}-{Ids.NewCommitId()}",
                Actor = actor, Action = action, Detail = detail, Outcome = outcome, AtUtc = now,
            }, ct);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 409)
        {
            // The row's key is new each time: a conflict is the client's retry of an insert that landed and whose
            // answer was lost (storage stalled). It is recorded.
        }
    }

    public async Task<IReadOnlyList<AuditView>> ListAsync(string? eventId, int max, CancellationToken ct)
    {
        var table = await TableAsync(ct);
        var list = new List<AuditView>();
        var partition = eventId ?? ConsolePartition;
        await foreach (var a in table.QueryAsync<AuditEntity>(x => x.PartitionKey == partition, maxPerPage: max, cancellationToken: ct))
        {
            list.Add(new AuditView(a.AtUtc, a.Actor, a.Action, a.Detail, a.Outcome));
            if (list.Count >= max) break;
        }
        return list;
    }
}
