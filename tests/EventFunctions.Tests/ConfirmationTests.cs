using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;
using MimeKit;

namespace EventFunctions.Tests;

[Collection(StorageCollection.Name)]
public sealed class ConfirmationTests(AzuriteFixture azurite)
{
    private static async Task<(TestApp App, string EventId, string Message)> OneSignUp(AzuriteFixture azurite, Dictionary<string, string?>? settings = null)
    {
        var app = await TestApp.StartAsync(azurite.ConnectionString, settings: settings);
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person("李莹晖", "liyinghui@example.com", null)), lecture.Id, default);
        var message = Assert.Single(await app.DrainQueueAsync());
        return (app, lecture.Id, message);
    }

    [Fact]
    public async Task A_redelivered_message_does_not_send_twice()
    {
        var (app, eventId, message) = await OneSignUp(azurite);
        await using var _ = app;
        await app.SendConfirmation.Run(message, default);
        await app.SendConfirmation.Run(message, default);
        Assert.Single(app.SendGrid!.Mails);
        Assert.Equal(SendOutcome.AlreadySent, await app.Get<ConfirmationSender>().SendAsync(ConfirmationQueue.Parse(message)!, default));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    public async Task SendGrid_throttling_and_server_errors_return_the_message_for_a_retry(int status)
    {
        var (app, eventId, message) = await OneSignUp(azurite);
        await using var _ = app;
        app.SendGrid!.FailNext(status, count: 5); // more than SendGrid's own retries
        await Assert.ThrowsAsync<TransientEmailException>(() => app.SendConfirmation.Run(message, default));
        var row = Assert.Single(await app.RegistrationsAsync(eventId));
        Assert.True(row.EmailPending);
        Assert.Null(row.EmailSentStatus);
        Assert.Empty(app.SendGrid.Mails);

        // The queue brings it back; now SendGrid accepts it.
        while (app.SendGrid.Requests < 5) await app.SendConfirmation.Run(message, default).ContinueWith(_ => { });
        await app.SendConfirmation.Run(message, default);
        Assert.Single(app.SendGrid.Mails);
        Assert.False(Assert.Single(await app.RegistrationsAsync(eventId)).EmailPending);
    }

    [Fact]
    public async Task A_permanent_SendGrid_refusal_stops_retrying_and_is_recorded()
    {
        var (app, eventId, message) = await OneSignUp(azurite);
        await using var _ = app;
        app.SendGrid!.FailNext(400);
        await app.SendConfirmation.Run(message, default); // no exception: retrying cannot help
        var row = Assert.Single(await app.RegistrationsAsync(eventId));
        Assert.False(row.EmailPending);
        Assert.Equal("400: fields: personalizations.0.to.0.email", row.EmailError); // never the message, which may quote an address
        Assert.Equal(1, app.SendGrid.Requests);
    }

    [Fact]
    public async Task A_malformed_message_throws_so_it_ends_in_the_poison_queue()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        await Assert.ThrowsAsync<FormatException>(() => app.SendConfirmation.Run("not json", default));
    }

    [Fact]
    public async Task A_registration_whose_message_was_lost_is_swept_and_emailed()
    {
        var (app, eventId, _) = await OneSignUp(azurite, new() { ["EventFunctions:RequeueAfter"] = "00:00:00" });
        await using var __ = app;
        // The message was drained and never handed over: as if the enqueue after the transaction had failed.
        await app.SweepConfirmations.Run(null!, default);
        Assert.Equal(1, await app.DeliverQueuedAsync());
        Assert.Single(app.SendGrid!.Mails);

        // Once sent, the sweep has nothing more to do.
        await app.SweepConfirmations.Run(null!, default);
        Assert.Empty(await app.DrainQueueAsync());
    }

    [Fact]
    public async Task The_sweep_leaves_recently_queued_registrations_alone()
    {
        var (app, _, _) = await OneSignUp(azurite);
        await using var __ = app;
        await app.SweepConfirmations.Run(null!, default);
        Assert.Empty(await app.DrainQueueAsync());
    }

    [Fact]
    public async Task Waitlisted_people_get_a_waitlist_email_without_a_calendar_file()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 1));
        await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person("甲", "a@example.cn", null)), lecture.Id, default);
        await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person("乙", "b@example.cn", null)), lecture.Id, default);
        await app.DeliverQueuedAsync();
        var waitlisted = app.SendGrid!.Mails.Single(m => EndToEndTests.Recipient(m.RootElement) == "b@example.cn").RootElement;
        Assert.Equal("候补登记：上海供水的过去、现在和未来", EndToEndTests.Subject(waitlisted));
        Assert.Contains("第 1 位", EndToEndTests.Content(waitlisted, "text/html"));
        Assert.False(waitlisted.TryGetProperty("attachments", out _));
    }

    [Fact]
    public async Task Local_runs_write_emails_a_person_can_open_to_the_outbox_folder()
    {
        var outbox = Path.Combine(Path.GetTempPath(), "outbox-" + Guid.NewGuid().ToString("N"));
        var (app, _, message) = await OneSignUp(azurite, new()
        {
            ["EventFunctions:Email:Mode"] = "Outbox",
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development", // the outbox exists only there
            ["EventFunctions:Email:OutboxPath"] = outbox,
        });
        await using var _ = app;
        await app.SendConfirmation.Run(message, default);
        var file = Assert.Single(Directory.GetFiles(outbox, "*.eml"));
        var mime = await MimeMessage.LoadAsync(file);
        Assert.Equal("报名成功：上海供水的过去、现在和未来", mime.Subject);
        Assert.Equal("liyinghui@example.com", mime.To.Mailboxes.Single().Address);
        Assert.Contains("李莹晖", mime.HtmlBody);
        Assert.Contains(mime.Attachments, a => a.ContentType.MimeType == "text/calendar");
        Assert.Empty(app.SendGrid!.Mails);
        Directory.Delete(outbox, recursive: true);
    }
}
