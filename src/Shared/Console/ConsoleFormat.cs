using EventFunctions.Shared.Text;
using System.Globalization;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;

namespace EventFunctions.Shared.Console;

/// <summary>How the console shows times, kinds and states: Chinese first, English beside.</summary>
public static class ConsoleFormat
{
    private static readonly string[] Weekdays = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];

    public static string When(EventRecord e)
    {
        var start = e.ToLocal(e.StartUtc);
        var end = e.ToLocal(e.EndUtc);
        var day = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " " + Weekdays[(int)start.DayOfWeek];
        var endText = end.Date == start.Date ? end.ToString("HH:mm", CultureInfo.InvariantCulture) : end.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        return $"{day} {start:HH:mm}–{endText}";
    }

    /// <summary>A time not tied to an event, in the street office's zone (Asia/Shanghai, UTC+8 all year).</summary>
    public static string Shanghai(DateTimeOffset utc) =>
        utc.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " (UTC+8)";

    public static string Local(EventRecord e, DateTimeOffset? utc) =>
        utc is { } t ? e.ToLocal(t).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";

    public static string Kind(EventKind kind) => kind switch
    {
        EventKind.Salon => ConsoleText.Salon.Inline,
        EventKind.SiteVisit => ConsoleText.SiteVisit.Inline,
        EventKind.Volunteering => CalendarText.Volunteering.Inline,
        _ => ConsoleText.Lecture.Inline,
    };

    public static (string Text, string Css) SignUpState(EventRecord e, DateTimeOffset now) => e.WindowAt(now) switch
    {
        SignUpWindow.EventCancelled => (ConsoleText.Cancelled.Inline, "bad"),
        SignUpWindow.EventStarted when now >= e.EndUtc => (ConsoleText.Ended.Inline, ""),
        SignUpWindow.EventStarted => (ConsoleText.InProgress.Inline, "warn"),
        SignUpWindow.NotYetOpen => (ConsoleText.NotOpenYet.Inline, ""),
        SignUpWindow.Closed => (ConsoleText.SignUpClosed.Inline, "warn"),
        SignUpWindow.Drawing => (UnitText.LotteryDrawing.Inline, "warn"),
        _ when e.TakesEntriesAt(now) => (UnitText.LotteryEntriesOpen.Inline, "ok"),
        _ when e.SeatsLeft == 0 => e.WaitlistOpen ? (ConsoleText.FullWaitlistOpen.Inline, "warn") : (ConsoleText.Full.Inline, "warn"),
        _ => (ConsoleText.Open.Inline, "ok"),
    };

    public static string Status(string status) => status switch
    {
        RegistrationStatus.Confirmed => ConsoleText.Confirmed.Inline,
        RegistrationStatus.Waitlisted or RegistrationStatus.Queued => ConsoleText.Waitlisted.Inline, // queued: numbered within moments
        RegistrationStatus.Held => ConsoleText.Held.Inline,
        RegistrationStatus.Pending => ApprovalText.Pending.Inline,
        RegistrationStatus.Declined => ApprovalText.Declined.Inline,
        RegistrationStatus.Entry => UnitText.LotteryEntry.Inline,
        _ => status,
    };

    /// <summary>The email state of a registration as the organiser needs it: sending, sent, delivered, bounced, not sent.</summary>
    public static (string Text, string Css) Email(RegistrationEntity r)
    {
        var view = Delivery.DeliveryText.Classify(r);
        if (!string.IsNullOrEmpty(r.NoticeError) && view.Kind is Delivery.DeliveryKind.Delivered or Delivery.DeliveryKind.Sent)
            return (ConsoleText.NoticeNotSent.Inline + " " + r.NoticeError, "bad");
        var css = view.Kind switch
        {
            Delivery.DeliveryKind.Delivered or Delivery.DeliveryKind.Sent => "ok",
            Delivery.DeliveryKind.Sending or Delivery.DeliveryKind.Deferred => "warn",
            _ => "bad",
        };
        return (Delivery.DeliveryText.Describe(view, "zh-CN"), css);
    }
}
