using EventFunctions.Shared.Text;

namespace EventFunctions.Shared.Admission;

/// <summary>
/// What residents are told about a lottery window, in Chinese and English: a typed pair like <see cref="UiText"/> (a
/// missing translation is a compile error), kept beside the lottery's code.
/// </summary>
public sealed record LotteryUi
{
    public required string Code { get; init; }
    /// <summary>On the event page before the draw: {0} the draw time.</summary>
    public required string WindowNoticeFormat { get; init; }
    public required string AfterDrawFirstCome { get; init; }
    public required string VerifyLink { get; init; }
    public required string DrawingNow { get; init; }
    /// <summary>On the calendar: {0} the draw time.</summary>
    public required string CalendarStatusFormat { get; init; }
    /// <summary>After a sign-up: {0} the masked address, {1} the draw time.</summary>
    public required string CheckEmailFormat { get; init; }
    public required string CheckEmailHeading { get; init; }
    // The manage page
    /// <summary>{0} the draw time.</summary>
    public required string StatusEntryUnconfirmedFormat { get; init; }
    public required string StatusEntryFormat { get; init; }
    public required string EntryConfirmedNow { get; init; }
    // Emails
    public required string EntrySubjectFormat { get; init; }
    /// <summary>{0} the draw time.</summary>
    public required string EntryBodyFormat { get; init; }
    public required string WonSubjectFormat { get; init; }
    /// <summary>{0} the place in the drawn order.</summary>
    public required string WonBodyFormat { get; init; }
    public required string WaitlistedSubjectFormat { get; init; }
    public required string WaitlistedBodyFormat { get; init; }
    public required string NotDrawnSubjectFormat { get; init; }
    public required string NotDrawnBody { get; init; }
    public required string EntryUnconfirmedSubjectFormat { get; init; }
    public required string EntryUnconfirmedBody { get; init; }
    /// <summary>Every result email: {0} the verification page.</summary>
    public required string CheckTheDrawFormat { get; init; }
    // The verification page
    public required string VerifyHeadingFormat { get; init; }
    public required string VerifyIntro { get; init; }
    public required string StateOpenFormat { get; init; }
    public required string StateDrawing { get; init; }
    public required string StateDrawnFormat { get; init; }
    public required string SeedHashLabel { get; init; }
    public required string SeedHashNote { get; init; }
    public required string ListHashLabel { get; init; }
    public required string ListHashNote { get; init; }
    public required string SeedLabel { get; init; }
    public required string SeedNotYet { get; init; }
    public required string EntriesLabel { get; init; }
    public required string SeatsLabel { get; init; }
    public required string WaitlistLabel { get; init; }
    public required string DownloadList { get; init; }
    public required string OrderHeading { get; init; }
    public required string ColumnRank { get; init; }
    public required string ColumnReference { get; init; }
    public required string ColumnTier { get; init; }
    public required string ColumnResult { get; init; }
    public required string TierNoShows { get; init; }
    public required string ResultSeat { get; init; }
    public required string ResultWaitlist { get; init; }
    public required string ResultNotDrawn { get; init; }
    public required string HowToCheckHeading { get; init; }
    public required string CommitmentsHeading { get; init; }
    public required IReadOnlyList<string> HowToCheck { get; init; }
    public required string NoShowsLastNote { get; init; }
    public required string NotALottery { get; init; }

    public static LotteryUi For(UiText text) => ForCode(text.Code);

    public static LotteryUi ForCode(string code) => code == "en" ? English : Chinese;

    public static readonly LotteryUi Chinese = new()
    {
        Code = "zh-CN",
        WindowNoticeFormat = "本活动抽签报名：{0} 前报名的都参加抽签，不分先后，不必抢。抽中者获得名额，其余按抽签顺序进入候补，结果以邮件通知每一位。",
        AfterDrawFirstCome = "抽签后如仍有名额或候补位置，按先到先得继续报名。",
        VerifyLink = "抽签公证（可自行验证）",
        DrawingNow = "正在抽签，请几分钟后再来。抽签结束后，如仍有名额或候补位置，按先到先得继续报名。",
        CalendarStatusFormat = "抽签报名中 · {0} 抽签",
        CheckEmailHeading = "请到邮箱确认抽签报名",
        CheckEmailFormat = "我们已向 {0} 发送邮件。请在 {1}（抽签时间）前点击邮件中的“确认”按钮，确认的报名才参加抽签。如已报名过，邮件里是您原来的报名。没收到？请查看垃圾邮件箱。",
        StatusEntryUnconfirmedFormat = "抽签报名待确认：请在 {0} 前点击下方按钮确认，否则不参加抽签",
        StatusEntryFormat = "已参加抽签 · {0} 抽签，结果以邮件通知",
        EntryConfirmedNow = "抽签报名已确认。抽签结果会以邮件通知您。",
        EntrySubjectFormat = "请确认抽签报名：{0}",
        EntryBodyFormat = "您已报名参加本活动的抽签。请在 {0}（抽签时间）前点击下方按钮确认，确认的报名才参加抽签；抽签结果会以邮件通知您。不想参加了，可在报名页取消。",
        WonSubjectFormat = "抽签结果：您已中签 — {0}",
        WonBodyFormat = "恭喜，您在抽签中获得名额（抽签顺序第 {0} 位）。电子票见下方；不能来的话请在报名页取消，把名额让给候补的人。",
        WaitlistedSubjectFormat = "抽签结果：候补 — {0}",
        WaitlistedBodyFormat = "这次没有抽中（抽签顺序第 {0} 位），您已按抽签顺序进入候补名单。有名额空出时，我们按顺序发邮件通知您。",
        NotDrawnSubjectFormat = "抽签结果：未中签 — {0}",
        NotDrawnBody = "很遗憾，这次没有抽中，本活动也没有候补位置。您的报名信息已删除。",
        EntryUnconfirmedSubjectFormat = "抽签报名未确认：{0}",
        EntryUnconfirmedBody = "您的抽签报名没有在抽签前确认，所以没有参加抽签；报名信息已删除。",
        CheckTheDrawFormat = "抽签过程公开，可在此自行验证：{0}",
        VerifyHeadingFormat = "抽签公证：{0}",
        VerifyIntro = "抽签用一个随机种子决定顺序。种子在活动创建时就已固定，并先公布它的指纹（SHA-256），组织者无法事后更改；报名截止时公布报名名单的指纹；抽签后公布种子本身。任何人都可以用名单和种子重算一遍，结果必须与下表一致。",
        StateOpenFormat = "报名中，{0} 抽签。",
        StateDrawing = "正在抽签。",
        StateDrawnFormat = "已于 {0} 抽签。",
        SeedHashLabel = "种子的 SHA-256（活动创建时公布）",
        SeedHashNote = "抽签后公布的种子，其 SHA-256 必须等于这个值。",
        ListHashLabel = "报名名单的 SHA-256（抽签开始时公布）",
        ListHashNote = "名单每行“报名编号 组别”，按报名编号排序，每行以换行结尾（UTF-8）。",
        SeedLabel = "种子（抽签后公布）",
        SeedNotYet = "抽签后公布",
        EntriesLabel = "参加抽签的报名",
        SeatsLabel = "抽签时的名额",
        WaitlistLabel = "抽签时的候补位置",
        DownloadList = "下载报名名单（entries.txt）",
        OrderHeading = "抽签顺序",
        ColumnRank = "顺序",
        ColumnReference = "报名编号",
        ColumnTier = "组别",
        ColumnResult = "结果",
        TierNoShows = "有缺席记录，排在后面",
        ResultSeat = "中签",
        ResultWaitlist = "候补",
        ResultNotDrawn = "未中签",
        HowToCheckHeading = "如何自己验证",
        CommitmentsHeading = "公开的数据",
        HowToCheck =
        [
            "1. 下载报名名单，计算它的 SHA-256，与上面公布的值比较。您的报名编号在确认邮件里，可以在名单中找到自己。",
            "2. 计算种子（十六进制转成字节）的 SHA-256，与活动创建时公布的值比较。",
            "3. 对每个报名编号计算 HMAC-SHA256（密钥为种子的字节，消息为报名编号），按（组别，HMAC 的十六进制）从小到大排序，就是抽签顺序；前面与名额数相同的人中签，接下来与候补位置数相同的人依次候补，其余未中签。",
            "例如用 Python：hmac.new(bytes.fromhex(种子), 编号.encode(), 'sha256').hexdigest()",
        ],
        NoShowsLastNote = "组织者开启了“缺席记录靠后”：保留期内有报名后未到记录的人排在没有记录的人之后（名单中组别为 1）。",
        NotALottery = "这个活动不是抽签报名。",
    };

    public static readonly LotteryUi English = new()
    {
        Code = "en",
        WindowNoticeFormat = "This event is by lottery: everyone who signs up before {0} is in the draw, whenever they sign up, so there is no need to rush. Those drawn get the seats, everyone else joins the waitlist in drawn order, and each person is told by email.",
        AfterDrawFirstCome = "After the draw, any seats or waitlist places left go to whoever signs up first.",
        VerifyLink = "How the draw is checked",
        DrawingNow = "The draw is under way; please come back in a few minutes. After it, any seats or waitlist places left go to whoever signs up first.",
        CalendarStatusFormat = "Lottery open · draw {0}",
        CheckEmailHeading = "Confirm your lottery entry by email",
        CheckEmailFormat = "We've sent an email to {0}. Tap \"Confirm\" in it before {1} (the draw) to be in the draw. If you had entered already, the email has your existing entry. Nothing there? Look in your spam folder.",
        StatusEntryUnconfirmedFormat = "Lottery entry to confirm: confirm with the button below before {0}, or it is not in the draw",
        StatusEntryFormat = "In the draw · drawn {0}; the result comes by email",
        EntryConfirmedNow = "Your lottery entry is confirmed. We'll email you the result of the draw.",
        EntrySubjectFormat = "Please confirm your lottery entry: {0}",
        EntryBodyFormat = "You have entered the lottery for this event. Please confirm with the button below before {0} (the draw): only confirmed entries are drawn. We'll email you the result. If you no longer want to go, cancel on your page.",
        WonSubjectFormat = "Lottery result: you have a seat — {0}",
        WonBodyFormat = "Congratulations: you were drawn for a seat (number {0} in the drawn order). Your ticket is below; if you cannot come, please cancel on your page so the next person on the waitlist gets it.",
        WaitlistedSubjectFormat = "Lottery result: on the waitlist — {0}",
        WaitlistedBodyFormat = "You were not drawn for a seat this time (number {0} in the drawn order) and are on the waitlist in drawn order. If a seat comes free, we'll email the next person in turn.",
        NotDrawnSubjectFormat = "Lottery result: not drawn — {0}",
        NotDrawnBody = "Sorry, you were not drawn this time, and this event has no waitlist. Your details have been deleted.",
        EntryUnconfirmedSubjectFormat = "Lottery entry not confirmed: {0}",
        EntryUnconfirmedBody = "Your lottery entry was not confirmed before the draw, so it was not in it; your details have been deleted.",
        CheckTheDrawFormat = "The draw is public; you can check it here: {0}",
        VerifyHeadingFormat = "Lottery check: {0}",
        VerifyIntro = "The order is decided by a random seed. The seed was fixed when the event was created and its fingerprint (SHA-256) published then, so the organiser cannot change it; the entry list's fingerprint is published when the draw starts, and the seed itself after the draw. Anyone can repeat the draw from the list and the seed and must get the table below.",
        StateOpenFormat = "Entries open; the draw is at {0}.",
        StateDrawing = "The draw is under way.",
        StateDrawnFormat = "Drawn at {0}.",
        SeedHashLabel = "SHA-256 of the seed (published at creation)",
        SeedHashNote = "The seed revealed after the draw must have this SHA-256.",
        ListHashLabel = "SHA-256 of the entry list (published when the draw starts)",
        ListHashNote = "One line per entry, \"reference tier\", sorted by reference, each ending in a newline (UTF-8).",
        SeedLabel = "Seed (revealed after the draw)",
        SeedNotYet = "revealed after the draw",
        EntriesLabel = "Entries in the draw",
        SeatsLabel = "Seats at the draw",
        WaitlistLabel = "Waitlist places at the draw",
        DownloadList = "Download the entry list (entries.txt)",
        OrderHeading = "Drawn order",
        ColumnRank = "Order",
        ColumnReference = "Reference",
        ColumnTier = "Tier",
        ColumnResult = "Result",
        TierNoShows = "no-shows on record, drawn after",
        ResultSeat = "seat",
        ResultWaitlist = "waitlist",
        ResultNotDrawn = "not drawn",
        HowToCheckHeading = "Check it yourself",
        CommitmentsHeading = "What is published",
        HowToCheck =
        [
            "1. Download the entry list and compute its SHA-256; compare it with the value above. Your reference is in your emails, so you can find yourself in the list.",
            "2. Compute the SHA-256 of the seed (hex decoded to bytes) and compare it with the value published at creation.",
            "3. For each reference compute HMAC-SHA256 (key: the seed's bytes, message: the reference) and sort by (tier, the HMAC in hex), ascending: that is the drawn order. The first as many as there were seats won; the next as many as there were waitlist places wait in that order; the rest were not drawn.",
            "In Python, for example: hmac.new(bytes.fromhex(seed), reference.encode(), 'sha256').hexdigest()",
        ],
        NoShowsLastNote = "The organiser drew people with no-shows on record (within the retention period) after everyone else (tier 1 in the list).",
        NotALottery = "This event is not a lottery.",
    };
}
