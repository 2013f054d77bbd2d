using EventFunctions.Shared.Events;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace EventFunctions.Tests;

/// <summary>An organiser's change to an event, end to end: through the API, into storage, and out as emails.</summary>
[Collection(StorageCollection.Name)]
public sealed class EventChangeTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Raising_capacity_gives_the_new_seats_to_the_waitlist_in_order_before_any_new_sign_up()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var input = Seed.Lecture(capacity: 40, waitlist: true);
        var lecture = await app.CreateEventAsync(input);
        var views = await LedgerTests.SignUpManyAsync([app], lecture.Id, Enumerable.Range(0, 60));
        var told = views.Where(v => v.Status == RegistrationStatus.Waitlisted).ToDictionary(v => v.RegistrationId, v => v.WaitlistPosition!.Value);
        await app.DrainQueueAsync();

        input["capacity"] = 45;
        var updated = await app.UpdateEvent.Run(Requests.Json("PUT", $"/api/events/{lecture.Id}", input), lecture.Id, default);
        var view = Assert.IsType<EventView>(Assert.IsType<OkObjectResult>(updated).Value);
        Assert.Equal(new EventCounts(45, 15, 0), view.Counts);

        var rows = await app.RegistrationsAsync(lecture.Id);
        Assert.Equal([1, 2, 3, 4, 5], rows.Where(r => told.ContainsKey(r.RegistrationId) && r.Status == RegistrationStatus.Confirmed).Select(r => told[r.RegistrationId]).Order());

        // The next sign-up waits behind the 15 still waiting.
        var (status, value) = await LedgerTests.SignUpAsync(app, lecture.Id, 1000);
        Assert.Equal(201, status);
        var late = Assert.IsType<RegistrationView>(value);
        Assert.Equal(RegistrationStatus.Waitlisted, late.Status);
        Assert.Equal(16, late.WaitlistPosition);

        // The five promoted are each owed, and sent, their confirmation.
        Assert.Equal(5 + 1, await app.DeliverQueuedAsync());
        var promotedIds = rows.Where(r => told.ContainsKey(r.RegistrationId) && r.Status == RegistrationStatus.Confirmed).Select(r => r.RegistrationId);
        Assert.All(promotedIds, id => Assert.Contains((RegistrationStatus.Confirmed, 2), app.SendGrid!.MailsFor(id)));
        await LedgerTests.AssertCountersEqualRowsAsync(app, lecture.Id);
    }

    [Fact]
    public async Task Capacity_below_the_confirmed_count_is_refused_and_changes_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var input = Seed.Lecture(capacity: 5, waitlist: true);
        var lecture = await app.CreateEventAsync(input);
        await LedgerTests.SignUpManyAsync([app], lecture.Id, Enumerable.Range(0, 5));

        input["capacity"] = 4;
        var result = await app.UpdateEvent.Run(Requests.Json("PUT", $"/api/events/{lecture.Id}", input), lecture.Id, default);
        var (status, problem) = Results.Object<ValidationProblemDetails>(result);
        Assert.Equal(400, status);
        Assert.Contains("capacity", problem.Errors.Keys);
        Assert.Equal(5, (await app.EventRowAsync(lecture.Id)).Capacity);
    }

    [Fact]
    public async Task Closing_early_and_cancelling_the_event_shut_sign_up_and_cancelled_events_promote_nobody()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 2, waitlist: true));
        await LedgerTests.SignUpManyAsync([app], lecture.Id, Enumerable.Range(0, 3));
        var events = app.Get<EventService>();

        Assert.IsType<EventOutcome.Ok>(await events.CloseSignUpAsync(lecture.Id, default));
        var (status, problem) = Results.Object<ProblemDetails>(await app.RegisterForEvent.Run(
            Requests.Json("POST", $"/api/events/{lecture.Id}/registrations", Seed.Person("晚到", "late@example.cn", null)), lecture.Id, default));
        Assert.Equal(409, status);
        Assert.Equal(Problems.SignUpClosed, problem.Type);

        var ok = Assert.IsType<EventOutcome.Ok>(await events.CancelEventAsync(lecture.Id, default));
        Assert.Equal("cancelled", ok.Event.SignUpStatus);
        var confirmed = (await app.RegistrationsAsync(lecture.Id)).First(r => r.Status == RegistrationStatus.Confirmed);
        Assert.IsType<CancelOutcome.Cancelled>(await app.Get<RegistrationService>().CancelAsync(lecture.Id, confirmed.RegistrationId, TestTokens.Manage(confirmed), default));
        var ev = await app.EventRowAsync(lecture.Id);
        Assert.Equal((1, 1), (ev.Confirmed, ev.Waitlisted)); // nobody promoted into a cancelled event
    }
}
