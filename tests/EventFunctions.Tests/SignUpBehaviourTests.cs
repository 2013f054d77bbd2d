using EventFunctions.Shared.Events;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace EventFunctions.Tests;

[Collection(StorageCollection.Name)]
public sealed class SignUpBehaviourTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Form_is_Chinese_by_default_and_English_on_request()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var salon = await app.CreateEventAsync(Seed.Salon());

        var zh = Results.Html(await app.SignUpForm.Show(Requests.Get($"/api/signup/{salon.Id}"), salon.Id, default)).Html;
        Assert.Contains("<html lang=\"zh-CN\">", zh);
        Assert.Contains("北外滩商会沙龙", zh); // not &#x...; entities
        Assert.Contains("剩余名额 40 / 40", zh);
        Assert.Contains("个人信息告知", zh);
        Assert.Contains("SendGrid", zh);
        Assert.Contains("name=\"consent\"", zh);
        Assert.Contains("是否参加茶歇交流？", zh);
        Assert.Contains("name=\"phone\"", zh);
        Assert.Contains($"href=\"/api/signup/{salon.Id}?lang=en\"", zh);
        Assert.Matches(@"\d{4}年\d{1,2}月\d{1,2}日 星期. 14:00–16:00", zh);

        var en = Results.Html(await app.SignUpForm.Show(Requests.Get($"/api/signup/{salon.Id}", "en-US,en;q=0.9"), salon.Id, default)).Html;
        Assert.Contains("<html lang=\"en\">", en);
        Assert.Contains("How your information is used", en);
        Assert.Contains("40 of 40 seats left", en);

        var explicitZh = Results.Html(await app.SignUpForm.Show(Requests.Get($"/api/signup/{salon.Id}?lang=zh-CN", "en-US"), salon.Id, default)).Html;
        Assert.Contains("<html lang=\"zh-CN\">", explicitZh);
    }

    [Fact]
    public async Task Lecture_form_asks_no_phone_and_stores_none()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        var html = Results.Html(await app.SignUpForm.Show(Requests.Get($"/api/signup/{lecture.Id}"), lecture.Id, default)).Html;
        Assert.DoesNotContain("name=\"phone\"", html);

        var body = Seed.Person("王磊", "w@example.cn", phone: "13812345678");
        await app.RegisterForEvent.Run(Requests.Json("POST", "/x", body), lecture.Id, default);
        Assert.Null(Assert.Single(await app.RegistrationsAsync(lecture.Id)).Phone);
    }

    [Fact]
    public async Task Second_sign_up_with_the_same_email_is_refused_but_a_repeat_returns_the_first_result()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        var body = Seed.Person("李莹晖", "liyinghui@example.com", phone: null);

        var (s1, first) = Results.Object<RegistrationView>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", body), lecture.Id, default));
        var (s2, repeat) = Results.Object<RegistrationView>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", body), lecture.Id, default));
        Assert.Equal(201, s1);
        Assert.Equal(200, s2);
        Assert.Equal(first, repeat);

        body["email"] = "LiYingHui@Example.com "; // the same address, typed differently
        body["name"] = "李莹";
        var (s3, problem) = Results.Object<ProblemDetails>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", body), lecture.Id, default));
        Assert.Equal(409, s3);
        Assert.Equal(Problems.AlreadyRegistered, problem.Type);

        // A +tag reaches the same inbox: not a new person (a script cannot mail one inbox from many "addresses").
        body["email"] = "liyinghui+2@example.com";
        var (s4, tagged) = Results.Object<ProblemDetails>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", body), lecture.Id, default));
        Assert.Equal(409, s4);
        Assert.Equal(Problems.AlreadyRegistered, tagged.Type);
        Assert.Single(await app.RegistrationsAsync(lecture.Id));
        Assert.Single(await app.DrainQueueAsync());
    }

    [Fact]
    public async Task Capacity_cannot_go_below_the_confirmed_count()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var input = Seed.Lecture(capacity: 3);
        var lecture = await app.CreateEventAsync(input);
        foreach (var i in Enumerable.Range(0, 2))
        {
            await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person($"人{i}", $"p{i}@example.cn", null)), lecture.Id, default);
        }

        input["capacity"] = 1;
        var (status, problem) = Results.Object<ValidationProblemDetails>(await app.UpdateEvent.Run(Requests.Json("PUT", "/x", input), lecture.Id, default));
        Assert.Equal(400, status);
        Assert.Contains("2", problem.Errors["capacity"][0]);

        input["capacity"] = 2;
        input["title"] = "上海供水的过去、现在和未来（视频回放）";
        var (ok, updated) = Results.Object<EventView>(await app.UpdateEvent.Run(Requests.Json("PUT", "/x", input), lecture.Id, default));
        Assert.Equal(200, ok);
        Assert.Equal(new EventCounts(2, 0, 0), updated.Counts);
        Assert.Equal("上海供水的过去、现在和未来（视频回放）", updated.Title);
        Assert.Equal("waitlist", updated.SignUpStatus);
    }

    [Fact]
    public async Task Cancelling_deletes_the_data_and_gives_the_seat_to_the_first_on_the_waitlist()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 1, waitlist: true));
        var views = new List<RegistrationView>();
        foreach (var who in new[] { "first", "second", "third" })
        {
            views.Add(Results.Object<RegistrationView>(await app.RegisterForEvent.Run(
                Requests.Json("POST", "/x", Seed.Person(who, $"{who}@example.cn", null)), lecture.Id, default)).Value);
            await Task.Delay(20);
        }

        Assert.Equal(3, await app.DeliverQueuedAsync());
        var rows = await app.RegistrationsAsync(lecture.Id);
        var first = rows.Single(r => r.Email == "first@example.cn");

        // A wrong token changes nothing.
        var wrong = await app.CancelRegistration.Delete(Requests.Raw("DELETE", $"/x?t=0000", "", null), lecture.Id, first.RegistrationId, default);
        Assert.Equal(404, Results.Object<ProblemDetails>(wrong).Status);

        // The link in the email shows a confirm page; posting it cancels.
        var page = Results.Html(await app.CancelRegistration.Show(Requests.Get($"/x?t={TestTokens.Manage(first)}"), lecture.Id, first.RegistrationId, default));
        Assert.Equal(200, page.Status);
        Assert.Contains("确认取消并删除我的信息", page.Html);
        var done = Results.Html(await app.CancelRegistration.Confirm(Requests.Form("/x", [new("t", TestTokens.Manage(first))]), lecture.Id, first.RegistrationId, default));
        Assert.Contains("已取消报名", done.Html);

        rows = await app.RegistrationsAsync(lecture.Id);
        Assert.DoesNotContain(rows, r => r.Email == "first@example.cn");
        Assert.Equal(RegistrationStatus.Confirmed, rows.Single(r => r.Email == "second@example.cn").Status);
        Assert.Equal(RegistrationStatus.Waitlisted, rows.Single(r => r.Email == "third@example.cn").Status);
        var counters = await app.EventRowAsync(lecture.Id);
        Assert.Equal((1, 1), (counters.Confirmed, counters.Waitlisted));

        // The promoted person gets a confirmation (their second email: the state changed), saying it is a promotion.
        Assert.Equal(1, await app.DeliverQueuedAsync());
        var promotedMails = app.SendGrid!.Mails.Where(m => EndToEndTests.Recipient(m.RootElement) == "second@example.cn").ToList();
        Assert.Equal(2, promotedMails.Count);
        Assert.Contains(promotedMails, m => EndToEndTests.Subject(m.RootElement).StartsWith("候补转正")); // says the seat came from the waitlist

        // Cancelling again: the link no longer works.
        var again = await app.CancelRegistration.Delete(Requests.Raw("DELETE", $"/x?t={TestTokens.Manage(first)}", "", null), lecture.Id, first.RegistrationId, default);
        Assert.Equal(404, Results.Object<ProblemDetails>(again).Status);
    }

    [Fact]
    public async Task Storage_faults_are_503_with_Retry_After_not_a_stack_trace()
    {
        var closedPort = AzuriteFixture.FreePort();
        var connection = azurite.ConnectionString.Replace($":{azurite.TablePort}/", $":{closedPort}/").Replace($":{azurite.QueuePort}/", $":{closedPort}/");
        await using var app = await TestApp.StartAsync(connection, withSendGrid: false);

        var request = Requests.Json("POST", "/x", Seed.Person("王磊", "w@example.cn"));
        var (status, problem) = Results.Object<ProblemDetails>(await app.RegisterForEvent.Run(request, "abcdefgh", default));
        Assert.Equal(503, status);
        Assert.Equal(Problems.Unavailable, problem.Type);
        Assert.Equal("5", request.HttpContext.Response.Headers.RetryAfter.ToString());

        var formRequest = Requests.Get("/api/signup/abcdefgh");
        var page = Results.Html(await app.SignUpForm.Show(formRequest, "abcdefgh", default));
        Assert.Equal(503, page.Status);
        Assert.Contains("系统繁忙", page.Html);
        Assert.Equal("5", formRequest.HttpContext.Response.Headers.RetryAfter.ToString());

        var organiser = Requests.Json("POST", "/api/events", Seed.Lecture());
        Assert.Equal(503, Results.Object<ProblemDetails>(await app.CreateEvent.Run(organiser, default)).Status);
    }

    [Fact]
    public async Task A_full_event_whose_sign_up_closed_or_that_was_cancelled_shows_only_the_most_relevant_message()
    {
        await using var app = await Informed.StartAsync(azurite);
        var events = app.Get<EventService>();
        var form = new Functions.Participants.SignUpForm(app.Get<SignUpApi>());
        async Task<string> Page(string eventId, Shared.Text.UiText text) =>
            Results.Html(await form.Show(Requests.Get($"/api/signup/{eventId}?lang={text.Code}"), eventId, default)).Html;
        var languages = new[] { Shared.Text.UiText.Chinese, Shared.Text.UiText.English };

        // Full, waitlist open: the waitlist message and the form.
        var closedEarly = await app.CreateAsync(Seed.Lecture(capacity: 1, waitlist: true));
        await app.SignUpAsync(closedEarly.Id, "李莹晖", "liyinghui@example.com");
        foreach (var text in languages)
        {
            var open = await Page(closedEarly.Id, text);
            Assert.Contains(text.FullWaitlistOpen, open);
            Assert.Contains("<form", open);
        }

        // Closed early by the organiser: only "sign-up has closed".
        Assert.IsType<EventOutcome.Ok>(await events.CloseSignUpAsync(closedEarly.Id, default));
        foreach (var text in languages)
        {
            var closed = await Page(closedEarly.Id, text);
            Assert.Contains(text.Closed, closed);
            Assert.DoesNotContain(text.FullWaitlistOpen, closed);
        }

        // Then cancelled: only "cancelled", no "full".
        await events.CancelEventAsync(closedEarly.Id, default);
        foreach (var text in languages)
        {
            var cancelled = await Page(closedEarly.Id, text);
            Assert.Contains(text.EventCancelled, cancelled);
            Assert.DoesNotContain(text.FullWaitlistOpen, cancelled);
        }

        // Full without a waitlist, past its deadline: only "sign-up has closed".
        var definition = Seed.Lecture(capacity: 1, waitlist: false);
        definition["signUpCloses"] = Seed.Local(app.Clock.GetUtcNow().AddDays(1));
        var pastDeadline = await app.CreateAsync(definition);
        await app.SignUpAsync(pastDeadline.Id, "王磊", "wanglei@example.com");
        Assert.Contains(languages[0].Full, await Page(pastDeadline.Id, languages[0]));
        app.Clock.Advance(TimeSpan.FromDays(2));
        foreach (var text in languages)
        {
            var closed = await Page(pastDeadline.Id, text);
            Assert.Contains(text.Closed, closed);
            Assert.DoesNotContain(text.Full, closed);
        }

        // Full without a waitlist while sign-up is open: "full" once, and no form.
        var full = await app.CreateAsync(Seed.Lecture(capacity: 1, waitlist: false));
        await app.SignUpAsync(full.Id, "张伟", "zhangwei@example.com");
        foreach (var text in languages)
        {
            var page = await Page(full.Id, text);
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(page, System.Text.RegularExpressions.Regex.Escape(text.Full)));
            Assert.DoesNotContain("<form", page);
        }

        // And once that one is cancelled: "cancelled", no "full".
        await events.CancelEventAsync(full.Id, default);
        foreach (var text in languages)
        {
            var page = await Page(full.Id, text);
            Assert.Contains(text.EventCancelled, page);
            Assert.DoesNotContain(text.Full, page);
        }
    }
}
