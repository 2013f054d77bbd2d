using System.Text.Json;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;
using Ical.Net;

namespace EventFunctions.Tests;

[Collection(StorageCollection.Name)]
public sealed class EndToEndTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Seed_events_sign_ups_and_confirmations_reach_SendGrid()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);

        // Organisers post the three events from the source documents.
        var salon = await app.CreateEventAsync(Seed.Salon());
        var visit = await app.CreateEventAsync(Seed.SiteVisit());
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        Assert.Equal(EventKind.Salon, salon.Kind);
        Assert.Equal("白玉兰广场 42 楼", salon.Venue);
        Assert.Equal(TimeSpan.FromHours(8), salon.Start.Offset);
        Assert.Equal($"https://signup.example.cn/api/signup/{salon.Id}", salon.SignUpUrl);

        var list = Results.Object<IReadOnlyList<EventView>>(await app.ListEvents.Run(Requests.Get("/api/events"), default)).Value;
        Assert.Equal([lecture.Id, salon.Id, visit.Id], list.Select(e => e.Id)); // upcoming, soonest first

        // 李莹晖 signs up for the salon through the web form, in Chinese.
        var form = await app.SignUpForm.Submit(Requests.Form($"/api/signup/{salon.Id}",
        [
            new("name", "李莹晖"), new("phone", "138 1234 5678"), new("email", "  LiYingHui@Example.COM "),
            new("organisation", "上海某律师事务所"), new("q_lunch", "yes"), new("q_industry", "法律"),
            new("consent", "true"), new("lang", "zh-CN"),
        ]), salon.Id, default);
        var (status, html) = Results.Html(form);
        Assert.Equal(200, status);
        Assert.Contains("报名成功", html);
        Assert.Contains("li***@example.com", html);

        // Others sign up for the site visit (form) and the lecture (JSON API, English).
        var visitResult = await app.SignUpForm.Submit(Requests.Form($"/api/signup/{visit.Id}",
        [
            new("name", "王磊"), new("phone", "13912345678"), new("email", "wanglei@example.cn"),
            new("organisation", "北外滩街道"), new("sec_0", "1234"), new("consent", "on"),
        ]), visit.Id, default);
        Assert.Equal(200, Results.Html(visitResult).Status);

        var lectureBody = Seed.Person("Zhang Wei", "zhangwei@example.com", phone: null);
        lectureBody["language"] = "en";
        var (lectureStatus, registration) = Results.Object<RegistrationView>(
            await app.RegisterForEvent.Run(Requests.Json("POST", $"/api/events/{lecture.Id}/registrations", lectureBody), lecture.Id, default));
        Assert.Equal(201, lectureStatus);
        Assert.Equal(RegistrationStatus.Confirmed, registration.Status);

        // Counts show on the organiser's read.
        var salonNow = Results.Object<EventView>(await app.GetEvent.Run(Requests.Get($"/api/events/{salon.Id}"), salon.Id, default)).Value;
        Assert.Equal(new EventCounts(1, 0, 39), salonNow.Counts);

        // The queue messages go to the confirmation function, which sends through the real SendGrid client.
        Assert.Equal(3, await app.DeliverQueuedAsync());
        var mails = app.SendGrid!.Mails.Select(m => m.RootElement).ToList();
        Assert.Equal(3, mails.Count);
        Assert.Equal("Bearer SG.test-key", app.SendGrid.LastAuthorization);

        var li = mails.Single(m => Recipient(m) == "liyinghui@example.com");
        Assert.Equal("报名成功：北外滩商会沙龙：《民法典》与企业经营", Subject(li));
        Assert.Equal("events@jiedao.example.cn", li.GetProperty("from").GetProperty("email").GetString());
        Assert.Contains("李莹晖，您好", Content(li, "text/html"));
        Assert.Contains("白玉兰广场 42 楼", Content(li, "text/html"));
        Assert.Contains("/api/manage/" + salon.Id + "/", Content(li, "text/plain"));
        Assert.DoesNotContain(li.GetProperty("categories").EnumerateArray(), c => c.GetString()!.Contains('@'));

        var ics = li.GetProperty("attachments").EnumerateArray().Single(a => a.GetProperty("filename").GetString() == "event.ics"); // beside the ticket's QR image
        Assert.Equal("event.ics", ics.GetProperty("filename").GetString());
        var calendarText = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(ics.GetProperty("content").GetString()!));
        Assert.Contains("TZID=Asia/Shanghai", calendarText);
        var calendar = Calendar.Load(calendarText)!;
        var calendarEvent = Assert.Single(calendar.Events);
        Assert.Equal("Asia/Shanghai", calendarEvent.Start!.TzId);
        Assert.Equal(salon.Start.DateTime, calendarEvent.Start.Value);
        Assert.Equal("北外滩商会沙龙：《民法典》与企业经营", calendarEvent.Summary);

        var english = mails.Single(m => Recipient(m) == "zhangwei@example.com");
        Assert.StartsWith("You're signed up: ", Subject(english));

        var wang = mails.Single(m => Recipient(m) == "wanglei@example.cn");
        Assert.Contains("北外滩来福士一楼大堂", Content(wang, "text/plain"));

        // Every row now records what was sent.
        var rows = await app.RegistrationsAsync(salon.Id);
        var row = Assert.Single(rows);
        Assert.Equal(RegistrationStatus.Confirmed, row.EmailSentStatus);
        Assert.False(row.EmailPending);
        Assert.Equal("+8613812345678", row.Phone);
        Assert.Equal("liyinghui@example.com", row.Email);
    }

    internal static string Recipient(JsonElement mail) =>
        mail.GetProperty("personalizations")[0].GetProperty("to")[0].GetProperty("email").GetString()!;

    internal static string Subject(JsonElement mail) =>
        mail.GetProperty("personalizations")[0].TryGetProperty("subject", out var s) ? s.GetString()! : mail.GetProperty("subject").GetString()!;

    internal static string Content(JsonElement mail, string type) =>
        mail.GetProperty("content").EnumerateArray().Single(c => c.GetProperty("type").GetString() == type).GetProperty("value").GetString()!;
}
