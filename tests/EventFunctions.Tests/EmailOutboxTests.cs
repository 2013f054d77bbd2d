using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>
/// The one email outbox (Confirmations/EmailOutbox.cs): an instance never has more emails handed to SendGrid and not
/// yet recorded than <c>Email:MaxInFlight</c>, whichever sender and however many messages are at work, so an instance
/// killed between SendGrid's answer and the record can send at most that many twice.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class EmailOutboxTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Emails_wait_for_an_in_flight_place_and_no_more_than_MaxInFlight_are_ever_with_SendGrid_at_once()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, settings: new() { ["EventFunctions:Email:MaxInFlight"] = "3" });
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 40));
        for (var i = 0; i < 20; i++) await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person($"参与者{i}", $"person{i}@example.cn", null)), lecture.Id, default);
        var keys = (await app.RegistrationsAsync(lecture.Id)).Select(r => r.RowKey).ToList();
        await app.DrainQueueAsync();
        var outbox = app.Get<EmailOutbox>();

        // SendGrid holds every request; two batch messages (two queue deliveries at once) each try 8 in parallel.
        var gate = app.SendGrid!.Hold();
        var first = Task.Run(() => app.SendConfirmation.Run(ConfirmationQueue.Format(lecture.Id, keys[..10]), default));
        var second = Task.Run(() => app.SendConfirmation.Run(ConfirmationQueue.Format(lecture.Id, keys[10..]), default));
        await app.SendGrid.RequestsReachedAsync(3);
        await RunningHost.Eventually(() => Task.FromResult(outbox.Waiting >= 2), "composed emails wait for a place");

        Assert.Equal(3, app.SendGrid.Requests); // the others wait while three are with SendGrid
        Assert.Equal(3, outbox.InFlight);
        gate.SetResult();
        await Task.WhenAll(first, second);

        Assert.True(app.SendGrid.MaxConcurrent <= 3, $"{app.SendGrid.MaxConcurrent} requests at once");
        Assert.Equal(20, app.SendGrid.Count);
        Assert.Equal(0, outbox.InFlight); // every place back once its email is recorded
        Assert.All(await app.RegistrationsAsync(lecture.Id), r => Assert.Equal((false, 1), (r.EmailPending, r.EmailSentVersion)));
    }

    [Fact]
    public async Task A_failed_send_gives_its_place_back_and_releases_the_claim_so_the_retry_goes_at_once()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, settings: new() { ["EventFunctions:Email:MaxInFlight"] = "1" });
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person("王磊", "wanglei@example.cn", null)), lecture.Id, default);
        var message = Assert.Single(await app.DrainQueueAsync());

        app.SendGrid!.FailNext(500, count: 3); // more than its client's own retries
        await Assert.ThrowsAsync<TransientEmailException>(() => app.SendConfirmation.Run(message, default));
        Assert.Equal(0, app.Get<EmailOutbox>().InFlight);
        var row = Assert.Single(await app.RegistrationsAsync(lecture.Id));
        Assert.True(row.EmailClaimUntil < DateTimeOffset.UtcNow); // released, not held for the claim's 45 s
        Assert.True(row.EmailPending);

        await app.SendConfirmation.Run(message, default); // the one place is free again
        Assert.Equal([(RegistrationStatus.Confirmed, 1)], app.SendGrid.MailsFor(row.RegistrationId));
    }

    [Fact]
    public async Task A_send_SendGrid_leaves_unanswered_is_given_up_inside_its_claim_and_the_row_released()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, clock: clock);
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person("王磊", "wanglei@example.cn", null)), lecture.Id, default);
        var message = Assert.Single(await app.DrainQueueAsync());

        var gate = app.SendGrid!.Hold(); // SendGrid takes the request and never answers
        var sending = Task.Run(() => app.SendConfirmation.Run(message, default));
        await app.SendGrid.RequestsReachedAsync(1);
        clock.Advance(EmailOutbox.SendDeadline + TimeSpan.FromSeconds(1)); // still well inside the 45 s claim
        var failure = await Assert.ThrowsAsync<TransientEmailException>(() => sending);
        Assert.Contains("did not answer", failure.Message);

        var row = Assert.Single(await app.RegistrationsAsync(lecture.Id));
        Assert.True(row.EmailPending);
        Assert.True(row.EmailClaimUntil < clock.GetUtcNow()); // released: the message's next delivery sends at once
        Assert.Equal(0, app.Get<EmailOutbox>().InFlight);
        gate.SetResult();
        Assert.Equal(0, app.SendGrid.Count); // the abandoned request was never answered 202

        await app.SendConfirmation.Run(message, default);
        Assert.Equal([(RegistrationStatus.Confirmed, 1)], app.SendGrid.MailsFor(row.RegistrationId));
    }
}
