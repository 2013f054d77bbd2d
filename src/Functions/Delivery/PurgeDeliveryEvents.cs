using EventFunctions.Shared.Http;
using EventFunctions.Shared.Delivery;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Delivery;

/// <summary>Daily: forgets delivery events older than SendGrid's retry window (their sg_event_id markers).</summary>
public sealed class PurgeDeliveryEvents(DeliveryRecorder recorder)
{
    [Function(nameof(PurgeDeliveryEvents))]
    public Task Run([TimerTrigger(Schedules.DeliveryEventsPurge)] TimerInfo timer, CancellationToken ct) => recorder.PurgeMarkersAsync(ct);
}
