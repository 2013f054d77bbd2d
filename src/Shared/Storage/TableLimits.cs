using Azure.Data.Tables;

namespace EventFunctions.Shared.Storage;

/// <summary>Azure Table Storage's own limits, in one place, and the one filter that works within them.</summary>
public static class TableLimits
{
    /// <summary>Most operations in one entity-group transaction.</summary>
    public const int TransactionActions = 100;

    /// <summary>RowKeys one <see cref="RowKeysFilter"/> may name: a $filter allows 15 comparisons, one is the PartitionKey.</summary>
    public const int RowKeysPerFilter = 14;

    /// <summary>The rows of one partition with any of <paramref name="rowKeys"/> (at most <see cref="RowKeysPerFilter"/>).</summary>
    public static string RowKeysFilter(string partitionKey, IEnumerable<string> rowKeys) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}")
        + " and (" + string.Join(" or ", rowKeys.Select(k => TableClient.CreateQueryFilter($"RowKey eq {k}"))) + ")";
}
