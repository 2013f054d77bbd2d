using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventFunctions.LocalHost;

/// <summary>
/// Polls one queue for a queueTrigger function, as the Functions host does: up to batchSize messages at
/// once; delete on success; on failure the message becomes visible again after visibilityTimeout, and
/// once it has been dequeued maxDequeueCount times it moves to "&lt;queue&gt;-poison".
/// </summary>
public sealed class QueueListener(
    FunctionInvoker invoker,
    QueueClient queue,
    QueueClient poison,
    HostSettings settings,
    IServiceProvider services,
    InvocationLog invocations,
    ILogger<QueueListener> log) : BackgroundService
{
    /// <summary>How long a message stays invisible while its function runs.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private int _idleWaits;

    /// <summary>How many times the queue was found empty and waited on (for tests and diagnostics).</summary>
    public int IdleWaits => Volatile.Read(ref _idleWaits);

    /// <summary>The longest wait on an empty queue so far: never more than maxPollingInterval.</summary>
    public TimeSpan LongestIdleWait { get; private set; }

    /// <summary>The wait after the first empty poll (and after every message).</summary>
    public static TimeSpan FirstIdleDelay(HostSettings settings) =>
        TimeSpan.FromTicks(Math.Min(HostSettings.MinPollingInterval.Ticks, settings.MaxPollingInterval.Ticks));

    /// <summary>Backing off on an empty queue, like the Functions host: doubling, up to maxPollingInterval.</summary>
    public static TimeSpan NextIdleDelay(TimeSpan delay, HostSettings settings) =>
        TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxPollingInterval.Ticks));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        var delay = FirstIdleDelay(settings);
        while (!stoppingToken.IsCancellationRequested)
        {
            QueueMessage[] messages;
            try
            {
                messages = await queue.ReceiveMessagesAsync(settings.BatchSize, Lease, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                log.LogWarning(ex, "Polling queue {Queue} failed; trying again", queue.Name);
                messages = [];
            }

            if (messages.Length == 0)
            {
                // Back off while the queue is empty, up to maxPollingInterval, like the Functions host.
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (delay > LongestIdleWait) LongestIdleWait = delay;
                Interlocked.Increment(ref _idleWaits);
                delay = NextIdleDelay(delay, settings);
                continue;
            }

            delay = FirstIdleDelay(settings);
            await Task.WhenAll(messages.Select(m => ProcessAsync(m, stoppingToken)));
        }
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken stoppingToken)
    {
        var name = invoker.Function.Name;
        try
        {
            await invoker.InvokeAsync(services, new TriggerInput { Message = message.Body.ToString(), CancellationToken = stoppingToken });
            invocations.Add(new Invocation(name, DateTimeOffset.UtcNow, true, null));
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            invocations.Add(new Invocation(name, DateTimeOffset.UtcNow, false, ex.GetType().Name));
            log.LogWarning(ex, "{Function} failed on message {MessageId} (dequeue count {DequeueCount} of {Max})",
                name, message.MessageId, message.DequeueCount, settings.MaxDequeueCount);
            try
            {
                if (message.DequeueCount >= settings.MaxDequeueCount)
                {
                    await poison.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
                    await poison.SendMessageAsync(message.Body.ToString(), CancellationToken.None);
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
                    log.LogError("Moved message {MessageId} to {PoisonQueue} after {DequeueCount} attempts", message.MessageId, poison.Name, message.DequeueCount);
                }
                else
                {
                    await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: CancellationToken.None);
                }
            }
            catch (Exception inner)
            {
                log.LogWarning(inner, "Could not return message {MessageId}; it reappears when its lease ends", message.MessageId);
            }
        }
    }
}
