using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EventFunctions.Shared.Units;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>The member units' CSV, both ways, without storage: what a street office's Excel file holds, and what it should not.</summary>
[Trait("Tier", "Fast")]
public sealed class UnitCsvTests
{
    private static byte[] Gbk(string text)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GBK").GetBytes(text);
    }

    [Fact]
    public void A_gbk_file_saved_by_excel_reads_with_chinese_headers_in_any_order()
    {
        var bytes = Gbk("联系人,单位名称,邮箱,备注\r\n王芳,上海市自来水公司,wang@water.example.cn,供水\r\n李明,金茂律师事务所,li@law.example.cn,\r\n");
        var (rows, errors) = UnitCsv.Parse(bytes);
        Assert.Empty(errors);
        Assert.NotNull(rows);
        Assert.Equal(["上海市自来水公司", "金茂律师事务所"], rows.Select(r => r.Unit.Name));
        Assert.Equal("王芳", rows[0].Unit.Contact);
        Assert.Equal("wang@water.example.cn", rows[0].Unit.ContactEmail);
        Assert.False(rows[0].HasEnglishName); // no English column: an update leaves the English name as it is
        Assert.True(rows[0].Unit.Active);
    }

    [Fact]
    public void The_export_reads_back_unchanged_with_a_bom_and_quoted_cells()
    {
        var units = new[]
        {
            new UnitView("abcdefgh", "北外滩街道党建办", "Party Office, North Bund", "张伟", "zhang@jiedao.example.cn", true, DateTimeOffset.UtcNow, "admin", "v"),
            new UnitView("bcdefghj", "上海邮政博物馆", null, null, null, false, DateTimeOffset.UtcNow, "admin", "v"),
        };
        var bytes = UnitCsv.Write(units);
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes[3..]);
        Assert.StartsWith("单位名称 (Name),英文名称 (English name),联系人 (Contact),联系人邮箱 (Contact email),状态 (Active)\r\n", text);
        Assert.Contains("\"Party Office, North Bund\"", text);

        var (rows, errors) = UnitCsv.Parse(bytes);
        Assert.Empty(errors);
        Assert.Equal(2, rows!.Count);
        Assert.Equal("Party Office, North Bund", rows[0].Unit.EnglishName);
        Assert.False(rows[1].Unit.Active);
        Assert.True(rows[1].HasActive);
    }

    [Fact]
    public void A_cell_that_is_a_formula_is_exported_as_text()
    {
        var bytes = UnitCsv.Write([new UnitView("abcdefgh", "律所", null, "-2+3", null, true, DateTimeOffset.UtcNow, "admin", "v")]);
        Assert.Contains(",'-2+3,", Encoding.UTF8.GetString(bytes));
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { "联系人,邮箱\r\n王芳,wang@water.example.cn\r\n", "缺少“单位名称”列" },
        { "单位名称,联系人,邮箱\r\n上海市自来水公司,王芳,wang@water.example.cn\r\n上海市 自来水公司,李明,li@water.example.cn\r\n", "第 3 行“单位名称”：与第 2 行是同一单位" },
        { "单位名称,联系人\r\n=HYPERLINK(\"http://evil.example\"),王芳\r\n", "第 2 行“单位名称”：不能以 = + @ 开头" },
        { "单位名称,联系人,邮箱\r\n上海市自来水公司,王芳,not-an-email\r\n", "第 2 行“联系人邮箱”：请填写有效的邮箱地址" },
        { "单位名称,状态\r\n上海市自来水公司,maybe\r\n", "第 2 行“状态”：状态须为“启用”或“停用”" },
        { "单位名称,单位\r\n甲,乙\r\n", "“单位”列出现了两次" },
        { "单位名称\r\n", "文件里没有单位" },
        { "", "文件里没有单位" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void A_bad_file_is_refused_whole_with_the_row_and_column_named(string csv, string expected)
    {
        var (rows, errors) = UnitCsv.Parse(Encoding.UTF8.GetBytes(csv));
        Assert.Null(rows);
        Assert.Contains(errors, e => e.Zh.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Five_thousand_rows_are_refused_and_bytes_that_are_no_text_too()
    {
        var big = new StringBuilder("单位名称\r\n");
        for (var i = 0; i < 5000; i++) big.Append("单位").Append(i).Append("\r\n");
        var (rows, errors) = UnitCsv.Parse(Encoding.UTF8.GetBytes(big.ToString()));
        Assert.Null(rows);
        Assert.Contains(errors, e => e.Zh.Contains("一次最多导入 1000 个单位", StringComparison.Ordinal));

        (rows, errors) = UnitCsv.Parse(Encoding.Unicode.GetBytes("单位名称\r\n甲\r\n")); // UTF-16: not UTF-8, not GBK text
        Assert.Null(rows);
        Assert.Contains(errors, e => e.En.Contains("not UTF-8 or GBK", StringComparison.Ordinal));

        (rows, errors) = UnitCsv.Parse(new byte[UnitCsv.MaxBytes + 1]);
        Assert.Null(rows);
        Assert.Contains(errors, e => e.Zh.Contains("文件最大", StringComparison.Ordinal));
    }
}

/// <summary>The member-unit directory in the console, on Azurite: add, edit, deactivate, import and export.</summary>
[Collection(StorageCollection.Name)]
public sealed class UnitDirectoryTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task An_admin_keeps_the_units_and_a_name_is_one_unit_however_it_is_typed()
    {
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole());
        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(ConsoleAccessTests.Admin);

        var (status, html, _) = await admin.PostAsync("/api/console/units", ("name", "上海市自来水公司"), ("contact", "王芳"), ("contactEmail", "wang@water.example.cn"));
        Assert.Equal(200, status);
        Assert.Contains("单位已保存", html);
        Assert.Contains("上海市自来水公司", html);

        // The same name with a full-width space and other spacing: refused beside the field, nothing stored.
        (status, html, _) = await admin.PostAsync("/api/console/units", ("name", " 上海市自来水公司 "), ("contactEmail", "bad"));
        Assert.Equal(400, status);
        Assert.Contains("id=\"contactEmail-error\"", html);
        (status, html, _) = await admin.PostAsync("/api/console/units", ("name", "上海市自来水公司"));
        Assert.Equal(400, status);
        Assert.Contains("id=\"name-error\"", html);
        Assert.Contains("已有同名单位", html);

        // Two admins add one new name at once: one unit.
        using var second = new ConsoleClient(host.BaseUrl);
        await second.SignInAsync(ConsoleAccessTests.Admin);
        var both = await Task.WhenAll(
            admin.PostAsync("/api/console/units", ("name", "金茂律师事务所")),
            second.PostAsync("/api/console/units", ("name", "金茂律师事务所")));
        Assert.Equal([200, 400], both.Select(b => b.Status).Order());
        var units = await DirectoryAsync(host);
        Assert.Equal(2, units.Count);

        // Edit: a stale version (another admin saved meanwhile) is refused with 409 and what it says now.
        var water = units.Single(u => u.Name == "上海市自来水公司");
        (status, _) = await admin.GetAsync($"/api/console/units/{water.Id}");
        Assert.Equal(200, status);
        var csrf = admin.Csrf;
        (status, html, _) = await second.PostAsync($"/api/console/units/{water.Id}", ("version", water.Version), ("name", "上海城投水务"), ("contact", "王芳"), ("contactEmail", "wang@water.example.cn"), ("active", "true"));
        Assert.Equal(200, status);
        Assert.Contains("单位已保存", html);
        (status, html, _) = await admin.PostAsync($"/api/console/units/{water.Id}", ("version", water.Version), ("name", "上海市供水公司"), ("active", "true"));
        Assert.Equal(409, status);
        Assert.Contains("此单位刚被他人修改", html);
        Assert.Contains("上海城投水务", html);

        // Deactivated, never deleted; the old name is free again after the rename.
        var renamed = (await DirectoryAsync(host)).Single(u => u.Id == water.Id);
        (status, html, _) = await admin.PostAsync($"/api/console/units/{water.Id}", ("version", renamed.Version), ("name", "上海城投水务"), ("contact", "王芳"), ("contactEmail", "wang@water.example.cn"));
        Assert.Equal(200, status);
        Assert.False((await DirectoryAsync(host)).Single(u => u.Id == water.Id).Active);
        (status, _, _) = await admin.PostAsync("/api/console/units", ("name", "上海市自来水公司"));
        Assert.Equal(200, status);
        Assert.Equal(3, (await DirectoryAsync(host)).Count);
        Assert.NotEqual("", csrf);

        // Organisers see none of it.
        await ConsoleSeed.AddOrganiserAsync(admin, "djb@jiedao.example.cn", "党建办");
        using var organiser = new ConsoleClient(host.BaseUrl);
        await organiser.SignInAsync("djb@jiedao.example.cn");
        (status, html) = await organiser.GetAsync("/api/console/units");
        Assert.Equal(403, status);
        Assert.DoesNotContain("上海城投水务", html);
    }

    [Fact]
    public async Task The_office_imports_its_excel_list_in_gbk_and_a_bad_file_stores_nothing()
    {
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole());
        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(ConsoleAccessTests.Admin);
        await admin.PostAsync("/api/console/units", ("name", "金茂律师事务所"), ("contact", "旧联系人"));

        // A bad row anywhere: the whole file is refused, each problem named by row; nothing stored.
        var (status, html) = await UploadAsync(admin, Gbk("单位名称,联系人,邮箱\r\n上海市自来水公司,王芳,wang@water.example.cn\r\n上海邮政博物馆,李明,not-an-email\r\n"));
        Assert.Equal(400, status);
        Assert.Contains("没有导入任何单位", html);
        Assert.Contains("第 3 行", html);
        Assert.Single(await DirectoryAsync(host));

        // The fixed file: new units added, the one of the same name updated (its contact), nothing twice.
        var good = Gbk("单位名称,联系人,邮箱\r\n上海市自来水公司,王芳,wang@water.example.cn\r\n上海邮政博物馆,李明,li@museum.example.cn\r\n金茂律师事务所,陈静,chen@law.example.cn\r\n");
        (status, html) = await UploadAsync(admin, good);
        Assert.Equal(200, status);
        Assert.Contains("新增 2 个，更新 1 个，未变 0 个", html);
        (status, html) = await UploadAsync(admin, good);
        Assert.Contains("新增 0 个，更新 0 个，未变 3 个", html);
        var units = await DirectoryAsync(host);
        Assert.Equal(3, units.Count);
        Assert.Equal("陈静", units.Single(u => u.Name == "金茂律师事务所").Contact);

        // No file, and a file over the limit: a clear answer, nothing stored.
        (status, html) = await UploadAsync(admin, null);
        Assert.Equal(400, status);
        Assert.Contains("请选择要导入的 CSV 文件", html);
        (status, html) = await UploadAsync(admin, new byte[UnitCsv.MaxBytes + 10]);
        Assert.Equal(413, status);
        Assert.Contains("文件最大", html);

        // The export reads back in as the same units.
        using var export = await admin.Http.GetAsync("/api/console/units/export.csv");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        var (rows, errors) = UnitCsv.Parse(await export.Content.ReadAsByteArrayAsync());
        Assert.Empty(errors);
        Assert.Equal(units.Select(u => u.Name).Order(), rows!.Select(r => r.Unit.Name).Order());
    }

    private static byte[] Gbk(string text)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GBK").GetBytes(text);
    }

    private static async Task<(int Status, string Html)> UploadAsync(ConsoleClient client, byte[]? file)
    {
        using var content = new MultipartFormDataContent { { new StringContent(client.Csrf), "_csrf" } };
        if (file is not null)
        {
            var part = new ByteArrayContent(file);
            part.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            content.Add(part, "file", "成员单位.csv");
        }

        using var response = await client.Http.PostAsync("/api/console/units/import", content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<List<UnitView>> DirectoryAsync(RunningHost host)
    {
        var table = new Azure.Data.Tables.TableClient(azurite.ConnectionString, host.Table.Name + "org");
        var list = new List<UnitView>();
        await foreach (var u in table.QueryAsync<UnitEntity>(x => x.PartitionKey == UnitDirectory.Partition))
            if (u.RowKey.StartsWith(UnitDirectory.UnitPrefix, StringComparison.Ordinal)) list.Add(u.ToView());
        return list;
    }
}
