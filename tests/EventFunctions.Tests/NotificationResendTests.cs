using EventFunctions.Shared.Http;
using EventFunctions.Shared.Notifications;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Text;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace EventFunctions.Tests;

/// <summary>"Send my confirmation again" and the manage page that has everything needed to attend.</summary>
[Collection(StorageCollection.Name)]
public sealed class NotificationResendTests(AzuriteFixture azurite)
{
    private static Functions.Notifications.ManageRegistrationExtras Extras(Informed app) => new(app.Get<SignUpApi>());

    private static async Task<RegistrationEntity> Row(Informed app, string eventId, string registrationId) =>
        (await app.RowsAsync(eventId)).Single(r => r.RegistrationId == registrationId);

    [Fact]
    public async Task A_participant_can_have_the_confirmation_sent_again_within_a_limit_and_each_request_sends_once()
    {
        await using var app = await Informed.StartAsync(azurite);
        var lecture = await app.CreateAsync(Seed.Lecture());
        var person = await app.SignUpAsync(lecture.Id, "李莹晖", "liyinghui@example.com");
        var row = await Row(app, lecture.Id, person.RegistrationId);
        var path = $"/api/manage/{lecture.Id}/{person.RegistrationId}/resend";
        IActionResult Post(string token) => Extras(app).Resend(Requests.Form(path, [new("t", token), new("lang", "zh-CN")]), lecture.Id, person.RegistrationId, default).Result;

        var (status, html) = Results.Html(Post(TestTokens.Manage(row)));
        Assert.Equal(200, status);
        Assert.Contains("确认邮件已重新发送至 li***@example.com", html);

        // A second tap straight away: 429, with when to try again, and nothing more sent.
        var request = Requests.Form(path, [new("t", TestTokens.Manage(row)), new("lang", "zh-CN")]);
        var (limited, limitedHtml) = Results.Html(await Extras(app).Resend(request, lecture.Id, person.RegistrationId, default));
        Assert.Equal(429, limited);
        Assert.Contains("确认邮件刚刚发送过", limitedHtml);
        Assert.Equal("300", request.HttpContext.Response.Headers.RetryAfter.ToString());

        Assert.Empty(await app.DeliverAllAsync());
        var resent = Assert.Single(app.Mails(), m => m.Subject.StartsWith("报名成功"));
        Assert.Equal(person.RegistrationId, resent.RegistrationId);
        Assert.Contains(resent.Attachments, a => a.Type.StartsWith("text/calendar")); // the calendar file, as in the confirmation

        // Three in 24 hours, five minutes apart; the fourth waits until the day is over. Each request is sent
        // once, however often its message is delivered.
        async Task Delivered()
        {
            var messages = await app.DrainAsync();
            foreach (var m in messages.Concat(messages)) await app.Deliver(m);
        }

        app.Clock.Advance(ResendService.ParticipantMinInterval);
        Assert.Equal(200, Results.Html(Post(TestTokens.Manage(row))).Status);
        await Delivered();
        app.Clock.Advance(ResendService.ParticipantMinInterval);
        Assert.Equal(200, Results.Html(Post(TestTokens.Manage(row))).Status);
        await Delivered();
        app.Clock.Advance(ResendService.ParticipantMinInterval);
        Assert.Equal(429, Results.Html(Post(TestTokens.Manage(row))).Status);
        app.Clock.Advance(TimeSpan.FromHours(24));
        Assert.Equal(200, Results.Html(Post(TestTokens.Manage(row))).Status);
        await Delivered();
        Assert.Equal(4, app.Mails().Count);
        row = await Row(app, lecture.Id, person.RegistrationId);
        Assert.Equal(4, row.ResendRequested);
        Assert.Equal(4, row.ResendSentCount);

        // A wrong secret is refused like any bad link.
        Assert.Equal(404, Results.Html(Post("0123456789abcdef0123456789abcdef")).Status);
    }

    [Fact]
    public async Task An_organiser_can_resend_without_the_participants_limit_and_a_double_click_sends_once()
    {
        await using var app = await Informed.StartAsync(azurite);
        var lecture = await app.CreateAsync(Seed.Lecture(capacity: 1, waitlist: true));
        await app.SignUpAsync(lecture.Id, "王磊", "wanglei@example.cn");
        var waiting = await app.SignUpAsync(lecture.Id, "Anna Smith", "anna@example.com", "en");
        var resends = app.Get<ResendService>();

        Assert.IsType<ResendOutcome.Queued>(await resends.ResendAsync(lecture.Id, waiting.RegistrationId, "organiser:shanghui", default));
        Assert.IsType<ResendOutcome.Queued>(await resends.ResendAsync(lecture.Id, waiting.RegistrationId, "organiser:shanghui", default)); // double click
        Assert.Empty(await app.DeliverAllAsync());
        Assert.Single(app.Mails());
        for (var i = 0; i < 4; i++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(1));
            Assert.IsType<ResendOutcome.Queued>(await resends.ResendAsync(lecture.Id, waiting.RegistrationId, "organiser:shanghui", default));
            Assert.Empty(await app.DeliverAllAsync());
        }

        // Five in 24 hours is the organisers' cap: a sixth waits for the window to end.
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var limited = Assert.IsType<ResendOutcome.Limited>(await resends.ResendAsync(lecture.Id, waiting.RegistrationId, "organiser:shanghui", default));
        Assert.True(limited.RetryAtUtc > app.Clock.GetUtcNow().AddHours(23));
        app.Clock.Advance(TimeSpan.FromHours(24));
        Assert.IsType<ResendOutcome.Queued>(await resends.ResendAsync(lecture.Id, waiting.RegistrationId, "organiser:shanghui", default));
        Assert.Empty(await app.DeliverAllAsync());

        Assert.IsType<ResendOutcome.NotFound>(await resends.ResendAsync(lecture.Id, "ZZZZZZZZ", "organiser:shanghui", default));
        var mails = app.Mails();
        Assert.Equal(6, mails.Count);
        Assert.All(mails, m => Assert.StartsWith("On the waitlist: ", m.Subject)); // the registration's current state, in its language
        Assert.All(mails, m => Assert.Empty(m.Attachments));
    }

    [Fact]
    public async Task A_resend_whose_queue_message_is_lost_is_sent_by_the_sweep()
    {
        await using var app = await Informed.StartAsync(azurite);
        var lecture = await app.CreateAsync(Seed.Lecture());
        var person = await app.SignUpAsync(lecture.Id, "李莹晖", "liyinghui@example.com");
        var row = await Row(app, lecture.Id, person.RegistrationId);
        Assert.IsType<ResendOutcome.Queued>(await app.Get<ResendService>().RequestAsync(row, default));
        await app.DrainAsync(); // lost
        Assert.Equal(0, (await app.SweepAsync()).Resends);
        app.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(1, (await app.SweepAsync()).Resends);
        Assert.Empty(await app.DeliverAllAsync());
        Assert.Single(app.Mails());
    }

    [Fact]
    public async Task Manage_links_are_derived_not_stored_and_links_stored_on_older_rows_keep_working()
    {
        await using var app = await Informed.StartAsync(azurite);
        var lecture = await app.CreateAsync(Seed.Lecture());
        var li = await app.SignUpAsync(lecture.Id, "李莹晖", "liyinghui@example.com");
        var wang = await app.SignUpAsync(lecture.Id, "王磊", "wanglei@example.com");
        var liRow = await Row(app, lecture.Id, li.RegistrationId);
        var wangRow = await Row(app, lecture.Id, wang.RegistrationId);
        var api = app.Get<SignUpApi>();
        int Open(string registrationId, string token) =>
            Results.Html(api.ManageFormAsync(Requests.Get($"/api/manage/{lecture.Id}/{registrationId}?t={Uri.EscapeDataString(token)}"), lecture.Id, registrationId, default).Result).Status;

        // Nothing secret is stored: the row has no token, the link's is derived (row key first: one point read).
        Assert.Equal("", liRow.ManageToken);
        var token = TestTokens.Manage(liRow);
        Assert.StartsWith(liRow.RowKey + ".", token);
        Assert.Equal(200, Open(li.RegistrationId, token));

        // Forged, or another registration's token with this registration's id, or with its row key swapped in: refused.
        var forged = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');
        var swapped = wangRow.RowKey + token[token.IndexOf('.')..];
        foreach (var bad in new[] { forged, swapped, TestTokens.Manage(wangRow), liRow.RowKey, "reg-." })
            Assert.Equal(404, Open(li.RegistrationId, bad));
        Assert.Equal(200, Open(wang.RegistrationId, TestTokens.Manage(wangRow)));

        // A row stored before derived links carries its random token: the link in its old emails still opens it (and
        // only with that token); its new emails carry the derived one, which works as well.
        var table = await app.Get<EventFunctions.Shared.Storage.EventStore>().TableAsync(default);
        await table.UpdateEntityAsync(new Azure.Data.Tables.TableEntity(lecture.Id, wangRow.RowKey) { ["ManageToken"] = "0123456789abcdef0123456789abcdef" }, Azure.ETag.All);
        Assert.Equal(200, Open(wang.RegistrationId, "0123456789abcdef0123456789abcdef"));
        Assert.Equal(404, Open(wang.RegistrationId, "0123456789abcdef0123456789abcdee"));
        Assert.Equal(404, Open(li.RegistrationId, "0123456789abcdef0123456789abcdef"));
        Assert.Equal(200, Open(wang.RegistrationId, TestTokens.Manage(wangRow)));
    }

    [Fact]
    public async Task The_manage_page_shows_the_status_the_details_the_calendar_file_and_the_resend_button()
    {
        await using var app = await Informed.StartAsync(azurite);
        var lecture = await app.CreateAsync(Seed.Lecture());
        var person = await app.SignUpAsync(lecture.Id, "李莹晖", "liyinghui@example.com");
        var row = await Row(app, lecture.Id, person.RegistrationId);
        var api = app.Get<SignUpApi>();

        var (status, html) = Results.Html(await api.ManageFormAsync(Requests.Get($"/api/manage/{lecture.Id}/{person.RegistrationId}?t={TestTokens.Manage(row)}"), lecture.Id, person.RegistrationId, default));
        Assert.Equal(200, status);
        Assert.Contains(UiText.Chinese.StatusConfirmed, html);
        Assert.Contains("上海供水的过去、现在和未来", html);
        Assert.Contains("社区文化活动中心多功能厅", html);
        Assert.Contains($"/api/manage/{lecture.Id}/{person.RegistrationId}/resend", html);
        Assert.Contains($"/api/manage/{lecture.Id}/{person.RegistrationId}/calendar?t={TestTokens.Manage(row)}", html);

        var file = Assert.IsType<FileContentResult>(await Extras(app).Calendar(Requests.Get($"/api/manage/{lecture.Id}/{person.RegistrationId}/calendar?t={TestTokens.Manage(row)}"), lecture.Id, person.RegistrationId, default));
        Assert.StartsWith("text/calendar", file.ContentType);
        var calendar = Ical.Net.Calendar.Load(System.Text.Encoding.UTF8.GetString(file.FileContents))!;
        Assert.Equal($"{lecture.Id}-{person.RegistrationId}@eventfunctions", calendar.Events.Single().Uid);

        var wrong = await Extras(app).Calendar(Requests.Get($"/api/manage/{lecture.Id}/{person.RegistrationId}?t=nope"), lecture.Id, person.RegistrationId, default);
        Assert.Equal(404, Results.Html(wrong).Status);

        // Once the event is cancelled the page says so and offers no resend.
        await app.Get<Shared.Events.EventService>().CancelEventAsync(lecture.Id, default);
        html = Results.Html(await api.ManageFormAsync(Requests.Get($"/api/manage/{lecture.Id}/{person.RegistrationId}?t={TestTokens.Manage(row)}&lang=en"), lecture.Id, person.RegistrationId, default)).Html;
        Assert.Contains(UiText.English.StatusEventCancelled, html);
        Assert.DoesNotContain("/resend", html);
    }

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task Once_the_event_is_cancelled_the_manage_page_says_so_first_shows_no_ticket_and_offers_only_to_delete_the_data(string lang)
    {
        await using var app = await Informed.StartAsync(azurite);
        var text = UiText.ForCode(lang);
        var lecture = await app.CreateAsync(Seed.Lecture());
        var person = await app.SignUpAsync(lecture.Id, "李莹晖", "liyinghui@example.com", lang);
        var row = await Row(app, lecture.Id, person.RegistrationId);
        var api = app.Get<SignUpApi>();
        var manage = $"/api/manage/{lecture.Id}/{person.RegistrationId}?t={TestTokens.Manage(row)}&lang={lang}";
        var door = Shared.Attendance.DoorText.For(text);

        // Before: a confirmed registration with its ticket, the calendar file, resend, and "your seat goes to someone else".
        var before = Results.Html(await api.ManageFormAsync(Requests.Get(manage), lecture.Id, person.RegistrationId, default)).Html;
        Assert.Contains($"<p class=\"status\" id=\"status\">{text.StatusConfirmed}</p>", before);
        Assert.Contains("id=\"ticket\"", before);
        Assert.Contains(door.TicketExplain, before);
        Assert.Contains(text.CancelExplain, before);

        await app.Get<Shared.Events.EventService>().CancelEventAsync(lecture.Id, default);
        var (status, html) = Results.Html(await api.ManageFormAsync(Requests.Get(manage), lecture.Id, person.RegistrationId, default));
        Assert.Equal(200, status);

        // The status is the cancellation, not "confirmed".
        Assert.Contains($"<p class=\"status error\" id=\"status\">{text.StatusEventCancelled}</p>", html);
        Assert.DoesNotContain(text.StatusConfirmed, html);
        Assert.DoesNotContain(text.EventCancelled, html); // that line is the sign-up form's ("sign-up is closed")
        // Nothing that invites them to come: no ticket, no check-in code (the calendar file and the resend button
        // were already left out for a cancelled event; the test above checks the resend).
        Assert.DoesNotContain("id=\"ticket\"", html);
        Assert.DoesNotContain("ticket-code", html);
        Assert.DoesNotContain(door.TicketExplain, html);
        Assert.DoesNotContain(door.TicketHeading, html);
        // No "your seat goes to someone else"; deleting their data stays available.
        Assert.DoesNotContain(text.CancelExplain, html);
        Assert.DoesNotContain(text.CancelButton, html);
        Assert.DoesNotContain(text.CancelHeading, html);
        Assert.Contains(text.DeleteDataExplain, html);
        Assert.Contains($">{text.DeleteDataButton}</button>", html);
        Assert.Contains($"action=\"/api/manage/{lecture.Id}/{person.RegistrationId}\"", html);

        // The delete does what it says: the data is gone and the link no longer opens anything.
        var deleted = await new Functions.Participants.CancelRegistration(api).Confirm(
            Requests.Form($"/api/manage/{lecture.Id}/{person.RegistrationId}", [new("t", TestTokens.Manage(row)), new("lang", lang)]), lecture.Id, person.RegistrationId, default);
        var (deletedStatus, deletedHtml) = Results.Html(deleted);
        Assert.Equal(200, deletedStatus);
        Assert.Contains(text.DataDeletedHeading, deletedHtml);
        Assert.Equal(404, Results.Html(await api.ManageFormAsync(Requests.Get(manage), lecture.Id, person.RegistrationId, default)).Status);
        Assert.DoesNotContain(await app.RowsAsync(lecture.Id), r => r.RegistrationId == person.RegistrationId);
    }

    [Fact]
    public async Task A_resend_posted_after_the_event_is_cancelled_is_refused_with_a_message_and_nothing_is_sent()
    {
        await using var app = await Informed.StartAsync(azurite);
        var lecture = await app.CreateAsync(Seed.Lecture());
        var person = await app.SignUpAsync(lecture.Id, "李莹晖", "liyinghui@example.com");
        var row = await Row(app, lecture.Id, person.RegistrationId);
        await app.Get<Shared.Events.EventService>().CancelEventAsync(lecture.Id, default);
        await app.DeliverAllAsync(); // the cancellation notices
        var mailsBefore = app.Mails().Count;
        var path = $"/api/manage/{lecture.Id}/{person.RegistrationId}/resend";

        foreach (var text in new[] { UiText.Chinese, UiText.English })
        {
            // A page opened before the cancellation still has the button.
            var (status, html) = Results.Html(await Extras(app).Resend(
                Requests.Form(path, [new("t", TestTokens.Manage(row)), new("lang", text.Code)]), lecture.Id, person.RegistrationId, default));
            Assert.Equal(409, status);
            Assert.Contains(text.ResendEventCancelled, html);
            Assert.Contains(text.StatusEventCancelled, html);
        }

        Assert.Equal(0, (await Row(app, lecture.Id, person.RegistrationId)).ResendRequested);
        Assert.Empty(await app.DrainAsync());
        Assert.Equal(0, (await app.SweepAsync()).Resends);
        Assert.Empty(await app.DeliverAllAsync());
        Assert.Equal(mailsBefore, app.Mails().Count);
    }
}
