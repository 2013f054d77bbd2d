using EventFunctions.Shared.Text;

namespace EventFunctions.Shared.Volunteering;

/// <summary>What the console says about volunteer hours (both languages on one line).</summary>
public static class VolunteerText
{
    /// <summary>The hours export's header: the five columns volunteer platforms import (in their Chinese names), then ours.</summary>
    public static readonly string[] ExportColumns = ["姓名", "手机号", "日期", "时长（小时）", "活动", "服务队", "活动名称", "备注"];

    public static readonly Bilingual Hours = new("志愿时长", "Volunteer hours");
    public static readonly Bilingual HoursOfShift = new("本次志愿时长", "Hours of this shift");
    public static readonly Bilingual HoursReport = new("志愿时长统计", "Volunteer hours report");
    public static readonly Bilingual CheckedIn = new("签到", "In");
    public static readonly Bilingual CheckedOut = new("签退", "Out");
    public static readonly Bilingual HoursColumn = new("时长（小时）", "Hours");
    public static readonly Bilingual Note = new("备注", "Note");
    public static readonly Bilingual ClosedAtEnd = new("未签退，按结束时间计", "not checked out: closed at the end time");
    public static readonly Bilingual Corrected = new("已更正", "corrected");
    public static readonly Bilingual StillServing = new("服务中", "serving");
    public static readonly Bilingual Correct = new("更正时间", "Correct the times");
    public static readonly Bilingual Reason = new("更正原因", "Reason");
    public static readonly Bilingual ReasonHint = new("记入操作记录", "kept in the change log");
    public static readonly Bilingual Save = new("保存", "Save");
    public static readonly Bilingual NobodyYet = new("还没有人签到。", "Nobody has checked in yet.");
    public static readonly Bilingual Team = new("服务队", "Team");
    public static readonly Bilingual AllTeams = new("全部服务队", "All teams");
    public static readonly Bilingual Volunteers = new("志愿者", "Volunteers");
    public static readonly Bilingual Shifts = new("服务次数", "Shifts");
    public static readonly Bilingual TotalHours = new("总时长（小时）", "Total hours");
    public static readonly Bilingual NoHoursInPeriod = new("这段时间没有志愿时长记录。", "No volunteer hours in this period.");
    public static readonly Bilingual ExportExplain = new("CSV 的前五列为志愿服务平台导入所需：姓名、手机号（隐去中间四位）、日期、时长、活动；服务中的班次在结束后计入。",
        "The CSV's first five columns are what volunteer platforms import: name, masked phone, date, hours, activity. Shifts under way are counted once they end.");
    public static readonly Bilingual KeptExplain = new("以下班次的个人记录已按隐私告知的保存期限删除，只保留服务队的合计：", "The people's records of these shifts were deleted after the retention period the privacy notice names; the team's totals are kept:");
    public static Bilingual KeptLine(int shifts, int volunteers, decimal hours) =>
        new($"{shifts} 个班次，{volunteers} 人次，{hours:0.0} 小时", $"{shifts} shifts, {volunteers} volunteers, {hours:0.0} hours");
    public static readonly Bilingual FlashCorrected = new("时间已更正。", "Times corrected.");
    public static readonly Bilingual AuditCorrected = new("更正志愿时长", "Corrected volunteer hours");

    public static readonly Bilingual EnterTime = new("请填写时间", "Enter a time.");
    public static readonly Bilingual OutBeforeIn = new("签退时间须晚于签到时间（时长不能为负）", "Check-out must be after check-in (hours cannot be negative).");
    public static Bilingual TooLong(int hours) => new($"一次服务最长 {hours} 小时", $"A shift is at most {hours} hours.");
    public static readonly Bilingual NotOnTheDay = new("时间须在活动当天前后（请检查日期）", "The times must be around the shift's day (check the date).");
    public static readonly Bilingual GiveReason = new("请写明更正原因", "Give the reason for the correction.");
    public static Bilingual ReasonTooLong(int max) => new($"原因最多 {max} 个字", $"At most {max} characters.");
    public static readonly Bilingual NeverCheckedIn = new("此人未签到，不能记录时长；请在签到页为其签到", "Not checked in: check them in at the door first.");
}
