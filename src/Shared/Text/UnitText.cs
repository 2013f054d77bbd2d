namespace EventFunctions.Shared.Text;

/// <summary>What the member-unit directory and its import say (console: both languages on one line).</summary>
public static class UnitText
{
    public static readonly Bilingual Units = new("成员单位", "Member units");
    public static readonly Bilingual AddUnit = new("添加单位", "Add a unit");
    public static readonly Bilingual EditUnit = new("编辑单位", "Edit unit");
    public static readonly Bilingual Name = new("单位名称", "Name");
    public static readonly Bilingual EnglishName = new("英文名称", "English name");
    public static readonly Bilingual Contact = new("联系人", "Contact");
    public static readonly Bilingual ContactEmail = new("联系人邮箱", "Contact email");
    public static readonly Bilingual Active = new("状态", "Active");
    public static readonly Bilingual IsActive = new("启用", "active");
    public static readonly Bilingual IsInactive = new("停用", "inactive");
    public static readonly Bilingual Deactivate = new("停用", "Deactivate");
    public static readonly Bilingual Reactivate = new("重新启用", "Reactivate");
    public static readonly Bilingual Import = new("导入 CSV", "Import CSV");
    public static readonly Bilingual Export = new("导出 CSV", "Export CSV");
    public static readonly Bilingual ImportFile = new("CSV 文件", "CSV file");
    public static readonly Bilingual ImportHint = new("从 Excel 另存为 CSV（UTF-8 或 GBK 均可）；第一行为表头：单位名称、英文名称（可选）、联系人、联系人邮箱、状态（可选）。同名单位会被更新，新单位会被添加，不会删除任何单位 ·",
        "Save from Excel as CSV (UTF-8 or GBK); the first row names the columns: name, English name (optional), contact, contact email, active (optional). Units of the same name are updated, new ones added; none is deleted.");
    public static readonly Bilingual NeverDeleted = new("单位有历史记录，不能删除，可停用；停用的单位不能再被邀请 ·", "A unit keeps its history: deactivate it instead of deleting; an inactive unit cannot be invited.");
    public static readonly Bilingual NoUnitsYet = new("还没有成员单位，请添加或导入。", "No member units yet: add or import them.");

    public static readonly Bilingual EnterName = new("请填写单位名称", "Enter the unit's name.");
    public static Bilingual NameTooLong(int max) => new($"单位名称最多 {max} 个字", $"At most {max} characters.");
    public static Bilingual TooLong(int max) => new($"最多 {max} 个字", $"At most {max} characters.");
    public static readonly Bilingual NoControlCharacters = new("不能含控制字符", "No control characters.");
    public static readonly Bilingual NoFormula = new("不能以 = + @ 开头（表格会把它当作公式执行）", "Cannot start with = + @ (a spreadsheet would run it as a formula).");
    public static readonly Bilingual EnterValidEmail = new("请填写有效的邮箱地址，如 name@example.cn", "Enter a valid email address, like name@example.cn.");
    public static readonly Bilingual NameTaken = new("已有同名单位", "A unit of this name exists already.");
    public static readonly Bilingual ChangedMeanwhile = new("此单位刚被他人修改，请查看最新内容后再保存", "Someone changed this unit meanwhile: check what it says now and save again.");
    public static readonly Bilingual UnitNotFound = new("找不到此单位", "No such unit.");
    public static readonly Bilingual FlashSaved = new("单位已保存", "The unit is saved.");
    public static readonly Bilingual FlashDeactivated = new("单位已停用", "The unit is deactivated.");
    public static readonly Bilingual FlashReactivated = new("单位已重新启用", "The unit is active again.");
    public static Bilingual FlashImported(int added, int updated, int unchanged) =>
        new($"导入完成：新增 {added} 个，更新 {updated} 个，未变 {unchanged} 个", $"Imported: {added} added, {updated} updated, {unchanged} unchanged.");

    // Import refusals: the whole file is refused, nothing is stored; each says what to fix and where.
    public static readonly Bilingual ChooseFile = new("请选择要导入的 CSV 文件", "Choose the CSV file to import.");
    public static Bilingual FileTooLarge(int maxKb) => new($"文件最大 {maxKb} KB", $"The file may be at most {maxKb} KB.");
    public static readonly Bilingual NotText = new("文件不是 UTF-8 或 GBK 编码的文本，请在 Excel 中另存为“CSV UTF-8”或“CSV（逗号分隔）”", "The file is not UTF-8 or GBK text: in Excel, save as “CSV UTF-8” or “CSV (comma delimited)”.");
    public static readonly Bilingual Empty = new("文件里没有单位", "The file has no units.");
    public static Bilingual MissingColumn(string column) => new($"缺少“{column}”列（第一行须为表头）", $"The column “{column}” is missing (the first row names the columns).");
    public static Bilingual DuplicateColumn(string column) => new($"“{column}”列出现了两次", $"The column “{column}” appears twice.");
    public static Bilingual TooManyRows(int max) => new($"一次最多导入 {max} 个单位", $"At most {max} units at a time.");
    public static Bilingual DuplicateInFile(string name, int firstRow) => new($"与第 {firstRow} 行是同一单位“{name}”", $"The same unit “{name}” as row {firstRow}.");
    public static readonly Bilingual BadActive = new("状态须为“启用”或“停用”", "Active must be “启用/active” or “停用/inactive”.");
    public static Bilingual RowError(int row, Bilingual column, Bilingual message) => new($"第 {row} 行“{column.Zh}”：{message.Zh}", $"Row {row}, {column.En}: {message.En}");
    public static Bilingual MoreErrors(int more) => new($"另有 {more} 处错误", $"and {more} more");
    public static readonly Bilingual NothingImported = new("文件有错误，没有导入任何单位。请改正后重新导入：", "The file has errors; nothing was imported. Fix them and import again:");
    public static Bilingual PartlyImported(int done, int total) => new($"存储暂时不可用：已导入 {done}/{total} 个，请稍后再次导入同一文件（已导入的不会重复）", $"Storage is unavailable: {done} of {total} imported; import the same file again shortly (nothing is added twice).");

    // The event's invitation page.
    public static readonly Bilingual Invitation = new("邀请单位", "Invited units");
    public static readonly Bilingual InvitationExplain = new("邀请制活动只接受受邀单位通过本单位链接报名：每个单位有自己的名额，另可设共享名额（任何受邀单位用完自己的名额后可用）。给某单位填名额即邀请它，留空即不邀请。",
        "By invitation: only invited units sign up, each through its own link. Each unit has its seats; a shared pool serves any invited unit whose own seats are taken. Give a unit seats to invite it; leave it empty not to.");
    public static readonly Bilingual OpenEvent = new("公开报名（任何人凭链接报名）", "Open: anyone with the link signs up");
    public static readonly Bilingual SeatsForUnit = new("名额", "Seats");
    public static readonly Bilingual SeatsEach = new("每单位名额", "Seats per unit");
    public static readonly Bilingual InviteAllActive = new("邀请全部启用单位", "Invite every active unit");
    public static readonly Bilingual Pool = new("共享名额", "Shared pool");
    public static readonly Bilingual LotteryEntry = new("抽签报名", "Lottery entry");
    public static readonly Bilingual LotteryEntriesOpen = new("抽签报名中", "Lottery entries open");
    public static readonly Bilingual LotteryDrawing = new("正在抽签", "Drawing");
    public static readonly Bilingual LotteryDrawNow = new("现在抽签", "Draw now");
    public static readonly Bilingual LotteryCard = new("抽签", "Lottery");
    public static readonly Bilingual LotteryDrawAt = new("抽签时间", "Draw at");
    public static readonly Bilingual LotteryEntriesCount = new("抽签报名", "Entries");
    public static readonly Bilingual LotteryCheckPage = new("抽签公证页（公开）", "Public check page");
    public static readonly Bilingual LotteryDrawnAt = new("已抽签", "Drawn");
    public static readonly Bilingual LotteryNotDue = new("抽签时间未到：抽签只在设定的时间进行，组织者也不能提前", "The draw's time has not come: it runs only at the time set, for the organiser too");
    public static readonly Bilingual LotteryAlreadyDrawn = new("已经抽过签，结果不会改变", "Already drawn: the result stands");
    public static readonly Bilingual LotteryDrawnNow = new("抽签完成", "Drawn");
    public static readonly Bilingual LotteryDraw = new("抽签时间（留空：先到先得）", "Lottery draw time (empty: first come)");
    public static readonly Bilingual LotteryDrawHint = new("报名开始到抽签时间之间报名的都参加抽签，不分先后；抽签后如仍开放报名，按先到先得", "Everyone who signs up between the opening and the draw is in the draw, whenever they sign up; after it, first come while sign-up is open");
    public static readonly Bilingual LotteryNoShowsLast = new("缺席记录靠后：保留期内报名后未到的人排在后面抽", "No-shows last: people who did not come to earlier events (within the retention period) are drawn after the others");
    public static readonly Bilingual LotteryNoShowsLastHint = new("只在抽签时使用，记录以加密摘要保存，不含姓名", "Used only in the draw; kept as a keyed hash, never with a name");
    public static readonly Bilingual OfferHoursBefore = new("临近活动空出的名额改为限时邀请（活动前几小时起）", "Late seats as offers (from how many hours before)");
    public static readonly Bilingual OfferHint = new("0 为不启用。启用后，这段时间内空出的名额依次邀请候补者在限定时间内确认，未确认或放弃则依次顺延。", "0: off. Then a seat freed in that time is offered to the next person waiting with a confirm-by time; not taken or declined, it moves on in order.");
    public static readonly Bilingual ReconfirmHoursBefore = new("提前几小时请参加者再次确认", "Ask to reconfirm (hours before)");
    public static readonly Bilingual ReconfirmHint = new("0 为不启用；常用 48。", "0: off; 48 is usual.");
    public static readonly Bilingual ReconfirmDeadlineHoursBefore = new("再次确认截止（活动前几小时）", "Reconfirm by (hours before)");
    public static readonly Bilingual NoShowRate = new("未到场（率）", "No-shows (rate)");
    public static readonly Bilingual NoShowsHeading = new("未到场", "Did not come");
    public static readonly Bilingual NoShowsExplain = new("有名额但没有签到的人（活动结束后统计）。", "People with a seat who were never checked in (counted once the event has ended).");
    public static readonly Bilingual PublicPool = new("预留名额：共享名额对公众开放", "Reserved seats: the pool is open to the public");
    public static readonly Bilingual PublicPoolHint = new("勾选后，各单位的名额只能通过本单位链接报名，共享名额任何人可从公开报名链接报名（活动会出现在公开日历上）；到释放时间，未用完的单位名额并入共享名额。",
        "Ticked: each unit's seats are taken only through its own link, and anyone can take the pool from the public sign-up link (the event shows on the public calendar); at the release time, unused unit seats join the pool.");
    public static readonly Bilingual ReleaseAt = new("未用名额释放时间", "Release unused seats at");
    public static readonly Bilingual ReleaseHint = new("到时各单位未用的名额转为共享名额，候补按顺序递补；留空即不自动释放 ·", "Then each unit's unused seats join the pool and the waitlist takes them in order; empty: not automatically");
    public static readonly Bilingual SaveInvitation = new("保存邀请", "Save invitation");
    public static readonly Bilingual MakeOpen = new("改为公开报名", "Make it open to anyone");
    public static readonly Bilingual ReleaseNow = new("立即释放未用名额", "Release unused seats now");
    public static readonly Bilingual Released = new("未用名额已释放", "Unused seats released");
    public static readonly Bilingual Registered = new("已报名", "Signed up");
    public static readonly Bilingual SignUpLink = new("报名链接", "Sign-up link");
    public static readonly Bilingual ContactLink = new("联系人查看链接", "Contact's link");
    public static readonly Bilingual QrCode = new("二维码", "QR code");
    public static readonly Bilingual NoOneYet = new("尚无人报名", "nobody yet");
    public static readonly Bilingual TotalSeats = new("总名额", "Seats in all");
    public static readonly Bilingual NoActiveUnits = new("还没有启用的成员单位：请管理员先在“成员单位”中添加或导入。", "No active member units yet: an admin adds or imports them under Member units first.");
    public static readonly Bilingual SeatsWholeNumber = new("名额须为 0 到 1000 的整数", "Seats must be a whole number from 0 to 1000.");
    public static readonly Bilingual PoolWholeNumber = new("共享名额须为 0 到 100000 的整数", "The pool must be a whole number from 0 to 100000.");
    public static readonly Bilingual UnitInactive = new("此单位已停用，不能邀请", "This unit is inactive and cannot be invited.");
    public static readonly Bilingual FlashInvitationSaved = new("邀请已保存", "The invitation is saved.");
    public static readonly Bilingual FlashOpened = new("已改为公开报名", "The event is open to anyone now.");
    public static readonly Bilingual FlashReleased = new("未用名额已释放，候补已按顺序递补", "Unused seats released; the waitlist took them in order.");
    public static readonly Bilingual AuditInvitation = new("设置邀请单位", "Set the invited units");
    public static readonly Bilingual AuditReleased = new("释放未用名额", "Released unused unit seats");
    public static readonly Bilingual SendInvitations = new("发送邀请邮件", "Send the invitations");
    public static readonly Bilingual SendInvitationsHint = new("发给每个受邀单位的联系人：本单位报名链接、二维码和查看报名情况的链接。再次点击即重发。截止前一天，系统会提醒尚无人报名的单位 ·",
        "To each invited unit's contact: the unit's sign-up link, its QR code and their own page. Click again to send again. A day before sign-up closes, units with nobody signed up are reminded.");
    public static readonly Bilingual InvitationEmail = new("邀请邮件", "Invitation email");
    public static readonly Bilingual NotSentYet = new("未发送", "not sent");
    public static readonly Bilingual Sending = new("发送中", "on its way");
    public static readonly Bilingual NoContactEmail = new("无联系人邮箱", "no contact email");
    public static Bilingual FlashInvitationsSent(int queued, IReadOnlyList<string> without) => without.Count == 0
        ? new($"已发送 {queued} 封邀请邮件", $"{queued} invitation emails are on their way.")
        : new($"已发送 {queued} 封邀请邮件；以下单位没有联系人邮箱，请另行通知：{string.Join("、", without)}", $"{queued} invitation emails are on their way; these units have no contact email, tell them another way: {string.Join(", ", without)}");
    public static readonly Bilingual AuditSentInvitations = new("发送邀请邮件", "Sent the invitations");
    public static readonly Bilingual NoOneCame = new("无人出席", "no one came");
    public static readonly Bilingual Invitations = new("受邀", "Invited");
    public static readonly Bilingual NoOneCameTo = new("受邀但无人出席", "Invited, no one came");
    public static readonly Bilingual SetInvitation = new("受邀单位和名额", "Invite units and set their seats");
}
