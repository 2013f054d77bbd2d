using EventFunctions.Shared.Http;
using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Operations;
using EventFunctions.Shared.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace EventFunctions.Functions.Confirmations;

/// <summary>
/// The outbox sweep: a registration stored without its queue message still gets its email. It also looks at the
/// poison queues, so the poison gauge an alert watches is fresh even when nobody probes the health route.
/// </summary>
public sealed class SweepConfirmations(ConfirmationQueue queue, PoisonQueues poison, IOptions<EventFunctionsOptions> options)
{
    [Function(nameof(SweepConfirmations))]
    public async Task Run([TimerTrigger(Schedules.ConfirmationSweep)] TimerInfo timer, CancellationToken ct)
    {
        await queue.SweepAsync(options.Value.RequeueAfter, ct);
        await poison.DepthsAsync(ct);
    }
}
