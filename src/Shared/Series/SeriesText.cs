using EventFunctions.Shared.Text;

namespace EventFunctions.Shared.Series;

/// <summary>What the console says about series, and the rules' messages (both languages).</summary>
public static class SeriesText
{
    public static readonly Bilingual Series = new("系列活动", "Series");
    public static readonly Bilingual MakeSeries = new("设为系列活动（重复此活动）", "Make a series (repeat this event)");
    public static readonly Bilingual MakeSeriesExplain = new("按周、隔周、每月或指定日期复制本活动为多场；每场有自己的名额、报名和签到，可整套报名，也可单场报名。", "Copies this event into sessions weekly, every other week, monthly or on chosen dates; each session has its own seats, sign-ups and check-in; people sign up for all or for single sessions.");
    public static readonly Bilingual SeriesTitle = new("系列名称", "Series title");
    public static readonly Bilingual SeriesDescription = new("系列介绍", "Series description");
    public static readonly Bilingual EnglishTitle = new("英文系列名称（选填）", "Series title in English (optional)");
    public static readonly Bilingual EnglishDescription = new("英文系列介绍（选填）", "Series description in English (optional)");
    public static readonly Bilingual RepeatHow = new("重复方式", "Repeat");
    public static readonly Bilingual Weekly = new("每周", "Weekly");
    public static readonly Bilingual Fortnightly = new("隔周", "Every other week");
    public static readonly Bilingual Monthly = new("每月", "Monthly");
    public static readonly Bilingual OnDates = new("指定日期", "On these dates");
    public static readonly Bilingual Count = new("共几场（含本场）", "Sessions (this one included)");
    public static readonly Bilingual Dates = new("日期（每行一个，如 2027-01-16）", "Dates (one per line, e.g. 2027-01-16)");
    public static readonly Bilingual Create = new("生成系列", "Make the series");
    public static readonly Bilingual Sessions = new("场次", "Sessions");
    public static readonly Bilingual Session = new("第 {0} 场", "Session {0}");
    public static readonly Bilingual PublicPage = new("系列报名页", "Series sign-up page");
    public static readonly Bilingual EditFollowing = new("修改此场及之后各场", "Edit this and following sessions");
    public static readonly Bilingual EditFollowingExplain = new("只填要改的项；留空的不变。已开始或已取消的场次不改。时间只改钟点，日期不变。", "Fill in only what changes; empty fields stay as they are. Sessions started or cancelled are left alone. Times change the hour, not the date.");
    public static readonly Bilingual From = new("从哪一场起", "From session");
    public static readonly Bilingual StartTime = new("开始时间（如 19:00）", "Start time (e.g. 19:00)");
    public static readonly Bilingual EndTime = new("结束时间", "End time");
    public static readonly Bilingual Apply = new("应用修改", "Apply");
    public static Bilingual FlashEdited(int n) => new($"已修改 {n} 场。", $"{n} session(s) changed.");
    public static readonly Bilingual FlashCreated = new("系列已生成。", "Series made.");
    public static readonly Bilingual Attendance = new("系列出勤", "Attendance across the series");
    public static readonly Bilingual CameTo = new("到场次数", "Sessions attended");
    public static readonly Bilingual NobodyYet = new("还没有人报名。", "Nobody has signed up yet.");
    public static Bilingual Missing(int made, int planned) => new($"已生成 {made} / {planned} 场；", $"{made} of {planned} sessions made; ");
    public static readonly Bilingual FinishMissing = new("补齐未生成的场次", "Make the missing sessions");
    public static readonly Bilingual AuditMade = new("生成系列活动", "Made a series");
    public static readonly Bilingual AuditEdited = new("修改系列场次", "Edited series sessions");

    public static readonly Bilingual GiveDates = new("请填写至少一个日期", "Give at least one date.");
    public static Bilingual TooManySessions(int max) => new($"一个系列最多 {max} 场", $"A series has at most {max} sessions.");
    public static readonly Bilingual AtLeastTwo = new("至少两场才算系列", "A series has at least two sessions.");
    public static readonly Bilingual DatesAfterFirst = new("日期须在本场之后", "The dates must come after this session.");
    public static readonly Bilingual BadDate = new("日期格式应为 2027-01-16", "Dates are written 2027-01-16.");
    public static readonly Bilingual BadTime = new("时间格式应为 19:00", "Times are written 19:00.");
    public static readonly Bilingual AlreadyInSeries = new("本活动已属于一个系列", "This event is already a session of a series.");
    public static readonly Bilingual CancelledEvent = new("已取消的活动不能设为系列", "A cancelled event cannot be repeated.");
    public static Bilingual TitleTooLong(int max) => new($"最多 {max} 个字", $"At most {max} characters.");
}
