using EventFunctions.Shared.Events;
using EventFunctions.Shared.Notifications;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>Reconfirmation before the day (fair admission): asked once, released at the deadline through the one hold mechanism, the waitlist promoted in order, both told.</summary>
[Collection(StorageCollection.Name)]
public sealed class ReconfirmationTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Confirmed_people_are_asked_once_and_a_seat_not_reconfirmed_by_the_deadline_goes_to_the_waitlist_in_order()
    {
        await using var app = await Informed.StartAsync(azurite);
        var definition = Seed.Lecture(capacity: 2, waitlist: true);
        var start = app.Clock.GetUtcNow().AddHours(72);
        definition["start"] = Seed.Local(start);
        definition["end"] = Seed.Local(start.AddHours(2));
        definition["reminderHoursBefore"] = 0;
        definition["reconfirmHoursBefore"] = 48;
        definition["reconfirmDeadlineHoursBefore"] = 24;
        var lecture = await app.CreateAsync(definition);
        var wang = await app.SignUpAsync(lecture.Id, "王磊", "wanglei@example.cn");
        var anna = await app.SignUpAsync(lecture.Id, "Anna Smith", "anna@example.com", "en");
        var zhao = await app.SignUpAsync(lecture.Id, "赵敏", "zhaomin@example.cn");
        var li = await app.SignUpAsync(lecture.Id, "李莹晖", "liyinghui@example.com");
        Assert.Equal(RegistrationStatus.Waitlisted, zhao.Status);
        await app.DeliverAllAsync();

        // Before the request's time: nothing. Then each confirmed person is asked, once, however often the sweep runs.
        app.Clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal(0, (await app.SweepAsync()).Reconfirms);
        app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(2, (await app.SweepAsync()).Reconfirms);
        Assert.Equal(0, (await app.SweepAsync()).Reconfirms);
        Assert.Empty(await app.DeliverAllAsync());
        var asks = app.Mails("reconfirm");
        Assert.Equal(new[] { wang.RegistrationId, anna.RegistrationId }.Order(), asks.Select(m => m.RegistrationId).Order());
        Assert.StartsWith("请确认是否出席：", asks.Single(m => m.RegistrationId == wang.RegistrationId).Subject);
        Assert.StartsWith("Are you still coming?", asks.Single(m => m.RegistrationId == anna.RegistrationId).Subject);
        var row = await app.Get<EventFunctions.Shared.Storage.EventStore>().FindEventAsync(lecture.Id, default);
        Assert.Equal((2, 2), (row!.Confirmed, row.Unconfirmed));

        // Wang reconfirms with one click; Anna does not. A forged link (Anna's, its secret edited) confirms nothing.
        var rows = (await app.RowsAsync(lecture.Id)).ToDictionary(r => r.RegistrationId);
        var annaLink = TestTokens.Manage(rows[anna.RegistrationId]);
        Assert.IsType<ConfirmOutcome.NotFound>(await app.Get<RegistrationService>().ConfirmAsync(lecture.Id, anna.RegistrationId, annaLink[..^3] + (annaLink.EndsWith("AAA", StringComparison.Ordinal) ? "BBB" : "AAA"), default));
        Assert.True((await app.RowsAsync(lecture.Id)).Single(r => r.RegistrationId == anna.RegistrationId).AwaitsConfirmation);
        Assert.True(rows[wang.RegistrationId].AwaitsConfirmation);
        Assert.IsType<ConfirmOutcome.Confirmed>(await app.Get<RegistrationService>().ConfirmAsync(lecture.Id, wang.RegistrationId, TestTokens.Manage(rows[wang.RegistrationId]), default));

        // At the deadline the hold sweep releases Anna's seat: Zhao, first waiting, gets it; Li stays waiting; Anna is told.
        app.Clock.Advance(TimeSpan.FromHours(24));
        await app.Get<RegistrationService>().ExpireHoldsAsync(default);
        rows = (await app.RowsAsync(lecture.Id)).ToDictionary(r => r.RegistrationId);
        Assert.Equal(RegistrationStatus.Confirmed, rows[wang.RegistrationId].Status);
        Assert.False(rows[wang.RegistrationId].AwaitsConfirmation);
        Assert.Equal(RegistrationStatus.Confirmed, rows[zhao.RegistrationId].Status);
        Assert.True(rows[zhao.RegistrationId].EmailPending); // told of the seat
        Assert.Equal(RegistrationStatus.Waitlisted, rows[li.RegistrationId].Status);
        var notice = rows.Values.Single(r => r.Status == RegistrationStatus.Removed);
        Assert.Equal(("Anna Smith", RemovedReasons.NotReconfirmed), (notice.Name, notice.RemovedReason));
        var told = await app.Get<NoticeComposer>().ComposeRemovalAsync((await app.Get<EventService>().FindAsync(lecture.Id, default))!, notice);
        Assert.StartsWith("Your seat was released:", told.Subject);
        row = await app.Get<EventFunctions.Shared.Storage.EventStore>().FindEventAsync(lecture.Id, default);
        Assert.Equal((2, 0, 1), (row!.Confirmed, row.Unconfirmed, row.Waitlisted));

        // Anna's own link after the deadline: her registration is gone (the page says the link no longer works), and nothing comes back.
        Assert.IsType<ConfirmOutcome.NotFound>(await app.Get<RegistrationService>().ConfirmAsync(lecture.Id, anna.RegistrationId, annaLink, default));
        Assert.DoesNotContain(await app.RowsAsync(lecture.Id), r => r.RegistrationId == anna.RegistrationId && r.Status != RegistrationStatus.Removed);
        // Zhao, given the seat inside the window, is not asked again.
        Assert.Equal(0, (await app.SweepAsync()).Reconfirms);
    }

    [Fact]
    public void A_deadline_that_is_not_between_the_request_and_the_start_is_refused()
    {
        var input = Informed.Input(Seed.Lecture());
        var (_, errors) = EventValidator.Validate(input with { ReconfirmHoursBefore = 24, ReconfirmDeadlineHoursBefore = 48 }, "e1", DateTimeOffset.UtcNow);
        Assert.NotNull(errors.For("reconfirmDeadlineHoursBefore"));
        var (ok, _) = EventValidator.Validate(input with { ReconfirmHoursBefore = 48 }, "e1", DateTimeOffset.UtcNow);
        Assert.Equal((48, 24), (ok!.ReconfirmHoursBefore, ok.ReconfirmDeadlineHoursBefore));
    }
}
