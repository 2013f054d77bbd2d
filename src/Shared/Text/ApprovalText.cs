namespace EventFunctions.Shared.Text;

/// <summary>What the console says about approving sign-ups (both languages on one line).</summary>
public static class ApprovalText
{
    public static readonly Bilingual RequiresApproval = new("报名需审核", "Sign-ups need approval");
    public static readonly Bilingual RequiresApprovalHint = new("每个报名先为“待审核”，由组织者批准或拒绝；批准即占名额（满员则候补）；活动开始前未审核的自动失效。勾选后不再要求邮件确认 ·",
        "Each sign-up waits until an organiser approves it (a seat, or the waitlist when full) or declines it; undecided ones lapse at the start. No email confirmation is asked then");
    public static readonly Bilingual Pending = new("待审核", "Pending");
    public static readonly Bilingual Declined = new("未通过", "Declined");
    public static readonly Bilingual Approve = new("批准", "Approve");
    public static readonly Bilingual Decline = new("拒绝", "Decline");
    public static readonly Bilingual ApproveSelected = new("批准所选", "Approve selected");
    public static readonly Bilingual DeclineSelected = new("拒绝所选", "Decline selected");
    public static readonly Bilingual Select = new("选择", "Select");
    public static readonly Bilingual AllowAgain = new("允许重新报名", "Allow to sign up again");
    public static readonly Bilingual ChooseSomeone = new("请先勾选要审核的报名", "Tick the sign-ups to decide on first.");
    public static Bilingual FlashDecided(int approved, int waitlisted, int declined, int already, int full) => new(
        $"已批准 {approved} 人（其中 {waitlisted} 人因满员转为候补），拒绝 {declined} 人" + (already > 0 ? $"；{already} 人已由他人审核或已取消" : "") + (full > 0 ? $"；{full} 人因名额和候补均满仍待审核" : ""),
        $"Approved {approved} ({waitlisted} of them to the waitlist, the seats being taken), declined {declined}" + (already > 0 ? $"; {already} decided on by someone else or cancelled" : "") + (full > 0 ? $"; {full} still pending: no seat or waitlist place left" : "") + ".");
    public static readonly Bilingual FlashAllowed = new("已允许此人重新报名（其记录已删除）", "They may sign up again (the record is deleted).");
    public static readonly Bilingual AuditDecided = new("审核报名", "Decided on sign-ups");
    public static readonly Bilingual AuditAllowed = new("允许重新报名", "Allowed to sign up again");
}
