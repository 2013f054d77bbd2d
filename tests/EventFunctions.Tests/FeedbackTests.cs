using System.Text.RegularExpressions;
using EventFunctions.Functions.Participants;
using EventFunctions.Shared.Attendance;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Feedback;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>After the event: thanks and one question to the people who came, answered once from the link, seen by the organiser without names.</summary>
[Collection(StorageCollection.Name)]
public sealed class FeedbackTests(AzuriteFixture azurite)
{
    private static Dictionary<string, object?> LectureIn(Informed app, int hoursAhead)
    {
        var definition = Seed.Lecture(capacity: 5, waitlist: true);
        var start = app.Clock.GetUtcNow().AddHours(hoursAhead);
        definition["start"] = Seed.Local(start);
        definition["end"] = Seed.Local(start.AddHours(2));
        definition["reminderHoursBefore"] = 0;
        return definition;
    }

    private static AfterEvent Functions(Informed app) => new(app.Get<AfterEventApi>());

    /// <summary>An event held: three signed up, two checked in, the clock at its end.</summary>
    private static async Task<(EventView Event, List<RegistrationEntity> Came, RegistrationEntity Missed)> HeldAsync(Informed app)
    {
        var lecture = await app.CreateAsync(LectureIn(app, 3));
        await app.SignUpAsync(lecture.Id, "王磊", "wanglei@example.cn");
        await app.SignUpAsync(lecture.Id, "Anna Smith", "anna@example.com", "en");
        await app.SignUpAsync(lecture.Id, "赵敏", "zhaomin@example.cn");
        await app.DeliverAllAsync();
        app.Clock.Advance(TimeSpan.FromHours(3));
        var rows = await app.RowsAsync(lecture.Id);
        var came = rows.Where(r => r.Name != "赵敏").ToList();
        foreach (var r in came) Assert.IsType<CheckInOutcome.CheckedIn>(await app.Get<AttendanceService>().CheckInAsync(lecture.Id, r.RowKey, "door:test", default));
        return (lecture, came, rows.Single(r => r.Name == "赵敏"));
    }

    [Fact]
    public async Task Thanks_go_once_to_the_people_checked_in_after_the_end_and_to_nobody_else()
    {
        await using var app = await Informed.StartAsync(azurite);
        var (lecture, came, missed) = await HeldAsync(app);

        // Under way: nothing yet.
        Assert.Equal(0, (await app.SweepAsync()).Thanks);
        app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(2, (await app.SweepAsync()).Thanks);
        // A second sweep before delivery, and the same messages delivered twice: still one email each.
        app.Clock.Advance(TimeSpan.FromMinutes(20));
        var requeued = (await app.SweepAsync()).Thanks;
        var messages = await app.DrainAsync();
        foreach (var m in messages.Concat(messages)) await app.Deliver(m);
        var thanks = app.Mails("thanks");
        Assert.Equal(came.Select(r => r.RegistrationId).Order(), thanks.Select(m => m.RegistrationId).Order());
        Assert.DoesNotContain(thanks, m => m.RegistrationId == missed.RegistrationId);
        var zh = thanks.Single(m => m.RegistrationId == came.Single(r => r.Name == "王磊").RegistrationId);
        Assert.StartsWith("感谢参加“上海供水的过去、现在和未来”", zh.Subject);
        Assert.Contains("5 分 · 非常满意", zh.Html);
        Assert.Contains($"/api/feedback/{lecture.Id}/", zh.Html);
        Assert.Contains("&amp;r=5", zh.Html);
        Assert.StartsWith("Thank you for coming", thanks.Single(m => m.To == "anna@example.com").Subject);

        // Sweeps later on: none again; two days after the end the question is no longer asked.
        for (var i = 0; i < 3; i++)
        {
            app.Clock.Advance(TimeSpan.FromHours(1));
            Assert.Equal(0, (await app.SweepAsync()).Thanks);
        }
        Assert.True(requeued <= 2);
        Assert.Equal(2, app.Mails("thanks").Count);
    }

    [Fact]
    public async Task An_answer_is_taken_once_from_the_link_and_forged_early_absent_or_oversized_answers_store_nothing()
    {
        await using var app = await Informed.StartAsync(azurite);
        var (lecture, came, missed) = await HeldAsync(app);
        var person = came.Single(r => r.Name == "王磊");
        var token = TestTokens.Manage(person);
        var url = $"/api/feedback/{lecture.Id}/{person.RegistrationId}";
        var functions = Functions(app);
        async Task<(int Status, string Html)> Post(RegistrationEntity who, string t, params (string, string)[] fields) =>
            Results.Html(await functions.SubmitFeedback(Requests.Form(url, fields.Append(("t", t)).Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))), lecture.Id, who.RegistrationId, default));

        // Before the end: not yet.
        var (early, earlyPage) = await Post(person, token, ("rating", "4"));
        Assert.Equal(409, early);
        Assert.Contains("活动结束后才能填写反馈", earlyPage);

        app.Clock.Advance(TimeSpan.FromHours(2));
        // The link from the email, with the rating chosen there ticked.
        var (shown, form) = Results.Html(await functions.Feedback(Requests.Get($"{url}?t={Uri.EscapeDataString(token)}&r=4"), lecture.Id, person.RegistrationId, default));
        Assert.Equal(200, shown);
        Assert.Matches("value=\"4\" id=\"rating-4\" checked", form);
        Assert.DoesNotContain("<script", form);

        // Forged, no rating, a comment over the limit, a 10 MB body: refused, nothing stored.
        Assert.Equal(404, (await Post(person, "reg-forged.x", ("rating", "5"))).Status);
        var (noRating, noRatingPage) = await Post(person, token, ("comment", "很好"));
        Assert.Equal(400, noRating);
        Assert.Contains("请选择 1 到 5 分", noRatingPage);
        Assert.Contains(">很好</textarea>", noRatingPage);
        var (tooLong, tooLongPage) = await Post(person, token, ("rating", "5"), ("comment", new string('好', 1001)));
        Assert.Equal(400, tooLong);
        Assert.Contains("留言最多 1000 个字", tooLongPage);
        var huge = await functions.SubmitFeedback(Requests.Raw("POST", url, "rating=5&comment=" + new string('a', 10 * 1024 * 1024), "application/x-www-form-urlencoded"), lecture.Id, person.RegistrationId, default);
        Assert.Equal(413, Results.Html(huge).Status);
        Assert.Null(await app.Get<FeedbackService>().FindAsync(lecture.Id, person.RegistrationId, default));

        // Someone who never came: asked nothing, and cannot answer.
        var (absent, absentPage) = await Post(missed, TestTokens.Manage(missed), ("rating", "1"));
        Assert.Equal(403, absent);
        Assert.Contains("没有签到记录", absentPage);

        // The answer, then the same person again (two phones at once): the first stands.
        var answers = await Task.WhenAll(Post(person, token, ("rating", "4"), ("comment", "讲得很清楚，希望多办")), Post(person, token, ("rating", "1")));
        Assert.Single(answers, a => a.Status == 200);
        Assert.Single(answers, a => a.Status == 409);
        var stored = (await app.Get<FeedbackService>().FindAsync(lecture.Id, person.RegistrationId, default))!;
        var (again, againPage) = Results.Html(await functions.Feedback(Requests.Get($"{url}?t={Uri.EscapeDataString(token)}"), lecture.Id, person.RegistrationId, default));
        Assert.Contains("您已经提交过反馈", againPage);

        // The other person answers in English; the organiser's summary and CSV carry no names.
        var anna = came.Single(r => r.Name == "Anna Smith");
        Assert.Equal(200, Results.Html(await functions.SubmitFeedback(Requests.Form($"/api/feedback/{lecture.Id}/{anna.RegistrationId}",
            [new("t", TestTokens.Manage(anna)), new("rating", "5"), new("lang", "en")]), lecture.Id, anna.RegistrationId, default)).Status);
        var summary = await app.Get<FeedbackService>().SummaryAsync(lecture.Id, default);
        Assert.Equal(2, summary.Answers);
        Assert.Equal(1, summary.Counts[4]);
        Assert.Equal(1, summary.Counts[stored.Rating - 1]);
        var e = (await app.Get<EventService>().FindAsync(lecture.Id, default))!;
        var csv = System.Text.Encoding.UTF8.GetString(await app.Get<FeedbackService>().CsvAsync(e, default)).TrimStart('\uFEFF');
        Assert.StartsWith("评分,留言,时间", csv);
        Assert.DoesNotContain("王磊", csv);
        Assert.DoesNotContain("Anna", csv);

        // After the retention period the comments go with the registrations; the counts stay.
        app.Clock.Advance(app.Get<Microsoft.Extensions.Options.IOptions<EventFunctions.Shared.Storage.EventFunctionsOptions>>().Value.RetentionAfterEvent + TimeSpan.FromDays(1));
        await app.Get<RetentionService>().PurgeAsync(default);
        Assert.Null(await app.Get<FeedbackService>().FindAsync(lecture.Id, person.RegistrationId, default));
        var kept = await app.Get<FeedbackService>().SummaryAsync(lecture.Id, default);
        Assert.True(kept.FromSummary);
        Assert.Equal(2, kept.Answers);
        Assert.Empty(kept.Comments);
    }
}
