using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace EventFunctions.Functions.Confirmations;

/// <summary>The outbox sweep: a registration stored without its queue message still gets its email.</summary>
public sealed class SweepConfirmations(ConfirmationQueue queue, IOptions<EventFunctionsOptions> options)
{
    [Function(nameof(SweepConfirmations))]
    public Task Run([TimerTrigger(Schedules.ConfirmationSweep)] TimerInfo timer, CancellationToken ct) =>
        queue.SweepAsync(options.Value.RequeueAfter, ct);
}
