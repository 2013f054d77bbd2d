using EventFunctions.Shared.Http;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Text;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace EventFunctions.Tests;

/// <summary>Each bad sign-up gets the right 4xx and a message a person can act on, and nothing is stored or queued.</summary>
[Collection(StorageCollection.Name)]
public sealed class BadInputTests(AzuriteFixture azurite)
{
    public static TheoryData<string, string, string?, int, string> JsonCases() => new()
    {
        // case name, raw body, content type, expected status, expected text (field name or title part)
        { "malformed JSON", "{\"name\": \"王磊\",", "application/json", 400, "不是有效|无法解析" },
        { "not an object", "[1,2,3]", "application/json", 400, "无法解析" },
        { "JSON null", "null", "application/json", 400, "无法解析" },
        { "empty body", "", "application/json", 400, "无法解析" },
        { "wrong content type", "name=王磊", "text/plain", 415, "不支持" },
        { "no content type", "{}", null, 415, "不支持" },
        { "form sent to the JSON API", "name=a", "application/x-www-form-urlencoded", 415, "不支持" },
        { "consent as a string", "{\"name\":\"王磊\",\"email\":\"a@b.cn\",\"consent\":\"yes\"}", "application/json", 400, "无法解析" },
        { "email twice", "{\"name\":\"王磊\",\"email\":\"a@b.cn\",\"email\":\"victim@c.cn\",\"consent\":true}", "application/json", 400, "“email”提交了两次" },
        { "email twice in two cases", "{\"name\":\"王磊\",\"email\":\"a@b.cn\",\"Email\":\"victim@c.cn\",\"consent\":true}", "application/json", 400, "提交了两次" },
        { "body over 64 kB", "{\"name\":\"" + new string('a', 70_000) + "\"}", "application/json", 413, "过大" },
    };

    [Theory]
    [MemberData(nameof(JsonCases))]
    public async Task Unreadable_json_requests_are_refused(string name, string body, string? contentType, int status, string text)
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        var result = await app.RegisterForEvent.Run(Requests.Raw("POST", $"/api/events/{lecture.Id}/registrations", body, contentType), lecture.Id, default);
        var (actual, problem) = Results.Object<ProblemDetails>(result);
        Assert.True(status == actual, $"{name}: expected {status}, got {actual}");
        Assert.Matches(text, problem.Title);
        await AssertNothingStored(app, lecture.Id);
    }

    public static TheoryData<string, Dictionary<string, object?>, string> FieldCases()
    {
        Dictionary<string, object?> With(string key, object? value)
        {
            var p = Seed.Person("王磊", "wanglei@example.cn");
            p["answers"] = new Dictionary<string, string> { ["lunch"] = "yes" };
            p[key] = value;
            return p;
        }

        return new()
        {
            { "missing name", With("name", null), "name" },
            { "blank name", With("name", "   "), "name" },
            { "oversized name", With("name", new string('王', 51)), "name" },
            { "10 kB name", With("name", new string('x', 10_240)), "name" },
            { "script in a name", With("name", "<script>alert(1)</script>"), "name" },
            { "control characters in a name", With("name", "王\u0007磊"), "name" },
            { "missing email", With("email", null), "email" },
            { "email without @", With("email", "wanglei.example.cn"), "email" },
            { "email without a domain dot", With("email", "wanglei@localhost"), "email" },
            { "email with spaces", With("email", "wang lei@example.cn"), "email" },
            { "10 kB email", With("email", new string('a', 10_240) + "@example.cn"), "email" },
            { "missing phone for a salon", With("phone", null), "phone" },
            { "too short phone", With("phone", "12345"), "phone" },
            { "letters as phone", With("phone", "call me"), "phone" },
            { "landline as mobile", With("phone", "021 6321 1234"), "phone" },
            { "10 kB organisation", With("organisation", new string('单', 10_240)), "organisation" },
            { "no consent", With("consent", false), "consent" },
            { "missing required answer", With("answers", new Dictionary<string, string>()), "answers.lunch" },
            { "yes/no answered otherwise", With("answers", new Dictionary<string, string> { ["lunch"] = "maybe" }), "answers.lunch" },
            { "choice not offered", With("answers", new Dictionary<string, string> { ["lunch"] = "yes", ["industry"] = "航天" }), "answers.industry" },
            { "10 kB answer", With("answers", new Dictionary<string, string> { ["lunch"] = "yes", ["question"] = new string('问', 10_240) }), "answers.question" },
        };
    }

    [Theory]
    [MemberData(nameof(FieldCases))]
    public async Task Invalid_fields_are_named_with_a_message_in_the_participants_language(string name, Dictionary<string, object?> body, string field)
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var salon = await app.CreateEventAsync(Seed.Salon());
        var result = await app.RegisterForEvent.Run(Requests.Json("POST", $"/api/events/{salon.Id}/registrations", body), salon.Id, default);
        var (status, problem) = Results.Object<ValidationProblemDetails>(result);
        Assert.Equal(400, status);
        Assert.True(problem.Errors.ContainsKey(field), $"{name}: errors were for {string.Join(", ", problem.Errors.Keys)}");
        Assert.Matches("\\p{IsCJKUnifiedIdeographs}", problem.Errors[field][0]);
        await AssertNothingStored(app, salon.Id);
    }

    [Fact]
    public async Task An_address_in_another_script_before_the_at_is_refused_with_its_reason_and_an_internationalised_domain_is_kept_in_ASCII()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var salon = await app.CreateEventAsync(Seed.Salon());

        // The API and the form say the same, beside the field, and store nothing.
        var body = Seed.Person("王磊", "用户@例子.中国");
        body["answers"] = new Dictionary<string, string> { ["lunch"] = "yes" };
        var (status, problem) = Results.Object<ValidationProblemDetails>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", body), salon.Id, default));
        Assert.Equal(400, status);
        Assert.Equal(UiText.Chinese.EmailNonAsciiLocalPart, problem.Errors["email"][0]);
        var (formStatus, html) = Results.Html(await app.SignUpForm.Submit(Requests.Form($"/api/signup/{salon.Id}",
            [new("name", "王磊"), new("phone", "13812345678"), new("email", "用户@例子.中国"), new("q_lunch", "yes"), new("consent", "true"), new("lang", "en")]), salon.Id, default));
        Assert.Equal(400, formStatus);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(UiText.English.EmailNonAsciiLocalPart), html);
        await AssertNothingStored(app, salon.Id);

        // An internationalised domain is stored and mailed in its ASCII form (every mail server reads it).
        var idn = Seed.Person("王磊", "WangLei@例子.中国");
        idn["answers"] = new Dictionary<string, string> { ["lunch"] = "yes" };
        var (created, _) = Results.Object<RegistrationView>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", idn), salon.Id, default));
        Assert.Equal(201, created);
        Assert.Equal("wanglei@xn--fsqu00a.xn--fiqs8s", Assert.Single(await app.RegistrationsAsync(salon.Id)).Email);
    }

    [Fact]
    public async Task A_name_refused_for_a_symbol_is_told_which_symbols_in_either_language()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var salon = await app.CreateEventAsync(Seed.Salon());
        foreach (var (symbol, language) in new[] { ("\"", "zh-CN"), ("\\", "en"), ("{", "zh-CN"), (">", "en") })
        {
            var body = Seed.Person($"王{symbol}磊", "wanglei@example.cn");
            body["answers"] = new Dictionary<string, string> { ["lunch"] = "yes" };
            body["language"] = language;
            var (status, problem) = Results.Object<ValidationProblemDetails>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", body), salon.Id, default));
            Assert.Equal(400, status);
            Assert.Contains(symbol, problem.Errors["name"][0]);
        }

        await AssertNothingStored(app, salon.Id);
    }

    [Theory]
    [InlineData("consent=true&consent=false", "consent")]
    [InlineData("email=a%40b.cn&email=victim%40c.cn", "email")]
    public async Task A_form_field_sent_twice_is_refused_naming_it_and_nothing_is_stored(string twice, string field)
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        var body = "name=%E7%8E%8B%E7%A3%8A&lang=en&" + twice + (twice.StartsWith("email", StringComparison.Ordinal) ? "&consent=true" : "&email=a%40b.cn");
        var (status, html) = Results.Html(await app.SignUpForm.Submit(Requests.Raw("POST", $"/api/signup/{lecture.Id}", body, "application/x-www-form-urlencoded"), lecture.Id, default));
        Assert.Equal(400, status);
        Assert.Contains($"“{field}”提交了两次", System.Net.WebUtility.HtmlDecode(html)); // the page's language, read before the form
        await AssertNothingStored(app, lecture.Id);
    }

    [Fact]
    public async Task A_full_waitlist_is_full_to_everyone_and_a_limit_out_of_range_is_named()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var input = Seed.Lecture(capacity: 1, waitlist: true);
        input["waitlistLimit"] = 1;
        var lecture = await app.CreateEventAsync(input);
        Assert.Equal(1, lecture.WaitlistLimit);
        for (var i = 0; i < 2; i++)
        {
            var (s, _) = Results.Object<RegistrationView>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person($"人{i}", $"p{i}@example.cn", null)), lecture.Id, default));
            Assert.Equal(201, s);
        }

        var (status, problem) = Results.Object<ProblemDetails>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person("晚到", "late@example.cn", null)), lecture.Id, default));
        Assert.Equal(409, status);
        Assert.Equal(Problems.EventFull, problem.Type);
        Assert.Equal(2, (await app.RegistrationsAsync(lecture.Id)).Count);
        var (_, page) = Results.Html(await app.SignUpForm.Show(Requests.Get($"/api/signup/{lecture.Id}"), lecture.Id, default));
        Assert.Contains(UiText.Chinese.Full, page);

        input["waitlistLimit"] = 0;
        var (bad, invalid) = Results.Object<ValidationProblemDetails>(await app.CreateEvent.Run(Requests.Json("POST", "/api/events", input), default));
        Assert.Equal(400, bad);
        Assert.Contains("waitlistLimit", invalid.Errors.Keys);
    }

    [Fact]
    public async Task A_form_that_fills_the_hidden_field_only_scripts_see_is_not_signed_up()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        var (_, page) = Results.Html(await app.SignUpForm.Show(Requests.Get($"/api/signup/{lecture.Id}"), lecture.Id, default));
        Assert.Contains($"name=\"{SignUpApi.HoneypotField}\"", page); // on the page, not shown: display:none

        KeyValuePair<string, string>[] fields = [new("name", "王磊"), new("email", "wanglei@example.cn"), new("consent", "true"), new("lang", "en")];
        var (status, html) = Results.Html(await app.SignUpForm.Submit(Requests.Form($"/api/signup/{lecture.Id}", [.. fields, new(SignUpApi.HoneypotField, "http://spam.example")]), lecture.Id, default));
        Assert.Equal(400, status);
        Assert.Contains(UiText.English.CheckAndSendAgain, html);
        Assert.Contains("wanglei@example.cn", html); // kept, for a person whose browser filled the field to send again
        await AssertNothingStored(app, lecture.Id);

        // Sent again with the field empty (as a browser does): signed up.
        (status, _) = Results.Html(await app.SignUpForm.Submit(Requests.Form($"/api/signup/{lecture.Id}", [.. fields, new(SignUpApi.HoneypotField, "")]), lecture.Id, default));
        Assert.Equal(200, status);
        Assert.Single(await app.RegistrationsAsync(lecture.Id));
    }

    [Fact]
    public async Task A_form_post_without_a_token_from_this_events_page_or_sooner_than_a_person_types_is_sent_back_and_not_stored()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        var other = await app.CreateEventAsync(Seed.Salon());
        var (_, page) = Results.Html(await app.SignUpForm.Show(Requests.Get($"/api/signup/{lecture.Id}"), lecture.Id, default));
        var served = System.Text.RegularExpressions.Regex.Match(page, "name=\"ft\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(served); // the page carries it: no script needed

        KeyValuePair<string, string>[] fields = [new("name", "王磊"), new("email", "wanglei@example.cn"), new("consent", "true"), new("lang", "zh-CN")];
        async Task<(int Status, string Html)> PostAsync(string token) =>
            Results.Html(await app.SignUpForm.Submit(Requests.Form($"/api/signup/{lecture.Id}", [.. fields, new("ft", token)]), lecture.Id, default));

        // None, forged, another event's, expired, or the page's own sent at once (a script that loads the page and posts):
        // each is the form back, filled in, with a fresh token and "check and send again"; nothing stored.
        var tampered = served[..^2] + (served[^2] == 'A' ? "B" : "A") + served[^1];
        // The too-fast ones first, each made as it is sent: on a busy machine the checks after each post take time, and
        // a page's token two seconds old is a person's (the last case below), not a script's.
        foreach (var token in new Func<string>[] { () => served, () => TestFormTokens.For(lecture.Id, TimeSpan.FromSeconds(1)), () => "", () => tampered, () => TestFormTokens.For(other.Id), () => TestFormTokens.For(lecture.Id, TimeSpan.FromHours(25)) })
        {
            var (status, html) = await PostAsync(token());
            Assert.Equal(400, status);
            Assert.Contains(UiText.Chinese.CheckAndSendAgain, html);
            Assert.Contains("wanglei@example.cn", html);
            Assert.Matches("name=\"ft\" value=\"[^\"]+\"", html);
            await AssertNothingStored(app, lecture.Id);
        }

        // The page's token a few seconds later, as a person sends it: signed up.
        Assert.Equal(200, (await PostAsync(TestFormTokens.For(lecture.Id, TimeSpan.FromSeconds(3)))).Status);
        Assert.Single(await app.RegistrationsAsync(lecture.Id));
    }

    [Fact]
    public async Task Unknown_event_is_404_with_a_message()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var result = await app.RegisterForEvent.Run(Requests.Json("POST", "/api/events/nosuchevent/registrations", Seed.Person("王磊", "w@example.cn")), "nosuchevent", default);
        var (status, problem) = Results.Object<ProblemDetails>(result);
        Assert.Equal(404, status);
        Assert.Equal(Problems.EventNotFound, problem.Type);
        Assert.Contains("未找到该活动", problem.Title);

        var page = Results.Html(await app.SignUpForm.Show(Requests.Get("/api/signup/abc"), "abc", default));
        Assert.Equal(404, page.Status);
        Assert.Contains("未找到该活动", page.Html);
    }

    [Fact]
    public async Task Closed_sign_up_is_409_and_the_form_says_so()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var input = Seed.Lecture();
        input["signUpOpens"] = Seed.Local(DateTimeOffset.UtcNow.AddDays(-2));
        input["signUpCloses"] = Seed.Local(DateTimeOffset.UtcNow.AddHours(-1));
        var lecture = await app.CreateEventAsync(input);

        var (status, problem) = Results.Object<ProblemDetails>(await app.RegisterForEvent.Run(
            Requests.Json("POST", $"/api/events/{lecture.Id}/registrations", Seed.Person("王磊", "w@example.cn", null)), lecture.Id, default));
        Assert.Equal(409, status);
        Assert.Equal(Problems.SignUpClosed, problem.Type);
        Assert.Equal("报名已截止。", problem.Title);

        var form = Results.Html(await app.SignUpForm.Show(Requests.Get($"/api/signup/{lecture.Id}"), lecture.Id, default));
        Assert.Contains("报名已截止", form.Html);
        Assert.DoesNotContain("<form", form.Html);
        await AssertNothingStored(app, lecture.Id);
    }

    [Fact]
    public async Task Sign_up_not_yet_open_says_when_it_opens()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var input = Seed.Lecture();
        input["signUpOpens"] = Seed.Local(DateTimeOffset.UtcNow.AddDays(2));
        var lecture = await app.CreateEventAsync(input);
        var (status, problem) = Results.Object<ProblemDetails>(await app.RegisterForEvent.Run(
            Requests.Json("POST", $"/api/events/{lecture.Id}/registrations", Seed.Person("王磊", "w@example.cn", null)), lecture.Id, default));
        Assert.Equal(409, status);
        Assert.Equal(Problems.SignUpNotOpen, problem.Type);
        Assert.StartsWith("报名将于", problem.Title);
        await AssertNothingStored(app, lecture.Id);
    }

    [Fact]
    public async Task Full_event_without_waitlist_is_409_and_stores_nothing_more()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var visit = await app.CreateEventAsync(Seed.SiteVisit(capacity: 1, waitlist: false));
        Dictionary<string, object?> Visitor(string email)
        {
            var p = Seed.Person("王磊", email);
            p["securityDetails"] = new[] { "1234" };
            return p;
        }

        var first = await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Visitor("a@example.cn")), visit.Id, default);
        Assert.Equal(201, Results.Object<object>(first).Status);
        await app.DrainQueueAsync();

        var (status, problem) = Results.Object<ProblemDetails>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Visitor("b@example.cn")), visit.Id, default));
        Assert.Equal(409, status);
        Assert.Equal(Problems.EventFull, problem.Type);
        Assert.Single(await app.RegistrationsAsync(visit.Id));
        Assert.Empty(await app.DrainQueueAsync());

        var form = await app.SignUpForm.Submit(Requests.Form($"/api/signup/{visit.Id}", [new("name", "李"), new("email", "c@example.cn"), new("phone", "13812345678"),
            new("organisation", "单位"), new("sec_0", "9"), new("consent", "true")]), visit.Id, default);
        var (formStatus, html) = Results.Html(form);
        Assert.Equal(409, formStatus);
        Assert.Contains("名额已满", html);
    }

    [Fact]
    public async Task Form_errors_are_shown_beside_their_fields_with_the_values_kept_and_escaped()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var salon = await app.CreateEventAsync(Seed.Salon());
        var result = await app.SignUpForm.Submit(Requests.Form($"/api/signup/{salon.Id}",
        [
            new("name", "王磊"), new("phone", "123"), new("email", "not-an-email"),
            new("organisation", "<script>alert('x')</script>"), new("q_question", "<b>粗体</b>"),
        ]), salon.Id, default);
        var (status, html) = Results.Html(result);
        Assert.Equal(400, status);
        Assert.Contains("id=\"phone-error\"", html);
        Assert.Contains("手机号码格式不正确", html);
        Assert.Contains("电子邮箱格式不正确", html);
        Assert.Contains("请阅读个人信息告知并勾选同意", html);
        Assert.Contains("data-field=\"answers.lunch\"", html);
        Assert.Contains("value=\"王磊\"", html);
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", html);
        Assert.Contains("&lt;b&gt;粗体&lt;/b&gt;", html);
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<b>粗体", html);
        await AssertNothingStored(app, salon.Id);
    }

    [Fact]
    public async Task Organiser_gets_every_bad_event_field_named()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var result = await app.CreateEvent.Run(Requests.Json("POST", "/api/events", new
        {
            kind = "party", title = "", start = "next Tuesday", end = "2026-12-01T10:00", capacity = 0,
            organiserEmail = "nobody", timeZone = "Mars/Olympus",
        }), default);
        var (status, problem) = Results.Object<ValidationProblemDetails>(result);
        Assert.Equal(400, status);
        foreach (var field in new[] { "kind", "title", "start", "capacity", "organiserEmail", "organiserName", "timeZone" })
        {
            Assert.True(problem.Errors.ContainsKey(field), $"no error for {field}: {string.Join(", ", problem.Errors.Keys)}");
        }

        var list = Results.Object<IReadOnlyList<Shared.Events.EventView>>(await app.ListEvents.Run(Requests.Get("/api/events"), default)).Value;
        Assert.Empty(list);
    }

    private static async Task AssertNothingStored(TestApp app, string eventId)
    {
        Assert.Empty(await app.RegistrationsAsync(eventId));
        var row = await app.EventRowAsync(eventId);
        Assert.Equal(0, row.Confirmed + row.Waitlisted);
        Assert.Empty(await app.DrainQueueAsync());
    }
}
