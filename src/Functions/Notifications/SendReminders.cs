using EventFunctions.Shared.Http;
using EventFunctions.Shared.Notifications;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Notifications;

/// <summary>Queues the reminders now due (participants', and invited units' that signed nobody up), and re-queues change notices and resends whose messages were lost.</summary>
public sealed class SendReminders(NotificationSweep sweep)
{
    [Function(nameof(SendReminders))]
    public Task Run([TimerTrigger(Schedules.Reminders)] TimerInfo timer, CancellationToken ct) => sweep.RunAsync(ct);
}
