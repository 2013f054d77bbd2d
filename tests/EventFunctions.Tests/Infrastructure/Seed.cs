namespace EventFunctions.Tests.Infrastructure;

/// <summary>The events from the source documents, as organisers would post them.</summary>
public static class Seed
{
    public static string Local(DateTimeOffset utc) => TimeZoneInfo.ConvertTime(utc, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).ToString("yyyy-MM-dd'T'HH:mm");

    public static DateTimeOffset Day(int days, int hour) =>
        new DateTimeOffset(DateTime.UtcNow.Date.AddDays(days), TimeSpan.Zero).AddHours(hour - 8);

    public static Dictionary<string, object?> Salon(int capacity = 40, bool waitlist = true) => new()
    {
        ["kind"] = "salon",
        ["title"] = "北外滩商会沙龙：《民法典》与企业经营",
        ["description"] = "律师事务所主讲，结合案例讲解合同编要点。",
        ["venue"] = "白玉兰广场 42 楼",
        ["address"] = "上海市虹口区东大名路 501 号",
        ["start"] = Local(Day(10, 14)),
        ["end"] = Local(Day(10, 16)),
        ["capacity"] = capacity,
        ["waitlistAllowed"] = waitlist,
        ["confirmEmail"] = false, // tests of holds turn it on
        ["organiserName"] = "北外滩街道商会",
        ["organiserEmail"] = "shanghui@jiedao.example.cn",
        ["salon"] = new { hostOrganisation = "北外滩街道商会", topic = "《民法典》合同编", speaker = "王磊 律师" },
        ["questions"] = new object[]
        {
            new { id = "lunch", label = "是否参加茶歇交流？", type = "yesNo", required = true },
            new { id = "industry", label = "所属行业", type = "choice", options = new[] { "金融", "贸易", "法律", "其他" }, required = false },
            new { id = "question", label = "想请律师解答的问题", type = "text", required = false },
        },
    };

    public static Dictionary<string, object?> SiteVisit(int capacity = 20, bool waitlist = false) => new()
    {
        ["kind"] = "siteVisit",
        ["title"] = "5G 全球创新港及楼顶参观",
        ["venue"] = "5G 全球创新港",
        ["start"] = Local(Day(12, 9).AddMinutes(30)),
        ["end"] = Local(Day(12, 11).AddMinutes(30)),
        ["signUpCloses"] = Local(Day(10, 18)),
        ["capacity"] = capacity,
        ["waitlistAllowed"] = waitlist,
        ["confirmEmail"] = false,
        ["organiserName"] = "街道党建办",
        ["organiserEmail"] = "dangjian@jiedao.example.cn",
        ["siteVisit"] = new { meetingPoint = "北外滩来福士一楼大堂", meetingTime = Local(Day(12, 9)), securityFields = new[] { "身份证号后四位" } },
    };

    /// <summary>The lawyers' youth volunteer team staffing the legal clinic.</summary>
    public static Dictionary<string, object?> Volunteering(int capacity = 8, int day = 5) => new()
    {
        ["kind"] = "volunteering",
        ["title"] = "法律咨询志愿服务",
        ["description"] = "为居民提供免费法律咨询。",
        ["venue"] = "街道公共法律服务站",
        ["start"] = Local(Day(day, 9)),
        ["end"] = Local(Day(day, 12)),
        ["capacity"] = capacity,
        ["waitlistAllowed"] = false,
        ["confirmEmail"] = false,
        ["organiserName"] = "律师青年志愿服务队",
        ["organiserEmail"] = "zhiyuan@jiedao.example.cn",
        ["volunteering"] = new { team = "律师青年志愿服务队", activity = "法律咨询" },
    };

    public static Dictionary<string, object?> Lecture(int capacity = 200, bool waitlist = true) => new()
    {
        ["kind"] = "lecture",
        ["title"] = "上海供水的过去、现在和未来",
        ["venue"] = "社区文化活动中心多功能厅",
        ["start"] = Local(Day(7, 19)),
        ["end"] = Local(Day(7, 20).AddMinutes(30)),
        ["capacity"] = capacity,
        ["waitlistAllowed"] = waitlist,
        ["confirmEmail"] = false,
        ["organiserName"] = "社区服务中心",
        ["organiserEmail"] = "fuwu@jiedao.example.cn",
        ["lecture"] = new { speaker = "市供水调度监测中心 专家", onlineUrl = "https://video.example.cn/water" },
    };

    public static Dictionary<string, object?> Person(string name, string email, string? phone = "13812345678") => new()
    {
        ["name"] = name,
        ["email"] = email,
        ["phone"] = phone,
        ["organisation"] = "虹口区律师事务所",
        ["consent"] = true,
    };
}
