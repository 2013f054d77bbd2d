using EventFunctions.Shared.Text;

namespace EventFunctions.Shared.Attendance;

/// <summary>
/// The texts of tickets, the door pages and the exports, in Chinese and English: a typed pair like
/// <see cref="UiText"/> (a missing translation is a compile error), kept beside the code that uses them.
/// </summary>
public sealed record DoorText
{
    public required string Code { get; init; }

    // Tickets (participants)
    public required string TicketHeading { get; init; }
    public required string TicketExplain { get; init; }
    public required string TicketCodeLabel { get; init; }
    public required string TicketQrAlt { get; init; }
    /// <summary>Format: {0} the event's title.</summary>
    public required string TicketPageFormat { get; init; }
    public required string TicketPageExplain { get; init; }
    public required string TicketUnknown { get; init; }

    // Door page
    public required string DoorHeading { get; init; }
    public required string CheckedInCount { get; init; }
    public required string WalkInsCount { get; init; }
    public required string CodeBoxLabel { get; init; }
    public required string SearchLabel { get; init; }
    public required string SearchHint { get; init; }
    public required string SearchButton { get; init; }
    public required string NoMatches { get; init; }
    public required string CheckInButton { get; init; }
    public required string UndoButton { get; init; }
    public required string RecentHeading { get; init; }
    public required string NoneYet { get; init; }
    public required string WalkInHeading { get; init; }
    public required string WalkInName { get; init; }
    public required string WalkInUnit { get; init; }
    public required string WalkInButton { get; init; }
    public required string WalkInNameRequired { get; init; }
    public required string Refresh { get; init; }
    public required string BackToDoor { get; init; }

    // Statuses and outcomes
    public required string StatusConfirmed { get; init; }
    public required string StatusWaitlisted { get; init; }
    public required string StatusNotApproved { get; init; }
    public required string StatusWalkIn { get; init; }
    /// <summary>Format: {0} the name, {1} the local time (HH:mm).</summary>
    public required string CheckedInFormat { get; init; }
    /// <summary>Format: {0} the local time (HH:mm).</summary>
    public required string AlreadyCheckedInFormat { get; init; }
    /// <summary>Format: {0} the name.</summary>
    public required string UndoneFormat { get; init; }
    /// <summary>Format: {0} the name.</summary>
    public required string WalkInAddedFormat { get; init; }
    public required string NotCheckedIn { get; init; }
    public required string RefusedWaitlisted { get; init; }
    public required string RefusedNotApproved { get; init; }
    // Volunteering shifts: check-out
    public required string CheckOutButton { get; init; }
    /// <summary>{0} the name, {1} the time, {2} the hours.</summary>
    public required string CheckedOutFormat { get; init; }
    /// <summary>{0} the time.</summary>
    public required string AlreadyCheckedOutFormat { get; init; }
    public required string CheckOutBeforeCheckIn { get; init; }
    public required string RefusedNotFound { get; init; }
    public required string RefusedEventCancelled { get; init; }
    /// <summary>Format: {0} the other event's title.</summary>
    public required string RefusedOtherEventFormat { get; init; }
    public required string Busy { get; init; }
    public required string OutcomeUnknown { get; init; }
    public required string FormExpired { get; init; }

    // Reports and exports
    public required string UnitNotGiven { get; init; }

    public string Status(string status) => status switch
    {
        Registrations.RegistrationStatus.Confirmed or Registrations.RegistrationStatus.Held => StatusConfirmed,
        Registrations.RegistrationStatus.Waitlisted or Registrations.RegistrationStatus.Queued => StatusWaitlisted, // queued: numbered within moments
        Registrations.RegistrationStatus.Pending or Registrations.RegistrationStatus.Declined => StatusNotApproved,
        _ => StatusWalkIn,
    };

    public static readonly DoorText Chinese = new()
    {
        Code = "zh-CN",
        TicketHeading = "入场凭证",
        TicketExplain = "入场时请出示此二维码，或报出上方签到码。",
        TicketCodeLabel = "签到码",
        TicketQrAlt = "入场二维码",
        TicketPageFormat = "“{0}”的入场二维码",
        TicketPageExplain = "请在活动现场出示给工作人员，由工作人员用本活动的签到链接扫码核验。此页面本身不能证明报名有效。",
        TicketUnknown = "找不到这张入场凭证。",
        DoorHeading = "现场签到",
        CheckedInCount = "已签到 / 报名",
        WalkInsCount = "现场登记",
        CodeBoxLabel = "签到码",
        SearchLabel = "查找参加者",
        SearchHint = "姓名（至少两个字）、手机号后四位或签到码",
        SearchButton = "查找",
        NoMatches = "没有找到匹配的报名。",
        CheckInButton = "签到",
        UndoButton = "撤销",
        RecentHeading = "最近签到",
        NoneYet = "还没有人签到。",
        WalkInHeading = "现场登记（未报名）",
        WalkInName = "姓名",
        WalkInUnit = "单位（选填）",
        WalkInButton = "登记并签到",
        WalkInNameRequired = "请填写姓名。",
        Refresh = "刷新",
        BackToDoor = "回到签到页面",
        StatusConfirmed = "已确认",
        StatusWaitlisted = "候补",
        StatusNotApproved = "未获批准",
        StatusWalkIn = "现场登记",
        CheckedInFormat = "{0} 签到成功 {1}",
        AlreadyCheckedInFormat = "已签到 {0}",
        UndoneFormat = "已撤销 {0} 的签到",
        WalkInAddedFormat = "已登记并签到：{0}",
        NotCheckedIn = "此人尚未签到，无需撤销。",
        RefusedWaitlisted = "此人仍在候补名单中，没有确认名额，不能签到。",
        RefusedNotApproved = "此人的报名未经主办方批准，没有名额，不能签到。",
        CheckOutButton = "签退",
        CheckedOutFormat = "{0} 签退成功 {1}，本次 {2} 小时",
        AlreadyCheckedOutFormat = "已签退 {0}",
        CheckOutBeforeCheckIn = "此人尚未签到，请先签到再签退。",
        RefusedNotFound = "找不到此报名：签到码有误，或报名已取消。",
        RefusedEventCancelled = "活动已取消，不能签到。",
        RefusedOtherEventFormat = "这是另一场活动（{0}）的入场凭证，不能在本场签到。",
        Busy = "系统繁忙，未能保存，请再试一次。",
        OutcomeUnknown = "无法确认是否已保存，请刷新页面查看。",
        FormExpired = "页面已过期，请回到签到页面再操作。",
        UnitNotGiven = "未填写",
    };

    public static readonly DoorText English = new()
    {
        Code = "en",
        TicketHeading = "Your ticket",
        TicketExplain = "Show this QR code at the door, or give the check-in code above.",
        TicketCodeLabel = "Check-in code",
        TicketQrAlt = "Ticket QR code",
        TicketPageFormat = "The entry QR code for “{0}”",
        TicketPageExplain = "Show it to the staff at the door, who check it with this event's check-in link. This page by itself does not prove a registration.",
        TicketUnknown = "This ticket could not be found.",
        DoorHeading = "Door check-in",
        CheckedInCount = "Checked in / confirmed",
        WalkInsCount = "Walk-ins",
        CodeBoxLabel = "Check-in code",
        SearchLabel = "Find a participant",
        SearchHint = "Name (two characters or more), last four digits of the phone, or check-in code",
        SearchButton = "Search",
        NoMatches = "No matching registration.",
        CheckInButton = "Check in",
        UndoButton = "Undo",
        RecentHeading = "Recent check-ins",
        NoneYet = "Nobody has checked in yet.",
        WalkInHeading = "Add a walk-in (not registered)",
        WalkInName = "Name",
        WalkInUnit = "Unit (optional)",
        WalkInButton = "Add and check in",
        WalkInNameRequired = "Enter a name.",
        Refresh = "Refresh",
        BackToDoor = "Back to the check-in page",
        StatusConfirmed = "Confirmed",
        StatusWaitlisted = "Waitlisted",
        StatusNotApproved = "Not approved",
        StatusWalkIn = "Walk-in",
        CheckedInFormat = "{0} checked in at {1}",
        AlreadyCheckedInFormat = "Checked in at {0}",
        UndoneFormat = "Check-in of {0} undone",
        WalkInAddedFormat = "Walk-in added and checked in: {0}",
        NotCheckedIn = "Not checked in: nothing to undo.",
        RefusedWaitlisted = "Still on the waitlist, without a confirmed seat: cannot check in.",
        RefusedNotApproved = "Their sign-up has not been approved by the organiser: no seat, cannot check in.",
        CheckOutButton = "Check out",
        CheckedOutFormat = "{0} checked out at {1}: {2} hours",
        AlreadyCheckedOutFormat = "Checked out at {0}",
        CheckOutBeforeCheckIn = "Not checked in yet: check them in first, then out.",
        RefusedNotFound = "No such registration: the code is wrong, or the registration was cancelled.",
        RefusedEventCancelled = "The event is cancelled: no check-in.",
        RefusedOtherEventFormat = "This ticket is for another event ({0}); it cannot be checked in here.",
        Busy = "Busy: not saved. Please try again.",
        OutcomeUnknown = "Could not tell whether it was saved; refresh the page to see.",
        FormExpired = "This page has expired; go back to the check-in page and try again.",
        UnitNotGiven = "Not given",
    };

    /// <summary>The 403 page for a wrong, expired or other event's door link: both languages at once (no language is known yet).</summary>
    public const string LinkInvalidHeading = "签到链接无效或已过期 / This check-in link is not valid";

    public static readonly IReadOnlyList<string> LinkInvalidLines =
    [
        "此链接不能用于本场活动的签到：链接不完整、已过期（活动结束 12 小时后失效）、已被组织者停用，或属于另一场活动。请向活动组织者索取本场活动的新签到链接。",
        "This link cannot check people in to this event: it is incomplete, has expired (12 hours after the event ends), was revoked by the organiser, or is for another event. Ask the organiser for a new check-in link for this event.",
    ];

    public static DoorText For(UiText text) => text.Code == "en" ? English : Chinese;
}
