using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using EventFunctions.Shared.Attendance;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Text;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

[Collection(StorageCollection.Name)]
public sealed class CsvTests(AzuriteFixture azurite)
{
    private static List<string[]> ReadBack(byte[] bytes)
    {
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]); // UTF-8 BOM, so Excel reads the Chinese
        var text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        Assert.EndsWith("\r\n", text);
        using var reader = new CsvReader(new StringReader(text), new CsvConfiguration(CultureInfo.InvariantCulture) { HasHeaderRecord = false });
        var rows = new List<string[]>();
        while (reader.Read()) rows.Add(Enumerable.Range(0, reader.Parser.Count).Select(i => reader.GetField(i)!).ToArray());
        return rows;
    }

    [Fact]
    public async Task Registrations_export_reads_back_with_every_column_and_formulas_neutralised()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var salon = await app.CreateEventAsync(Seed.Salon(capacity: 2));
        var li = await Kit.SignUpAsync(app, salon.Id, "李莹晖", "li@example.cn", "13812345678", unit: "虹口区律师事务所",
            answers: new() { ["lunch"] = "yes", ["question"] = "合同, \"违约金\"\n怎么算？" });
        await Kit.SignUpAsync(app, salon.Id, "=1+2", "f@example.cn", "13900000001", unit: "-2+3", answers: Kit.Lunch);
        await Kit.SignUpAsync(app, salon.Id, "@SUM(A1)", "g@example.cn", "+852 9123 4567", unit: null, answers: Kit.Lunch);
        var attendance = app.Get<AttendanceService>();
        var checkedIn = Assert.IsType<CheckInOutcome.CheckedIn>(await attendance.CheckInAsync(salon.Id, li.TicketCode!, "door:x", default));
        await attendance.AddWalkInAsync(salon.Id, "+赵六", "\t上海水务", "door:x", null, UiText.Chinese, default);

        var rows = ReadBack((await app.Get<CsvExport>().RegistrationsAsync(salon.Id, default))!);
        Assert.Equal(["姓名 (Name)", "手机 (Phone)", "邮箱 (Email)", "单位 (Unit)", "状态 (Status)", "候补位次 (Waitlist position)", "签到码 (Ticket code)",
            "签到时间 (Checked in)", "是否参加茶歇交流？", "所属行业", "想请律师解答的问题", "报名时间 (Signed up)"], rows[0]);
        Assert.Equal(5, rows.Count);

        var first = rows[1];
        var local = TimeZoneInfo.ConvertTime(checkedIn.At, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        Assert.Equal(["李莹晖", "13812345678", "li@example.cn", "虹口区律师事务所", "已确认 (Confirmed)", "", li.TicketCode!, local.ToString("yyyy-MM-dd HH:mm"), "是 (Yes)", "", "合同, \"违约金\"\n怎么算？"], first[..11]);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d$", first[11]);

        Assert.Equal(("'=1+2", "'-2+3"), (rows[2][0], rows[2][3]));
        Assert.Equal(("'@SUM(A1)", "候补 (Waitlisted)", "1", ""), (rows[3][0], rows[3][4], rows[3][5], rows[3][6]));
        Assert.StartsWith("'+852", rows[3][1]);
        Assert.Equal(("'+赵六", "上海水务", "现场登记 (Walk-in)"), (rows[4][0], rows[4][3], rows[4][4])); // input is trimmed when stored
        // Stored text never starts with a tab or CR (it is trimmed), but a cell that did would be neutralised too.
        Assert.Equal(["'\tx", "'\rx", "x=1", ""], new[] { "\tx", "\rx", "x=1", null }.Select(CsvExport.Neutralise));
        Assert.All(rows.SelectMany(r => r), cell => Assert.False(cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r', cell));
    }

    [Fact]
    public async Task A_site_visits_registrations_export_carries_the_security_desk_details_each_in_its_own_column()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var definition = Seed.SiteVisit(capacity: 5);
        definition["siteVisit"] = new { meetingPoint = "北外滩来福士一楼大堂", meetingTime = Seed.Local(Seed.Day(12, 9)), securityFields = new[] { "身份证号后四位", "车牌号" } };
        var visit = await app.CreateEventAsync(definition);
        foreach (var (name, details) in new[] { ("王磊", new[] { "1234", "沪A12345" }), ("李莹晖", new[] { "0042", "=无" }) })
        {
            var person = Seed.Person(name, $"{Guid.NewGuid():N}@example.cn");
            person["securityDetails"] = details;
            Assert.Equal(201, Results.Object<RegistrationView>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", person), visit.Id, default)).Status);
        }

        var rows = ReadBack((await app.Get<CsvExport>().RegistrationsAsync(visit.Id, default))!);
        Assert.Equal(["身份证号后四位 (Security desk)", "车牌号 (Security desk)", "报名时间 (Signed up)"], rows[0][^3..]);
        Assert.Equal(["1234", "沪A12345"], rows.Single(r => r[0] == "王磊")[^3..^1]);
        Assert.Equal(["0042", "'=无"], rows.Single(r => r[0] == "李莹晖")[^3..^1]); // neutralised like every cell
    }

    [Fact]
    public async Task Attendance_by_unit_and_unit_report_exports_read_back()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        var a = await Kit.SignUpAsync(app, lecture.Id, "甲", "a@example.cn", null, unit: "律所");
        await Kit.SignUpAsync(app, lecture.Id, "乙", "b@example.cn", null, unit: null);
        var attendance = app.Get<AttendanceService>();
        await attendance.CheckInAsync(lecture.Id, a.TicketCode!, "door:x", default);
        await attendance.AddWalkInAsync(lecture.Id, "丙", "=HYPERLINK(\"http://x\")", "door:x", null, UiText.Chinese, default);

        var byUnit = ReadBack((await app.Get<CsvExport>().AttendanceByUnitAsync(lecture.Id, default))!);
        Assert.Equal(["单位 (Unit)", "报名确认 (Registered)", "候补 (Waitlisted)", "出席 (Attended)", "未到 (No-shows)", "现场登记 (Walk-ins)", "受邀名额 (Invited seats)", "无人出席 (No one came)"], byUnit[0]);
        Assert.Contains(["律所", "1", "0", "1", "0", "0", "", ""], byUnit); // an open event: no unit was invited
        Assert.Contains([AttendanceService.UnitNotGiven, "1", "0", "0", "0", "0", "", ""], byUnit);
        Assert.Contains(["'=HYPERLINK(\"http://x\")", "0", "0", "1", "0", "1", "", ""], byUnit);
        Assert.Contains(["合计 (Total)", "2", "0", "2", "0", "1", "", ""], byUnit);

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var units = ReadBack(await app.Get<CsvExport>().UnitReportAsync(today, today.AddDays(30), _ => true, default));
        Assert.Equal(["单位 (Unit)", "受邀次数 (Invitations)", "参加活动数 (Events)", "出席人次合计 (Attended, all events)", "活动日期 (Event date)", "活动 (Event)", "出席人数 (Attended)", "受邀 (Invited)",
            "未到场人次合计 (No-shows, all events)", "未到场率 (No-show rate)", "未到场人数 (No-shows)"], units[0]);
        var date = TimeZoneInfo.ConvertTime((await Kit.EventAsync(app, lecture.Id)).StartUtc, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).ToString("yyyy-MM-dd");
        Assert.Contains(["律所", "0", "1", "1", date, "上海供水的过去、现在和未来", "1", "", "0", "0%", "0"], units); // not over yet: nobody counted as not coming
        Assert.Equal(3, units.Count); // 律所 and the walk-in's unit; the blank unit attended nobody
    }
}
