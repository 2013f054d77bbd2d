using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Text;
using EventFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace EventFunctions.Tests;

/// <summary>Late seats as offers (fair admission): close to the event a freed seat is offered in order, with a confirm-by time, and moves on when not taken.</summary>
[Collection(StorageCollection.Name)]
public sealed class LateOfferTests(AzuriteFixture azurite)
{
    private static SignUpInput Person(string name) => new() { Name = name, Email = $"{name.ToLowerInvariant()}@example.cn", Consent = true };

    [Fact]
    public async Task A_seat_freed_close_to_the_event_is_offered_in_order_and_moves_on_when_it_lapses_or_is_declined()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var a = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, clock: clock);
        await using var _ = a;
        await using var b = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, clock: clock, settings: new()
        {
            ["EventFunctions:TableName"] = a.TableName,
            ["EventFunctions:ConfirmationQueue"] = a.QueueName,
        });
        var definition = Seed.Lecture(capacity: 1, waitlist: true);
        var start = clock.GetUtcNow().AddHours(30);
        definition["start"] = Seed.Local(start);
        definition["end"] = Seed.Local(start.AddHours(2));
        definition["offerHoursBefore"] = 48;
        var lecture = await a.CreateEventAsync(definition);
        var registrations = a.Get<RegistrationService>();
        foreach (var name in new[] { "Ann", "Bo", "Cai", "Dan" }) await registrations.SignUpAsync(lecture.Id, Person(name), UiText.English, default);
        var rows = (await a.RegistrationsAsync(lecture.Id)).ToDictionary(r => r.Name);
        Assert.Equal(RegistrationStatus.Confirmed, rows["Ann"].Status);

        // Ann cancels 30 hours before: the seat is offered to Bo (first waiting), held until the offer's time.
        Assert.IsType<CancelOutcome.Cancelled>(await registrations.CancelAsync(lecture.Id, rows["Ann"].RegistrationId, TestTokens.Manage(rows["Ann"]), default));
        var bo = (await a.RegistrationsAsync(lecture.Id)).Single(r => r.Name == "Bo");
        Assert.Equal(RegistrationStatus.Held, bo.Status);
        Assert.True(bo.AwaitsConfirmation);
        Assert.Equal(clock.GetUtcNow() + a.Options.OfferTime, bo.ConfirmBy);
        var offer = await a.Get<EventFunctions.Shared.Confirmations.ConfirmationSender>().ComposeAsync((await a.Get<EventService>().FindAsync(lecture.Id, default))!, bo, null);
        Assert.StartsWith("A seat for you:", offer.Subject);
        var row = await a.EventRowAsync(lecture.Id);
        Assert.Equal((1, 1, 1, 2), (row.Confirmed, row.Held, row.Unconfirmed, row.Waitlisted));

        // Bo lets it lapse: the hold sweep, run by both instances at once, moves it on once, to Cai; Bo is told.
        clock.Advance(a.Options.OfferTime + TimeSpan.FromMinutes(1));
        await Task.WhenAll(a.Get<RegistrationService>().ExpireHoldsAsync(default), b.Get<RegistrationService>().ExpireHoldsAsync(default));
        var after = await a.RegistrationsAsync(lecture.Id);
        Assert.DoesNotContain(after, r => r.Name == "Bo");
        // Bo is told: a removal notice owed, saying the offer lapsed.
        var table = await a.TableAsync();
        var notices = new List<RegistrationEntity>();
        await foreach (var n in table.QueryAsync<RegistrationEntity>(x => x.PartitionKey == lecture.Id && x.Status == RegistrationStatus.Removed)) notices.Add(n);
        var notice = Assert.Single(notices, n => n.Name == "Bo");
        Assert.Equal(RemovedReasons.OfferLapsed, notice.RemovedReason);
        var told = await a.Get<EventFunctions.Shared.Notifications.NoticeComposer>().ComposeRemovalAsync((await a.Get<EventService>().FindAsync(lecture.Id, default))!, notice);
        Assert.StartsWith("Seat offer lapsed:", told.Subject);
        var cai = after.Single(r => r.Name == "Cai");
        Assert.Equal(RegistrationStatus.Held, cai.Status);
        Assert.Equal(RegistrationStatus.Waitlisted, after.Single(r => r.Name == "Dan").Status);
        row = await a.EventRowAsync(lecture.Id);
        Assert.Equal((1, 1, 1, 1), (row.Confirmed, row.Held, row.Unconfirmed, row.Waitlisted));

        // Cai declines (cancels from the page): Dan is offered, and takes it.
        Assert.IsType<CancelOutcome.Cancelled>(await registrations.CancelAsync(lecture.Id, cai.RegistrationId, TestTokens.Manage(cai), default));
        var dan = (await a.RegistrationsAsync(lecture.Id)).Single(r => r.Name == "Dan");
        Assert.Equal(RegistrationStatus.Held, dan.Status);
        Assert.IsType<ConfirmOutcome.Confirmed>(await registrations.ConfirmAsync(lecture.Id, dan.RegistrationId, TestTokens.Manage(dan), default));
        dan = (await a.RegistrationsAsync(lecture.Id)).Single(r => r.Name == "Dan");
        Assert.Equal(RegistrationStatus.Confirmed, dan.Status);
        Assert.False(dan.AwaitsConfirmation);
        row = await a.EventRowAsync(lecture.Id);
        Assert.Equal((1, 0, 0, 0), (row.Confirmed, row.Held, row.Unconfirmed, row.Waitlisted));

        // Too late to confirm a lapsed offer: Bo's link says so (the row is gone).
        Assert.IsType<ConfirmOutcome.NotFound>(await registrations.ConfirmAsync(lecture.Id, bo.RegistrationId, TestTokens.Manage(bo), default));
    }

    [Fact]
    public async Task Earlier_than_the_offer_window_a_freed_seat_is_given_outright_as_before()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var definition = Seed.Lecture(capacity: 1, waitlist: true);
        definition["offerHoursBefore"] = 24; // the lecture is a week away
        var lecture = await app.CreateEventAsync(definition);
        var registrations = app.Get<RegistrationService>();
        foreach (var name in new[] { "Ann", "Bo" }) await registrations.SignUpAsync(lecture.Id, Person(name), UiText.English, default);
        var ann = (await app.RegistrationsAsync(lecture.Id)).Single(r => r.Name == "Ann");
        await registrations.CancelAsync(lecture.Id, ann.RegistrationId, TestTokens.Manage(ann), default);
        var bo = (await app.RegistrationsAsync(lecture.Id)).Single(r => r.Name == "Bo");
        Assert.Equal(RegistrationStatus.Confirmed, bo.Status);
        Assert.Null(bo.OfferedUtc);
    }
}
