using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace EventFunctions.Tests.Infrastructure;

/// <summary>
/// Counts the storage requests an app's Table and Queue clients send (a policy in their SDK pipeline, once per call,
/// retries included as the one call they are), by kind: what an operator pays for, whatever the machine's speed.
/// </summary>
public sealed class StorageRequests : HttpPipelinePolicy
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        await ProcessNextAsync(message, pipeline);
        // Refused for a changed ETag (another writer first): counted again apart, so contention shows as a share. A
        // transaction answers 202 with the failed operation's status inside its multipart body.
        if (message.HasResponse && (message.Response.Status == 412 || IsRefusedTransaction(message))) _counts.AddOrUpdate(Kind(message.Request) + " refused (412)", 1, (_, n) => n + 1);
    }

    private static bool IsRefusedTransaction(HttpMessage message) =>
        message.Request.Uri.Path.EndsWith("/$batch", StringComparison.Ordinal) && message.Response.Status == 202
        && message.Response.Content.ToString().Contains(" 412 ", StringComparison.Ordinal);

    private void Count(HttpMessage message) => _counts.AddOrUpdate(Kind(message.Request), 1, (_, n) => n + 1);

    /// <summary>table transaction, table point read, table query, table insert/merge/delete, queue send/receive/delete, other.</summary>
    public static string Kind(Request request)
    {
        var path = request.Uri.Path;
        var method = request.Method.ToString();
        if (path.EndsWith("/$batch", StringComparison.Ordinal)) return "table transaction";
        if (path.Contains("/messages", StringComparison.Ordinal))
        {
            return method switch { "POST" => "queue send", "GET" => "queue receive", "DELETE" => "queue delete", "PUT" => "queue update", _ => "queue " + method };
        }

        var lastSegment = path[(path.LastIndexOf('/') + 1)..];
        var entity = lastSegment.Contains("PartitionKey=", StringComparison.Ordinal) || lastSegment.Contains("PartitionKey%3D", StringComparison.OrdinalIgnoreCase);
        return method switch
        {
            "GET" when entity => "table point read",
            "GET" => "table query" + QueryKind(Uri.UnescapeDataString(request.Uri.Query)),
            "POST" when lastSegment != "Tables" => "table insert",
            "PUT" or "PATCH" or "MERGE" when entity => "table write",
            "DELETE" when entity => "table delete",
            _ => "other (create, properties)",
        };
    }

    /// <summary>
    /// What a query asks, in a word (a query scans its partition on Azurite; on the service too, unless it names keys):
    /// the waitlist, registrations by key, a status, one row range (blocks, feedback…), or the rest.
    /// </summary>
    private static string QueryKind(string query) =>
        query.Contains("Status eq 'Waitlisted'", StringComparison.Ordinal) ? " (waitlist)"
        : query.Contains("RowKey eq", StringComparison.Ordinal) ? " (by keys)"
        : query.Contains("Status eq", StringComparison.Ordinal) ? " (by status)"
        : query.Contains("RowKey ge", StringComparison.Ordinal) ? " (row range)"
        : query.Contains("PartitionKey eq", StringComparison.Ordinal) ? " (partition)"
        : " (cross-partition)";

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_counts, StringComparer.Ordinal);

    /// <summary>Requests sent (a refusal is one of them, also counted apart under "… refused (412)").</summary>
    public long Total => _counts.Where(kv => !kv.Key.EndsWith(" refused (412)", StringComparison.Ordinal)).Sum(kv => kv.Value);

    /// <summary>What was sent since <paramref name="before"/>, per <paramref name="per"/> (a sign-up, an email), as one line.</summary>
    public string Since(IReadOnlyDictionary<string, long> before, double per, out double total)
    {
        var diff = _counts.Select(kv => (kv.Key, Count: kv.Value - before.GetValueOrDefault(kv.Key))).Where(x => x.Count > 0).OrderByDescending(x => x.Count).ToList();
        total = diff.Where(x => !x.Key.EndsWith(" refused (412)", StringComparison.Ordinal)).Sum(x => x.Count) / Math.Max(1, per);
        return string.Join(", ", diff.Select(x => $"{x.Key} {x.Count / Math.Max(1, per):F2}"));
    }
}
