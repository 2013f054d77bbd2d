using EventFunctions.Shared.Text;

namespace EventFunctions.Shared.Feedback;

/// <summary>What the console says about feedback, and the rules' messages (both languages).</summary>
public static class FeedbackText
{
    public static readonly string[] ExportColumns = ["评分", "留言", "时间"];

    public static readonly Bilingual Feedback = new("活动反馈", "Feedback");
    public static readonly Bilingual ExportFeedback = new("导出反馈", "Export feedback");
    public static readonly Bilingual NoFeedbackYet = new("还没有反馈。活动结束后，签到的参加者会收到感谢邮件和一道打分题。", "No feedback yet. After the event, people who were checked in get a thank-you email with one rating question.");
    public static Bilingual AnswersLine(int answers, double average) => new($"{answers} 人回答，平均 {average:0.0} 分", $"{answers} answers, average {average:0.0}");
    public static readonly Bilingual Comments = new("留言", "Comments");
    public static readonly Bilingual Anonymous = new("反馈不显示姓名。", "Answers are shown without names.");
    public static readonly Bilingual KeptCounts = new("个人留言已按保存期限删除，只保留评分统计。", "The comments were deleted after the retention period; the counts are kept.");
    public static readonly Bilingual ChooseRating = new("请选择 1 到 5 分", "Choose a rating from 1 to 5.");
    public static Bilingual CommentTooLong(int max) => new($"留言最多 {max} 个字", $"At most {max} characters.");
}
