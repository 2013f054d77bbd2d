namespace EventFunctions.Shared.Text;

/// <summary>What the member-unit directory and its import say (console: both languages on one line).</summary>
public static class UnitText
{
    public static readonly Bilingual Units = new("成员单位", "Member units");
    public static readonly Bilingual AddUnit = new("添加单位", "Add a unit");
    public static readonly Bilingual EditUnit = new("编辑单位", "Edit unit");
    public static readonly Bilingual Name = new("单位名称", "Name");
    public static readonly Bilingual EnglishName = new("英文名称", "English name");
    public static readonly Bilingual Contact = new("联系人", "Contact");
    public static readonly Bilingual ContactEmail = new("联系人邮箱", "Contact email");
    public static readonly Bilingual Active = new("状态", "Active");
    public static readonly Bilingual IsActive = new("启用", "active");
    public static readonly Bilingual IsInactive = new("停用", "inactive");
    public static readonly Bilingual Deactivate = new("停用", "Deactivate");
    public static readonly Bilingual Reactivate = new("重新启用", "Reactivate");
    public static readonly Bilingual Import = new("导入 CSV", "Import CSV");
    public static readonly Bilingual Export = new("导出 CSV", "Export CSV");
    public static readonly Bilingual ImportFile = new("CSV 文件", "CSV file");
    public static readonly Bilingual ImportHint = new("从 Excel 另存为 CSV（UTF-8 或 GBK 均可）；第一行为表头：单位名称、英文名称（可选）、联系人、联系人邮箱、状态（可选）。同名单位会被更新，新单位会被添加，不会删除任何单位 ·",
        "Save from Excel as CSV (UTF-8 or GBK); the first row names the columns: name, English name (optional), contact, contact email, active (optional). Units of the same name are updated, new ones added; none is deleted.");
    public static readonly Bilingual NeverDeleted = new("单位有历史记录，不能删除，可停用；停用的单位不能再被邀请 ·", "A unit keeps its history: deactivate it instead of deleting; an inactive unit cannot be invited.");
    public static readonly Bilingual NoUnitsYet = new("还没有成员单位，请添加或导入。", "No member units yet: add or import them.");

    public static readonly Bilingual EnterName = new("请填写单位名称", "Enter the unit's name.");
    public static Bilingual NameTooLong(int max) => new($"单位名称最多 {max} 个字", $"At most {max} characters.");
    public static Bilingual TooLong(int max) => new($"最多 {max} 个字", $"At most {max} characters.");
    public static readonly Bilingual NoControlCharacters = new("不能含控制字符", "No control characters.");
    public static readonly Bilingual NoFormula = new("不能以 = + @ 开头（表格会把它当作公式执行）", "Cannot start with = + @ (a spreadsheet would run it as a formula).");
    public static readonly Bilingual EnterValidEmail = new("请填写有效的邮箱地址，如 name@example.cn", "Enter a valid email address, like name@example.cn.");
    public static readonly Bilingual NameTaken = new("已有同名单位", "A unit of this name exists already.");
    public static readonly Bilingual ChangedMeanwhile = new("此单位刚被他人修改，请查看最新内容后再保存", "Someone changed this unit meanwhile: check what it says now and save again.");
    public static readonly Bilingual UnitNotFound = new("找不到此单位", "No such unit.");
    public static readonly Bilingual FlashSaved = new("单位已保存", "The unit is saved.");
    public static readonly Bilingual FlashDeactivated = new("单位已停用", "The unit is deactivated.");
    public static readonly Bilingual FlashReactivated = new("单位已重新启用", "The unit is active again.");
    public static Bilingual FlashImported(int added, int updated, int unchanged) =>
        new($"导入完成：新增 {added} 个，更新 {updated} 个，未变 {unchanged} 个", $"Imported: {added} added, {updated} updated, {unchanged} unchanged.");

    // Import refusals: the whole file is refused, nothing is stored; each says what to fix and where.
    public static readonly Bilingual ChooseFile = new("请选择要导入的 CSV 文件", "Choose the CSV file to import.");
    public static Bilingual FileTooLarge(int maxKb) => new($"文件最大 {maxKb} KB", $"The file may be at most {maxKb} KB.");
    public static readonly Bilingual NotText = new("文件不是 UTF-8 或 GBK 编码的文本，请在 Excel 中另存为“CSV UTF-8”或“CSV（逗号分隔）”", "The file is not UTF-8 or GBK text: in Excel, save as “CSV UTF-8” or “CSV (comma delimited)”.");
    public static readonly Bilingual Empty = new("文件里没有单位", "The file has no units.");
    public static Bilingual MissingColumn(string column) => new($"缺少“{column}”列（第一行须为表头）", $"The column “{column}” is missing (the first row names the columns).");
    public static Bilingual DuplicateColumn(string column) => new($"“{column}”列出现了两次", $"The column “{column}” appears twice.");
    public static Bilingual TooManyRows(int max) => new($"一次最多导入 {max} 个单位", $"At most {max} units at a time.");
    public static Bilingual DuplicateInFile(string name, int firstRow) => new($"与第 {firstRow} 行是同一单位“{name}”", $"The same unit “{name}” as row {firstRow}.");
    public static readonly Bilingual BadActive = new("状态须为“启用”或“停用”", "Active must be “启用/active” or “停用/inactive”.");
    public static Bilingual RowError(int row, Bilingual column, Bilingual message) => new($"第 {row} 行“{column.Zh}”：{message.Zh}", $"Row {row}, {column.En}: {message.En}");
    public static Bilingual MoreErrors(int more) => new($"另有 {more} 处错误", $"and {more} more");
    public static readonly Bilingual NothingImported = new("文件有错误，没有导入任何单位。请改正后重新导入：", "The file has errors; nothing was imported. Fix them and import again:");
    public static Bilingual PartlyImported(int done, int total) => new($"存储暂时不可用：已导入 {done}/{total} 个，请稍后再次导入同一文件（已导入的不会重复）", $"Storage is unavailable: {done} of {total} imported; import the same file again shortly (nothing is added twice).");
}
