using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;

namespace EventFunctions.Shared.Attendance;

/// <summary>
/// Exports for organisers (the console's download endpoints return these bytes): an event's registrations (with a
/// site visit's security-desk details, the list its desk asks for), its attendance by unit, and the unit report
/// across events. UTF-8 with a BOM (so Excel on a Chinese Windows reads it
/// as UTF-8), CRLF line ends, a header row in Chinese with English in brackets. A cell that starts with
/// <c>= + - @</c>, a tab or a CR gets a leading single quote, so a spreadsheet shows it as text instead of running
/// it as a formula (a participant can type <c>=HYPERLINK(…)</c> as a name).
/// </summary>
public sealed class CsvExport(EventStore store, AttendanceService attendance, Security.IdentifierKeys ids)
{
    private static readonly CsvConfiguration Config = new(CultureInfo.InvariantCulture)
    {
        NewLine = "\r\n",
        InjectionOptions = InjectionOptions.None, // done below, the same way for every cell
    };

    /// <summary>Every registration and walk-in of the event, waitlist in order; null for an unknown event.</summary>
    public async Task<byte[]?> RegistrationsAsync(string eventId, CancellationToken ct)
    {
        var entity = await store.FindEventAsync(eventId, ct);
        if (entity is null) return null;
        var e = entity.ToRecord();
        var rows = await attendance.ListAsync(eventId, ct);
        var waitlist = rows.Where(r => r.Status == RegistrationStatus.Waitlisted).OrderBy(r => r.Sequence).Select((r, i) => (r.RowKey, Position: i + 1))
            .ToDictionary(x => x.RowKey, x => x.Position, StringComparer.Ordinal);
        var ordered = rows.OrderBy(r => r.Status switch
        {
            RegistrationStatus.Confirmed => 0,
            RegistrationStatus.Held => 1,
            RegistrationStatus.Waitlisted => 2,
            _ => 3,
        }).ThenBy(r => r.Sequence).ThenBy(r => r.CreatedUtc);

        var header = new List<string>
        {
            "姓名 (Name)", "手机 (Phone)", "邮箱 (Email)", "单位 (Unit)", "状态 (Status)", "候补位次 (Waitlist position)",
            "签到码 (Ticket code)", "签到时间 (Checked in)",
        };
        header.AddRange(e.Questions.Select(q => q.Label));
        // A site visit's security-desk details (asked of every visitor, for the site's desk): a column each.
        var security = e.SiteVisit?.SecurityFields ?? [];
        header.AddRange(security.Select(f => $"{f} (Security desk)"));
        header.Add("报名时间 (Signed up)");

        return Write(header, ordered.Select(r =>
        {
            var answers = JsonSerializer.Deserialize<Dictionary<string, string>>(r.AnswersJson, Json.Options) ?? [];
            var line = new List<string?>
            {
                r.Name, PhoneForSheet(r.Phone), r.Email, r.Organisation, StatusName(r.Status),
                waitlist.TryGetValue(r.RowKey, out var p) ? p.ToString(CultureInfo.InvariantCulture) : "",
                r.Status == RegistrationStatus.Confirmed ? ids.TicketOf(r) : "",
                r.CheckedInUtc is { } at ? Local(e, at) : "",
            };
            line.AddRange(e.Questions.Select(q => answers.TryGetValue(q.Id, out var a) ? Answer(q, a) : ""));
            var details = JsonSerializer.Deserialize<List<string?>>(r.SecurityDetailsJson, Json.Options) ?? []; // [] once purged
            line.AddRange(security.Select((_, i) => i < details.Count ? details[i] : ""));
            line.Add(Local(e, r.CreatedUtc));
            return line;
        }));
    }

    /// <summary>A yes/no answer in the sheet's two languages (stored as <c>yes</c> / <c>no</c>); others as given.</summary>
    private static string Answer(Question q, string answer) => q.Type != QuestionType.YesNo ? answer : answer switch
    {
        "yes" => "是 (Yes)",
        "no" => "否 (No)",
        _ => answer,
    };

    /// <summary>The event's attendance, one line per unit and a total; null for an unknown event.</summary>
    public async Task<byte[]?> AttendanceByUnitAsync(string eventId, CancellationToken ct) => await AttendanceByUnitAsync(eventId, excel: false, ct);

    /// <summary>As a CSV, or (<paramref name="excel"/>) an Excel workbook of the same sheet.</summary>
    public async Task<byte[]?> AttendanceByUnitAsync(string eventId, bool excel, CancellationToken ct)
    {
        var report = await attendance.ReportAsync(eventId, ct);
        if (report is null) return null;
        var header = new[] { "单位 (Unit)", "报名确认 (Registered)", "候补 (Waitlisted)", "出席 (Attended)", "未到 (No-shows)", "现场登记 (Walk-ins)", "受邀名额 (Invited seats)", "无人出席 (No one came)" };
        var lines = report.ByUnit.Select(u => Line(u.Unit, [u.Registered, u.Waitlisted, u.Attended, u.NoShows, u.WalkIns],
            u.Seats?.ToString(CultureInfo.InvariantCulture) ?? "", u.NoOneCame(report.Ended) ? "是 (yes)" : "")).ToList();
        lines.Add(Line("合计 (Total)", [report.Registered, report.Waitlisted, report.Attended, report.NoShows, report.WalkIns], "", ""));
        lines.Add(["已取消 (Cancelled)", report.Withdrawn.ToString(CultureInfo.InvariantCulture), "", "", "", "", "", ""]);
        return excel ? Xlsx(header, lines) : Write(header, lines);

        static List<string?> Line(string unit, int[] counts, string seats, string noOneCame) => [unit, .. counts.Select(c => c.ToString(CultureInfo.InvariantCulture)), seats, noOneCame];
    }

    /// <summary>The unit report (see <see cref="AttendanceService.UnitReportAsync"/>): one line per unit and event it took part in.</summary>
    public Task<byte[]> UnitReportAsync(DateOnly from, DateOnly to, Func<EventRecord, bool> include, CancellationToken ct) => UnitReportAsync(from, to, include, excel: false, ct);

    /// <summary>As a CSV, or (<paramref name="excel"/>) an Excel workbook of the same sheet.</summary>
    public async Task<byte[]> UnitReportAsync(DateOnly from, DateOnly to, Func<EventRecord, bool> include, bool excel, CancellationToken ct)
    {
        var units = await attendance.UnitReportAsync(from, to, include, ct);
        var header = new[] { "单位 (Unit)", "受邀次数 (Invitations)", "参加活动数 (Events)", "出席人次合计 (Attended, all events)", "活动日期 (Event date)", "活动 (Event)", "出席人数 (Attended)", "受邀 (Invited)",
            "未到场人次合计 (No-shows, all events)", "未到场率 (No-show rate)", "未到场人数 (No-shows)" };
        var lines = units.SelectMany(u => u.Events.Concat(u.Missed).OrderBy(ev => ev.LocalDate).Select(ev => new List<string?>
        {
            u.Unit, u.Invited.ToString(CultureInfo.InvariantCulture), u.Events.Count.ToString(CultureInfo.InvariantCulture), u.Attended.ToString(CultureInfo.InvariantCulture),
            ev.LocalDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ev.Title, ev.Attended.ToString(CultureInfo.InvariantCulture),
            ev.Invited ? ev.Attended == 0 ? "受邀，无人出席 (invited, no one came)" : "是 (yes)" : "",
            u.NoShows.ToString(CultureInfo.InvariantCulture), u.NoShowRate is { } rate ? rate.ToString("0%", CultureInfo.InvariantCulture) : "",
            ev.NoShows.ToString(CultureInfo.InvariantCulture),
        }));
        return excel ? Xlsx(header, lines) : Write(header, lines);
    }

    /// <summary>
    /// The same sheet as an Excel workbook (MiniExcel): whole numbers as numbers, everything else as text cells, which
    /// Excel never runs as formulas (so no quote is added), the header row first.
    /// </summary>
    private static byte[] Xlsx(IEnumerable<string> header, IEnumerable<IEnumerable<string?>> lines)
    {
        var columns = header.ToList();
        var rows = lines.Select(line =>
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            var cells = line.ToList();
            for (var i = 0; i < columns.Count; i++)
            {
                var cell = i < cells.Count ? cells[i] : null;
                row[columns[i]] = int.TryParse(cell, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : cell ?? "";
            }

            return row;
        }).ToList();
        if (rows.Count == 0) rows.Add(columns.ToDictionary(c => c, _ => (object?)"", StringComparer.Ordinal)); // the header, even with nothing under it
        using var buffer = new MemoryStream();
        MiniExcelLibs.MiniExcel.SaveAs(buffer, rows, sheetName: "报表");
        return buffer.ToArray();
    }

    /// <summary>A cell a spreadsheet will show as text: one starting with = + - @, a tab or a CR gets a leading quote.</summary>
    public static string Neutralise(string? cell) =>
        string.IsNullOrEmpty(cell) ? "" : cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + cell : cell;

    /// <summary>A CSV as spreadsheets open it: UTF-8 with a BOM (Excel reads Chinese right), every cell neutralised.</summary>
    public static byte[] Write(IEnumerable<string> header, IEnumerable<IEnumerable<string?>> lines)
    {
        using var buffer = new MemoryStream();
        using (var writer = new StreamWriter(buffer, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), leaveOpen: true))
        using (var csv = new CsvWriter(writer, Config))
        {
            foreach (var h in header) csv.WriteField(Neutralise(h));
            csv.NextRecord();
            foreach (var line in lines)
            {
                foreach (var cell in line) csv.WriteField(Neutralise(cell));
                csv.NextRecord();
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Mainland numbers as people write them (13812345678); others stay E.164 (+852…, neutralised like any cell starting with +).</summary>
    private static string? PhoneForSheet(string? phone) =>
        phone is { Length: 14 } && phone.StartsWith("+861", StringComparison.Ordinal) ? phone[3..] : phone;

    private static string StatusName(string status) => status switch
    {
        RegistrationStatus.Confirmed => "已确认 (Confirmed)",
        RegistrationStatus.Waitlisted => "候补 (Waitlisted)",
        RegistrationStatus.Held => "保留待确认 (Held)",
        RegistrationStatus.Entry => "抽签报名 (Lottery entry)",
        RegistrationStatus.Pending => "待审核 (Pending)",
        RegistrationStatus.Declined => "未通过 (Declined)",
        _ => "现场登记 (Walk-in)",
    };

    private static string Local(EventRecord e, DateTimeOffset utc) => e.ToLocal(utc).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
