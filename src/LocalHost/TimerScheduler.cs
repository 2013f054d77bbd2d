using System.Globalization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NCrontab;

namespace EventFunctions.LocalHost;

/// <summary>
/// Runs a timerTrigger function on its schedule: six-field NCRONTAB (with seconds, in UTC) or a TimeSpan
/// interval; once at start too when the binding says runOnStartup.
/// </summary>
public sealed class TimerScheduler(
    FunctionInvoker invoker,
    string schedule,
    IServiceProvider services,
    InvocationLog invocations,
    TimeProvider clock,
    ILogger<TimerScheduler> log) : BackgroundService
{
    public static Func<DateTime, DateTime> Parse(string schedule)
    {
        if (TimeSpan.TryParse(schedule, CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero)
        {
            return last => last + interval;
        }

        var cron = CrontabSchedule.TryParse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
            ?? throw new FormatException($"'{schedule}' is neither a six-field NCRONTAB expression (with seconds) nor a TimeSpan.");
        return cron.GetNextOccurrence;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var next = Parse(schedule);
        var last = clock.GetUtcNow().UtcDateTime;
        if (invoker.Function.Trigger.RunOnStartup == true) await RunAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var due = next(last);
            var wait = due - clock.GetUtcNow().UtcDateTime;
            try
            {
                if (wait > TimeSpan.Zero) await Task.Delay(wait, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            last = due;
            await RunAsync(stoppingToken);
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await invoker.InvokeAsync(services, new TriggerInput { Timer = new TimerInfo(), CancellationToken = stoppingToken });
            invocations.Add(new Invocation(invoker.Function.Name, clock.GetUtcNow(), true, null));
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            invocations.Add(new Invocation(invoker.Function.Name, clock.GetUtcNow(), false, ex.GetType().Name));
            log.LogError(ex, "Timer function {Function} failed", invoker.Function.Name);
        }
    }
}
