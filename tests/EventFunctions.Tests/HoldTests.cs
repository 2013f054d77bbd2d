using System.Text.Json;
using EventFunctions.Functions.Confirmations;
using EventFunctions.Functions.Notifications;
using EventFunctions.Functions.Participants;
using EventFunctions.Shared;
using EventFunctions.Shared.Attendance;
using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Notifications;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace EventFunctions.Tests;

/// <summary>
/// Seats that need a real person (issue: public routes against bots): on an event that needs a confirmed email a
/// sign-up holds its seat or waitlist place until the participant confirms from the email; holds not confirmed in
/// time go to the next people in order, through the ledger; the page and the API give one answer whether or not
/// the address was registered already.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class HoldTests(AzuriteFixture azurite)
{
    private static Dictionary<string, object?> Held(Dictionary<string, object?> definition)
    {
        definition["confirmEmail"] = true;
        return definition;
    }

    private static IActionResult Register(Informed app, string eventId, string name, string email) =>
        new RegisterForEvent(app.Get<SignUpApi>()).Run(
            Requests.Json("POST", $"/api/events/{eventId}/registrations", new { name, email, consent = true, language = "zh-CN" }), eventId, default).Result;

    private static IActionResult PostForm(Informed app, string eventId, string name, string email) =>
        new SignUpForm(app.Get<SignUpApi>()).Submit(
            Requests.Form($"/api/signup/{eventId}", [new("name", name), new("email", email), new("consent", "on"), new("lang", "zh-CN")]), eventId, default).Result;

    private static IActionResult Confirm(Informed app, string eventId, RegistrationEntity row) =>
        new ManageRegistrationExtras(app.Get<SignUpApi>()).Confirm(
            Requests.Form($"/api/manage/{eventId}/{row.RegistrationId}/confirm", [new("t", TestTokens.Manage(row)), new("lang", "zh-CN")]), eventId, row.RegistrationId, default).Result;

    /// <summary>Sends every confirmation owed, as the queue trigger would.</summary>
    private static async Task SendConfirmationsAsync(Informed app)
    {
        await app.Get<Shared.Ledger.EventLedger>().QueueWritesAsync();
        var queue = await app.Get<EventStore>().QueueAsync(default);
        var send = new SendConfirmation(app.Get<ConfirmationSender>(), app.Get<Shared.Operations.QueueFailures>());
        foreach (var m in await Queues.DrainAsync(queue)) await send.Run(m, default);
    }

    private static async Task<RegistrationEntity> RowAsync(Informed app, string eventId, string email) =>
        (await app.RowsAsync(eventId)).Single(r => r.Email == email);

    private static async Task<EventEntity> EventRowAsync(Informed app, string eventId) =>
        (await (await app.Get<EventStore>().TableAsync(default)).GetEntityAsync<EventEntity>(eventId, EventEntity.RowKeyValue)).Value;

    /// <summary>The event row's counters agree with its rows.</summary>
    private static async Task AssertCountersAsync(Informed app, string eventId)
    {
        var rows = (await app.RowsAsync(eventId)).Where(r => r.IsRegistration).ToList();
        var e = await EventRowAsync(app, eventId);
        Assert.Equal(rows.Count(r => r.Status is RegistrationStatus.Confirmed or RegistrationStatus.Held), e.Confirmed);
        Assert.Equal(rows.Count(r => r.Status == RegistrationStatus.Waitlisted), e.Waitlisted);
        Assert.Equal(rows.Count(r => r.Status == RegistrationStatus.Held), e.Held);
        Assert.Equal(rows.Count(r => r.AwaitsConfirmation), e.Unconfirmed);
    }

    [Fact]
    public async Task A_sign_up_holds_its_seat_until_confirmed_from_the_email_and_new_and_registered_addresses_get_the_same_answer()
    {
        await using var app = await Informed.StartAsync(azurite);
        var lecture = await app.CreateAsync(Held(Seed.Lecture(capacity: 2)));
        Assert.True(lecture.ConfirmEmail);
        var holdTime = app.Get<IOptions<EventFunctionsOptions>>().Value.HoldTime;

        // The API: 202 "check your email", the same for a new address and for one registered already (another name).
        var (status, body) = Results.Object<PendingSignUp>(Register(app, lecture.Id, "王磊", "wanglei@example.com"));
        Assert.Equal(202, status);
        Assert.Equal((PendingSignUp.CheckEmailStatus, "wa***@example.com", 60), (body.Status, body.Email, body.ConfirmWithinMinutes));
        var (againStatus, again) = Results.Object<PendingSignUp>(Register(app, lecture.Id, "冒名者", "WangLei+x@example.com"));
        Assert.Equal(202, againStatus);
        Assert.Equal(JsonSerializer.Serialize(body with { Email = "" }), JsonSerializer.Serialize(again with { Email = "" }));
        Assert.Equal("wa***@example.com", again.Email);

        // The form: the same page for a new address and for a registered one.
        var (formStatus, formPage) = Results.Html(PostForm(app, lecture.Id, "李莹晖", "liyinghui@example.com"));
        var (repeatStatus, repeatPage) = Results.Html(PostForm(app, lecture.Id, "别人", "liyinghui@example.com"));
        Assert.Equal((200, 200), (formStatus, repeatStatus));
        Assert.Equal(formPage, repeatPage);
        Assert.Contains("请查收邮件", formPage);
        Assert.DoesNotContain("此邮箱已报名本活动", formPage);

        // Stored once each, held: seats counted as taken, no ticket yet, a time to confirm by.
        var wang = await RowAsync(app, lecture.Id, "wanglei@example.com");
        Assert.Equal(RegistrationStatus.Held, wang.Status);
        Assert.Equal("王磊", wang.Name); // the second sign-up changed nothing
        Assert.Equal(app.Clock.GetUtcNow() + holdTime, wang.ConfirmBy);
        Assert.Equal(2, (await app.RowsAsync(lecture.Id)).Count(r => r.IsRegistration));
        var e = await EventRowAsync(app, lecture.Id);
        Assert.Equal((2, 2, 2), (e.Confirmed, e.Held, e.Unconfirmed));
        await AssertCountersAsync(app, lecture.Id);
        var tally = await app.Get<Shared.Console.ConsoleQueries>().TallyAsync(lecture.Id, default);
        Assert.Equal((0, 2), (tally!.Confirmed, tally.Held)); // the console tells held seats from confirmed ones

        // The email asks to confirm: a link to the manage page, no ticket, no calendar file.
        await SendConfirmationsAsync(app);
        var ask = Assert.Single(app.Mails(), m => m.To == "wanglei@example.com");
        Assert.StartsWith("请确认报名", ask.Subject);
        Assert.Contains($"/manage/{lecture.Id}/{wang.RegistrationId}?t=", ask.Plain);
        Assert.Contains("确认报名", ask.Html);
        Assert.Empty(ask.Attachments);

        // The registered address asked again: its owner is sent their registration again (rate-limited like "send
        // again"), the asker learns nothing.
        await app.DeliverAllAsync();
        Assert.Equal(2, app.Mails().Count(m => m.To == "wanglei@example.com"));
        Assert.All(app.Mails().Where(m => m.To == "wanglei@example.com"), m => Assert.StartsWith("请确认报名", m.Subject));
        Register(app, lecture.Id, "冒名者", "wanglei@example.com"); // within five minutes: nothing more is sent
        await app.DeliverAllAsync();
        Assert.Equal(2, app.Mails().Count(m => m.To == "wanglei@example.com"));

        // Confirming from the email: the seat is theirs, and the email with the ticket and calendar follows.
        var (confirmed, page) = Results.Html(Confirm(app, lecture.Id, wang));
        Assert.Equal(200, confirmed);
        Assert.Contains("报名已确认", page);
        Assert.Contains("ticket-code", page);
        wang = await RowAsync(app, lecture.Id, "wanglei@example.com");
        Assert.Equal(RegistrationStatus.Confirmed, wang.Status);
        Assert.NotNull(wang.EmailConfirmedUtc);
        e = await EventRowAsync(app, lecture.Id);
        Assert.Equal((2, 1, 1), (e.Confirmed, e.Held, e.Unconfirmed));
        tally = await app.Get<Shared.Console.ConsoleQueries>().TallyAsync(lecture.Id, default);
        Assert.Equal((1, 1), (tally!.Confirmed, tally.Held));
        await SendConfirmationsAsync(app);
        var ticket = Assert.Single(app.Mails(), m => m.To == "wanglei@example.com" && m.Subject.StartsWith("报名成功"));
        Assert.Contains(ticket.Attachments, a => a.Type == "image/png");
        Assert.Contains(ticket.Attachments, a => a.Type.StartsWith("text/calendar"));

        // Confirming again (a second tap) is fine and sends nothing.
        Assert.Equal(200, Results.Html(Confirm(app, lecture.Id, wang)).Status);
        await SendConfirmationsAsync(app);
        Assert.Equal(3, app.Mails().Count(m => m.To == "wanglei@example.com")); // asked to confirm, asked again, the ticket
        await AssertCountersAsync(app, lecture.Id);
    }

    [Fact]
    public async Task Holds_not_confirmed_in_time_go_to_the_next_people_in_order_and_a_late_confirmation_is_refused()
    {
        await using var app = await Informed.StartAsync(azurite);
        var lecture = await app.CreateAsync(Held(Seed.Lecture(capacity: 1)));
        var holdTime = app.Get<IOptions<EventFunctionsOptions>>().Value.HoldTime;
        var sweep = new ExpireHolds(app.Get<RegistrationService>());

        Register(app, lecture.Id, "甲", "a@example.com");             // t0: the seat, held
        app.Clock.Advance(TimeSpan.FromMinutes(30));
        Register(app, lecture.Id, "乙", "b@example.com");             // t0+30: waiting, unconfirmed
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        Register(app, lecture.Id, "丙", "c@example.com");             // t0+31: waiting, then confirms
        var c = await RowAsync(app, lecture.Id, "c@example.com");
        var (cStatus, cPage) = Results.Html(Confirm(app, lecture.Id, c));
        Assert.Equal(200, cStatus);
        Assert.Contains("您在候补名单上", cPage);
        Assert.Equal(RegistrationStatus.Waitlisted, (await RowAsync(app, lecture.Id, "c@example.com")).Status);
        await AssertCountersAsync(app, lecture.Id);

        // Nothing is due before its time.
        await sweep.Run(null!, default);
        Assert.Equal(3, (await app.RowsAsync(lecture.Id)).Count(r => r.IsRegistration));

        // t0+61: 甲's hold has run out. Confirming now is refused (410) even before the sweep...
        app.Clock.Advance(holdTime - TimeSpan.FromMinutes(30));
        var a = await RowAsync(app, lecture.Id, "a@example.com");
        var (late, latePage) = Results.Html(Confirm(app, lecture.Id, a));
        Assert.Equal(410, late);
        Assert.Contains("确认时间已过", latePage);

        // ...and the sweep takes 甲 off; the seat goes to the first waiting, 乙, held for them until their own time.
        await sweep.Run(null!, default);
        var rows = await app.RowsAsync(lecture.Id);
        Assert.DoesNotContain(rows, r => r.Email == "a@example.com");
        var b = rows.Single(r => r.Email == "b@example.com");
        Assert.Equal(RegistrationStatus.Held, b.Status);
        Assert.Equal(lecture.Id, b.PartitionKey);
        Assert.Equal(RegistrationStatus.Waitlisted, rows.Single(r => r.Email == "c@example.com").Status);
        var e = await EventRowAsync(app, lecture.Id);
        Assert.Equal((1, 1, 1, 0), (e.Confirmed, e.Waitlisted, e.Held, e.Withdrawn)); // an expiry is not a withdrawal
        await AssertCountersAsync(app, lecture.Id);
        await SendConfirmationsAsync(app);
        Assert.Contains(app.Mails(), m => m.To == "b@example.com" && m.Subject.StartsWith("请确认报名") && m.Plain.Contains("保留"));

        // t0+91: 乙 did not confirm either; the seat goes to 丙, who had: confirmed at once, with the promotion email.
        app.Clock.Advance(TimeSpan.FromMinutes(30));
        await sweep.Run(null!, default);
        rows = await app.RowsAsync(lecture.Id);
        Assert.Equal(["c@example.com"], rows.Where(r => r.IsRegistration).Select(r => r.Email));
        Assert.Equal(RegistrationStatus.Confirmed, rows.Single().Status);
        e = await EventRowAsync(app, lecture.Id);
        Assert.Equal((1, 0, 0, 0), (e.Confirmed, e.Waitlisted, e.Held, e.Unconfirmed));
        await SendConfirmationsAsync(app);
        Assert.Contains(app.Mails(), m => m.To == "c@example.com" && m.Subject.StartsWith("候补转正"));
    }

    [Fact]
    public async Task A_held_person_at_the_door_is_checked_in_and_confirmed_and_a_full_event_says_full_to_anyone()
    {
        await using var app = await Informed.StartAsync(azurite);
        var visit = await app.CreateAsync(Held(Seed.Lecture(capacity: 1, waitlist: false)));
        Register(app, visit.Id, "王磊", "wanglei@example.com");

        // Full (the only seat held): a registered address and a new one both hear "full", the truth for everyone.
        var registered = Register(app, visit.Id, "别人", "wanglei@example.com");
        var stranger = Register(app, visit.Id, "路人", "someone@example.com");
        Assert.Equal(409, Results.Object<ProblemDetails>(registered).Status);
        Assert.Equal(Results.Object<ProblemDetails>(registered).Value.Type, Results.Object<ProblemDetails>(stranger).Value.Type);
        Assert.Equal(Problems.EventFull, Results.Object<ProblemDetails>(stranger).Value.Type);

        // At the door in person: checked in, and the held seat is theirs.
        var row = await RowAsync(app, visit.Id, "wanglei@example.com");
        var outcome = await app.Get<AttendanceService>().CheckInAsync(visit.Id, row.RowKey, "door:test", default);
        Assert.IsType<CheckInOutcome.CheckedIn>(outcome);
        row = await RowAsync(app, visit.Id, "wanglei@example.com");
        Assert.Equal(RegistrationStatus.Confirmed, row.Status);
        Assert.NotNull(row.EmailConfirmedUtc);
        await AssertCountersAsync(app, visit.Id);
        var e = await EventRowAsync(app, visit.Id);
        Assert.Equal((1, 0, 0, 1), (e.Confirmed, e.Held, e.Unconfirmed, e.CheckedIn));
    }
}
