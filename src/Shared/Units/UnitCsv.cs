using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using EventFunctions.Shared.Text;

namespace EventFunctions.Shared.Units;

/// <summary>
/// The member units as CSV, both ways: the export, and the import of the list a street office keeps in Excel. Excel
/// on a Chinese Windows saves "CSV (comma delimited)" in GBK and "CSV UTF-8" with a BOM; both are read (bytes that
/// are not UTF-8 are read as GB18030, GBK's superset). Columns are found by their header, in Chinese or English, in
/// any order, so the export reads back in unchanged. A file is checked whole before anything is stored: every error
/// names its row and column.
/// </summary>
public static class UnitCsv
{
    public const int MaxBytes = 512 * 1024;
    public const int MaxRows = 1000;
    private const int MaxErrorsShown = 20;

    /// <summary>One unit read from a file, and which optional columns the file had (an update changes only those).</summary>
    public sealed record Row(int Line, ValidUnit Unit, bool HasEnglishName, bool HasContact, bool HasContactEmail, bool HasActive);

    private enum Column { Name, EnglishName, Contact, ContactEmail, Active }

    // The export's headers first (what reads back in), then what people name these columns.
    private static readonly (Column Column, Bilingual Label, string[] Aliases)[] Columns =
    [
        (Column.Name, UnitText.Name, ["单位名称", "单位", "名称", "成员单位", "name", "unit", "unit name"]),
        (Column.EnglishName, UnitText.EnglishName, ["英文名称", "英文名", "english name", "english"]),
        (Column.Contact, UnitText.Contact, ["联系人", "联系人姓名", "contact", "contact person"]),
        (Column.ContactEmail, UnitText.ContactEmail, ["联系人邮箱", "邮箱", "电子邮箱", "电子邮件", "email", "e-mail", "contact email"]),
        (Column.Active, UnitText.Active, ["状态", "是否启用", "active", "status"]),
    ];

    private static readonly string[] Yes = ["启用", "是", "有效", "在册", "active", "yes", "y", "true", "1"];
    private static readonly string[] No = ["停用", "否", "无效", "inactive", "no", "n", "false", "0"];

    /// <summary>The file's rows, or what is wrong with it (nothing is stored when there is anything).</summary>
    public static (IReadOnlyList<Row>? Rows, IReadOnlyList<Bilingual> Errors) Parse(byte[] bytes)
    {
        if (bytes.Length > MaxBytes) return (null, [UnitText.FileTooLarge(MaxBytes / 1024)]);
        var text = Decode(bytes);
        if (text is null) return (null, [UnitText.NotText]);

        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            DetectDelimiter = true,
            DetectDelimiterValues = [",", "\t", ";"],
            BadDataFound = null,
            MissingFieldFound = null,
            IgnoreBlankLines = true,
            TrimOptions = TrimOptions.None,
        };
        using var reader = new CsvReader(new StringReader(text), config);
        if (!reader.Read() || !reader.ReadHeader()) return (null, [UnitText.Empty]);

        var errors = new List<Bilingual>();
        var at = new Dictionary<Column, int>();
        var header = reader.HeaderRecord ?? [];
        for (var i = 0; i < header.Length; i++)
        {
            var label = HeaderLabel(header[i]);
            var match = Columns.FirstOrDefault(c => c.Aliases.Contains(label, StringComparer.OrdinalIgnoreCase));
            if (match.Aliases is null) continue; // a column we do not keep (a note, a phone): ignored
            if (!at.TryAdd(match.Column, i)) errors.Add(UnitText.DuplicateColumn(header[i].Trim()));
        }

        if (!at.ContainsKey(Column.Name)) errors.Add(UnitText.MissingColumn(UnitText.Name.Zh));
        if (errors.Count > 0) return (null, errors);

        var rows = new List<Row>();
        var firstLineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var line = 1;
        while (reader.Read())
        {
            line = reader.Parser.Row;
            var cells = reader.Parser.Record ?? [];
            if (cells.All(string.IsNullOrWhiteSpace)) continue;
            if (rows.Count + errors.Count >= MaxRows)
            {
                return (null, [UnitText.TooManyRows(MaxRows)]);
            }

            string? Cell(Column c) => at.TryGetValue(c, out var i) && i < cells.Length ? cells[i] : null;
            var rowErrors = 0;
            void Error(string field, Bilingual message)
            {
                rowErrors++;
                var column = Columns.First(c => string.Equals(c.Column.ToString(), field, StringComparison.OrdinalIgnoreCase)).Label;
                errors.Add(UnitText.RowError(line, column, message));
            }

            var active = true;
            if (Input.Clean(Cell(Column.Active)) is { } activeText)
            {
                if (Yes.Contains(activeText, StringComparer.OrdinalIgnoreCase)) active = true;
                else if (No.Contains(activeText, StringComparer.OrdinalIgnoreCase)) active = false;
                else Error("active", UnitText.BadActive);
            }

            var unit = UnitDirectory.Validate(new UnitInput(Cell(Column.Name), Cell(Column.EnglishName), Cell(Column.Contact), Cell(Column.ContactEmail), active), Error);
            if (unit is null || rowErrors > 0) continue;
            if (firstLineOf.TryGetValue(unit.NameKey, out var first))
            {
                Error("name", UnitText.DuplicateInFile(unit.Name, first));
                continue;
            }

            firstLineOf[unit.NameKey] = line;
            rows.Add(new Row(line, unit, at.ContainsKey(Column.EnglishName), at.ContainsKey(Column.Contact), at.ContainsKey(Column.ContactEmail), at.ContainsKey(Column.Active)));
        }

        if (errors.Count > MaxErrorsShown) errors = [.. errors.Take(MaxErrorsShown), UnitText.MoreErrors(errors.Count - MaxErrorsShown)];
        if (errors.Count > 0) return (null, errors);
        if (rows.Count == 0) return (null, [UnitText.Empty]);
        return (rows, []);
    }

    /// <summary>The export: UTF-8 with a BOM, CRLF, the headers the import reads, formula-like cells quoted as text.</summary>
    public static byte[] Write(IEnumerable<UnitView> units)
    {
        var sb = new StringBuilder();
        Line(Columns.Select(c => $"{c.Label.Zh} ({c.Label.En})"));
        foreach (var u in units) Line([u.Name, u.EnglishName, u.Contact, u.ContactEmail, u.Active ? UnitText.IsActive.Zh : UnitText.IsInactive.Zh]);
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(sb.ToString())];

        void Line(IEnumerable<string?> cells) => sb.Append(string.Join(',', cells.Select(Cell))).Append("\r\n");
    }

    private static string Cell(string? value)
    {
        var v = Attendance.CsvExport.Neutralise(value); // the exports' one rule for cells a spreadsheet would run
        return v.IndexOfAny([',', '"', '\r', '\n']) >= 0 || v != v.Trim() ? "\"" + v.Replace("\"", "\"\"") + "\"" : v;
    }

    /// <summary>"单位名称 (Name)" and "单位名称（Name）" are "单位名称"; quotes and a BOM are dropped.</summary>
    private static string HeaderLabel(string header)
    {
        var h = header.Trim().Trim('\uFEFF').Trim();
        var paren = h.IndexOfAny(['(', '（']);
        if (paren > 0) h = h[..paren].Trim();
        return h.Normalize(NormalizationForm.FormKC);
    }

    /// <summary>UTF-8 (with or without its BOM), else GB18030 (GBK's superset); null when neither reads it.</summary>
    private static string? Decode(byte[] bytes)
    {
        var span = bytes.AsSpan();
        if (span.StartsWith(Encoding.UTF8.Preamble)) span = span[3..];
        try
        {
            return Http.HttpIO.StrictUtf8.GetString(span);
        }
        catch (DecoderFallbackException)
        {
        }

        try
        {
            var text = Http.HttpIO.StrictGb18030.Value.GetString(span); // the forms' GBK reading, the same strict decoder
            return text.Contains('\0') ? null : text; // UTF-16 or a binary file reads as GB18030 with NULs
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
