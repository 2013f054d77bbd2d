namespace EventFunctions.Shared.Text;

/// <summary>What the console says about volunteering, series, feedback and the public calendar (both languages on one line).</summary>
public static class CalendarText
{
    public static readonly Bilingual Volunteering = new("志愿服务", "Volunteering");
    public static readonly Bilingual Team = new("志愿服务队", "Volunteer team");
    public static readonly Bilingual TeamHint = new("志愿时长按服务队统计", "Hours are reported per team");
    public static readonly Bilingual Activity = new("服务内容", "Service");
    public static readonly Bilingual ActivityHint = new("如：法律咨询；导出到志愿平台的“活动”一栏", "e.g. legal clinic; the “activity” column of the hours export");
}
