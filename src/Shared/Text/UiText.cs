using System.Globalization;

namespace EventFunctions.Shared.Text;

/// <summary>
/// Every text a participant reads, in Chinese (the default) and English. A typed class rather than
/// .resx lookups: a missing translation is a compile error, not a blank on a phone screen.
/// </summary>
public sealed record UiText
{
    public required string Code { get; init; }
    public required CultureInfo Culture { get; init; }
    public required string OtherLanguageName { get; init; }
    public required string OtherCode { get; init; }

    // Event details
    public required string KindSalon { get; init; }
    public required string KindSiteVisit { get; init; }
    public required string KindLecture { get; init; }
    public required string KindVolunteering { get; init; }
    public required string Team { get; init; }
    public required string Activity { get; init; }
    public required string When { get; init; }
    public required string Venue { get; init; }
    public required string Address { get; init; }
    public required string OnlineLink { get; init; }
    public required string MeetingPoint { get; init; }
    public required string MeetingTime { get; init; }
    public required string HostOrganisation { get; init; }
    public required string Topic { get; init; }
    public required string Speaker { get; init; }
    public required string Organiser { get; init; }
    public required string SignUpCloses { get; init; }
    public required string SeatsLeftFormat { get; init; }
    public required string FullWaitlistOpen { get; init; }

    // Form
    public required string SignUpHeading { get; init; }
    public required string Name { get; init; }
    public required string Phone { get; init; }
    public required string PhoneHint { get; init; }
    public required string Email { get; init; }
    public required string EmailHint { get; init; }
    public required string Organisation { get; init; }
    /// <summary>On a unit's invitation link: the unit is the invitation's, not typed.</summary>
    public required string InvitedUnit { get; init; }
    public required string InvitationOnlyHeading { get; init; }
    /// <summary>The invited unit's contact page: {0} the unit.</summary>
    public required string UnitContactHeadingFormat { get; init; }
    /// <summary>{0} seats of the unit's own, {1} people of the unit with a seat, {2} waiting.</summary>
    public required string UnitContactSeatsFormat { get; init; }
    public required string UnitContactExplain { get; init; }
    public required string UnitContactNobody { get; init; }
    public required string UnitContactLinkInvalid { get; init; }
    public required string UnitCancelFor { get; init; }
    public required string UnitCancelled { get; init; }
    public required string UnitSignUpLinkLabel { get; init; }
    /// <summary>The invitation to a unit's contact: {0} the event's title.</summary>
    public required string UnitInvitationSubjectFormat { get; init; }
    /// <summary>{0} the unit, {1} its seats.</summary>
    public required string UnitInvitationBodyFormat { get; init; }
    public required string UnitReminderSubjectFormat { get; init; }
    /// <summary>{0} the unit, {1} when sign-up closes.</summary>
    public required string UnitReminderBodyFormat { get; init; }
    public required string UnitContactLinkLabel { get; init; }
    public required string UnitEmailFooter { get; init; }
    public required string InvitationOnly { get; init; }
    /// <summary>{0} seats left for the unit (its own and the shared ones).</summary>
    public required string UnitSeatsLeftFormat { get; init; }
    public required string SecurityDeskNote { get; init; }
    public required string Optional { get; init; }
    public required string Yes { get; init; }
    public required string No { get; init; }
    public required string ChooseOne { get; init; }
    public required string Submit { get; init; }
    public required string SubmitWaitlist { get; init; }
    public required string FixErrors { get; init; }
    public required string PrivacyHeading { get; init; }
    /// <summary>Format: {0} organiser name, {1} organiser email.</summary>
    public required string PrivacyNoticeFormat { get; init; }
    public required string Consent { get; init; }

    // Window and capacity
    public required string NotYetOpenFormat { get; init; }
    public required string Closed { get; init; }
    public required string EventStarted { get; init; }
    public required string Full { get; init; }
    public required string EventNotFound { get; init; }

    // Results
    public required string PendingHeading { get; init; }
    public required string PendingLine { get; init; }
    public required string PendingSubjectFormat { get; init; }
    public required string PendingBody { get; init; }
    public required string ApprovedSubjectFormat { get; init; }
    public required string ApprovedWaitlistedBody { get; init; }
    public required string DeclinedSubjectFormat { get; init; }
    public required string DeclinedBody { get; init; }
    public required string ExpiredPendingSubjectFormat { get; init; }
    public required string ExpiredPendingBody { get; init; }
    public required string StatusPending { get; init; }
    public required string StatusDeclined { get; init; }
    public required string ConfirmedHeading { get; init; }
    public required string WaitlistedHeading { get; init; }
    public required string WaitlistPositionFormat { get; init; }
    /// <summary>On the waitlist, its place not counted yet (a rush's waitlist inbox): it comes with the email.</summary>
    public required string WaitlistPlaceByEmail { get; init; }
    public required string EmailOnItsWayFormat { get; init; }
    public required string AlreadyRegistered { get; init; }
    public required string ReferenceFormat { get; init; }
    public required string ManageLink { get; init; }

    // Validation
    public required string NameRequired { get; init; }
    public required string NameInvalid { get; init; }
    public required string PhoneRequired { get; init; }
    public required string PhoneInvalid { get; init; }
    public required string EmailRequired { get; init; }
    public required string EmailInvalid { get; init; }
    /// <summary>An address whose part before the @ is not in Latin letters (用户@例子.中国): it cannot be delivered.</summary>
    public required string EmailNonAsciiLocalPart { get; init; }
    public required string OrganisationRequired { get; init; }
    public required string AnswerRequired { get; init; }
    public required string ChoiceInvalid { get; init; }
    public required string YesNoInvalid { get; init; }
    public required string ConsentRequired { get; init; }
    /// <summary>Format: {0} the maximum number of characters.</summary>
    public required string TooLongFormat { get; init; }
    public required string ControlCharacters { get; init; }
    public required string MalformedBody { get; init; }
    /// <summary>A field sent twice (a form or JSON body): which one counts would be a guess. Format: {0} the field.</summary>
    public required string FieldGivenTwiceFormat { get; init; }
    /// <summary>A rate limit is spent. Format: {0} seconds to wait.</summary>
    public required string TooManyRequestsFormat { get; init; }
    public required string TooManyRequestsHeading { get; init; }
    /// <summary>A form refused without a reason worth telling (a script's): the person checks and sends it again.</summary>
    public required string CheckAndSendAgain { get; init; }
    public required string WrongContentType { get; init; }
    public required string BodyTooLarge { get; init; }
    public required string Unavailable { get; init; }
    /// <summary>Storage did not say whether a sign-up was stored.</summary>
    public required string OutcomeUnknown { get; init; }
    public required string CancelOutcomeUnknown { get; init; }
    public required string EventCancelled { get; init; }

    // Email
    public required string ConfirmedSubjectFormat { get; init; }
    public required string WaitlistedSubjectFormat { get; init; }
    public required string GreetingFormat { get; init; }
    public required string ConfirmedBody { get; init; }
    /// <summary>A confirmation after a promotion from the waitlist.</summary>
    public required string PromotedSubjectFormat { get; init; }
    public required string PromotedBody { get; init; }
    public required string WaitlistedBody { get; init; }
    public required string CalendarAttached { get; init; }
    public required string EmailFooter { get; init; }
    /// <summary>The footer of an email about a cancelled event: only deleting the data is still possible.</summary>
    public required string EmailFooterCancelled { get; init; }
    public required string DeleteDataLink { get; init; }

    // Cancellation and data removal
    public required string CancelHeading { get; init; }
    public required string CancelExplain { get; init; }
    public required string CancelButton { get; init; }
    public required string CancelledHeading { get; init; }
    public required string CancelledBody { get; init; }
    public required string ManageLinkInvalid { get; init; }

    // Forms that cannot be read
    public required string FormEncodingInvalid { get; init; }
    public required string FormGoBack { get; init; }

    // Keeping participants informed: change and cancellation notices, reminders, the manage page, resend
    public required string ChangeSubjectFormat { get; init; }
    public required string ChangeBody { get; init; }
    public required string Was { get; init; }
    public required string Now { get; init; }
    public required string CalendarUpdated { get; init; }
    public required string EventCancelledSubjectFormat { get; init; }
    public required string EventCancelledBody { get; init; }
    /// <summary>An organiser removed the participant's registration. Format: {0} title.</summary>
    public required string RemovedSubjectFormat { get; init; }
    public required string RemovedBody { get; init; }
    /// <summary>The footer of a removal email: the details are deleted; a reply reaches the organiser.</summary>
    public required string EmailFooterRemoved { get; init; }
    public required string CalendarCancelled { get; init; }
    /// <summary>Format: {0} title, {1} the local start.</summary>
    public required string ReminderSubjectFormat { get; init; }
    public required string ReminderBody { get; init; }
    /// <summary>Format: {0} meeting time, {1} meeting point.</summary>
    public required string ReminderMeetFormat { get; init; }
    public required string Bring { get; init; }
    public required string UpdatedDetails { get; init; }
    public required string ManageHeading { get; init; }
    public required string Status { get; init; }
    public required string StatusConfirmed { get; init; }
    public required string StatusWaitlisted { get; init; }
    public required string DownloadCalendar { get; init; }
    public required string ResendExplain { get; init; }
    public required string ResendButton { get; init; }
    /// <summary>Format: {0} the masked email address.</summary>
    public required string ResendSentFormat { get; init; }
    /// <summary>Format: {0} the local time it can be asked for again.</summary>
    public required string ResendLimitedFormat { get; init; }
    /// <summary>The manage page's status once the organiser has cancelled the event.</summary>
    public required string StatusEventCancelled { get; init; }
    public required string EventCancelledManageNote { get; init; }
    public required string DeleteDataHeading { get; init; }
    public required string DeleteDataExplain { get; init; }
    public required string DeleteDataButton { get; init; }
    public required string DataDeletedHeading { get; init; }
    public required string ResendEventCancelled { get; init; }

    // Seats that need a real person: confirming from the email
    /// <summary>The answer to every sign-up on an event that needs a confirmed email, new or not. Format: {0} masked email, {1} minutes to confirm in.</summary>
    public required string CheckEmailHeading { get; init; }
    public required string CheckEmailFormat { get; init; }
    /// <summary>Format: {0} title.</summary>
    public required string ConfirmSubjectFormat { get; init; }
    /// <summary>A held seat. Format: {0} the local time it is held until.</summary>
    public required string ConfirmHeldBodyFormat { get; init; }
    /// <summary>An unconfirmed waitlist place. Format: {0} the local time to confirm by.</summary>
    public required string ConfirmWaitBodyFormat { get; init; }
    public required string ConfirmButton { get; init; }
    /// <summary>Format: {0} the local time it is held until.</summary>
    public required string StatusHeldFormat { get; init; }
    /// <summary>An unconfirmed waitlist place's note. Format: {0} the local time to confirm by.</summary>
    public required string ConfirmWaitNoteFormat { get; init; }
    public required string ConfirmedNow { get; init; }
    public required string ConfirmedWaitNow { get; init; }
    public required string ConfirmExpired { get; init; }

    public string KindName(Events.EventKind kind) => kind switch
    {
        Events.EventKind.Salon => KindSalon,
        Events.EventKind.SiteVisit => KindSiteVisit,
        Events.EventKind.Volunteering => KindVolunteering,
        _ => KindLecture,
    };

    /// <summary>A local date and time as people read it, e.g. 2026年12月5日 星期六 14:00.</summary>
    public required Func<DateTimeOffset, string> FormatDateTime { get; init; }

    /// <summary>
    /// Which clock a time is on, after it: in English always ("Shanghai time": a visitor from abroad would read 09:30 as
    /// their own time); in Chinese only when the event is not on China's clock.
    /// </summary>
    public required Func<string, string> ZoneLabel { get; init; }

    /// <summary>An event's local date and time with its clock, e.g. Sat 5 Dec 2026, 14:00 (Shanghai time).</summary>
    public string FormatDateTimeIn(DateTimeOffset local, string zoneId) => FormatDateTime(local) + ZoneLabel(zoneId);

    public string FormatRange(DateTimeOffset localStart, DateTimeOffset localEnd, string zoneId) =>
        FormatDateTime(localStart)
        + (localStart.Date == localEnd.Date ? $"–{localEnd:HH:mm}" : $" – {FormatDateTime(localEnd)}")
        + ZoneLabel(zoneId);

    /// <summary>China's zones (one clock, UTC+8, no daylight saving).</summary>
    public static bool IsChinaTime(string zoneId) => zoneId is "Asia/Shanghai" or "Asia/Chongqing" or "Asia/Chungking" or "Asia/Harbin" or "PRC";

    /// <summary>The place an IANA zone is named after: Asia/Hong_Kong → Hong Kong.</summary>
    public static string ZoneCity(string zoneId) => (zoneId.Contains('/') ? zoneId[(zoneId.LastIndexOf('/') + 1)..] : zoneId).Replace('_', ' ');

    public static readonly UiText Chinese = new()
    {
        Code = "zh-CN",
        Culture = CultureInfo.GetCultureInfo("zh-CN"),
        OtherLanguageName = "English",
        OtherCode = "en",
        KindSalon = "沙龙",
        KindSiteVisit = "参观考察",
        KindLecture = "讲座",
        KindVolunteering = "志愿服务",
        Team = "志愿服务队",
        Activity = "服务内容",
        When = "时间",
        Venue = "地点",
        Address = "地址",
        OnlineLink = "线上观看",
        MeetingPoint = "集合地点",
        MeetingTime = "集合时间",
        HostOrganisation = "主办单位",
        Topic = "主题",
        Speaker = "主讲人",
        Organiser = "组织者",
        SignUpCloses = "报名截止",
        SeatsLeftFormat = "剩余名额 {0} / {1}",
        FullWaitlistOpen = "名额已满，可登记候补",
        SignUpHeading = "我要报名",
        Name = "姓名",
        Phone = "手机号码",
        PhoneHint = "中国大陆手机号可直接填写，其他地区请加国际区号，如 +852",
        Email = "电子邮箱",
        EmailHint = "报名确认邮件将发送到此邮箱",
        Organisation = "单位 / 组织",
        InvitedUnit = "单位（按邀请）",
        InvitationOnlyHeading = "本活动仅限受邀单位报名",
        UnitContactHeadingFormat = "{0} · 本单位报名情况",
        UnitContactSeatsFormat = "本单位名额 {0} 个；已报名 {1} 人，候补 {2} 人。",
        UnitContactExplain = "此页面仅供本单位联系人查看，请勿转发；请把下方报名链接转给同事。代同事取消后，系统会发邮件告知本人。",
        UnitContactNobody = "本单位还没有人报名。",
        UnitContactLinkInvalid = "链接无效或已过期，请向活动组织方索取新的链接。",
        UnitCancelFor = "代为取消",
        UnitCancelled = "已取消，本人会收到邮件通知。",
        UnitSignUpLinkLabel = "本单位报名链接",
        UnitInvitationSubjectFormat = "邀请：{0}",
        UnitInvitationBodyFormat = "诚邀{0}派员参加。本单位名额 {1} 个，请把下方报名链接（或附件中的二维码）转给参加的同事，由本人填写报名。",
        UnitReminderSubjectFormat = "提醒：{0} 即将截止报名",
        UnitReminderBodyFormat = "{0}尚无人报名。报名将于 {1} 截止，请把下方报名链接转给参加的同事。",
        UnitContactLinkLabel = "查看本单位报名情况（仅供联系人，请勿转发）",
        UnitEmailFooter = "此邮件由 EventFunctions 代活动组织者发给成员单位联系人；回复此邮件即联系组织者。",
        InvitationOnly = "请使用本单位联系人转发的报名链接或二维码；链接不完整或已失效时，请向本单位联系人索取。",
        UnitSeatsLeftFormat = "本单位还可报名 {0} 人",
        SecurityDeskNote = "以下信息仅用于参观场所安保登记，活动结束后删除。",
        Optional = "选填",
        Yes = "是",
        No = "否",
        ChooseOne = "请选择",
        Submit = "提交报名",
        SubmitWaitlist = "登记候补",
        FixErrors = "请修改下列标出的内容后再提交。",
        PrivacyHeading = "个人信息告知",
        PrivacyNoticeFormat = "本次报名由{0}（联系邮箱 {1}）收集您填写的信息，仅用于本次活动的报名确认、签到和必要的活动通知。"
            + "报名确认邮件通过美国的 SendGrid（Twilio）邮件服务发送，因此您的姓名和邮箱地址会传输至境外。"
            + "活动结束后，到场签到的参加者会收到一封感谢邮件和一道评分题（可不答，主办方看到的反馈不显示姓名）；志愿服务活动记录签到、签退时间，用于计算和证明志愿时长。"
            + "报名后未到场的，会以加密摘要（不含姓名和邮箱）记下一次缺席，保留 30 天；只在组织者开启“缺席记录靠后”的抽签活动中，让有缺席记录的人排在后面抽。"
            + "以上信息（含反馈留言和志愿服务记录）在活动结束后 30 天内删除，此后只保留不含个人信息的统计数字；您可随时通过确认邮件中的链接取消报名并删除您的信息。",
        Consent = "我已阅读上述告知，同意为本次活动处理我的个人信息（包括向境外邮件服务提供姓名和邮箱）。",
        NotYetOpenFormat = "报名将于 {0} 开始。",
        Closed = "报名已截止。",
        EventStarted = "活动已开始，报名已结束。",
        Full = "名额已满，本活动不设候补。",
        EventNotFound = "未找到该活动，请检查链接是否完整。",
        PendingHeading = "已提交，等待审核",
        PendingLine = "主办方审核后会发邮件告诉您结果；审核通过才算报名成功。",
        PendingSubjectFormat = "报名已收到，等待审核：{0}",
        PendingBody = "我们已收到您的报名。本活动需主办方审核，审核后会再发邮件告诉您结果；活动开始前仍未审核的，报名自动失效。",
        ApprovedSubjectFormat = "报名已通过审核：{0}",
        ApprovedWaitlistedBody = "您的报名已通过审核，但名额已满，您已登记为候补。有名额空出时，我们会按顺序发邮件通知您。",
        DeclinedSubjectFormat = "报名未通过审核：{0}",
        DeclinedBody = "很抱歉，主办方未通过您对以下活动的报名。如有疑问，请直接回复此邮件联系主办方。",
        ExpiredPendingSubjectFormat = "报名未能审核，已失效：{0}",
        ExpiredPendingBody = "活动开始前，主办方未能审核您的报名，报名已失效，您的信息已删除。如有疑问，请直接回复此邮件联系主办方。",
        StatusPending = "等待主办方审核",
        StatusDeclined = "未通过审核",
        ConfirmedHeading = "报名成功",
        WaitlistedHeading = "已登记候补",
        WaitlistPositionFormat = "您目前是候补第 {0} 位，有名额空出时我们会按顺序通知您。",
        WaitlistPlaceByEmail = "您已进入候补名单。报名人数较多，您的候补位次正在排定，稍后随确认邮件告知；有名额空出时我们会按顺序通知您。",
        EmailOnItsWayFormat = "确认邮件已发送至 {0}，请查收（如未收到，请检查垃圾邮件）。",
        AlreadyRegistered = "此邮箱已报名本活动，无需重复报名。",
        ReferenceFormat = "报名编号：{0}",
        ManageLink = "取消报名 / 删除我的信息",
        NameRequired = "请填写姓名。",
        NameInvalid = "姓名不能包含这些符号：< > { } \" \\",
        PhoneRequired = "请填写手机号码。",
        PhoneInvalid = "手机号码格式不正确，请填写 11 位手机号，其他地区请加国际区号。",
        EmailRequired = "请填写电子邮箱，确认邮件将发送到这里。",
        EmailInvalid = "电子邮箱格式不正确，例如 name@example.com。",
        EmailNonAsciiLocalPart = "邮箱 @ 前的部分须为英文字母、数字或符号（中文邮箱名无法投递），请换一个邮箱，例如 name@例子.中国 或 name@example.com。",
        OrganisationRequired = "请填写您的单位或组织。",
        AnswerRequired = "此项为必填。",
        ChoiceInvalid = "请从给出的选项中选择一项。",
        YesNoInvalid = "请选择“是”或“否”。",
        ConsentRequired = "请阅读个人信息告知并勾选同意后再提交。",
        TooLongFormat = "内容过长，最多 {0} 个字。",
        ControlCharacters = "内容包含无法识别的字符。",
        MalformedBody = "提交的内容无法解析，请检查格式。",
        FieldGivenTwiceFormat = "“{0}”提交了两次，无法确定以哪个为准：请返回，只填写一次后重新提交。",
        TooManyRequestsFormat = "您所在的网络提交得太频繁了，请 {0} 秒后再试。已填写的内容请返回上一页查看。",
        TooManyRequestsHeading = "请稍后再试",
        CheckAndSendAgain = "请检查填写的内容后再提交一次。",
        WrongContentType = "不支持此提交格式。",
        BodyTooLarge = "提交的内容过大。",
        Unavailable = "系统繁忙，请稍后再试。您的信息尚未保存。",
        OutcomeUnknown = "系统繁忙，暂时无法确认您的报名是否已保存。请稍后用相同信息再提交一次：不会重复报名，页面会告诉您结果；收到确认邮件也说明已报名成功。",
        CancelOutcomeUnknown = "系统繁忙，暂时无法确认是否已取消。请稍后再次打开邮件中的链接查看。",
        EventCancelled = "本活动已取消，报名已关闭。",
        ConfirmedSubjectFormat = "报名成功：{0}",
        WaitlistedSubjectFormat = "候补登记：{0}",
        GreetingFormat = "{0}，您好：",
        ConfirmedBody = "您已成功报名以下活动，请准时参加。签到时出示本邮件即可。",
        PromotedSubjectFormat = "候补转正：{0}",
        PromotedBody = "好消息：有名额空出，您已从候补转为正式报名，请准时参加。签到时出示本邮件即可。",
        WaitlistedBody = "本活动名额已满，您已登记为候补。有名额空出时，我们会按顺序发邮件通知您。",
        CalendarAttached = "附件中的日历文件可添加到手机日历。",
        EmailFooter = "此邮件由 EventFunctions 代活动组织者发送。如需取消报名或删除您的信息，请使用下方链接。",
        EmailFooterCancelled = "此邮件由 EventFunctions 代活动组织者发送。活动已取消；如需提前删除您的报名信息，请使用下方链接。",
        DeleteDataLink = "删除我的报名信息",
        CancelHeading = "取消报名",
        CancelExplain = "取消后，您的报名记录和个人信息将被删除，名额将让给其他人。此操作无法撤销。",
        CancelButton = "确认取消并删除我的信息",
        CancelledHeading = "已取消报名",
        CancelledBody = "您的报名和个人信息已删除。",
        ManageLinkInvalid = "链接无效，或报名已取消、未在规定时间内确认。",
        FormEncodingInvalid = "提交内容的文字编码无法识别，信息尚未保存。",
        FormGoBack = "请返回上一页，检查填写的内容后重新提交。",
        ChangeSubjectFormat = "活动变更：{0}",
        ChangeBody = "您报名的活动有以下变更，请以新的信息为准。",
        Was = "原为",
        Now = "现为",
        CalendarUpdated = "附件中的日历文件会更新您日历中的这一活动（不会重复添加）。",
        EventCancelledSubjectFormat = "活动取消：{0}",
        EventCancelledBody = "很抱歉，以下活动已取消，您的报名随之取消，无需任何操作。",
        RemovedSubjectFormat = "您的报名已被主办方取消：{0}",
        RemovedBody = "主办方已将您从以下活动的报名名单中移除，您的名额已释放。如有疑问，请直接回复此邮件联系主办方。",
        EmailFooterRemoved = "此邮件由 EventFunctions 代活动组织者发送。您在本活动的报名信息已删除。",
        CalendarCancelled = "附件中的日历文件会从您的日历中移除这一活动。",
        ReminderSubjectFormat = "活动提醒：{0}（{1}）",
        ReminderBody = "提醒您，您报名的活动即将开始：",
        ReminderMeetFormat = "请于 {0} 到{1}集合。",
        Bring = "请携带",
        UpdatedDetails = "最新活动信息",
        ManageHeading = "我的报名",
        Status = "状态",
        StatusConfirmed = "已确认",
        StatusWaitlisted = "候补中",
        DownloadCalendar = "下载日历文件（.ics）",
        ResendExplain = "没有收到确认邮件？请先检查垃圾邮件，也可以重新发送。",
        ResendButton = "重新发送确认邮件",
        ResendSentFormat = "确认邮件已重新发送至 {0}，请查收。",
        ResendLimitedFormat = "确认邮件刚刚发送过，请先检查垃圾邮件；如仍未收到，请于 {0} 后再试。",
        StatusEventCancelled = "本活动已取消",
        EventCancelledManageNote = "很抱歉，主办方已取消本活动，您的报名随之取消，无需任何操作。",
        DeleteDataHeading = "删除我的报名信息",
        DeleteDataExplain = "如希望现在就删除您的报名记录和个人信息，请点击下方按钮。此操作无法撤销。",
        DeleteDataButton = "删除我的报名信息",
        DataDeletedHeading = "已删除您的报名信息",
        ResendEventCancelled = "本活动已取消，不再发送确认邮件。",
        CheckEmailHeading = "请查收邮件",
        CheckEmailFormat = "我们已向 {0} 发送邮件。请在 {1} 分钟内点击邮件中的“确认报名”按钮，报名才算完成；逾期未确认，名额将按顺序让给下一位。如已报名过，邮件里是您原来的报名信息。没收到？请查看垃圾邮件箱。",
        ConfirmSubjectFormat = "请确认报名：{0}",
        ConfirmHeldBodyFormat = "我们为您保留了一个名额，保留到 {0}。请点击下方按钮确认报名；逾期未确认，名额将让给下一位。",
        ConfirmWaitBodyFormat = "本活动名额已满。请在 {0} 前点击下方按钮确认，您才会保留在候补名单上；有名额空出时，我们按顺序发邮件通知您。",
        ConfirmButton = "确认报名",
        StatusHeldFormat = "名额保留至 {0}，请确认报名",
        ConfirmWaitNoteFormat = "请在 {0} 前确认，否则候补位置将取消。",
        ConfirmedNow = "报名已确认，电子票已发到您的邮箱。",
        ConfirmedWaitNow = "已确认，您在候补名单上。有名额空出时，我们按顺序发邮件通知您。",
        ConfirmExpired = "确认时间已过，名额已让给下一位。如仍想参加，请重新报名。",
        FormatDateTime = d => d.ToString("yyyy年M月d日 dddd HH:mm", CultureInfo.GetCultureInfo("zh-CN")),
        ZoneLabel = zone => IsChinaTime(zone) ? "" : $"（当地时间，{zone}）",
    };

    public static readonly UiText English = new()
    {
        Code = "en",
        Culture = CultureInfo.GetCultureInfo("en-GB"),
        OtherLanguageName = "中文",
        OtherCode = "zh-CN",
        KindSalon = "Salon",
        KindSiteVisit = "Site visit",
        KindLecture = "Lecture",
        KindVolunteering = "Volunteering",
        Team = "Volunteer team",
        Activity = "Service",
        When = "When",
        Venue = "Venue",
        Address = "Address",
        OnlineLink = "Watch online",
        MeetingPoint = "Meeting point",
        MeetingTime = "Meet at",
        HostOrganisation = "Host",
        Topic = "Topic",
        Speaker = "Speaker",
        Organiser = "Organiser",
        SignUpCloses = "Sign-up closes",
        SeatsLeftFormat = "{0} of {1} seats left",
        FullWaitlistOpen = "Full: you can join the waitlist",
        SignUpHeading = "Sign up",
        Name = "Name",
        Phone = "Mobile phone",
        PhoneHint = "Mainland China numbers as they are; others with the country code, e.g. +852",
        Email = "Email",
        EmailHint = "Your confirmation goes to this address",
        Organisation = "Organisation or unit",
        InvitedUnit = "Unit (by invitation)",
        InvitationOnlyHeading = "This event is by invitation only",
        UnitContactHeadingFormat = "{0} · who from your unit signed up",
        UnitContactSeatsFormat = "Your unit has {0} seats of its own; {1} signed up, {2} waiting.",
        UnitContactExplain = "This page is for your unit's contact only: do not forward it; pass the sign-up link below to colleagues. When you cancel for someone, they are told by email.",
        UnitContactNobody = "Nobody from your unit has signed up yet.",
        UnitContactLinkInvalid = "This link is not valid or has expired: ask the organiser for a new one.",
        UnitCancelFor = "Cancel for them",
        UnitCancelled = "Cancelled; they are told by email.",
        UnitSignUpLinkLabel = "Your unit's sign-up link",
        UnitInvitationSubjectFormat = "Invitation: {0}",
        UnitInvitationBodyFormat = "{0} is invited to send people. Your unit has {1} seats: pass the sign-up link below (or the QR code attached) to the colleagues who will come; each signs up themselves.",
        UnitReminderSubjectFormat = "Reminder: sign-up for {0} closes soon",
        UnitReminderBodyFormat = "Nobody from {0} has signed up yet. Sign-up closes {1}: pass the link below to the colleagues who will come.",
        UnitContactLinkLabel = "See who from your unit signed up (for you only: do not forward)",
        UnitEmailFooter = "Sent by EventFunctions for the organiser to the member unit's contact; a reply reaches the organiser.",
        InvitationOnly = "Please use the sign-up link or QR code your unit's contact passed on; if it is incomplete or no longer works, ask them for it.",
        UnitSeatsLeftFormat = "{0} more can sign up from your unit",
        SecurityDeskNote = "The site's security desk needs the details below; they are deleted after the event.",
        Optional = "optional",
        Yes = "Yes",
        No = "No",
        ChooseOne = "Choose one",
        Submit = "Sign up",
        SubmitWaitlist = "Join the waitlist",
        FixErrors = "Please correct the fields marked below and send again.",
        PrivacyHeading = "How your information is used",
        PrivacyNoticeFormat = "{0} (contact: {1}) collects what you enter here only to confirm your place, check you in and tell you about changes to this event. "
            + "Confirmation emails are sent through SendGrid (Twilio) in the United States, so your name and email address leave China. "
            + "After the event, people who were checked in get a thank-you email with one rating question (answering is optional; the organiser sees feedback without names); volunteering shifts record check-in and check-out times to count and certify volunteer hours. "
            + "If you have a seat and do not come, a no-show is kept for 30 days under a keyed hash (no name, no address); it is used only in lottery draws whose organiser chose \"no-shows last\", where it places you after people without one. "
            + "All of it, feedback comments and volunteer records included, is deleted within 30 days after the event, leaving only counts that name nobody; you can cancel and delete it at any time with the link in your confirmation email.",
        Consent = "I have read the notice above and agree to my personal information being processed for this event, including sending my name and email to the email service abroad.",
        NotYetOpenFormat = "Sign-up opens {0}.",
        Closed = "Sign-up has closed.",
        EventStarted = "The event has started; sign-up is over.",
        Full = "This event is full and has no waitlist.",
        EventNotFound = "We could not find this event. Please check the link is complete.",
        PendingHeading = "Sent: waiting for approval",
        PendingLine = "The organiser reviews each sign-up and emails you the outcome; you are signed up once approved.",
        PendingSubjectFormat = "Sign-up received, waiting for approval: {0}",
        PendingBody = "We have your sign-up. The organiser approves each one for this event and will email you the outcome; a sign-up not decided on before the event starts lapses.",
        ApprovedSubjectFormat = "Sign-up approved: {0}",
        ApprovedWaitlistedBody = "Your sign-up is approved, but the seats are taken: you are on the waitlist. When a seat frees up we email the next person in order.",
        DeclinedSubjectFormat = "Sign-up not approved: {0}",
        DeclinedBody = "Sorry: the organiser did not approve your sign-up for the event below. To ask why, reply to this email.",
        ExpiredPendingSubjectFormat = "Sign-up lapsed without a decision: {0}",
        ExpiredPendingBody = "The organiser did not decide on your sign-up before the event started, so it lapsed and your details are deleted. To ask why, reply to this email.",
        StatusPending = "Waiting for the organiser's approval",
        StatusDeclined = "Not approved",
        ConfirmedHeading = "You're signed up",
        WaitlistedHeading = "You're on the waitlist",
        WaitlistPositionFormat = "You are number {0} on the waitlist. We'll email you in turn if a seat frees up.",
        WaitlistPlaceByEmail = "You are on the waitlist. Many people are signing up, so your place in line is being set and comes with your confirmation email in a moment. We'll email you in turn if a seat frees up.",
        EmailOnItsWayFormat = "A confirmation is on its way to {0} (check your spam folder if it does not arrive).",
        AlreadyRegistered = "This email address is already signed up for this event; there is no need to sign up again.",
        ReferenceFormat = "Reference: {0}",
        ManageLink = "Cancel / delete my information",
        NameRequired = "Please enter your name.",
        NameInvalid = "A name cannot contain any of these symbols: < > { } \" \\",
        PhoneRequired = "Please enter your mobile number.",
        PhoneInvalid = "This is not a valid mobile number. Use 11 digits for mainland China, or add the country code.",
        EmailRequired = "Please enter your email: your confirmation goes there.",
        EmailInvalid = "This is not a valid email address, e.g. name@example.com.",
        EmailNonAsciiLocalPart = "The part before the @ must be in Latin letters, digits or symbols (mail to other scripts there cannot be delivered): use another address, e.g. name@example.com.",
        OrganisationRequired = "Please enter your organisation or unit.",
        AnswerRequired = "This question needs an answer.",
        ChoiceInvalid = "Please choose one of the options given.",
        YesNoInvalid = "Please choose Yes or No.",
        ConsentRequired = "Please read the notice and tick the box to agree before sending.",
        TooLongFormat = "Too long: at most {0} characters.",
        ControlCharacters = "This contains characters we cannot read.",
        MalformedBody = "We could not read what was sent; please check its format.",
        FieldGivenTwiceFormat = "“{0}” was sent twice, so we cannot tell which one you meant: go back and send it once.",
        TooManyRequestsFormat = "Too many requests from your network. Please try again in {0} seconds; go back to find what you filled in.",
        TooManyRequestsHeading = "Please try again shortly",
        CheckAndSendAgain = "Please check what you filled in and send it again.",
        WrongContentType = "This kind of submission is not supported.",
        BodyTooLarge = "What was sent is too large.",
        Unavailable = "The system is busy; please try again shortly. Nothing has been saved yet.",
        OutcomeUnknown = "The system is busy and could not confirm whether your sign-up was saved. Please send the same details again shortly: you will not be registered twice, and the page will tell you the result. A confirmation email also means you are registered.",
        CancelOutcomeUnknown = "The system is busy and could not confirm whether your cancellation went through. Please open the link in your email again shortly to check.",
        EventCancelled = "This event has been cancelled; sign-up is closed.",
        ConfirmedSubjectFormat = "You're signed up: {0}",
        WaitlistedSubjectFormat = "On the waitlist: {0}",
        GreetingFormat = "Dear {0},",
        ConfirmedBody = "You are signed up for the event below. Show this email when you check in.",
        PromotedSubjectFormat = "A seat for you: {0}",
        PromotedBody = "Good news: a seat opened up and you are now signed up for the event below (you were on the waitlist). Show this email when you check in.",
        WaitlistedBody = "This event is full and you are on the waitlist. We'll email you in turn if a seat frees up.",
        CalendarAttached = "The attached calendar file adds the event to your phone's calendar.",
        EmailFooter = "Sent by EventFunctions for the event's organiser. To cancel or delete your information, use the link below.",
        EmailFooterCancelled = "Sent by EventFunctions for the event's organiser. The event is cancelled; to delete your registration data now, use the link below.",
        DeleteDataLink = "Delete my registration data",
        CancelHeading = "Cancel your sign-up",
        CancelExplain = "Cancelling deletes your sign-up and your personal information and gives your seat to someone else. This cannot be undone.",
        CancelButton = "Cancel and delete my information",
        CancelledHeading = "Sign-up cancelled",
        CancelledBody = "Your sign-up and your personal information have been deleted.",
        ManageLinkInvalid = "This link is not valid, or the sign-up was cancelled or not confirmed in time.",
        FormEncodingInvalid = "What was sent could not be read as text; nothing was saved.",
        FormGoBack = "Please go back, check what you typed and send it again.",
        ChangeSubjectFormat = "Change to: {0}",
        ChangeBody = "The event you signed up for has changed. Please go by the new details below.",
        Was = "Was",
        Now = "Now",
        CalendarUpdated = "The attached calendar file updates the entry in your calendar (it does not add a second one).",
        EventCancelledSubjectFormat = "Cancelled: {0}",
        EventCancelledBody = "We are sorry: the event below has been cancelled. Your sign-up lapses with it; there is nothing you need to do.",
        RemovedSubjectFormat = "Your sign-up was cancelled by the organiser: {0}",
        RemovedBody = "The organiser has removed you from the list for the event below, and your place has been released. If you have questions, reply to this email to reach the organiser.",
        EmailFooterRemoved = "Sent by EventFunctions for the event's organiser. Your registration details for this event have been deleted.",
        CalendarCancelled = "The attached calendar file removes the event from your calendar.",
        ReminderSubjectFormat = "Reminder: {0} ({1})",
        ReminderBody = "A reminder: the event you signed up for is coming up.",
        ReminderMeetFormat = "Please be at {1} by {0}.",
        Bring = "Please bring",
        UpdatedDetails = "The event now",
        ManageHeading = "Your sign-up",
        Status = "Status",
        StatusConfirmed = "Confirmed",
        StatusWaitlisted = "On the waitlist",
        DownloadCalendar = "Download the calendar file (.ics)",
        ResendExplain = "No confirmation email? Please check your spam folder first; you can also have it sent again.",
        ResendButton = "Send my confirmation again",
        ResendSentFormat = "Your confirmation has been sent again to {0}.",
        ResendLimitedFormat = "Your confirmation was sent very recently. Please check your spam folder; if it is not there, try again after {0}.",
        StatusEventCancelled = "This event has been cancelled",
        EventCancelledManageNote = "We are sorry: the organiser has cancelled this event. Your sign-up lapses with it; there is nothing you need to do.",
        DeleteDataHeading = "Delete my registration data",
        DeleteDataExplain = "If you want your sign-up record and your personal information deleted now, use the button below. This cannot be undone.",
        DeleteDataButton = "Delete my registration data",
        DataDeletedHeading = "Your registration data has been deleted",
        ResendEventCancelled = "This event has been cancelled, so no confirmation is sent any more.",
        CheckEmailHeading = "Check your email",
        CheckEmailFormat = "We've sent an email to {0}. Tap \"Confirm\" in it within {1} minutes to finish signing up; if you don't, the place goes to the next person in turn. If you had signed up already, the email has your existing registration. Nothing there? Look in your spam folder.",
        ConfirmSubjectFormat = "Please confirm your sign-up: {0}",
        ConfirmHeldBodyFormat = "We're holding a seat for you until {0}. Tap the button below to confirm; if you don't by then, the seat goes to the next person.",
        ConfirmWaitBodyFormat = "This event is full. Tap the button below by {0} to stay on the waitlist; we'll email you in turn if a seat frees up.",
        ConfirmButton = "Confirm my sign-up",
        StatusHeldFormat = "Seat held until {0}: please confirm",
        ConfirmWaitNoteFormat = "Please confirm by {0}, or your place on the waitlist lapses.",
        ConfirmedNow = "Your sign-up is confirmed; your ticket is on its way to your inbox.",
        ConfirmedWaitNow = "Confirmed: you're on the waitlist. We'll email you in turn if a seat frees up.",
        ConfirmExpired = "The time to confirm has passed and the place went to the next person. If you still want to come, please sign up again.",
        FormatDateTime = d => d.ToString("ddd d MMM yyyy, HH:mm", CultureInfo.GetCultureInfo("en-GB")),
        ZoneLabel = zone => $" ({(IsChinaTime(zone) ? "Shanghai" : ZoneCity(zone))} time)",
    };

    /// <summary>Picks the language: an explicit choice (?lang= or the form's field) first, then Accept-Language; Chinese by default.</summary>
    public static UiText Pick(string? explicitChoice, string? acceptLanguage)
    {
        if (!string.IsNullOrWhiteSpace(explicitChoice))
        {
            return explicitChoice.Trim().StartsWith("en", StringComparison.OrdinalIgnoreCase) ? English : Chinese;
        }

        if (string.IsNullOrWhiteSpace(acceptLanguage))
        {
            return Chinese;
        }

        // The first language the browser names that we speak wins (q-values are in order in practice).
        foreach (var part in acceptLanguage.Split(','))
        {
            var tag = part.Split(';')[0].Trim();
            if (tag.StartsWith("zh", StringComparison.OrdinalIgnoreCase)) return Chinese;
            if (tag.StartsWith("en", StringComparison.OrdinalIgnoreCase)) return English;
        }

        return Chinese;
    }

    public static UiText ForCode(string? code) => Pick(code ?? "zh-CN", null);
}
