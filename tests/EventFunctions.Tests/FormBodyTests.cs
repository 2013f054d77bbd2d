using System.Net;
using System.Text;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>
/// The sign-up form's body as phones really send it: every answer is an HTML page in the participant's
/// language (never JSON), bytes that are not text are refused rather than stored as mojibake, and old
/// Chinese browsers that post GBK are understood.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class FormBodyTests(AzuriteFixture azurite)
{
    private const string FormType = "application/x-www-form-urlencoded";

    /// <summary>A complete, valid salon sign-up, urlencoded, with one field replaced by a raw (already encoded) value.</summary>
    private static string SalonBody(string? field = null, string? rawValue = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["name"] = Uri.EscapeDataString("王磊"),
            ["phone"] = "13812345678",
            ["email"] = "wanglei%40example.cn",
            ["organisation"] = Uri.EscapeDataString("虹口区律师事务所"),
            ["q_lunch"] = "yes",
            ["q_question"] = Uri.EscapeDataString("合同怎么签？"),
            ["consent"] = "true",
        };
        if (field is not null) fields[field] = rawValue!;
        return string.Join("&", fields.Select(kv => $"{kv.Key}={kv.Value}"));
    }

    [Theory]
    [InlineData("name", "%E7%8E%8B%00%E7%A3%8A", "name")]
    [InlineData("email", "wanglei%00%40example.cn", "email")]
    [InlineData("phone", "138%0012345678", "phone")]
    [InlineData("organisation", "%E5%BE%8B%E6%89%80%00", "organisation")]
    [InlineData("q_question", "%E9%97%AE%00", "answers.question")]
    public async Task A_NUL_byte_brings_the_form_back_with_a_message_beside_that_field(string field, string raw, string shownAs)
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var salon = await app.CreateEventAsync(Seed.Salon());

        var result = await app.SignUpForm.Submit(Requests.Raw("POST", $"/api/signup/{salon.Id}", SalonBody(field, raw), FormType), salon.Id, default);

        var (status, html) = Results.Html(result);
        Assert.Equal(400, status);
        Assert.Contains($"data-field=\"{shownAs}\"", html);
        Assert.Contains("<form", html);
        Assert.Contains("id=\"error-summary\"", html); // the summary above the form
        Assert.Empty(await app.RegistrationsAsync(salon.Id));
    }

    [Fact]
    public async Task A_security_desk_field_with_a_NUL_byte_is_named_too()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var visit = await app.CreateEventAsync(Seed.SiteVisit());
        var body = "name=%E7%8E%8B%E7%A3%8A&phone=13812345678&email=w%40example.cn&organisation=x&sec_0=12%0034&consent=true";

        var (status, html) = Results.Html(await app.SignUpForm.Submit(Requests.Raw("POST", $"/api/signup/{visit.Id}", body, FormType), visit.Id, default));

        Assert.Equal(400, status);
        Assert.Contains("data-field=\"securityDetails[0]\"", html);
        Assert.Empty(await app.RegistrationsAsync(visit.Id));
    }

    [Fact]
    public async Task Over_HTTP_a_NUL_byte_is_a_400_page_not_JSON()
    {
        await using var host = await RunningHost.StartAsync(azurite);
        var salon = await host.CreateEventAsync(Seed.Salon());
        var id = salon.GetProperty("id").GetString()!;

        using var response = await host.Http.PostAsync($"/api/signup/{id}",
            new StringContent(SalonBody("name", "%E7%8E%8B%00") + "&ft=" + Uri.EscapeDataString(TestFormTokens.For(id)), Encoding.ASCII, FormType));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("data-field=\"name\"", html);
        Assert.Contains("内容包含无法识别的字符", html);
        Assert.Empty(await host.RegistrationsAsync(id));
    }

    public static TheoryData<string, string, string?, string?, int, string> UnreadableCases() => new()
    {
        // case, body, content type, Accept-Language, status, text on the page
        { "multipart", "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nWang\r\n--b--\r\n", "multipart/form-data; boundary=b", null, 415, "不支持此提交格式" },
        { "plain text", "name=王磊", "text/plain", null, 415, "不支持此提交格式" },
        { "JSON", "{\"name\":\"王磊\"}", "application/json", null, 415, "不支持此提交格式" },
        { "no content type", "name=x", null, null, 415, "不支持此提交格式" },
        { "unknown charset", SalonBody(), FormType + "; charset=x-klingon", null, 415, "不支持此提交格式" },
        { "over 64 kB", SalonBody("q_question", new string('a', 70_000)), FormType, null, 413, "提交的内容过大" },
        { "too many fields", SalonBody() + string.Concat(Enumerable.Range(0, 200).Select(i => $"&x{i}=1")), FormType, null, 413, "提交的内容过大" },
        { "invalid UTF-8", SalonBody("name", "%E7%8E"), FormType, null, 400, "文字编码" },
        { "invalid UTF-8, declared", SalonBody("name", "%FF%FE"), FormType + "; charset=utf-8", null, 400, "文字编码" },
        { "invalid UTF-8, in English", SalonBody("name", "%C3%28"), FormType, "en-US,en;q=0.9", 400, "could not be read as text" },
        { "too large, in English", SalonBody("q_question", new string('a', 70_000)), FormType, "en", 413, "too large" },
    };

    [Theory]
    [MemberData(nameof(UnreadableCases))]
    public async Task A_form_that_cannot_be_read_is_answered_with_a_page_in_the_participants_language(
        string name, string body, string? contentType, string? acceptLanguage, int status, string text)
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var salon = await app.CreateEventAsync(Seed.Salon());

        var result = await app.SignUpForm.Submit(Requests.Raw("POST", $"/api/signup/{salon.Id}", body, contentType, acceptLanguage), salon.Id, default);

        var (actual, html) = Results.Html(result);
        Assert.True(status == actual, $"{name}: expected {status}, got {actual}");
        Assert.Contains(text, html);
        Assert.Contains("<!DOCTYPE html>", html);
        Assert.Empty(await app.RegistrationsAsync(salon.Id));
        Assert.Empty(await app.DrainQueueAsync());
    }

    [Fact]
    public async Task A_body_over_64_kB_without_a_length_is_refused_as_it_is_read()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var salon = await app.CreateEventAsync(Seed.Salon());
        var request = Requests.Raw("POST", "/x", SalonBody("q_question", new string('a', 70_000)), FormType);
        request.ContentLength = null; // chunked

        var (status, html) = Results.Html(await app.SignUpForm.Submit(request, salon.Id, default));

        Assert.Equal(413, status);
        Assert.Contains("提交的内容过大", html);
    }

    [Fact]
    public async Task The_cancel_form_answers_with_a_page_too()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var result = await app.CancelRegistration.Confirm(
            Requests.Raw("POST", "/api/manage/e/ABCDEFGH", "{\"t\":\"x\"}", "application/json"), "e", "ABCDEFGH", default);

        var (status, html) = Results.Html(result);
        Assert.Equal(415, status);
        Assert.Contains("不支持此提交格式", html);
    }

    [Theory]
    [InlineData("gbk")]
    [InlineData("GBK")]
    [InlineData("gb2312")]
    [InlineData("gb18030")]
    public async Task A_GBK_form_from_an_old_phone_browser_is_stored_as_the_characters_typed(string charset)
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var salon = await app.CreateEventAsync(Seed.Salon());
        // 王磊 in GBK is CD F5 C0 DA; 虹口 is BA E7 BF DA; "合同？" is BA CF CD AC A3 BF.
        var body = SalonBody("name", "%CD%F5%C0%DA")
            .Replace("organisation=" + Uri.EscapeDataString("虹口区律师事务所"), "organisation=%BA%E7%BF%DA")
            .Replace("q_question=" + Uri.EscapeDataString("合同怎么签？"), "q_question=%BA%CF%CD%AC%A3%BF");

        var result = await app.SignUpForm.Submit(Requests.Raw("POST", $"/api/signup/{salon.Id}", body, $"{FormType}; charset={charset}"), salon.Id, default);

        var (status, html) = Results.Html(result);
        Assert.Equal(200, status);
        Assert.Contains("报名成功", html);
        var row = Assert.Single(await app.RegistrationsAsync(salon.Id));
        Assert.Equal("王磊", row.Name);
        Assert.Equal("虹口", row.Organisation);
        Assert.Equal("合同？", Answers(row)["question"]);
    }

    [Fact]
    public async Task A_UTF8_form_with_plus_signs_and_literal_percent_signs_reads_as_browsers_mean_it()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var salon = await app.CreateEventAsync(Seed.Salon());
        var body = SalonBody("name", "%E7%8E%8B+%E7%A3%8A").Replace("q_question=" + Uri.EscapeDataString("合同怎么签？"), "q_question=100%+sure%3F");

        var result = await app.SignUpForm.Submit(Requests.Raw("POST", $"/api/signup/{salon.Id}", body, FormType + "; charset=UTF-8"), salon.Id, default);

        Assert.Equal(200, Results.Html(result).Status);
        var row = Assert.Single(await app.RegistrationsAsync(salon.Id));
        Assert.Equal("王 磊", row.Name);
        Assert.Equal("100% sure?", Answers(row)["question"]);
    }

    private static Dictionary<string, string> Answers(Shared.Registrations.RegistrationEntity row) =>
        System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(row.AnswersJson)!;
}
