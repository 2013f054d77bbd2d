using Azure;
using Azure.Data.Tables;

namespace EventFunctions.Shared.Admission;

/// <summary>
/// The entry list a draw froze (RowKey <c>lottery</c> in the event's partition), written in the draw's first commit
/// under the event row's ETag, so exactly one list exists and every later chunk draws from it. Holds the public
/// references and tiers only (see <see cref="LotteryDraw.EntryList"/>), never a name or an address; it goes with the
/// event's other rows in the retention purge.
/// </summary>
public sealed class LotteryListEntity : ITableEntity
{
    public const string Key = "lottery";
    private const int PartChars = 30_000; // a string property holds at most 32 K UTF-16 characters

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = Key;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Hash { get; set; } = "";
    public int Parts { get; set; }
    public string? List0 { get; set; }
    public string? List1 { get; set; }
    public string? List2 { get; set; }
    public string? List3 { get; set; }
    public string? List4 { get; set; }

    public static TableEntity Of(string eventId, string list, string hash)
    {
        var row = new TableEntity(eventId, Key) { [nameof(Hash)] = hash };
        var parts = 0;
        for (var at = 0; at < list.Length || parts == 0; at += PartChars, parts++)
            row["List" + parts] = list.Substring(at, Math.Min(PartChars, list.Length - at));
        if (parts > 5) throw new InvalidOperationException("Entry list longer than one row holds");
        row[nameof(Parts)] = parts;
        return row;
    }

    public string List => string.Concat(new[] { List0, List1, List2, List3, List4 }.Take(Math.Max(Parts, 1)));
}
