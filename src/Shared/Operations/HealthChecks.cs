using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventFunctions.Shared.Operations;

/// <summary>Table storage answers: one point read of a row that never exists (the cheapest request there is).</summary>
public sealed class TableHealthCheck(EventStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var table = await store.TableAsync(ct);
            await table.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("~health", "~health", select: ["PartitionKey"], cancellationToken: ct);
            return HealthCheckResult.Healthy("Table storage answers.");
        }
        catch (Exception ex) when (StorageFaults.IsTransient(ex) || ex is Azure.RequestFailedException)
        {
            return HealthCheckResult.Unhealthy($"Table storage did not answer ({Fault(ex)}).");
        }
    }

    internal static string Fault(Exception ex) => ex switch
    {
        Azure.RequestFailedException r => $"{r.GetType().Name} {r.Status}",
        OperationCanceledException => "timed out",
        _ => ex.GetType().Name,
    };
}

/// <summary>
/// Queue storage answers, with each queue's depth and its poison queue's. Messages in a poison queue make the app
/// Degraded (it still serves; someone should look in the console), never Unhealthy.
/// </summary>
public sealed class QueueHealthCheck(PoisonQueues poison) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        IReadOnlyList<QueueDepth> depths;
        try
        {
            depths = await poison.DepthsAsync(ct);
        }
        catch (Exception ex) when (StorageFaults.IsTransient(ex) || ex is Azure.RequestFailedException)
        {
            return HealthCheckResult.Unhealthy($"Queue storage did not answer ({TableHealthCheck.Fault(ex)}).");
        }

        var data = new Dictionary<string, object>();
        foreach (var d in depths)
        {
            data[d.Queue] = d.Waiting;
            data[PoisonQueues.PoisonName(d.Queue)] = d.Poison;
        }

        var poisoned = depths.Sum(d => d.Poison);
        return poisoned > 0
            ? HealthCheckResult.Degraded($"{poisoned} message(s) in poison queues: see the console's failures page.", data: data)
            : HealthCheckResult.Healthy("Queue storage answers; no poison messages.", data);
    }
}
