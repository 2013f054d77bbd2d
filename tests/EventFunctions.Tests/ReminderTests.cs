using System.Text.Json;
using EventFunctions.Shared;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Notifications;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Text;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>Reminders: one, to confirmed people only, before the event, and never right after they were told everything.</summary>
[Collection(StorageCollection.Name)]
public sealed class ReminderTests(AzuriteFixture azurite)
{
    /// <summary>A lecture starting <paramref name="hoursAhead"/> hours from the app's clock.</summary>
    private static Dictionary<string, object?> LectureIn(Informed app, int hoursAhead, int? reminderHours = null)
    {
        var definition = Seed.Lecture(capacity: 2, waitlist: true);
        var start = app.Clock.GetUtcNow().AddHours(hoursAhead);
        definition["start"] = Seed.Local(start);
        definition["end"] = Seed.Local(start.AddHours(2));
        if (reminderHours is not null) definition["reminderHoursBefore"] = reminderHours;
        return definition;
    }

    [Fact]
    public async Task Each_confirmed_person_gets_one_reminder_a_day_before_and_nobody_who_signed_up_inside_the_window_or_waits_gets_one()
    {
        await using var app = await Informed.StartAsync(azurite);
        var lecture = await app.CreateAsync(LectureIn(app, 30));
        var early = await app.SignUpAsync(lecture.Id, "王磊", "wanglei@example.cn");
        var english = await app.SignUpAsync(lecture.Id, "Anna Smith", "anna@example.com", "en");
        var waiting = await app.SignUpAsync(lecture.Id, "赵敏", "zhaomin@example.cn");
        Assert.Equal(RegistrationStatus.Waitlisted, waiting.Status);

        // Five hours later the window (24 h before the start) has not opened.
        app.Clock.Advance(TimeSpan.FromHours(5));
        Assert.Equal(0, (await app.SweepAsync()).Reminders);

        // One hour into it: the two confirmed people.
        app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(2, (await app.SweepAsync()).Reminders);
        Assert.Empty(await app.DeliverAllAsync());
        var reminders = app.Mails("reminder");
        Assert.Equal(new[] { early.RegistrationId, english.RegistrationId }.Order(), reminders.Select(m => m.RegistrationId).Order());
        Assert.StartsWith("活动提醒：上海供水的过去、现在和未来（", reminders.Single(m => m.RegistrationId == early.RegistrationId).Subject);
        Assert.StartsWith("Reminder: ", reminders.Single(m => m.RegistrationId == english.RegistrationId).Subject);

        // The first cancels; the waitlisted person is promoted inside the window (their confirmation says it all).
        var first = (await app.RowsAsync(lecture.Id)).Single(r => r.RegistrationId == early.RegistrationId);
        Assert.IsType<CancelOutcome.Cancelled>(await app.Get<RegistrationService>().CancelAsync(lecture.Id, first.RegistrationId, TestTokens.Manage(first), default));
        // Someone signs up two hours before the start: the confirmation arrives now, no reminder minutes later.
        app.Clock.Advance(TimeSpan.FromHours(20));
        var late = await app.SignUpAsync(lecture.Id, "李莹晖", "liyinghui@example.com");

        // Sweeps every few minutes until the start: nobody gets a second one, or one after a fresh confirmation.
        for (var i = 0; i < 30; i++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(5));
            await app.SweepAsync();
            Assert.Empty(await app.DeliverAllAsync());
        }

        Assert.Equal(2, app.Mails("reminder").Count);
        Assert.DoesNotContain(app.Mails("reminder"), m => m.RegistrationId == waiting.RegistrationId || m.RegistrationId == late.RegistrationId);
    }

    [Fact]
    public async Task A_site_visit_reminder_names_the_meeting_point_and_time_and_what_to_bring_and_the_lead_time_is_the_events()
    {
        await using var app = await Informed.StartAsync(azurite);
        var visit = Seed.SiteVisit(capacity: 5);
        var start = app.Clock.GetUtcNow().AddHours(60);
        visit["start"] = Seed.Local(start);
        visit["end"] = Seed.Local(start.AddHours(2));
        visit["signUpCloses"] = Seed.Local(start.AddHours(-1));
        visit["siteVisit"] = new { meetingPoint = "北外滩来福士一楼大堂", meetingTime = Seed.Local(start.AddMinutes(-30)), securityFields = new[] { "身份证号后四位" }, bring = "身份证、平底鞋" };
        visit["english"] = new { meetingPoint = "Raffles City North Bund, ground-floor lobby", bring = "ID card, flat shoes" };
        visit["reminderHoursBefore"] = 48;
        var ev = await app.CreateAsync(visit);
        Assert.Equal(48, ev.ReminderHoursBefore);
        Assert.Equal("身份证、平底鞋", ev.SiteVisit?.Bring); // the organiser API shows what it stored
        void Visitor(Dictionary<string, object?> b) { b["phone"] = "13812345678"; b["organisation"] = "虹口区律师事务所"; b["securityDetails"] = new[] { "1234" }; }
        var zh = await app.SignUpAsync(ev.Id, "王磊", "wanglei@example.cn", extra: Visitor);
        var en = await app.SignUpAsync(ev.Id, "Anna Smith", "anna@example.com", "en", Visitor);

        app.Clock.Advance(TimeSpan.FromHours(11)); // 49 h before: not yet
        Assert.Equal(0, (await app.SweepAsync()).Reminders);
        app.Clock.Advance(TimeSpan.FromHours(2)); // 47 h before
        Assert.Equal(2, (await app.SweepAsync()).Reminders);
        Assert.Empty(await app.DeliverAllAsync());

        var meet = UiText.Chinese.FormatDateTime(TimeZoneInfo.ConvertTime(start.AddMinutes(-30), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")));
        var chinese = Assert.Single(app.Mails("reminder"), m => m.RegistrationId == zh.RegistrationId);
        Assert.Contains($"请于 {meet} 到北外滩来福士一楼大堂集合。", chinese.Plain);
        Assert.Contains("请携带: 身份证、平底鞋", chinese.Plain);
        Assert.Contains("身份证、平底鞋", chinese.Html);
        var english = Assert.Single(app.Mails("reminder"), m => m.RegistrationId == en.RegistrationId);
        Assert.Contains("Please be at Raffles City North Bund, ground-floor lobby by ", english.Plain);
        Assert.Contains("Please bring: ID card, flat shoes", english.Plain);
    }

    [Fact]
    public async Task No_reminder_when_the_event_asks_for_none()
    {
        await using var app = await Informed.StartAsync(azurite);
        var lecture = await app.CreateAsync(LectureIn(app, 30, reminderHours: 0));
        await app.SignUpAsync(lecture.Id, "王磊", "wanglei@example.cn");
        for (var hours = 0; hours < 30; hours += 3)
        {
            app.Clock.Advance(TimeSpan.FromHours(3));
            Assert.Equal(0, (await app.SweepAsync()).Reminders);
        }

        Assert.Empty(app.Mails("reminder"));
    }

    [Fact]
    public async Task An_event_moved_into_the_window_sends_the_change_notice_and_no_reminder_on_top()
    {
        await using var app = await Informed.StartAsync(azurite);
        var definition = LectureIn(app, 24 * 5);
        var lecture = await app.CreateAsync(definition);
        var person = await app.SignUpAsync(lecture.Id, "王磊", "wanglei@example.cn");
        app.Clock.Advance(TimeSpan.FromHours(1));

        // Brought forward to ten hours from now, inside the reminder window.
        var start = app.Clock.GetUtcNow().AddHours(10);
        definition["start"] = Seed.Local(start);
        definition["end"] = Seed.Local(start.AddHours(2));
        await app.UpdateAsync(lecture.Id, definition);

        // The timer runs before the notice went out: the notice goes first, no reminder is queued.
        Assert.Equal(0, (await app.SweepAsync()).Reminders);
        Assert.Empty(await app.DeliverAllAsync());
        Assert.Single(app.Mails("change"), m => m.RegistrationId == person.RegistrationId);
        for (var i = 0; i < 12; i++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(30));
            await app.SweepAsync();
            Assert.Empty(await app.DeliverAllAsync());
        }

        Assert.Empty(app.Mails("reminder"));
    }

    [Fact]
    public async Task A_reminder_queued_before_the_event_moved_out_of_the_window_is_not_sent_then_but_once_in_the_new_window()
    {
        await using var app = await Informed.StartAsync(azurite);
        var definition = LectureIn(app, 30);
        var lecture = await app.CreateAsync(definition);
        var person = await app.SignUpAsync(lecture.Id, "王磊", "wanglei@example.cn");
        app.Clock.Advance(TimeSpan.FromHours(7));
        Assert.Equal(1, (await app.SweepAsync()).Reminders);
        var queued = await app.DrainAsync(); // the reminder is on the queue…

        // …when the organiser moves the event three days later.
        var start = lecture.Start.AddDays(3);
        definition["start"] = Seed.Local(start);
        definition["end"] = Seed.Local(start.AddHours(2));
        await app.UpdateAsync(lecture.Id, definition);
        foreach (var m in queued) await app.Deliver(m);
        Assert.Empty(app.Mails("reminder"));
        Assert.Empty(await app.DeliverAllAsync()); // the change notice
        Assert.Single(app.Mails("change"));

        // A day before the new start, the reminder goes, once.
        app.Clock.Advance(TimeSpan.FromDays(3));
        Assert.Equal(1, (await app.SweepAsync()).Reminders);
        Assert.Empty(await app.DeliverAllAsync());
        app.Clock.Advance(TimeSpan.FromHours(1));
        await app.SweepAsync();
        Assert.Empty(await app.DeliverAllAsync());
        var reminder = Assert.Single(app.Mails("reminder"));
        Assert.Equal(person.RegistrationId, reminder.RegistrationId);
        Assert.Contains(UiText.Chinese.FormatDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.Parse(Seed.Local(start) + ":00+08:00"), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"))), reminder.Plain);
    }

    [Fact]
    public async Task A_reminder_queued_before_a_cancellation_is_not_sent()
    {
        await using var app = await Informed.StartAsync(azurite);
        var lecture = await app.CreateAsync(LectureIn(app, 30));
        var leaving = await app.SignUpAsync(lecture.Id, "王磊", "wanglei@example.cn");
        await app.SignUpAsync(lecture.Id, "李莹晖", "liyinghui@example.com");
        app.Clock.Advance(TimeSpan.FromHours(7));
        Assert.Equal(2, (await app.SweepAsync()).Reminders);
        var queued = await app.DrainAsync();

        // One person cancels their sign-up, then the organiser cancels the event, both after the reminders were queued.
        var row = (await app.RowsAsync(lecture.Id)).Single(r => r.RegistrationId == leaving.RegistrationId);
        Assert.IsType<CancelOutcome.Cancelled>(await app.Get<RegistrationService>().CancelAsync(lecture.Id, row.RegistrationId, TestTokens.Manage(row), default));
        await app.Get<EventService>().CancelEventAsync(lecture.Id, default);
        foreach (var m in queued) await app.Deliver(m);
        Assert.Empty(app.Mails("reminder"));

        Assert.Empty(await app.DeliverAllAsync());
        var cancellation = Assert.Single(app.Mails("cancellation"));
        Assert.NotEqual(leaving.RegistrationId, cancellation.RegistrationId); // their data is gone, and so is the email
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, (await app.SweepAsync()).Reminders);
    }
}
