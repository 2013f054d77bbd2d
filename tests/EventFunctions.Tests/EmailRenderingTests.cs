using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Notifications;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Text;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>Every email, in both languages: an HTML and a plain-text part, the right content, and the event's text escaped.</summary>
[Collection(StorageCollection.Name)]
public sealed class EmailRenderingTests(AzuriteFixture azurite)
{
    private const string HostileTitle = "<img src=x onerror=alert(1)> 沙龙 & \"讲座\"";

    private static EventRecord Visit(DateTimeOffset now)
    {
        var input = Informed.Input(Seed.SiteVisit(capacity: 5));
        input = input with
        {
            Title = HostileTitle,
            Venue = "5G 全球创新港 <b>B 座</b>",
            SiteVisit = input.SiteVisit! with { Bring = "身份证 & 平底鞋" },
            English = new EventEnglish("Visit <script>alert(1)</script>", null, null, null, "Lobby & gate 2", null) { Bring = "ID card & flat shoes" },
        };
        var (record, errors) = EventValidator.Validate(input, "abcdefghjk", now);
        Assert.False(errors.Any);
        return record!;
    }

    private static RegistrationEntity Row(string language, string status = RegistrationStatus.Confirmed) => new()
    {
        PartitionKey = "abcdefghjk",
        RowKey = "reg-0123",
        RegistrationId = "K7M2Q9TX",
        Status = status,
        Name = "O'Brien <Anna>",
        Email = "anna@example.com",
        Language = language,
        CreatedUtc = DateTimeOffset.UtcNow.AddDays(-1),
        StateVersion = 1,
    };

    private static void Common(EmailMessage mail, string language)
    {
        Assert.Contains($"<html lang=\"{language}\">", mail.Html);
        Assert.DoesNotContain("<img src=x", mail.Html);
        Assert.DoesNotContain("<script>", mail.Html);
        Assert.DoesNotContain("<b>B 座</b>", mail.Html);
        Assert.DoesNotContain("<Anna>", mail.Html);
        Assert.Contains("&lt;Anna&gt;", mail.Html);
        Assert.Contains("K7M2Q9TX", mail.PlainText);
        // The manage link's secret is derived (row key first), not a stored token.
        var token = TestTokens.Manage(Row(language));
        Assert.StartsWith("reg-0123.", token);
        Assert.Contains($"https://signup.example.cn/api/manage/abcdefghjk/K7M2Q9TX?t={token}&lang=" + language, mail.PlainText);
        Assert.Contains($"/api/manage/abcdefghjk/K7M2Q9TX?t={token}&amp;lang=" + language, mail.Html);
        Assert.Equal("anna@example.com", mail.ToAddress);
        Assert.DoesNotContain("anna@example.com", string.Join(" ", mail.Tags.Values)); // ids only
    }

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task Confirmation_waitlist_and_promotion_emails(string language)
    {
        await using var app = await Informed.StartAsync(azurite);
        var e = Visit(app.Clock.GetUtcNow());
        var sender = app.Get<ConfirmationSender>();
        var english = language == "en";

        var confirmed = await sender.ComposeAsync(e, Row(language), null);
        Common(confirmed, language);
        Assert.Equal(english ? "You're signed up: Visit <script>alert(1)</script>" : "报名成功：" + HostileTitle, confirmed.Subject);
        Assert.Contains(english ? "Visit &lt;script&gt;alert(1)&lt;/script&gt;" : "&lt;img src=x onerror=alert(1)&gt; 沙龙 &amp; &quot;讲座&quot;", confirmed.Html);
        Assert.Contains(english ? "Lobby &amp; gate 2" : "北外滩来福士一楼大堂", confirmed.Html);
        Assert.Contains(english ? "ID card &amp; flat shoes" : "身份证 &amp; 平底鞋", confirmed.Html);
        Assert.Contains(english ? "Dear O'Brien <Anna>," : "O'Brien <Anna>，您好：", confirmed.PlainText);
        Assert.Single(confirmed.Attachments);

        var waitlisted = await sender.ComposeAsync(e, Row(language, RegistrationStatus.Waitlisted), 3);
        Common(waitlisted, language);
        Assert.StartsWith(english ? "On the waitlist: " : "候补登记：", waitlisted.Subject);
        Assert.Contains(english ? "You are number 3 on the waitlist" : "候补第 3 位", waitlisted.Html);
        Assert.Empty(waitlisted.Attachments);

        // A promotion (confirmed in a later state: the seat came from the waitlist) says so, in subject and body,
        // and is otherwise the confirmation: ticket, calendar file.
        var promotedRow = Row(language);
        promotedRow.StateVersion = 2;
        var promoted = await sender.ComposeAsync(e, promotedRow, null);
        Common(promoted, language);
        Assert.Equal(english ? "A seat for you: Visit <script>alert(1)</script>" : "候补转正：" + HostileTitle, promoted.Subject);
        var news = english ? "Good news: a seat opened up and you are now signed up" : "好消息：有名额空出，您已从候补转为正式报名";
        Assert.Contains(news, promoted.Html);
        Assert.Contains(news, promoted.PlainText);
        Assert.DoesNotContain(news, confirmed.Html);
        Assert.Single(promoted.Attachments);
        Assert.Equal("2", promoted.Tags["version"]);
    }

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task Change_cancellation_and_reminder_emails(string language)
    {
        await using var app = await Informed.StartAsync(azurite);
        var now = app.Clock.GetUtcNow();
        var before = Visit(now.AddDays(-2));
        var moved = NoticeState.Record(before, before with
        {
            StartUtc = before.StartUtc.AddHours(1),
            EndUtc = before.EndUtc.AddHours(1),
            SiteVisit = before.SiteVisit! with { MeetingPoint = "北外滩来福士 <二楼>", MeetingTimeUtc = before.SiteVisit.MeetingTimeUtc.AddHours(1) },
            English = before.English! with { MeetingPoint = "Raffles City <first floor>" },
        }, now);
        var sender = app.Get<NoticeComposer>();
        var english = language == "en";

        var change = await sender.ComposeNoticeAsync(moved, Row(language));
        Common(change, language);
        Assert.StartsWith(english ? "Change to: Visit <script>" : "活动变更：<img", change.Subject);
        Assert.Contains(english ? "Meeting point: Was Lobby & gate 2 → Now Raffles City <first floor>" : "集合地点: 原为 北外滩来福士一楼大堂 → 现为 北外滩来福士 <二楼>", change.PlainText);
        Assert.Contains(english ? "Raffles City &lt;first floor&gt;" : "北外滩来福士 &lt;二楼&gt;", change.Html);
        Assert.Contains("id=\"changes\"", change.Html);
        Assert.Equal(3, change.Html.Split("<tr>").Length - 2); // when, meeting time, meeting point
        Assert.Equal("change", change.Category);
        var calendar = Ical.Net.Calendar.Load(System.Text.Encoding.UTF8.GetString(change.Attachments.Single().Content))!;
        Assert.Equal(1, calendar.Events.Single().Sequence);
        Assert.Equal(english ? "Visit <script>alert(1)</script>" : HostileTitle, calendar.Events.Single().Summary);

        var cancelledEvent = NoticeState.Record(moved, moved with { Cancelled = true }, now.AddMinutes(1));
        var cancellation = await sender.ComposeNoticeAsync(cancelledEvent, Row(language));
        Common(cancellation, language);
        Assert.StartsWith(english ? "Cancelled: " : "活动取消：", cancellation.Subject);
        Assert.Contains(english ? UiText.English.EventCancelledBody : UiText.Chinese.EventCancelledBody, cancellation.PlainText);
        Assert.Equal(CalendarFile.CancelContentType, cancellation.Attachments.Single().ContentType);
        var cancelCalendar = Ical.Net.Calendar.Load(System.Text.Encoding.UTF8.GetString(cancellation.Attachments.Single().Content))!;
        Assert.Equal("CANCEL", cancelCalendar.Method);
        Assert.Equal(2, cancelCalendar.Events.Single().Sequence);
        Assert.Equal("CANCELLED", cancelCalendar.Events.Single().Status);

        var reminder = await sender.ComposeReminderAsync(moved, Row(language));
        Common(reminder, language);
        Assert.StartsWith(english ? "Reminder: Visit <script>alert(1)</script> (" : "活动提醒：<img", reminder.Subject);
        Assert.Contains(english ? "Please bring: ID card & flat shoes" : "请携带: 身份证 & 平底鞋", reminder.PlainText);
        Assert.Contains(english ? "Raffles City &lt;first floor&gt;" : "北外滩来福士 &lt;二楼&gt;", reminder.Html);
        Assert.Empty(reminder.Attachments);

        // Removed by the organiser: told in their language, nothing left to manage (no link, no ticket, no calendar).
        var removedRow = Row(language, RegistrationStatus.Removed);
        var removal = await sender.ComposeRemovalAsync(moved, removedRow);
        Assert.Equal(string.Format(english ? UiText.English.RemovedSubjectFormat : UiText.Chinese.RemovedSubjectFormat, english ? "Visit <script>alert(1)</script>" : HostileTitle), removal.Subject);
        Assert.Contains(english ? UiText.English.RemovedBody : UiText.Chinese.RemovedBody, removal.PlainText);
        Assert.Contains(english ? UiText.English.EmailFooterRemoved : UiText.Chinese.EmailFooterRemoved, removal.PlainText);
        Assert.Contains(english ? "have been deleted" : "报名信息已删除", removal.Html);
        Assert.DoesNotContain("/manage", removal.PlainText + removal.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(english ? UiText.English.ManageLink : UiText.Chinese.ManageLink, removal.PlainText);
        Assert.Empty(removal.Attachments);
        Assert.Equal("removal", removal.Category);
        Assert.Equal("K7M2Q9TX", removal.Tags["registrationId"]);
    }
}
