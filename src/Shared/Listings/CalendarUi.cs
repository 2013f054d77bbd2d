using System.Globalization;
using EventFunctions.Shared.Text;

namespace EventFunctions.Shared.Listings;

/// <summary>
/// What the public calendar, series, feedback and volunteer-hours pages say to residents, in Chinese and English:
/// a typed pair like <see cref="UiText"/> (a missing translation is a compile error), kept beside the code that uses it.
/// </summary>
public sealed record CalendarUi
{
    public required string Code { get; init; }

    // The public calendar
    public required string SiteName { get; init; }
    public required string CalendarHeading { get; init; }
    public required string CalendarIntro { get; init; }
    public required string FilterKind { get; init; }
    public required string FilterMonth { get; init; }
    public required string AllKinds { get; init; }
    public required string AllMonths { get; init; }
    public required string NothingListed { get; init; }
    public required string BadFilter { get; init; }
    public required string Subscribe { get; init; }
    public required string SubscribeHint { get; init; }
    public required string FeedName { get; init; }
    /// <summary>{0} seats left.</summary>
    public required string SeatsLeftFormat { get; init; }
    public required string WaitlistOnly { get; init; }
    public required string Full { get; init; }
    /// <summary>{0} when sign-up opens.</summary>
    public required string OpensFormat { get; init; }
    public required string SignUpClosed { get; init; }
    public required string InProgress { get; init; }
    public required string SignUp { get; init; }
    public required Func<DateTimeOffset, string> FormatMonth { get; init; }
    public required Func<DateTimeOffset, string> FormatDay { get; init; }
    public required Func<DateTimeOffset, string> FormatShort { get; init; }

    public static CalendarUi For(UiText text) => text.Code == "en" ? English : Chinese;

    public static readonly CalendarUi Chinese = new()
    {
        Code = "zh",
        SiteName = "街道活动报名",
        CalendarHeading = "近期活动",
        CalendarIntro = "街道和共建单位近期对居民开放的沙龙、讲座、参观和志愿服务。点击活动名称报名。",
        FilterKind = "活动类型",
        FilterMonth = "月份",
        AllKinds = "全部",
        AllMonths = "全部月份",
        NothingListed = "暂无符合条件的活动。",
        BadFilter = "筛选条件无法识别，已显示全部活动。",
        Subscribe = "订阅活动日历",
        SubscribeHint = "在手机或电脑日历中添加下面的地址，新活动、改期和取消会自动更新：",
        FeedName = "街道活动",
        SeatsLeftFormat = "余 {0} 席",
        WaitlistOnly = "已满，可候补",
        Full = "已满",
        OpensFormat = "{0} 开始报名",
        SignUpClosed = "报名已截止",
        InProgress = "进行中",
        SignUp = "报名",
        FormatMonth = d => d.ToString("yyyy年M月", CultureInfo.GetCultureInfo("zh-CN")),
        FormatDay = d => d.ToString("M月d日 dddd", CultureInfo.GetCultureInfo("zh-CN")),
        FormatShort = d => d.ToString("M月d日 HH:mm", CultureInfo.GetCultureInfo("zh-CN")),
    };

    public static readonly CalendarUi English = new()
    {
        Code = "en",
        SiteName = "Community events",
        CalendarHeading = "Upcoming events",
        CalendarIntro = "Salons, lectures, site visits and volunteering open to residents, run by the street office and its partners. Tap an event to sign up.",
        FilterKind = "Kind",
        FilterMonth = "Month",
        AllKinds = "All",
        AllMonths = "All months",
        NothingListed = "No events match.",
        BadFilter = "That filter was not understood; all events are shown.",
        Subscribe = "Subscribe to the calendar",
        SubscribeHint = "Add this address to your phone's or computer's calendar; new events, moves and cancellations update by themselves:",
        FeedName = "Community events",
        SeatsLeftFormat = "{0} seats left",
        WaitlistOnly = "Full, waitlist open",
        Full = "Full",
        OpensFormat = "Sign-up opens {0}",
        SignUpClosed = "Sign-up closed",
        InProgress = "Under way",
        SignUp = "Sign up",
        FormatMonth = d => d.ToString("MMMM yyyy", CultureInfo.GetCultureInfo("en-GB")),
        FormatDay = d => d.ToString("dddd d MMMM", CultureInfo.GetCultureInfo("en-GB")),
        FormatShort = d => d.ToString("d MMM HH:mm", CultureInfo.GetCultureInfo("en-GB")),
    };
}
