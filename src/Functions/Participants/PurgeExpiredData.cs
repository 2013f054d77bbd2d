using EventFunctions.Shared.Http;
using EventFunctions.Shared.Registrations;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Participants;

/// <summary>Daily: deletes participants' data the privacy notice says is kept no longer.</summary>
public sealed class PurgeExpiredData(RetentionService retention)
{
    [Function(nameof(PurgeExpiredData))]
    public Task Run([TimerTrigger(Schedules.RetentionPurge)] TimerInfo timer, CancellationToken ct) => retention.PurgeAsync(ct);
}
