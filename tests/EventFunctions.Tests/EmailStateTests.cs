using System.Text.Json;
using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using EventFunctions.Tests.Infrastructure;
using Ical.Net;

namespace EventFunctions.Tests;

/// <summary>One email per registration state, whatever the timing; credentials trouble is not the address's.</summary>
[Collection(StorageCollection.Name)]
public sealed class EmailStateTests(AzuriteFixture azurite)
{
    private static async Task<RegistrationView> SignUp(TestApp app, string eventId, string name, string email)
    {
        var result = await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person(name, email, null)), eventId, default);
        return Results.Object<RegistrationView>(result).Value;
    }

    [Fact]
    public async Task A_promotion_while_the_waitlist_email_is_being_sent_still_gets_its_own_email()
    {
        // A fake clock: however slow this machine is, the first send's claim holds until the test lets it go.
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, clock: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow));
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 1, waitlist: true));
        await SignUp(app, lecture.Id, "王磊", "wanglei@example.cn");
        var waiting = await SignUp(app, lecture.Id, "李莹晖", "liyinghui@example.com");
        var messages = await app.DrainQueueAsync();
        await app.SendConfirmation.Run(messages[0], default); // the confirmed person's email

        // The waitlist email is on its way (SendGrid holds it) when the seat frees up.
        var gate = app.SendGrid!.Hold();
        var requestsBefore = app.SendGrid.Requests;
        var sending = Task.Run(() => app.SendConfirmation.Run(messages[1], default));
        await RunningHost.Eventually(() => Task.FromResult(app.SendGrid.Requests > requestsBefore), "the waitlist email reaches SendGrid");
        var first = (await app.RegistrationsAsync(lecture.Id)).Single(r => r.Status == RegistrationStatus.Confirmed);
        Assert.IsType<CancelOutcome.Cancelled>(await app.Get<RegistrationService>().CancelAsync(lecture.Id, first.RegistrationId, TestTokens.Manage(first), default));

        // The promotion's message arrives while the first send holds the row: it is not dropped.
        var promotion = Assert.Single(await app.DrainQueueAsync());
        await Assert.ThrowsAsync<TransientEmailException>(() => app.SendConfirmation.Run(promotion, default));
        gate.SetResult();
        await sending;
        await app.SendConfirmation.Run(promotion, default); // the queue brings it back

        Assert.Equal([(RegistrationStatus.Confirmed, 2), (RegistrationStatus.Waitlisted, 1)], app.SendGrid.MailsFor(waiting.RegistrationId).Order());
        var row = (await app.RegistrationsAsync(lecture.Id)).Single();
        Assert.False(row.EmailPending);
        Assert.Equal(2, row.EmailSentVersion);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task A_refused_API_key_is_retried_and_visible_and_never_blamed_on_the_address(int status)
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        await SignUp(app, lecture.Id, "李莹晖", "liyinghui@example.com");
        var message = Assert.Single(await app.DrainQueueAsync());

        app.SendGrid!.FailNext(status, count: 3);
        await Assert.ThrowsAsync<EmailAuthenticationException>(() => app.SendConfirmation.Run(message, default));
        var row = Assert.Single(await app.RegistrationsAsync(lecture.Id));
        Assert.True(row.EmailPending); // still owed
        Assert.StartsWith($"{status}: SendGrid refused the API key", row.EmailError);

        // The operator fixes the key; the retried message sends, and the note goes.
        while (app.SendGrid.Requests < 3) await app.SendConfirmation.Run(message, default).ContinueWith(_ => { });
        await app.SendConfirmation.Run(message, default);
        Assert.Single(app.SendGrid.Mails);
        row = Assert.Single(await app.RegistrationsAsync(lecture.Id));
        Assert.False(row.EmailPending);
        Assert.Equal("", row.EmailError);
    }

    [Fact]
    public async Task The_sweep_gives_up_after_its_attempt_limit_and_records_it_for_organisers()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, settings: new() { ["EventFunctions:EmailSweepAttempts"] = "2" });
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        await SignUp(app, lecture.Id, "李莹晖", "liyinghui@example.com");
        await app.DrainQueueAsync(); // the message is lost; SendGrid keeps failing from here on
        var sweep = app.Get<ConfirmationQueue>();

        Assert.Equal(1, await sweep.SweepAsync(TimeSpan.Zero, default));
        Assert.Equal(1, await sweep.SweepAsync(TimeSpan.Zero, default));
        Assert.Equal(0, await sweep.SweepAsync(TimeSpan.Zero, default)); // the third time it gives up
        Assert.Equal(0, await sweep.SweepAsync(TimeSpan.Zero, default)); // and stays given up

        var row = Assert.Single(await app.RegistrationsAsync(lecture.Id));
        Assert.False(row.EmailPending);
        Assert.StartsWith("Not sent after 3 attempts", row.EmailError);
    }

    [Fact]
    public async Task The_calendar_file_declares_utf8_and_a_site_visit_location_names_the_meeting_point_venue_and_address()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var visit = Seed.SiteVisit(capacity: 5);
        visit["address"] = "上海市虹口区东长治路 588 号";
        var ev = await app.CreateEventAsync(visit);
        var body = Seed.Person("王磊", "wanglei@example.cn");
        body["securityDetails"] = new[] { "1234" };
        var result = await app.RegisterForEvent.Run(Requests.Json("POST", "/x", body), ev.Id, default);
        Assert.Equal(201, Results.Object<RegistrationView>(result).Status);
        await app.DeliverQueuedAsync();

        var attachment = Assert.Single(app.SendGrid!.Mails).RootElement.GetProperty("attachments")[0];
        Assert.Equal(CalendarFile.ContentType, attachment.GetProperty("type").GetString());
        Assert.Contains("charset=utf-8", CalendarFile.ContentType);
        var calendar = Calendar.Load(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(attachment.GetProperty("content").GetString()!)))!;
        var location = calendar.Events.Single().Location!;
        Assert.Contains("北外滩来福士一楼大堂", location);
        Assert.Contains("5G 全球创新港", location);
        Assert.Contains("上海市虹口区东长治路 588 号", location);
    }

    [Fact]
    public void The_SDKs_timeouts_count_as_storage_being_unavailable()
    {
        // What the Azure SDK throws when its last retry times out while storage is stalled.
        var timeout = new AggregateException("Retry failed after 4 tries.",
            new TaskCanceledException("The operation was cancelled.", new TimeoutException()),
            new TaskCanceledException("A task was canceled."));
        Assert.True(StorageFaults.IsTransient(timeout));
        Assert.True(StorageFaults.IsTransient(new OperationCanceledException()));
        Assert.False(StorageFaults.IsTransient(new AggregateException(new InvalidOperationException())));
        Assert.False(StorageFaults.IsTransient(new JsonException()));
    }
}
