using EventFunctions.Functions.Participants;
using EventFunctions.Shared;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Listings;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Text;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>Reserved seats (fair admission): the per-unit seats of the member-units work, with the pool open to the public.</summary>
public sealed class ReservedSeatRuleTests
{
    private static readonly Invitation Reserved = new([new InvitedUnit("unitaaaa", "居委会甲", 3), new InvitedUnit("unitbbbb", "居委会乙", 3)], 4) { Public = true };

    private static EventRecord Event(Invitation invitation, Dictionary<string, int> used) => new()
    {
        Id = "e", Kind = EventKind.SiteVisit, Title = "5G 创新港参观", StartUtc = DateTimeOffset.UtcNow.AddDays(9), EndUtc = DateTimeOffset.UtcNow.AddDays(9).AddHours(2),
        TimeZoneId = "Asia/Shanghai", Capacity = 10, WaitlistAllowed = true, SignUpOpensUtc = DateTimeOffset.UtcNow.AddDays(-1), SignUpClosesUtc = DateTimeOffset.UtcNow.AddDays(8),
        OrganiserName = "党建办", OrganiserEmail = "a@example.cn", Invitation = invitation, UnitUsed = used,
    };

    [Fact]
    public void The_public_takes_only_the_pool_and_a_unit_its_own_seats_first()
    {
        var empty = new Dictionary<string, int>();
        Assert.True(UnitSeatRules.CanSeat(Event(Reserved, empty), empty, Invitation.PublicKey));
        Assert.Equal(4, Event(Reserved, empty).PublicSeatsLeft);
        var poolGone = new Dictionary<string, int> { [Invitation.PublicKey] = 4 };
        Assert.False(UnitSeatRules.CanSeat(Event(Reserved, poolGone), poolGone, Invitation.PublicKey));
        Assert.True(UnitSeatRules.CanSeat(Event(Reserved, poolGone), poolGone, "unitaaaa")); // its own three are still there
        Assert.Equal(0, Event(Reserved, poolGone).PublicSeatsLeft);
        // Released: the units' unused seats join the pool.
        var released = Reserved with { Released = true };
        Assert.Equal(6, Event(released, poolGone).PublicSeatsLeft);
        // Not public: nobody without a unit's link.
        Assert.False(UnitSeatRules.CanSeat(Event(Reserved with { Public = false }, empty), empty, Invitation.PublicKey));
        Assert.False(Event(Reserved with { Public = false }, empty).IsPublic);
    }
}

[Collection(StorageCollection.Name)]
public sealed class ReservedSeatTests(AzuriteFixture azurite)
{
    private static SignUpInput Person(string name, string email) => new() { Name = name, Email = email, Phone = "13812345678", Organisation = "居民", Consent = true, SecurityDetails = ["1234"] };

    [Fact]
    public async Task A_rush_of_the_public_and_two_units_on_two_instances_never_takes_a_units_reserved_seats_or_more_than_the_capacity()
    {
        var a = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        await using var _ = a;
        await using var b = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: new()
        {
            ["EventFunctions:TableName"] = a.TableName,
            ["EventFunctions:ConfirmationQueue"] = a.QueueName,
        });
        var visit = await a.CreateEventAsync(Seed.SiteVisit(capacity: 10, waitlist: true));
        var invitation = new Invitation([new InvitedUnit(Ids.NewUnitId(), "居委会甲", 3), new InvitedUnit(Ids.NewUnitId(), "居委会乙", 3)], 4) { Public = true };
        Assert.IsType<EventOutcome.Ok>(await a.Get<EventService>().SetInvitationAsync(visit.Id, invitation, default));
        var units = invitation.Units.Select(u => u.UnitId).ToList();

        // 20 residents from the public link and 5 of each unit's people from its link, all at once, on two instances.
        var tasks = new List<Task<SignUpOutcome>>();
        for (var i = 0; i < 30; i++)
        {
            var app = i % 2 == 0 ? a : b;
            var unit = i < 20 ? null : units[i % 2];
            tasks.Add(app.Get<RegistrationService>().SignUpAsync(visit.Id, Person($"人{i}", $"p{i}@example.cn"), UiText.Chinese, default, unit));
        }
        await Task.WhenAll(tasks);

        var rows = await a.RegistrationsAsync(visit.Id);
        var seated = rows.Where(r => r.Status == RegistrationStatus.Confirmed).ToList();
        Assert.Equal(10, seated.Count); // every seat taken, none twice
        Assert.All(units, u => Assert.True(seated.Count(r => r.UnitId == u) >= 3, $"unit {u} kept its three seats"));
        Assert.True(seated.Count(r => r.UnitId == Invitation.PublicKey) <= 4, "the public took no more than the pool");
        Assert.Equal(20, rows.Count(r => r.Status == RegistrationStatus.Waitlisted));
        var row = await a.EventRowAsync(visit.Id);
        Assert.Equal(10, row.Confirmed);
        var used = row.ToRecord().UnitUsed;
        Assert.Equal(seated.GroupBy(r => r.UnitId!).ToDictionary(g => g.Key, g => g.Count()).OrderBy(kv => kv.Key), used.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key));
    }

    [Fact]
    public async Task The_public_form_offers_the_pool_the_calendar_lists_the_event_and_unused_unit_seats_go_to_the_public_waitlist_in_order()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: new() { ["EventFunctions:CalendarRefresh"] = "00:00:00" });
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 5, waitlist: true));
        var invitation = new Invitation([new InvitedUnit(Ids.NewUnitId(), "居委会甲", 3)], 2) { Public = true };
        Assert.IsType<EventOutcome.Ok>(await app.Get<EventService>().SetInvitationAsync(lecture.Id, invitation, default));

        var form = Results.Html(await app.SignUpForm.Show(Requests.Get($"/api/signup/{lecture.Id}"), lecture.Id, default));
        Assert.Equal(200, form.Status);
        Assert.Contains("剩余名额 2 / 2", form.Html);
        var calendar = Results.Html(await new Calendar(app.Get<CalendarApi>()).Show(Requests.Get("/api/calendar"), default)).Html;
        Assert.Contains(lecture.Id, calendar);
        Assert.Contains("余 2 席", calendar);

        var registrations = app.Get<RegistrationService>();
        for (var i = 0; i < 4; i++) await registrations.SignUpAsync(lecture.Id, new SignUpInput { Name = $"居民{i}", Email = $"r{i}@example.cn", Consent = true }, UiText.Chinese, default);
        var rows = await app.RegistrationsAsync(lecture.Id);
        Assert.Equal(2, rows.Count(r => r.Status == RegistrationStatus.Confirmed));
        var waiting = rows.Where(r => r.Status == RegistrationStatus.Waitlisted).OrderBy(r => r.Sequence).ToList();
        Assert.Equal(2, waiting.Count);
        // One of the unit's people signs up; then the unit's two unused seats are released: the public waitlist gets them, in order.
        await registrations.SignUpAsync(lecture.Id, new SignUpInput { Name = "单位甲", Email = "u@example.cn", Consent = true }, UiText.Chinese, default, invitation.Units[0].UnitId);
        Assert.IsType<EventOutcome.Ok>(await app.Get<EventService>().ReleaseUnitSeatsAsync(lecture.Id, null, default));
        rows = await app.RegistrationsAsync(lecture.Id);
        Assert.All(waiting, w => Assert.Equal(RegistrationStatus.Confirmed, rows.Single(r => r.RowKey == w.RowKey).Status));
        Assert.Equal(5, (await app.EventRowAsync(lecture.Id)).Confirmed);

        // By invitation only (no public pool): the public link is refused and the calendar does not list it.
        var meeting = await app.CreateEventAsync(Seed.Lecture(capacity: 5));
        Assert.IsType<EventOutcome.Ok>(await app.Get<EventService>().SetInvitationAsync(meeting.Id, invitation with { Public = false }, default));
        Assert.Equal(403, Results.Html(await app.SignUpForm.Show(Requests.Get($"/api/signup/{meeting.Id}"), meeting.Id, default)).Status);
        Assert.IsType<SignUpOutcome.NotInvited>(await registrations.SignUpAsync(meeting.Id, new SignUpInput { Name = "居民", Email = "x@example.cn", Consent = true }, UiText.Chinese, default));
        Assert.DoesNotContain(meeting.Id, Results.Html(await new Calendar(app.Get<CalendarApi>()).Show(Requests.Get("/api/calendar"), default)).Html);
    }

    [Fact]
    public async Task The_organiser_opens_the_pool_to_the_public_on_the_invitation_page()
    {
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole());
        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(ConsoleAccessTests.Admin);
        Assert.Equal(200, (await admin.PostAsync("/api/console/units", ("name", "北外滩居委会"), ("contact", "王芳"), ("contactEmail", "jwh@example.cn"))).Status);
        var eventId = (await host.CreateEventAsync(Seed.Lecture(capacity: 10))).GetProperty("id").GetString()!;
        var (_, page) = await admin.GetAsync($"/api/console/events/{eventId}/invitation");
        var unit = System.Text.RegularExpressions.Regex.Match(page, "name=\"seats\\.(?<id>[a-z0-9]+)\"").Groups["id"].Value;
        var (status, saved, _) = await admin.PostAsync($"/api/console/events/{eventId}/invitation", ("seats." + unit, "4"), ("pool", "6"), ("public", "on"), ("releaseAt", ""), ("action", "save"));
        Assert.Equal(200, status);
        Assert.Matches("id=\"public\" checked", saved);
        var stored = (await host.Get<EventService>().FindAsync(eventId, default))!;
        Assert.True(stored.Invitation!.Public);
        Assert.Equal((10, 6), (stored.Capacity, stored.PublicSeatsLeft));
    }
}
