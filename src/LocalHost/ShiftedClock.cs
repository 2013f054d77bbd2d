namespace EventFunctions.LocalHost;

/// <summary>
/// The system clock moved by an offset, for the fault-injection run only (setting <c>LocalHost:ShiftedClock</c>): a
/// lottery's draw or a reconfirmation deadline is hours after its sign-ups, which a run of a minute cannot wait for, so
/// the run moves every instance's clock instead (<c>POST /admin/clock</c> with <c>{"offsetSeconds": N}</c>; an instance
/// started again reads <c>LocalHost:ClockOffsetSeconds</c>). Never served otherwise: production runs on Azure Functions,
/// whose clock nobody moves. Monotonic time (timeouts, timers) is not moved.
/// </summary>
public sealed class ShiftedClock(TimeSpan offset) : TimeProvider
{
    private long _offsetTicks = offset.Ticks;

    public TimeSpan Offset
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
        set => Interlocked.Exchange(ref _offsetTicks, value.Ticks);
    }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
