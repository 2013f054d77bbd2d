using EventFunctions.Shared.Admission;
using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Notifications;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Text;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Time.Testing;

namespace EventFunctions.Tests;

/// <summary>Lottery windows (fair admission): entries instead of seats, one draw whatever the instances, verifiable by anyone.</summary>
[Collection(StorageCollection.Name)]
public sealed class LotteryTests(AzuriteFixture azurite)
{
    private static SignUpInput Person(string name, string? email = null) => new() { Name = name, Email = email ?? $"{name.ToLowerInvariant()}@example.cn", Consent = true };

    private static Dictionary<string, object?> LotteryLecture(FakeTimeProvider clock, int capacity, bool waitlist = true, int waitlistLimit = 0, bool closesAtDraw = false)
    {
        var definition = Seed.Lecture(capacity, waitlist);
        var draw = clock.GetUtcNow().AddHours(2);
        definition["lotteryDraw"] = Seed.Local(draw);
        if (waitlistLimit > 0) definition["waitlistLimit"] = waitlistLimit;
        if (closesAtDraw) definition["signUpCloses"] = Seed.Local(draw);
        return definition;
    }

    private static async Task<(TestApp A, TestApp B)> TwoInstancesAsync(AzuriteFixture azurite, FakeTimeProvider clock)
    {
        var a = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, clock: clock);
        var b = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, clock: clock, settings: new()
        {
            ["EventFunctions:TableName"] = a.TableName,
            ["EventFunctions:ConfirmationQueue"] = a.QueueName,
        });
        return (a, b);
    }

    private static async Task<List<RegistrationEntity>> NoticesAsync(TestApp app, string eventId)
    {
        var table = await app.TableAsync();
        var notices = new List<RegistrationEntity>();
        await foreach (var n in table.QueryAsync<RegistrationEntity>(x => x.PartitionKey == eventId && x.Status == RegistrationStatus.Removed)) notices.Add(n);
        return notices;
    }

    [Fact]
    public async Task A_rush_of_entries_on_two_instances_is_drawn_once_and_the_draw_repeats_from_the_published_list_and_seed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (a, b) = await TwoInstancesAsync(azurite, clock);
        await using var _a = a;
        await using var _b = b;
        var lecture = await a.CreateEventAsync(LotteryLecture(clock, capacity: 5, waitlistLimit: 15));
        Assert.NotNull(lecture.Lottery);
        var seedHash = lecture.Lottery!.SeedSha256;
        Assert.Null(lecture.Lottery.Seed);
        Assert.Null(lecture.Lottery.EntryListSha256);

        // 40 people enter at once through both instances: every one an entry (no seat, no place), asked to confirm.
        var names = Enumerable.Range(1, 40).Select(i => $"P{i:00}").ToList();
        var outcomes = await Task.WhenAll(names.Select((n, i) => (i % 2 == 0 ? a : b).Get<RegistrationService>().SignUpAsync(lecture.Id, Person(n), UiText.English, default)));
        Assert.All(outcomes, o => Assert.IsType<SignUpOutcome.CheckEmail>(o));
        // The same person again through a +tag and capitals: the same answer, and no second entry.
        Assert.IsType<SignUpOutcome.CheckEmail>(await a.Get<RegistrationService>().SignUpAsync(lecture.Id, Person("P01 again", "P01+lottery@Example.CN"), UiText.English, default));
        var rows = await a.RegistrationsAsync(lecture.Id);
        Assert.Equal(40, rows.Count);
        Assert.All(rows, r => Assert.Equal(RegistrationStatus.Entry, r.Status));
        var row = await a.EventRowAsync(lecture.Id);
        Assert.Equal((0, 0, 40, 40), (row.Confirmed, row.Waitlisted, row.Entries, row.Unconfirmed));
        var entryMail = await a.Get<ConfirmationSender>().ComposeAsync(row.ToRecord(), rows[0], null);
        Assert.StartsWith("Please confirm your lottery entry:", entryMail.Subject);

        // 36 confirm (on either instance); 4 never do, so they are not in the draw.
        var confirming = rows.OrderBy(r => r.Name).Take(36).ToList();
        var confirmed = await Task.WhenAll(confirming.Select((r, i) => (i % 2 == 0 ? a : b).Get<RegistrationService>().ConfirmAsync(lecture.Id, r.RegistrationId, TestTokens.Manage(r), default)));
        Assert.All(confirmed, c => Assert.False(Assert.IsType<ConfirmOutcome.Confirmed>(c).AlreadyDone));
        Assert.Equal(RegistrationStatus.Entry, Assert.IsType<ConfirmOutcome.Confirmed>(confirmed[0]).Registration.Status);

        // Not yet time: nobody can draw (the organiser neither).
        Assert.IsType<DrawResult.NotDue>(await a.Get<LotteryService>().DrawAsync(lecture.Id, default));

        // The draw time: both instances' sweeps and two direct draws at the same moment. One draw happens.
        clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        var late = rows.OrderBy(r => r.Name).Last();
        Assert.IsType<ConfirmOutcome.Expired>(await a.Get<RegistrationService>().ConfirmAsync(lecture.Id, late.RegistrationId, TestTokens.Manage(late), default));
        await Task.WhenAll(
            a.Get<RegistrationService>().ExpireHoldsAsync(default), b.Get<RegistrationService>().ExpireHoldsAsync(default),
            a.Get<LotteryService>().DrawAsync(lecture.Id, default), b.Get<LotteryService>().DrawAsync(lecture.Id, default));
        Assert.IsType<DrawResult.AlreadyDrawn>(await b.Get<LotteryService>().DrawAsync(lecture.Id, default));

        var after = await a.RegistrationsAsync(lecture.Id);
        var winners = after.Where(r => r.Status == RegistrationStatus.Confirmed).ToList();
        var waiting = after.Where(r => r.Status == RegistrationStatus.Waitlisted).OrderBy(r => r.Sequence).ToList();
        Assert.Equal(5, winners.Count);
        Assert.Equal(15, waiting.Count);
        Assert.Equal(20, after.Count); // the 16 not drawn (no waitlist place) and the 4 unconfirmed are gone
        var notices = await NoticesAsync(a, lecture.Id);
        Assert.Equal(16, notices.Count(n => n.RemovedReason == RemovedReasons.NotDrawn));
        Assert.Equal(4, notices.Count(n => n.RemovedReason == RemovedReasons.EntryUnconfirmed));
        Assert.Equal(notices.Count, notices.Select(n => n.RegistrationId).Distinct().Count());
        row = await a.EventRowAsync(lecture.Id);
        Assert.Equal((5, 15, 0, 0), (row.Confirmed, row.Waitlisted, row.Entries, row.Unconfirmed));
        var drawn = row.ToRecord().Lottery!;
        Assert.NotNull(drawn.DrawnUtc);
        Assert.Equal((36, 5), (drawn.EntriesDrawn, drawn.SeatsDrawn));

        // Anyone can repeat it: the list's hash is the one published, the seed's hash the one shown from creation,
        // and HMAC order over the list gives exactly the winners and the waitlist in order.
        var list = (await a.Get<LotteryService>().EntryListAsync(lecture.Id, default))!.List;
        Assert.Equal(drawn.EntryListHash, LotteryDraw.Sha256Hex(list));
        Assert.Equal(seedHash, LotteryDraw.SeedHash(drawn.Seed!));
        var entries = LotteryDraw.Parse(list);
        Assert.Equal(36, entries.Count);
        var order = LotteryDraw.Order(drawn.Seed!, entries).Select(e => e.RegistrationId).ToList();
        Assert.Equal(order.Take(5).Order(), winners.Select(w => w.RegistrationId).Order());
        Assert.Equal(order.Skip(5).Take(15), waiting.Select(w => w.RegistrationId));
        Assert.Equal(order.Skip(20).Order(), notices.Where(n => n.RemovedReason == RemovedReasons.NotDrawn).Select(n => n.RegistrationId).Order());
        Assert.All(winners.Concat(waiting), r => Assert.Equal(order.IndexOf(r.RegistrationId) + 1, r.DrawRank));

        // Everyone is told: winners with a ticket, the waitlist its place, the rest that they were not drawn.
        var e = row.ToRecord();
        var sender = a.Get<ConfirmationSender>();
        Assert.StartsWith("Lottery result: you have a seat", (await sender.ComposeAsync(e, winners[0], null)).Subject);
        var waitMail = await sender.ComposeAsync(e, waiting[0], 1);
        Assert.StartsWith("Lottery result: on the waitlist", waitMail.Subject);
        Assert.Contains(Paths.Lottery(lecture.Id), waitMail.PlainText);
        var composer = a.Get<NoticeComposer>();
        Assert.StartsWith("Lottery result: not drawn", (await composer.ComposeRemovalAsync(e, notices.First(n => n.RemovedReason == RemovedReasons.NotDrawn))).Subject);
        Assert.StartsWith("Lottery entry not confirmed", (await composer.ComposeRemovalAsync(e, notices.First(n => n.RemovedReason == RemovedReasons.EntryUnconfirmed))).Subject);

        // The public check page: the commitments, the seed, the order (references, never a name); the list as published.
        var (status, html) = Results.Html(await a.Get<LotteryApi>().PageAsync(Requests.Get($"/api/lottery/{lecture.Id}?lang=en"), lecture.Id, default));
        Assert.Equal(200, status);
        Assert.Contains(seedHash, html);
        Assert.Contains(drawn.Seed!, html);
        Assert.Contains(drawn.EntryListHash!, html);
        Assert.All(order, id => Assert.Contains($"data-ref=\"{id}\"", html));
        Assert.DoesNotContain("P01", html);
        var file = Assert.IsType<FileContentResult>(await a.Get<LotteryApi>().EntriesAsync(Requests.Get($"/api/lottery/{lecture.Id}/entries.txt"), lecture.Id, default));
        Assert.Equal(drawn.EntryListHash, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file.FileContents)));

        // After the draw the event goes on first come: a late sign-up joins behind the drawn waitlist... which is full.
        Assert.IsType<SignUpOutcome.Full>(await a.Get<RegistrationService>().SignUpAsync(lecture.Id, Person("Late"), UiText.English, default));
        // A winner cancels: the first on the waitlist (in drawn order) gets the seat.
        var first = winners[0];
        Assert.IsType<CancelOutcome.Cancelled>(await a.Get<RegistrationService>().CancelAsync(lecture.Id, first.RegistrationId, TestTokens.Manage(first), default));
        Assert.Equal(RegistrationStatus.Confirmed, (await a.RegistrationsAsync(lecture.Id)).Single(r => r.RegistrationId == waiting[0].RegistrationId).Status);
    }

    [Fact]
    public async Task Entries_out_of_time_forged_links_and_settings_that_would_break_the_draw_are_refused_and_nothing_is_stored()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, clock: clock);
        var definition = LotteryLecture(clock, capacity: 2, closesAtDraw: true);
        var events = app.Get<EventService>();

        // Settings: a draw after the start, or with approval, is refused beside the field.
        var bad = new Dictionary<string, object?>(definition) { ["lotteryDraw"] = Seed.Local(clock.GetUtcNow().AddDays(30)) };
        var refused = Assert.IsType<EventOutcome.Invalid>(await events.CreateAsync(System.Text.Json.JsonSerializer.Deserialize<EventInput>(System.Text.Json.JsonSerializer.Serialize(bad), Shared.Json.Options)!, default));
        Assert.True(refused.Errors.For("lotteryDraw") is not null);
        var withApproval = new Dictionary<string, object?>(definition) { ["requiresApproval"] = true };
        Assert.True(Assert.IsType<EventOutcome.Invalid>(await events.CreateAsync(System.Text.Json.JsonSerializer.Deserialize<EventInput>(System.Text.Json.JsonSerializer.Serialize(withApproval), Shared.Json.Options)!, default)).Errors.For("lotteryDraw") is not null);

        var lecture = await app.CreateEventAsync(definition);
        var registrations = app.Get<RegistrationService>();
        Assert.IsType<SignUpOutcome.CheckEmail>(await registrations.SignUpAsync(lecture.Id, Person("Ann"), UiText.English, default));
        var ann = (await app.RegistrationsAsync(lecture.Id)).Single();

        // A forged confirm link: not found, nothing changes.
        var forged = TestTokens.Manage(ann)[..^2] + "xx";
        Assert.IsType<ConfirmOutcome.NotFound>(await registrations.ConfirmAsync(lecture.Id, ann.RegistrationId, forged, default));
        Assert.True((await app.RegistrationsAsync(lecture.Id)).Single().AwaitsConfirmation);

        // The lottery cannot be removed once people have entered.
        var removal = await events.UpdateAsync(lecture.Id, System.Text.Json.JsonSerializer.Deserialize<EventInput>(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>(definition) { ["lotteryDraw"] = "" }), Shared.Json.Options)!, default);
        Assert.True(Assert.IsType<EventOutcome.Invalid>(removal).Errors.For("lotteryDraw") is not null);

        // At the draw time, before the draw: sign-ups are refused as "draw under way"; a confirmation is too late.
        clock.Advance(TimeSpan.FromHours(2));
        var shut = Assert.IsType<SignUpOutcome.WindowShut>(await registrations.SignUpAsync(lecture.Id, Person("Bo"), UiText.English, default));
        Assert.Equal(SignUpWindow.Drawing, shut.Window);
        Assert.IsType<ConfirmOutcome.Expired>(await registrations.ConfirmAsync(lecture.Id, ann.RegistrationId, TestTokens.Manage(ann), default));

        // The draw: Ann never confirmed, so nobody is in it; the draw still completes (an empty list, published).
        var result = Assert.IsType<DrawResult.Drawn>(await app.Get<LotteryService>().DrawAsync(lecture.Id, default));
        Assert.True(result.Finished);
        Assert.Equal(0, result.After.Lottery!.EntriesDrawn);
        Assert.IsType<DrawResult.AlreadyDrawn>(await app.Get<LotteryService>().DrawAsync(lecture.Id, default));
        // Sign-up closed at the draw: after it, closed (not "drawing").
        Assert.Equal(SignUpWindow.Closed, Assert.IsType<SignUpOutcome.WindowShut>(await registrations.SignUpAsync(lecture.Id, Person("Cai"), UiText.English, default)).Window);
        // Its settings can no longer change.
        var moved = await events.UpdateAsync(lecture.Id, System.Text.Json.JsonSerializer.Deserialize<EventInput>(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>(definition) { ["lotteryDraw"] = Seed.Local(clock.GetUtcNow().AddHours(5)) }), Shared.Json.Options)!, default);
        Assert.True(Assert.IsType<EventOutcome.Invalid>(moved).Errors.For("lotteryDraw") is not null);
        // Ann's unconfirmed entry goes with the sweep, and she is told why.
        await registrations.ExpireHoldsAsync(default);
        Assert.Empty(await app.RegistrationsAsync(lecture.Id));
        Assert.Equal(RemovedReasons.EntryUnconfirmed, Assert.Single(await NoticesAsync(app, lecture.Id)).RemovedReason);
    }

    [Fact]
    public async Task With_no_shows_last_a_person_who_did_not_come_before_is_drawn_after_everyone_else_and_the_list_says_so()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, clock: clock);
        var registrations = app.Get<RegistrationService>();

        // An earlier event Xu had a seat at and never came to: the retention run keeps the no-show under a keyed hash.
        var earlier = await app.CreateEventAsync(Seed.Lecture(capacity: 3));
        await registrations.SignUpAsync(earlier.Id, Person("Xu"), UiText.English, default);
        await registrations.SignUpAsync(earlier.Id, Person("Yan"), UiText.English, default);
        var came = (await app.RegistrationsAsync(earlier.Id)).Single(r => r.Name == "Yan");
        await app.Get<EventFunctions.Shared.Attendance.AttendanceService>().CheckInAsync(earlier.Id, came.RowKey, "door", default);
        var table = await app.TableAsync();
        var kept = new List<Azure.Data.Tables.TableEntity>();
        // Just after the end check-in is still open (the door's links work 12 h more): nothing kept yet.
        clock.Advance(earlier.End.ToUniversalTime() - clock.GetUtcNow() + TimeSpan.FromHours(1));
        await app.Get<RetentionService>().PurgeAsync(default);
        await foreach (var h in table.QueryAsync<Azure.Data.Tables.TableEntity>(x => x.RowKey == earlier.Id)) kept.Add(h);
        Assert.DoesNotContain(kept, h => h.PartitionKey.StartsWith("noshow-", StringComparison.Ordinal));
        clock.Advance(TimeSpan.FromDays(1)); // check-in has closed
        await app.Get<RetentionService>().PurgeAsync(default);
        await foreach (var h in table.QueryAsync<Azure.Data.Tables.TableEntity>(x => x.RowKey == earlier.Id)) kept.Add(h);
        var history = Assert.Single(kept, h => h.PartitionKey.StartsWith("noshow-", StringComparison.Ordinal));
        Assert.DoesNotContain("xu", history.PartitionKey); // a keyed hash, not the address

        // A lottery with no-shows last and one seat: Xu and Yan enter; Yan wins whatever the seed, Xu waits.
        var definition = LotteryLecture(clock, capacity: 1);
        definition["start"] = Seed.Local(clock.GetUtcNow().AddDays(7));
        definition["end"] = Seed.Local(clock.GetUtcNow().AddDays(7).AddHours(1));
        definition["lotteryNoShowsLast"] = true;
        var lottery = await app.CreateEventAsync(definition);
        foreach (var name in new[] { "Xu", "Yan" })
        {
            await registrations.SignUpAsync(lottery.Id, Person(name), UiText.English, default);
            var r = (await app.RegistrationsAsync(lottery.Id)).Single(x => x.Name == name);
            await registrations.ConfirmAsync(lottery.Id, r.RegistrationId, TestTokens.Manage(r), default);
        }

        clock.Advance(TimeSpan.FromHours(3));
        Assert.True(Assert.IsType<DrawResult.Drawn>(await app.Get<LotteryService>().DrawAsync(lottery.Id, default)).Finished);
        var rows = (await app.RegistrationsAsync(lottery.Id)).ToDictionary(r => r.Name);
        Assert.Equal(RegistrationStatus.Confirmed, rows["Yan"].Status);
        Assert.Equal(RegistrationStatus.Waitlisted, rows["Xu"].Status);
        var list = LotteryDraw.Parse((await app.Get<LotteryService>().EntryListAsync(lottery.Id, default))!.List);
        Assert.Equal(1, list.Single(x => x.RegistrationId == rows["Xu"].RegistrationId).Tier);
        Assert.Equal(0, list.Single(x => x.RegistrationId == rows["Yan"].RegistrationId).Tier);

        // Past the retention period the history is forgotten.
        clock.Advance(app.Options.RetentionAfterEvent);
        await app.Get<RetentionService>().PurgeAsync(default);
        kept.Clear();
        await foreach (var h in table.QueryAsync<Azure.Data.Tables.TableEntity>(x => x.RowKey == earlier.Id)) kept.Add(h);
        Assert.DoesNotContain(kept, h => h.PartitionKey.StartsWith("noshow-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_organiser_sets_a_lottery_on_the_console_and_can_draw_only_once_its_time_has_come_and_only_once()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole(), services => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<TimeProvider>(services, clock));
        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(ConsoleAccessTests.Admin);
        var definition = LotteryLecture(clock, capacity: 2);
        var eventId = (await host.CreateEventAsync(definition)).GetProperty("id").GetString()!;

        // The console's page says it is a lottery, with the draw time, the entries and the public check page.
        var (status, page) = await admin.GetAsync($"/api/console/events/{eventId}");
        Assert.Equal(200, status);
        Assert.Contains("id=\"lottery\"", page);
        Assert.Contains("抽签报名中", page);
        Assert.Contains(Paths.Lottery(eventId), page);
        Assert.DoesNotContain("id=\"draw-now\"", page); // not before its time

        // Entries: one withdraws (cancel from the page), the count follows.
        var registrations = host.Get<RegistrationService>();
        foreach (var name in new[] { "Ann", "Bo", "Cai" }) await registrations.SignUpAsync(eventId, Person(name), UiText.English, default);
        foreach (var r in await host.RegistrationsAsync(eventId)) await registrations.ConfirmAsync(eventId, r.RegistrationId, TestTokens.Manage(r), default);
        var cai = (await host.RegistrationsAsync(eventId)).Single(r => r.Name == "Cai");
        Assert.IsType<CancelOutcome.Cancelled>(await registrations.CancelAsync(eventId, cai.RegistrationId, TestTokens.Manage(cai), default));
        var row = await host.EventRowAsync(eventId);
        Assert.Equal((2, 0, 0, 1), (row.Entries, row.Unconfirmed, row.Confirmed, row.Withdrawn));

        // "Draw now" before the time: refused, nothing written.
        (status, page, _) = await admin.PostAsync($"/api/console/events/{eventId}/lottery/draw");
        Assert.Equal(409, status);
        Assert.Contains("抽签时间未到", page);
        Assert.Null((await host.EventRowAsync(eventId)).ToRecord().Lottery!.DrawStartedUtc);

        // At its time: drawn (both entries seated), recorded in the change history; a second press is told it is drawn.
        clock.Advance(TimeSpan.FromHours(2));
        (_, page) = await admin.GetAsync($"/api/console/events/{eventId}");
        Assert.Contains("id=\"draw-now\"", page);
        (status, page, var location) = await admin.PostAsync($"/api/console/events/{eventId}/lottery/draw");
        Assert.Equal(200, status); // the 303 to the event page, followed
        Assert.EndsWith("done=drawn", location);
        Assert.Contains("抽签完成", page);
        Assert.All(await host.RegistrationsAsync(eventId), r => Assert.Equal(RegistrationStatus.Confirmed, r.Status));
        (status, page, _) = await admin.PostAsync($"/api/console/events/{eventId}/lottery/draw");
        Assert.Equal(409, status);
        Assert.Contains("已经抽过签", page);
        (_, page) = await admin.GetAsync($"/api/console/events/{eventId}");
        Assert.Contains("id=\"lottery-drawn\"", page);
    }

    [Fact]
    public async Task A_lottery_repeated_as_a_series_gives_each_session_its_own_fresh_lottery_and_no_whole_series_hold()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, clock: clock);
        var first = await app.CreateEventAsync(LotteryLecture(clock, capacity: 3));
        await app.Get<RegistrationService>().SignUpAsync(first.Id, Person("Ann"), UiText.English, default);
        var record = (await app.Get<EventService>().FindAsync(first.Id, default))!;
        Assert.Equal(1, record.Entries);
        var series = app.Get<EventFunctions.Shared.Series.SeriesService>();
        var (made, errors) = await series.CreateAsync(record, "抽签系列", null, EventFunctions.Shared.Series.Repeat.Weekly, 3, [], default);
        Assert.False(errors.Any, string.Join(", ", errors.AllBoth()));
        var sessions = await series.SessionsAsync(made!, default);
        Assert.All(sessions.Skip(1), s =>
        {
            Assert.Equal((0, record.Lottery!.DrawUtc, (DateTimeOffset?)null), (s.Entries, s.Lottery!.DrawUtc, s.Lottery.DrawStartedUtc));
        });
        // A whole-series sign-up would hold a seat the draw has to give: refused, nothing held, the form says why.
        var joined = await series.JoinAllAsync(made!, Person("Bo"), UiText.English, default);
        Assert.Equal(EventFunctions.Shared.Series.SessionProblem.NeedsApproval, Assert.IsType<EventFunctions.Shared.Series.SeriesJoinOutcome.SessionUnavailable>(joined).Problem);
        Assert.All(sessions.Skip(1), s => Assert.Equal(0, s.Entries));
        Assert.DoesNotContain(await app.RegistrationsAsync(sessions[1].Id), r => r.Name == "Bo");
    }

    [Fact]
    public void The_draw_is_a_pure_function_of_the_list_and_the_seed()
    {
        var seed = Convert.ToHexStringLower(new byte[32]);
        var entries = new[] { new LotteryEntry("BBBBBBBB", 0), new LotteryEntry("AAAAAAAA", 1), new LotteryEntry("CCCCCCCC", 0) };
        var list = LotteryDraw.EntryList(entries);
        Assert.Equal("AAAAAAAA 1\nBBBBBBBB 0\nCCCCCCCC 0\n", list);
        Assert.Equal(entries.OrderBy(e => e.RegistrationId), LotteryDraw.Parse(list));
        var order = LotteryDraw.Order(seed, entries);
        Assert.Equal("AAAAAAAA", order[^1].RegistrationId); // tier 1 last
        // Independent of the order the entries come in, and keyed by the seed (HMAC-SHA256, as the page explains).
        Assert.Equal(order, LotteryDraw.Order(seed, entries.Reverse()));
        var expected = entries.Where(e => e.Tier == 0)
            .OrderBy(e => Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(new byte[32], System.Text.Encoding.UTF8.GetBytes(e.RegistrationId))), StringComparer.Ordinal)
            .Select(e => e.RegistrationId);
        Assert.Equal(expected, order.Take(2).Select(e => e.RegistrationId));
    }
}
