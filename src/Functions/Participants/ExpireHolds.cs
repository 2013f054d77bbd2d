using EventFunctions.Shared.Http;
using EventFunctions.Shared.Registrations;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Participants;

/// <summary>Every minute (app setting HoldSweepSchedule): sign-ups not confirmed from the email in time are taken off, their places going to the next people in order.</summary>
public sealed class ExpireHolds(RegistrationService registrations)
{
    [Function(nameof(ExpireHolds))]
    public Task Run([TimerTrigger(Schedules.HoldSweep)] TimerInfo timer, CancellationToken ct) => registrations.ExpireHoldsAsync(ct);
}
