using EventFunctions.Shared.Http;
using EventFunctions.Shared.Notifications;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Notifications;

/// <summary>Queues the reminders now due, and re-queues change notices and resends whose messages were lost.</summary>
/// <summary>Also reminds invited units that have signed nobody up, a day before sign-up closes.</summary>
public sealed class SendReminders(NotificationSweep sweep, EventFunctions.Shared.Units.UnitMail units)
{
    [Function(nameof(SendReminders))]
    public async Task Run([TimerTrigger(Schedules.Reminders)] TimerInfo timer, CancellationToken ct)
    {
        await sweep.RunAsync(ct);
        await units.RemindDueAsync(ct);
    }
}
