namespace EventFunctions.Shared.Text;

/// <summary>A message in both languages: the API answers <see cref="En"/>; the console shows <see cref="Both"/>.</summary>
public sealed record Bilingual(string Zh, string En)
{
    public string Both => $"{Zh} · {En}";

    /// <summary>Both in one line as the console says it: Chinese, then English (no space after full-width punctuation).</summary>
    public string Inline => Zh.Length > 0 && "。）：，！？".Contains(Zh[^1]) ? Zh + En : $"{Zh} {En}";
}

/// <summary>
/// What the event rules (EventValidator, SeatRules) say when an event's definition is refused, in one home and in both
/// languages: each message is one member taking both texts, so a missing translation does not compile, and nothing
/// translates an English message by matching its words.
/// </summary>
public static class EventRuleText
{
    public static readonly Bilingual InvitationHasPeople = new("已有受邀单位的人报名，不能改为公开报名", "People of invited units have signed up: the event cannot become open to anyone.");
    public static readonly Bilingual OpenHasPeople = new("已有人报名，不能改为仅限受邀单位", "People have signed up already: the event cannot become by invitation only.");
    public static readonly Bilingual InvitationNoSeats = new("请至少给一个单位名额，或设置共享名额", "Give at least one unit seats, or set a shared pool.");
    public static readonly Bilingual ReleaseAfterStart = new("释放时间须早于活动开始", "Release unused seats before the event starts.");
    public static Bilingual CapacityBelowUnitSeats(int unitSeats) => new($"名额不能少于各单位名额之和（{unitSeats}）", $"At least the units' seats ({unitSeats}).");
    public static Bilingual UnitSeatsBelowTaken(int taken) => new($"已有 {taken} 个名额被占用（含各单位已报名的人），名额总数不能少于此数", $"{taken} seats are taken (counting the people units have signed up): the seats cannot be fewer.");
    public static Bilingual WaitlistLimit(int max) => new($"候补人数须为 1 到 {max} 之间的整数（留空即名额的 3 倍）", $"'waitlistLimit' must be a whole number from 1 to {max} (empty: three times the seats).");
    public static Bilingual Required(string field) => new("必填", $"'{field}' is required.");
    public static Bilingual TooLong(string field, int max) => new($"最多 {max} 个字", $"'{field}' may be at most {max} characters.");
    public static Bilingual ControlCharacters(string field) => new("不能包含控制字符", $"'{field}' contains control characters.");
    public static Bilingual TimeRequired(string field) => new("请填写日期和时间", $"'{field}' is required, as local time like 2026-12-05T14:00.");
    public static Bilingual NotATime(string field) => new("请填写日期和时间", $"'{field}' must be a local time like 2026-12-05T14:00 (in timeZone), or a time with an offset like 2026-12-05T14:00+08:00.");
    public static Bilingual NoSuchOffset(string value) => new("时差须在 -14:00 至 +14:00 之间、以一刻钟为单位", $"'{value}' has an offset no time zone uses (from -14:00 to +14:00, in quarter hours).");
    public static Bilingual InDaylightSavingGap(string value, string zone) => new("此时刻因夏令时调整而不存在", $"'{value}' does not exist in {zone} (a daylight-saving gap).");
    public static Bilingual UnknownTimeZone(string zone) => new("未知的时区", $"Unknown time zone '{zone}'; use an IANA name such as Asia/Shanghai.");
    public static readonly Bilingual ContactEmail = new("请填写有效的联系邮箱", "A valid contact email for the organiser is required.");
    public static readonly Bilingual Kind = new("请选择活动类型", "Kind must be one of: salon, siteVisit, lecture, volunteering.");
    public static readonly Bilingual EndBeforeStart = new("结束时间须晚于开始时间", "The end must be after the start.");
    public static readonly Bilingual StartBeforeSignUpOpens = new("活动开始须晚于报名开始（留空即现在），开始时间是否已过？", "The start must be after sign-up opens (now, when that is left empty).");
    public static readonly Bilingual ClosesBeforeOpens = new("报名截止须晚于报名开始", "Sign-up must close after it opens.");
    public static readonly Bilingual LotteryDrawTime = new("抽签时间须晚于报名开始、不晚于报名截止，并早于活动开始", "The draw must come after sign-up opens, no later than it closes, and before the event starts.");
    public static readonly Bilingual LotteryDrawPast = new("抽签时间须在将来", "The draw must be in the future.");
    public static readonly Bilingual LotteryStarted = new("抽签已经开始，不能再更改抽签设置", "The draw has started: its settings can no longer change.");
    public static readonly Bilingual LotteryHasEntries = new("已有人报名参加抽签，不能取消抽签（可以改抽签时间）", "People have entered the draw: the lottery cannot be removed (its time can change).");
    public static readonly Bilingual LotteryAfterSignUps = new("已有人按先到先得报名，不能再改为抽签", "People have signed up first come: the event cannot become a lottery now.");
    public static readonly Bilingual LotteryNotWith = new("抽签报名不能与成员单位名额或人工审核同时使用", "A lottery cannot be combined with member-unit seats or approval.");
    public static readonly Bilingual ClosesAfterStart = new("报名截止不得晚于活动开始", "Sign-up must close no later than the event starts.");
    public static Bilingual Capacity(int max) => new("名额须为正整数", $"Capacity must be a whole number from 1 to {max}.");
    public static Bilingual CapacityBelowConfirmed(int confirmed) => new("名额不能少于已确认人数", $"Capacity cannot be lowered below the {confirmed} people already confirmed.");
    public static readonly Bilingual SalonVenue = new("沙龙须填写场地（楼宇、楼层、房间）", "A salon needs a venue (building, floor, room).");
    public static readonly Bilingual MeetingTime = new("集合时间须在活动开始前、同一天", "The meeting time must be before the start, on the same day.");
    public static readonly Bilingual SecurityFields = new("安保登记项最多 5 项", "At most 5 security-desk fields.");
    public static Bilingual OptionalNotAField(string label) => new($"选填项“{label}”不在安保登记项中", $"'{label}' is marked optional but is not one of the security-desk fields.");
    public static readonly Bilingual OnlineUrl = new("线上链接须为完整的 http(s) 地址", "The online link must be a full http(s) address of at most 500 characters.");
    public static readonly Bilingual ReconfirmDeadline = new("确认截止须早于活动开始、晚于发出确认请求（小时数须小于“提前几小时请参加者再次确认”）", "The reconfirmation deadline must fall between the request and the start (fewer hours before the start than the request).");
    public static readonly Bilingual VolunteeringVenue = new("志愿服务须填写服务地点", "A volunteering shift needs a venue (where volunteers report).");
    public static readonly Bilingual LectureVenue = new("讲座须填写会场或线上链接", "A lecture needs a hall (venue) or an online link (lecture.onlineUrl).");
    public static Bilingual ReminderHours(int max) => new("提前提醒须为整数小时，0 为不提醒", $"reminderHoursBefore must be a whole number of hours from 0 (no reminder) to {max}.");
    public static Bilingual TooManyQuestions(int max) => new($"最多 {max} 个问题", $"At most {max} questions.");
    public static readonly Bilingual QuestionId = new("问题编号最多 40 个字母、数字、- 或 _", "A question id uses at most 40 letters, digits, '-' or '_'.");
    public static Bilingual QuestionIdTwice(string id) => new("问题编号重复", $"Question id '{id}' is used twice.");
    public static readonly Bilingual QuestionType = new("问题类型须为文字、选择或是否", "Type must be one of: text, choice, yesNo.");
    public static readonly Bilingual ChoiceOptions = new("选择题须有 2 至 20 个选项", "A choice question needs 2 to 20 options.");
    public static readonly Bilingual OptionsDiffer = new("选项不能重复", "Options must differ.");
}
