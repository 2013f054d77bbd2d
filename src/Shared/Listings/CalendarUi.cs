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
    // The volunteer's certificate (from the manage link)
    public required string CertificateLink { get; init; }
    public required string CertificateHeading { get; init; }
    /// <summary>{0} name, {1} date, {2} team, {3} activity, {4} event title, {5} from, {6} to, {7} hours.</summary>
    public required string CertificateBodyFormat { get; init; }
    public required string CertificateHours { get; init; }
    public required string CertificateIssuer { get; init; }
    public required string CertificateNumber { get; init; }
    public required string CertificateIssued { get; init; }
    public required string CertificateBasis { get; init; }
    public required string CertificateClosedAtEnd { get; init; }
    public required string CertificatePrintHint { get; init; }
    public required string CertificateNone { get; init; }
    public required string CertificateNotYet { get; init; }
    // Feedback (the thank-you email and its page)
    /// <summary>{0} the event's title.</summary>
    public required string ThanksSubjectFormat { get; init; }
    public required string ThanksLead { get; init; }
    public required string RateQuestion { get; init; }
    /// <summary>The five ratings' names, 1 to 5.</summary>
    public required IReadOnlyList<string> RatingNames { get; init; }
    public required string FeedbackHeading { get; init; }
    public required string CommentLabel { get; init; }
    public required string CommentHint { get; init; }
    public required string FeedbackSubmit { get; init; }
    public required string FeedbackThanks { get; init; }
    public required string FeedbackAlready { get; init; }
    /// <summary>{0} the rating given.</summary>
    public required string FeedbackYourRatingFormat { get; init; }
    public required string FeedbackNotYet { get; init; }
    public required string FeedbackNotAttended { get; init; }
    // Series
    public required string SeriesBadge { get; init; }
    public required string SessionsHeading { get; init; }
    /// <summary>{0} the session's number.</summary>
    public required string SessionFormat { get; init; }
    public required string HowToSignUp { get; init; }
    /// <summary>{0} how many sessions.</summary>
    public required string WholeSeriesFormat { get; init; }
    public required string WholeSeriesHint { get; init; }
    public required string SomeSessions { get; init; }
    /// <summary>{0} the session that stops it (full or closed).</summary>
    public required string WholeSeriesBlockedFormat { get; init; }
    public required string PickSessions { get; init; }
    public required string SeriesSubmit { get; init; }
    public required string SeriesJoined { get; init; }
    /// <summary>{0} how many sessions.</summary>
    public required string SeriesCheckEmailFormat { get; init; }
    /// <summary>{0} the session.</summary>
    public required string SeriesFullFormat { get; init; }
    public required string SeriesClosedFormat { get; init; }
    public required string SeriesAlreadyThereFormat { get; init; }
    public required string SeriesNeedsApprovalFormat { get; init; }
    public required string SeriesNotSavedFormat { get; init; }
    public required string SeriesNothingKept { get; init; }
    public required string SeriesInProgress { get; init; }
    public required string SeriesAlready { get; init; }
    public required string SeriesNotFound { get; init; }
    public required string SomeDone { get; init; }
    public required string YourSessions { get; init; }
    public required string SeriesConfirmNote { get; init; }
    // Late seats as offers
    /// <summary>{0} the event's title.</summary>
    public required string OfferSubjectFormat { get; init; }
    /// <summary>{0} until when.</summary>
    public required string OfferBodyFormat { get; init; }
    public required string OfferLapsedSubjectFormat { get; init; }
    public required string OfferLapsedBody { get; init; }
    // Reconfirmation before the day
    public required string ReconfirmSubjectFormat { get; init; }
    /// <summary>{0} the deadline.</summary>
    public required string ReconfirmBodyFormat { get; init; }
    public required string NotReconfirmedSubjectFormat { get; init; }
    public required string NotReconfirmedBody { get; init; }
    public required string SeriesLink { get; init; }
    public required Func<DateTimeOffset, string> FormatMonth { get; init; }
    public required Func<DateTimeOffset, string> FormatDate { get; init; }
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
        SeriesBadge = "系列活动",
        SessionsHeading = "场次",
        SessionFormat = "第 {0} 场",
        HowToSignUp = "报名方式",
        WholeSeriesFormat = "整套报名（全部 {0} 场）",
        WholeSeriesHint = "每一场都有名额才会报名成功；任何一场没有名额，则一场也不保留。",
        SomeSessions = "只报下面选中的场次",
        WholeSeriesBlockedFormat = "{0}已满或报名已截止，不能整套报名；可以只报其他场次。",
        PickSessions = "请选择整套报名，或至少勾选一场。",
        SeriesSubmit = "提交报名",
        SeriesJoined = "已报名整套系列",
        SeriesCheckEmailFormat = "名额已为您保留。请查收邮件并点击确认：确认一次，全部 {0} 场一并确认；未按时确认则全部释放。",
        SeriesFullFormat = "{0}刚刚已满，整套报名没有成功，其他场次的名额也已释放。可以只报其他场次。",
        SeriesClosedFormat = "{0}已停止报名，整套报名没有成功，未保留任何名额。",
        SeriesAlreadyThereFormat = "您已报名{0}。整套报名没有成功，未保留其他场次的名额；请只勾选其他场次报名。",
        SeriesNeedsApprovalFormat = "{0}需要主办方审核、仅限受邀单位或抽签报名，不能整套报名；请在该场次的页面单独报名。",
        SeriesNotSavedFormat = "系统繁忙，{0}的名额没能保留，整套报名没有成功，未保留任何名额。请稍后再试。",
        SeriesNothingKept = "没有为您保留任何名额。",
        SeriesInProgress = "您的整套报名正在处理，请稍候一分钟再看邮件或重试。",
        SeriesAlready = "您已报名这个系列的全部场次。",
        SeriesNotFound = "找不到这个系列活动。",
        SomeDone = "报名结果",
        YourSessions = "您在本系列的报名",
        SeriesConfirmNote = "这是整套系列报名：确认一次，系列全部场次的名额一并确认。",
        OfferSubjectFormat = "名额邀请：{0}（请尽快确认）",
        OfferBodyFormat = "有名额空出，依候补顺序邀请您参加。请在 {0} 前点击下方按钮确认；不能来的话无需操作（或在报名页取消），名额会依次邀请下一位。",
        OfferLapsedSubjectFormat = "名额邀请已过期：{0}",
        OfferLapsedBody = "为您保留的名额未在规定时间内确认，已依次邀请下一位候补者；您的报名信息已删除。",
        ReconfirmSubjectFormat = "请确认是否出席：{0}",
        ReconfirmBodyFormat = "活动临近，请在 {0} 前点击下方按钮确认您仍会出席。未确认的名额将释放给候补者；不能来的话，也请在报名页取消，把名额让给别人。",
        NotReconfirmedSubjectFormat = "名额已释放：{0}",
        NotReconfirmedBody = "您没有在截止时间前确认出席，名额已依次给了候补者；您的报名信息已删除。如仍想参加，可重新报名（有名额或候补时）。",
        SeriesLink = "系列活动 · 可整套报名",
        ThanksSubjectFormat = "感谢参加“{0}”：请为本次活动打分",
        ThanksLead = "感谢您参加本次活动！请用一分钟为活动打分，帮助主办方把下一次办得更好。点下面的分数即可，留言可写可不写。",
        RateQuestion = "您对本次活动的总体评价？",
        RatingNames = ["1 分 · 很不满意", "2 分 · 不满意", "3 分 · 一般", "4 分 · 满意", "5 分 · 非常满意"],
        FeedbackHeading = "活动反馈",
        CommentLabel = "想对主办方说的话（选填）",
        CommentHint = "最多 1000 字。主办方看到的反馈不显示您的姓名。",
        FeedbackSubmit = "提交反馈",
        FeedbackThanks = "感谢您的反馈！",
        FeedbackAlready = "您已经提交过反馈，每人一次，谢谢！",
        FeedbackYourRatingFormat = "您的评分：{0}",
        FeedbackNotYet = "活动结束后才能填写反馈。",
        FeedbackNotAttended = "反馈只请到场签到的参加者填写；这次报名没有签到记录。",
        CertificateLink = "志愿服务时长证明（可打印）",
        CertificateHeading = "志愿服务时长证明",
        CertificateBodyFormat = "兹证明 {0} 于 {1} 参加{2}组织的“{3}”志愿服务（{4}），服务时间 {5}–{6}。",
        CertificateHours = "服务时长",
        CertificateIssuer = "出具单位",
        CertificateNumber = "证明编号",
        CertificateIssued = "出具日期",
        CertificateBasis = "本证明依据活动现场的签到、签退记录出具。",
        CertificateClosedAtEnd = "当天未签退，按活动结束时间计。",
        CertificatePrintHint = "用浏览器的“打印”功能即可打印或保存为 PDF（A4）。",
        CertificateNone = "这次报名没有签到记录，无法出具志愿服务时长证明。",
        CertificateNotYet = "签退或活动结束后即可查看志愿服务时长证明。",
        FormatMonth = d => d.ToString("yyyy年M月", CultureInfo.GetCultureInfo("zh-CN")),
        FormatDate = d => d.ToString("yyyy年M月d日", CultureInfo.GetCultureInfo("zh-CN")),
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
        SeriesBadge = "Series",
        SessionsHeading = "Sessions",
        SessionFormat = "Session {0}",
        HowToSignUp = "How to sign up",
        WholeSeriesFormat = "The whole series (all {0} sessions)",
        WholeSeriesHint = "You get a seat in every session or none: if one has no seat left, nothing is kept.",
        SomeSessions = "Only the sessions ticked below",
        WholeSeriesBlockedFormat = "{0} is full or closed, so the whole series cannot be booked; you can sign up for the other sessions.",
        PickSessions = "Choose the whole series, or tick at least one session.",
        SeriesSubmit = "Sign up",
        SeriesJoined = "Signed up for the whole series",
        SeriesCheckEmailFormat = "Your seats are held. Please confirm from the email: one confirmation confirms all {0} sessions; unconfirmed, they are all released.",
        SeriesFullFormat = "{0} has just filled up, so the whole series could not be booked and no other seat was kept. You can sign up for the other sessions.",
        SeriesClosedFormat = "{0} no longer takes sign-ups: the whole series could not be booked and no seat was kept.",
        SeriesAlreadyThereFormat = "You are already signed up for {0}. The whole series was not booked and no other seat was kept; tick the other sessions instead.",
        SeriesNeedsApprovalFormat = "{0} needs the organiser's approval, is by invitation or is drawn by lottery: sign up for it on its own page.",
        SeriesNotSavedFormat = "The system was busy and no seat could be kept for {0}: the whole series was not booked and no seat was kept. Please try again shortly.",
        SeriesNothingKept = "No seat was kept for you.",
        SeriesInProgress = "Your whole-series sign-up is being processed; check your email or try again in a minute.",
        SeriesAlready = "You are already signed up for every session of this series.",
        SeriesNotFound = "This series does not exist.",
        SomeDone = "Your sign-ups",
        YourSessions = "Your sessions in this series",
        SeriesConfirmNote = "This is a whole-series sign-up: one confirmation confirms your seat in every session.",
        OfferSubjectFormat = "A seat for you: {0} (please confirm)",
        OfferBodyFormat = "A seat has come free and is offered to you, next on the waitlist. Please confirm with the button below by {0}; if you cannot come, do nothing (or cancel on your page) and it goes to the next person.",
        OfferLapsedSubjectFormat = "Seat offer lapsed: {0}",
        OfferLapsedBody = "The seat offered to you was not confirmed in time and has gone to the next person waiting; your registration data has been deleted.",
        ReconfirmSubjectFormat = "Are you still coming? {0}",
        ReconfirmBodyFormat = "The event is near: please confirm with the button below by {0} that you are still coming. Seats not confirmed go to the waitlist; if you cannot come, please cancel on your page so someone else can.",
        NotReconfirmedSubjectFormat = "Your seat was released: {0}",
        NotReconfirmedBody = "You did not confirm by the deadline, so your seat went to the next person waiting and your registration data has been deleted. You may sign up again while there are seats or a waitlist.",
        SeriesLink = "Part of a series · sign up for all sessions",
        ThanksSubjectFormat = "Thank you for coming to “{0}”: how was it?",
        ThanksLead = "Thank you for coming! Please take a minute to rate the event, so the organiser can make the next one better. Tap a rating below; a comment is optional.",
        RateQuestion = "How was the event overall?",
        RatingNames = ["1 · Very poor", "2 · Poor", "3 · OK", "4 · Good", "5 · Excellent"],
        FeedbackHeading = "Your feedback",
        CommentLabel = "Anything to tell the organiser? (optional)",
        CommentHint = "Up to 1,000 characters. The organiser sees feedback without your name.",
        FeedbackSubmit = "Send feedback",
        FeedbackThanks = "Thank you for your feedback!",
        FeedbackAlready = "You have already given your feedback (once each). Thank you!",
        FeedbackYourRatingFormat = "Your rating: {0}",
        FeedbackNotYet = "Feedback opens when the event is over.",
        FeedbackNotAttended = "Feedback is asked of the people who came; this registration was never checked in.",
        CertificateLink = "Certificate of volunteer hours (printable)",
        CertificateHeading = "Certificate of volunteer service",
        CertificateBodyFormat = "This certifies that {0} volunteered on {1} with {2} in “{3}” ({4}), from {5} to {6}.",
        CertificateHours = "Hours served",
        CertificateIssuer = "Issued by",
        CertificateNumber = "Certificate no.",
        CertificateIssued = "Date of issue",
        CertificateBasis = "Issued from the check-in and check-out records taken at the event.",
        CertificateClosedAtEnd = "Not checked out on the day: counted to the event's end time.",
        CertificatePrintHint = "Use your browser's Print to print it or save it as a PDF (A4).",
        CertificateNone = "This registration was never checked in: there are no volunteer hours to certify.",
        CertificateNotYet = "The certificate is ready once you have checked out or the shift has ended.",
        FormatMonth = d => d.ToString("MMMM yyyy", CultureInfo.GetCultureInfo("en-GB")),
        FormatDate = d => d.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB")),
        FormatDay = d => d.ToString("dddd d MMMM", CultureInfo.GetCultureInfo("en-GB")),
        FormatShort = d => d.ToString("d MMM HH:mm", CultureInfo.GetCultureInfo("en-GB")),
    };
}
