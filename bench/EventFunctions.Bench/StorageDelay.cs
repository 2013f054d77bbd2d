using Azure.Core;
using Azure.Core.Pipeline;

namespace EventFunctions.Bench;

/// <summary>
/// Delays every storage request (each try) by a fixed time before it is sent, as the real service's round trips do,
/// so that a measurement against a local emulator shows what contention costs in round trips, not in CPU.
/// </summary>
public sealed class StorageDelay(TimeSpan delay) : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Thread.Sleep(delay);
        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await Task.Delay(delay, message.CancellationToken);
        await ProcessNextAsync(message, pipeline);
    }
}
