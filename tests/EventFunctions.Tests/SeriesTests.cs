using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Series;
using EventFunctions.Shared.Text;
using EventFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace EventFunctions.Tests;

/// <summary>Planning a series, without storage.</summary>
public sealed class SeriesPlanTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);

    private static EventRecord First(DateTimeOffset? startUtc = null) => new()
    {
        Id = "first00000", Kind = EventKind.Lecture, Title = "民法典系列讲座", StartUtc = startUtc ?? new DateTimeOffset(2027, 1, 9, 11, 0, 0, TimeSpan.Zero), // 19:00 Shanghai
        EndUtc = (startUtc ?? new DateTimeOffset(2027, 1, 9, 11, 0, 0, TimeSpan.Zero)).AddHours(1.5), TimeZoneId = "Asia/Shanghai", Capacity = 60, WaitlistAllowed = true,
        SignUpOpensUtc = Now, SignUpClosesUtc = new DateTimeOffset(2027, 1, 9, 11, 0, 0, TimeSpan.Zero), OrganiserName = "社区服务中心", OrganiserEmail = "a@example.cn", Venue = "多功能厅",
    };

    [Theory]
    [InlineData(Repeat.Weekly, 4, new[] { "2027-01-16 19:00", "2027-01-23 19:00", "2027-01-30 19:00" })]
    [InlineData(Repeat.Fortnightly, 3, new[] { "2027-01-23 19:00", "2027-02-06 19:00" })]
    [InlineData(Repeat.Monthly, 3, new[] { "2027-02-09 19:00", "2027-03-09 19:00" })]
    public void Repeating_keeps_the_time_of_day(Repeat repeat, int count, string[] expected)
    {
        var (starts, errors) = SeriesService.Plan(First(), repeat, count, [], Now);
        Assert.False(errors.Any);
        Assert.Equal(expected, starts.Select(s => s.ToString("yyyy-MM-dd HH:mm")));
    }

    [Fact]
    public void Hand_picked_dates_are_sorted_and_must_follow_the_first()
    {
        var (starts, errors) = SeriesService.Plan(First(), Repeat.Dates, 0, [new DateOnly(2027, 3, 1), new DateOnly(2027, 2, 1), new DateOnly(2027, 2, 1)], Now);
        Assert.False(errors.Any);
        Assert.Equal(["2027-02-01 19:00", "2027-03-01 19:00"], starts.Select(s => s.ToString("yyyy-MM-dd HH:mm")));
        Assert.NotNull(SeriesService.Plan(First(), Repeat.Dates, 0, [new DateOnly(2027, 1, 2)], Now).Errors.For("dates"));
        Assert.NotNull(SeriesService.Plan(First(), Repeat.Dates, 0, [], Now).Errors.For("dates"));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(53)]
    [InlineData(1)]
    [InlineData(0)]
    public void A_series_of_too_many_or_too_few_sessions_is_refused(int count) =>
        Assert.NotNull(SeriesService.Plan(First(), Repeat.Weekly, count, [], Now).Errors.For("count"));

    [Fact]
    public void An_event_already_in_a_series_is_not_repeated_again() =>
        Assert.NotNull(SeriesService.Plan(First() with { SeriesId = "s" }, Repeat.Weekly, 3, [], Now).Errors.For("repeat"));
}

[Collection(StorageCollection.Name)]
public sealed class SeriesTests(AzuriteFixture azurite)
{
    private static async Task<(TestApp App, SeriesEntity Series, IReadOnlyList<EventRecord> Sessions)> CourseAsync(TestApp app, int sessions = 4, int capacity = 10, bool confirmEmail = false)
    {
        var lecture = Seed.Lecture(capacity: capacity, waitlist: true);
        lecture["title"] = "《民法典》四讲";
        lecture["confirmEmail"] = confirmEmail;
        var first = (await app.Get<EventService>().FindAsync((await app.CreateEventAsync(lecture)).Id, default))!;
        var service = app.Get<SeriesService>();
        var (series, errors) = await service.CreateAsync(first, "《民法典》四讲", "婚姻家庭、继承、合同、侵权", Repeat.Weekly, sessions, [], default);
        Assert.False(errors.Any, string.Join(", ", errors.AllBoth()));
        return (app, series!, await service.SessionsAsync(series!, default));
    }

    private static SignUpInput Person(int i) => new() { Name = $"居民{i}", Email = $"resident{i}@example.cn", Consent = true };

    [Fact]
    public async Task A_series_is_made_by_repeating_a_session_and_each_session_is_an_event_of_its_own()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var (_, series, sessions) = await CourseAsync(app);
        Assert.Equal(4, sessions.Count);
        Assert.All(sessions, s => Assert.Equal(series.RowKey, s.SeriesId));
        Assert.Equal(series.SessionIds, sessions.Select(s => s.Id));
        Assert.Single(sessions.Select(s => s.ToLocal(s.StartUtc).TimeOfDay).Distinct());
        Assert.Equal([7.0, 7.0, 7.0], sessions.Zip(sessions.Skip(1)).Select(p => (p.Second.StartUtc - p.First.StartUtc).TotalDays));
        Assert.All(sessions, s => Assert.Equal(10, s.Capacity));

        // 500 sessions: refused, nothing made.
        var another = (await app.Get<EventService>().FindAsync((await app.CreateEventAsync(Seed.Salon())).Id, default))!;
        var (none, errors) = await app.Get<SeriesService>().CreateAsync(another, null, null, Repeat.Weekly, 500, [], default);
        Assert.Null(none);
        Assert.Contains("52", errors.For("count"));
        Assert.Null((await app.Get<EventService>().FindAsync(another.Id, default))!.SeriesId);
    }

    [Fact]
    public async Task Sessions_a_crash_left_unmade_are_made_by_finish_at_their_planned_times()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var (_, series, sessions) = await CourseAsync(app);
        // As if the process died after the series row and the first two sessions: the last two never written.
        var table = await app.TableAsync();
        foreach (var gone in sessions.Skip(2)) await table.DeleteEntityAsync(gone.Id, EventEntity.RowKeyValue);
        var service = app.Get<SeriesService>();
        Assert.Equal(2, (await service.SessionsAsync(series, default)).Count);

        Assert.Equal(4, await service.FinishMissingAsync(series, default));
        var again = await service.SessionsAsync(series, default);
        Assert.Equal(sessions.Select(s => (s.Id, s.StartUtc, s.SeriesId)), again.Select(s => (s.Id, s.StartUtc, s.SeriesId)));
        Assert.Equal(4, await service.FinishMissingAsync(series, default)); // run again: nothing more
    }

    [Fact]
    public async Task A_rush_on_the_whole_series_with_one_session_nearly_full_leaves_nobody_with_part_of_it_and_oversells_nothing()
    {
        var a = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        await using var _ = a;
        await using var b = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: new()
        {
            ["EventFunctions:TableName"] = a.TableName,
            ["EventFunctions:ConfirmationQueue"] = a.QueueName,
        });
        var (_, series, sessions) = await CourseAsync(a, capacity: 30);
        // The third session is nearly full: 3 seats left.
        for (var i = 0; i < 27; i++)
            Assert.IsType<SignUpOutcome.Registered>(await a.Get<RegistrationService>().SignUpAsync(sessions[2].Id, Person(1000 + i), UiText.Chinese, default));

        var people = Enumerable.Range(0, 24).ToList();
        var outcomes = await Task.WhenAll(people.Select(i => (i % 2 == 0 ? a : b).Get<SeriesService>().JoinAllAsync(series, Person(i), UiText.Chinese, default)));
        var joined = outcomes.OfType<SeriesJoinOutcome.Joined>().ToList();
        Assert.Equal(3, joined.Count);
        Assert.All(outcomes.Where(o => o is not SeriesJoinOutcome.Joined), o => Assert.Equal(SessionProblem.Full, Assert.IsType<SeriesJoinOutcome.SessionUnavailable>(o).Problem));

        // Everyone holds all four sessions or none; no seat is left held; every session's counters match its rows.
        var joinedEmails = joined.Select(j => j.Seats[0].Row.Email).ToHashSet();
        foreach (var session in sessions)
        {

            var series24 = (await a.RegistrationsAsync(session.Id)).Where(r => people.Any(i => r.Email == $"resident{i}@example.cn")).ToList();
            Assert.Equal(joinedEmails.Order(), series24.Select(r => r.Email).Order());
            Assert.All(series24, r => Assert.Equal(RegistrationStatus.Confirmed, r.Status));
            var row = await a.EventRowAsync(session.Id);
            var all = await a.RegistrationsAsync(session.Id);
            Assert.Equal(all.Count(r => r.Status == RegistrationStatus.Confirmed), row.Confirmed);
            Assert.Equal(0, row.Held);
            Assert.True(row.Confirmed <= row.Capacity);
            Assert.Equal(0, row.Withdrawn); // seats given back are not cancellations
        }
        Assert.Equal(30, (await a.EventRowAsync(sessions[2].Id)).Confirmed);

        // The same person again: already signed up for the series.
        var again = await a.Get<SeriesService>().JoinAllAsync(series, Person(joined[0].Seats[0].Row.Email is var e ? int.Parse(e["resident".Length..e.IndexOf('@')]) : 0), UiText.Chinese, default);
        Assert.IsType<SeriesJoinOutcome.AlreadyJoined>(again);
    }

    [Fact]
    public async Task A_crash_while_holding_gives_every_seat_back_at_the_deadline_and_a_crash_after_accepting_confirms_them_all()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, clock: clock);
        var (_, series, sessions) = await CourseAsync(app, sessions: 3, capacity: 5);
        var service = app.Get<SeriesService>();
        var ids = app.Get<EventFunctions.Shared.Security.IdentifierKeys>();

        async Task<SeriesJoinEntity> HoldAsync(SignUpInput person)
        {
            var valid = sessions.Select(s => (s, SignUpValidator.Validate(s, person, UiText.Chinese).SignUp!)).ToList();
            var join = (await service.StartAsync(series.RowKey, ids.RegistrationKey(EventFunctions.Shared.Input.MailboxIdentity(person.Email!)), clock.GetUtcNow() + SeriesService.QuickHold, default))!;
            var held = await service.HoldAllAsync(join, valid, checkEmail: false, default);
            Assert.Null(held.Problem);
            return join;
        }

        // Killed after holding every seat, before accepting: nobody is told anything, and at the deadline all go back.
        await HoldAsync(Person(1));
        Assert.All(sessions, s => Assert.Equal(1, app.EventRowAsync(s.Id).Result.Held));
        // Killed after the commit point (accepted) with no seat confirmed yet.
        var accepted = await HoldAsync(Person(2));
        var table = await app.TableAsync();
        accepted.State = SeriesJoinStates.Accepted;
        await table.UpdateEntityAsync(accepted, Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Replace);

        clock.Advance(SeriesService.QuickHold + TimeSpan.FromSeconds(1));
        await app.Get<RegistrationService>().ExpireHoldsAsync(default);
        foreach (var session in sessions)
        {
            var rows = await app.RegistrationsAsync(session.Id);
            Assert.DoesNotContain(rows, r => r.Email == "resident1@example.cn");
            Assert.Equal(RegistrationStatus.Confirmed, rows.Single(r => r.Email == "resident2@example.cn").Status);
            var row = await app.EventRowAsync(session.Id);
            Assert.Equal((1, 0, 0), (row.Confirmed, row.Held, row.Unconfirmed));
        }
        var joins = new List<SeriesJoinEntity>();
        await foreach (var j in table.QueryAsync<SeriesJoinEntity>(x => x.PartitionKey == SeriesJoinEntity.PartitionValue)) joins.Add(j);
        Assert.Equal([SeriesJoinStates.Done, SeriesJoinStates.Released], joins.OrderBy(j => j.State == SeriesJoinStates.Released).Select(j => j.State));

        // Accepting too close to the deadline is refused: the seats are released, not confirmed.
        var late = await HoldAsync(Person(3));
        clock.Advance(SeriesService.QuickHold - SeriesService.CommitMargin + TimeSpan.FromSeconds(1));
        Assert.False(await service.AcceptAsync(late.RowKey, default));
    }

    [Fact]
    public async Task On_sessions_that_ask_email_confirmation_one_email_is_owed_and_its_confirmation_confirms_every_session()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var (_, series, sessions) = await CourseAsync(app, sessions: 3, confirmEmail: true);
        var joined = Assert.IsType<SeriesJoinOutcome.Joined>(await app.Get<SeriesService>().JoinAllAsync(series, Person(7), UiText.Chinese, default));
        Assert.True(joined.CheckEmail);
        var rows = new List<RegistrationEntity>();
        foreach (var s in sessions) rows.Add((await app.RegistrationsAsync(s.Id)).Single());
        Assert.All(rows, r => Assert.Equal(RegistrationStatus.Held, r.Status));
        Assert.Equal(1, rows.Count(r => r.EmailSentVersion < r.StateVersion)); // the first session's "please confirm" only
        var email = await app.Get<EventFunctions.Shared.Confirmations.ConfirmationSender>().ComposeAsync(sessions[0], rows[0], null);
        Assert.Contains("确认一次，系列全部场次的名额一并确认", email.PlainText);

        var first = rows[0];
        var confirmed = await app.Get<RegistrationService>().ConfirmAsync(sessions[0].Id, first.RegistrationId, TestTokens.Manage(first), default);
        Assert.IsType<ConfirmOutcome.Confirmed>(confirmed);
        foreach (var s in sessions)
        {
            var row = (await app.RegistrationsAsync(s.Id)).Single();
            Assert.Equal(RegistrationStatus.Confirmed, row.Status);
            Assert.True(row.EmailSentVersion < row.StateVersion); // each session's confirmation (with its ticket) is owed now
        }
    }

    [Fact]
    public async Task Editing_a_session_and_all_following_changes_them_together_or_not_at_all()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var (_, series, sessions) = await CourseAsync(app);
        var service = app.Get<SeriesService>();
        var (changed, errors, _) = await service.EditFollowingAsync(series, sessions[1].Id, new Dictionary<string, string> { ["venue"] = "街道党群服务中心二楼", ["startTime"] = "18:30" }, default);
        Assert.Null(errors);
        Assert.Equal(3, changed);
        var after = await service.SessionsAsync(series, default);
        Assert.NotEqual("街道党群服务中心二楼", after[0].Venue);
        Assert.All(after.Skip(1), s => Assert.Equal("街道党群服务中心二楼", s.Venue));
        Assert.All(after.Skip(1), s => Assert.Equal("18:30", s.ToLocal(s.StartUtc).ToString("HH:mm")));
        Assert.All(after.Skip(1).Zip(sessions.Skip(1)), p => Assert.Equal(p.Second.ToLocal(p.Second.StartUtc).Date, p.First.ToLocal(p.First.StartUtc).Date));

        // Fewer seats than one session has given: refused, and no session changed.
        for (var i = 0; i < 3; i++) await app.Get<RegistrationService>().SignUpAsync(after[3].Id, Person(i), UiText.Chinese, default);
        var (none, refused, at) = await service.EditFollowingAsync(series, sessions[1].Id, new Dictionary<string, string> { ["capacity"] = "2" }, default);
        Assert.Equal(0, none);
        Assert.NotNull(refused!.For("capacity"));
        Assert.Equal(after[3].Id, at!.Id);
        Assert.All(await service.SessionsAsync(series, default), s => Assert.Equal(10, s.Capacity));
    }
}
