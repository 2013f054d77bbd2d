using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Events;

namespace EventFunctions.Shared.Ledger;

/// <summary>
/// Seats an event's ledger handed to one instance (RowKey <c>block-{instance}</c> in the event's partition), so that
/// on a rush over several instances each commits its sign-ups to its own row instead of all contending for the event
/// row's ETag.
/// <para>
/// The event row counts the block's seats as taken (<see cref="EventEntity.Blocked"/>) from the commit that hands
/// them out; the block row counts those it gave (<see cref="Used"/>, with their holds) until a commit on the event
/// row folds it in: the instance's own when it takes the next block or gives the rest back, anyone's that needs the
/// seats (a sign-up that would wait or find the event full, a change of the event), or the hold sweep's when its
/// instance is gone (<see cref="Until"/> passed). Folding writes the block row under the ETag it was read with, so a
/// block commit racing it fails and the instance reads the row again: a seat is handed out once. The arrival
/// numbers the block gives were set aside with it, so nobody waiting is ever passed: a block is only handed out while
/// nobody waits, and nobody is put on the waitlist while any block has a seat left (that sign-up's commit folds them
/// all first).
/// </para>
/// </summary>
public sealed class SeatBlockEntity : ITableEntity
{
    public const string KeyPrefix = "block-";
    /// <summary>The range query over an event's blocks: <c>block-</c> up to (not including) <c>block.</c>.</summary>
    public const string KeyEnd = "block.";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>Seats handed to this block.</summary>
    public int Seats { get; set; }
    /// <summary>Of <see cref="Seats"/>, given to people (their rows are written with this row).</summary>
    public int Used { get; set; }
    /// <summary>Of <see cref="Used"/>, held until confirmed from the email.</summary>
    public int Held { get; set; }
    /// <summary>Of <see cref="Used"/>, not yet confirmed from the email.</summary>
    public int Unconfirmed { get; set; }
    /// <summary>The last arrival number this block gave; it gives up to <see cref="LastSequence"/>.</summary>
    public long NextSequence { get; set; }
    public long LastSequence { get; set; }
    /// <summary>After this, an instance that stopped committing is taken to be gone: the hold sweep folds its block.</summary>
    public DateTimeOffset Until { get; set; }
    /// <summary>The ids of the latest block commits, newest first (a commit whose answer was lost is found out here).</summary>
    public string RecentCommits { get; set; } = "";

    public int Left => Seats - Used;

    public static string KeyFor(string instance) => KeyPrefix + instance;

    /// <summary>
    /// The event as people should see it: the seats the blocks gave counted as confirmed, their unused ones as free
    /// (anyone who signs up gets one: from a block, or by folding it).
    /// </summary>
    public static EventEntity View(EventEntity row, IEnumerable<SeatBlockEntity> blocks)
    {
        foreach (var b in blocks)
        {
            row.Confirmed += b.Used;
            row.Held += b.Held;
            row.Unconfirmed += b.Unconfirmed;
        }

        row.Blocked = 0;

        return row;
    }

    /// <summary>The query for an event's blocks (a key range in its partition).</summary>
    public static string Filter(string eventId) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {eventId} and RowKey ge {KeyPrefix} and RowKey lt {KeyEnd}");
}
