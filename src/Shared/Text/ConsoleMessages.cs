namespace EventFunctions.Shared.Text;

/// <summary>
/// What the console says in sentences: page messages, the line shown after a change, refusals, and the actions the change
/// history records, each one member holding both languages (shown together, Chinese first: the console is bilingual on one
/// page). Labels are in <see cref="ConsoleText"/>.
/// </summary>
public static class ConsoleMessages
{
    public static readonly Bilingual EventNotFound = new("找不到活动", "Event not found");
    public static readonly Bilingual EventNotFoundExplain = new("此活动不存在。", "No event has this id.");
    public static readonly Bilingual Publish = new("发布活动", "Publish");
    public static readonly Bilingual Save = new("保存修改", "Save");
    public static readonly Bilingual FlashCreated = new("活动已发布", "The event is published.");
    public static readonly Bilingual FlashUpdated = new("已保存", "Saved.");
    public static readonly Bilingual FlashCapacity = new("名额已修改", "Seats changed.");
    public static readonly Bilingual FlashClosed = new("报名已截止", "Sign-up is closed.");
    public static readonly Bilingual FlashDoorRevoked = new("旧签到链接已停用，请把下方新链接发给签到志愿者", "The old door links no longer work: give door staff the new one below.");
    public static readonly Bilingual FlashCancelled = new("活动已取消", "The event is cancelled.");
    public static readonly Bilingual FlashRemoved = new("已移除该报名", "The registration is removed.");
    public static readonly Bilingual FlashRemovedNotified = new("已移除该报名，并已发邮件通知本人", "The registration is removed; they are told by email.");
    public static readonly Bilingual FlashResent = new("确认邮件将重新发送", "The confirmation will be sent again.");
    public static readonly Bilingual FlashCheckedIn = new("已签到", "Checked in.");
    public static readonly Bilingual FlashUndone = new("已撤销签到", "Check-in taken back.");
    public static readonly Bilingual SeatsWholeNumber = new("名额须为正整数", "Seats must be a whole number.");
    public static readonly Bilingual TickSureToCancel = new("请勾选“确认取消”再取消活动", "Tick “I am sure” to cancel the event.");
    public static readonly Bilingual CannotRemoveYourself = new("不能移除自己", "You cannot remove yourself.");
    public static readonly Bilingual NoSuchRegistration = new("找不到此报名（可能已取消）", "No such registration (it may have been cancelled).");
    public static readonly Bilingual TickSureToRemove = new("请勾选确认再移除", "Tick “sure” to remove.");
    public static readonly Bilingual JustResent = new("刚刚已重发，请稍候", "Just resent; it is on its way.");
    public static readonly Bilingual NoSuchPerson = new("找不到此人", "No such person.");
    public static readonly Bilingual NotCheckedIn = new("此人尚未签到", "Not checked in");
    public static readonly Bilingual Busy = new("存储繁忙或不可用，什么都没有改动：请稍后再试。", "Storage is busy or unavailable; nothing was changed. Try again in a few seconds.");
    public static readonly Bilingual Unknown = new("存储没有确认这次修改是否完成：请刷新页面查看，再决定是否重试。", "Storage did not confirm whether the change was made: reload to see, then try again if needed.");
    public static readonly Bilingual RequestRefused = new("请求被拒绝", "Request refused");
    public static readonly Bilingual PleaseSignIn = new("请先登录", "Please sign in");
    public static readonly Bilingual PleaseSignInExplain = new("登录后才能使用管理后台。", "Sign in to use the console.");
    public static readonly Bilingual SignIn = new("登录", "Sign in");
    public static readonly Bilingual NotAnOrganiser = new("没有权限", "Not an organiser");
    public static readonly Bilingual NotAnOrganiserExplain = new("您已登录，但还不是组织者：请街道管理员添加您的邮箱和单位。", "You are signed in but not an organiser: ask the street office to add your email and unit.");
    public static readonly Bilingual PageExpired = new("页面已过期", "This page has expired");
    public static readonly Bilingual PageExpiredExplain = new("请返回、刷新页面后再试一次。", "Go back, reload the page and try again.");
    public static readonly Bilingual Back = new("返回", "Back");
    public static readonly Bilingual AllEvents = new("全部活动", "All events");
    public static readonly Bilingual NotYourUnit = new("没有权限", "Not your unit's event");
    public static readonly Bilingual NotYourUnitExplain = new("此活动属于其他单位，您不能查看或修改。", "This event belongs to another unit.");
    public static readonly Bilingual AdminsOnly = new("仅限管理员", "Admins only");
    public static readonly Bilingual AdminsOnlyExplain = new("只有街道管理员可以使用此页面。", "Only the street office's admins use this page.");
    public static readonly Bilingual WrongDates = new("日期有误", "Wrong dates");
    public static readonly Bilingual Reports = new("报表", "Reports");
    public static readonly Bilingual StartDateFormat = new("开始日期格式应为 2026-12-01", "The start date must look like 2026-12-01.");
    public static readonly Bilingual EndDateFormat = new("结束日期格式应为 2026-12-31", "The end date must look like 2026-12-31.");
    public static readonly Bilingual EndBeforeStart = new("结束日期不能早于开始日期", "The end date is before the start date.");
    public static readonly Bilingual AtMostTenYears = new("日期范围最长十年", "At most ten years at a time.");
    public static readonly Bilingual NoDevelopmentSignIn = new("没有开发环境登录", "No development sign-in");
    public static readonly Bilingual EnterValidEmail = new("请输入有效的邮箱", "Enter a valid email address.");
    public static readonly Bilingual NotAdminOrOrganiser = new("此邮箱不是管理员或组织者：请管理员先添加。", "This email is not an admin or organiser: ask an admin to add it.");
    public static readonly Bilingual NothingReplayed = new("没有可重放的消息：它已被重放或已不在失败队列中。", "Nothing replayed: the message was replayed already or is no longer there.");
    /// <summary>A change its route did not name (the console policy records it by method and path).</summary>
    public static readonly Bilingual AuditChange = new("操作", "Change");
    public static readonly Bilingual AuditCreated = new("创建", "Created");
    public static readonly Bilingual AuditEdited = new("编辑", "Edited");
    public static readonly Bilingual AuditSeats = new("修改名额", "Seats");
    public static readonly Bilingual AuditClosed = new("截止报名", "Closed sign-up");
    public static readonly Bilingual AuditRevokedDoor = new("停用签到链接", "Revoked door links");
    public static readonly Bilingual AuditCancelled = new("取消活动", "Cancelled the event");
    public static readonly Bilingual AuditSavedOrganiser = new("添加组织者", "Saved an organiser");
    public static readonly Bilingual AuditRemovedOrganiser = new("移除组织者", "Removed an organiser");
    public static readonly Bilingual AuditRemovedAndTold = new("移除报名并通知本人", "Removed a registration and told them");
    public static readonly Bilingual AuditRemovedQuietly = new("移除报名（未通知）", "Removed a registration without telling them");
    public static readonly Bilingual AuditResent = new("重发确认", "Resent a confirmation");
    public static readonly Bilingual AuditUndidCheckIn = new("撤销签到", "Undid a check-in");
    public static readonly Bilingual AuditCheckedIn = new("签到", "Checked in");
    public static readonly Bilingual AuditExported = new("导出", "Exported");
    public static readonly Bilingual AuditExportedUnitReport = new("导出单位报表", "Exported the unit report");
    public static readonly Bilingual AuditReplayed = new("重放失败消息", "Replayed failed messages");
    public static readonly Bilingual NoDevelopmentSignInExplain = new("开发环境登录只在 Development 环境中存在。", "The development sign-in exists only in the Development environment.");

    public static readonly Bilingual DevSignInBanner = new("开发环境登录：仅供本地开发与测试，不是正式登录 ·", "Development sign-in: for local development and tests only, not a real sign-in");
    public static readonly Bilingual DoorLinkExplain = new("把此链接发给签到志愿者（无需账号，仅能为本活动签到，活动结束后失效）。", "Give this link to door staff: no account needed, check-in for this event only, expires after the event.");
    public static readonly Bilingual DoorLinkLeaked = new("链接外传了？停用至今发出的所有签到链接，再把新链接发给志愿者。", "Link passed on too far? Stop every door link made so far, then give door staff the new one.");
    public static readonly Bilingual NobodySignedUp = new("还没有人报名", "Nobody has signed up yet");
    public static readonly Bilingual NoRegistrationMatches = new("没有匹配的报名", "No registration matches");
    public static readonly Bilingual PersonalDataDeleted = new("（个人信息已按期删除，仅余匿名统计 ·", "personal data deleted, anonymous counts kept）");
    public static readonly Bilingual OrganisersExplain = new("组织者用此邮箱登录后，可查看和管理本单位的活动。再次添加同一邮箱即修改其单位或角色。", "They sign in with this email and manage their unit's events. Adding the same email again changes their unit or role.");
    public static readonly Bilingual PrintA4 = new("用浏览器打印（Ctrl+P / ⌘P）为 A4 ·", "Print with the browser (Ctrl+P) on A4 ·");
    public static readonly Bilingual ScanToSignUp = new("微信扫码报名 ·", "Scan to sign up");
    public static readonly Bilingual YouWillGetAnEmail = new("报名成功后将收到确认邮件 ·", "You will get a confirmation email");
    public static readonly Bilingual PreviewBanner = new("预览：参与者将看到的报名页（尚未保存）", "Preview: the sign-up page participants will see (not saved yet)");
    public static readonly Bilingual ShareExplain = new("发到微信群，或打印海报张贴。", "Post it in WeChat groups, or print the poster.");
    public static readonly Bilingual DevSignInNoPassword = new("开发环境登录：没有密码，仅在开发环境 (Development) 中存在 ·", "Development sign-in: no password; it exists only in the Development environment.");
    public static readonly Bilingual EnterUnit = new("请填写所属单位", "Enter the member unit.");
    public static readonly Bilingual UnitTooLong = new("单位名称最多 50 个字", "At most 50 characters.");
    public static readonly Bilingual NameTooLong = new("姓名最多 100 个字", "At most 100 characters.");
    public static readonly Bilingual ChooseRole = new("请选择角色", "Choose a role.");
    public static readonly Bilingual AdminFromConfiguration = new("此人是配置中的管理员，无需添加", "This person is an admin from configuration.");
    public static readonly Bilingual FailuresExplain = new("多次重试仍未成功的消息会进入失败队列（poison）。先排除原因（例如 SendGrid 密钥或存储故障），再重放。重放是安全的：已发送的邮件不会再发。", "A message that keeps failing ends in a poison queue. Fix the cause (a SendGrid key, a storage outage), then replay it. Replaying is safe: an email already sent is never sent again.");
    public static readonly Bilingual ReportsExplain = new("按活动当地日期统计；出席 = 签到的报名者 + 现场登记。", "By the events' local dates; attended = checked-in registrations + walk-ins.");
    public static readonly Bilingual ReportsOwnUnitOnly = new("仅含本单位的活动。", "Your unit's events only.");
    public static readonly Bilingual SignInNotSetUp = new("尚未配置登录：请在 Azure 中启用 App Service 身份验证并设置 EventFunctions__Console__PlatformAuthentication=true。", "Sign-in is not set up: enable App Service Authentication in Azure and set EventFunctions__Console__PlatformAuthentication=true.");
    public static readonly Bilingual Unavailable = new("暂时无法访问", "Unavailable");
    public static readonly Bilingual UnavailableExplain = new("存储暂时无法访问，什么都没有改动：请稍后再试。", "Storage is unavailable and nothing was changed: try again in a few seconds.");

    public static Bilingual ResendDailyCap(int max) => new($"此人的确认邮件 24 小时内已重发 {max} 次，请明天再试。", $"Their confirmation was resent {max} times in 24 hours; try again tomorrow.");

    public static Bilingual PrincipalHeaderRefused(string header) => new($"此部署不接受 {header} 请求头。", $"This deployment does not accept the {header} header.");
    public static Bilingual AlreadyCheckedIn(string at) => new($"已签到 {at} ·", "Already checked in");
    public static Bilingual Replayed(int n) => new($"已重放 {n} 条消息", $"Replayed {n} message(s).");
}
