using EventFunctions.Shared.Events;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace EventFunctions.Tests;

/// <summary>
/// The event ledger against real storage: two instances, batches, clients that hang up, deadlines, the fence. The seat
/// rules themselves are tested without storage in <see cref="SeatRulesTests"/>.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class LedgerTests(AzuriteFixture azurite)
{
    private async Task<(TestApp A, TestApp B)> TwoInstancesAsync(Dictionary<string, string?>? settings = null)
    {
        var a = await TestApp.StartAsync(azurite.ConnectionString, settings: settings);
        var shared = new Dictionary<string, string?>(settings ?? [])
        {
            ["EventFunctions:TableName"] = a.TableName,
            ["EventFunctions:ConfirmationQueue"] = a.QueueName,
        };
        var b = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: shared);
        return (a, b);
    }

    internal static async Task<(int Status, object? Value)> SignUpAsync(TestApp app, string eventId, int i, CancellationToken ct = default)
    {
        var body = Seed.Person($"参与者{i}", $"person{i}@example.cn", phone: null);
        var result = await app.RegisterForEvent.Run(Requests.Json("POST", $"/api/events/{eventId}/registrations", body), eventId, ct);
        var o = Assert.IsAssignableFrom<ObjectResult>(result);
        return (o.StatusCode ?? 200, o.Value);
    }

    internal static async Task<List<RegistrationView>> SignUpManyAsync(TestApp[] apps, string eventId, IEnumerable<int> people)
    {
        using var go = new ManualResetEventSlim(false);
        var tasks = people.Select(i => Task.Run(async () =>
        {
            go.Wait();
            var (status, value) = await SignUpAsync(apps[i % apps.Length], eventId, i);
            Assert.Equal(201, status);
            return Assert.IsType<RegistrationView>(value);
        })).ToList();
        go.Set();
        return (await Task.WhenAll(tasks)).ToList();
    }

    /// <summary>Waits until the waitlist inbox (Ledger/WaitlistInbox.cs) is empty and every sign-up in it numbered.</summary>
    internal static async Task NumberedAsync(TestApp app, string eventId) =>
        await RunningHost.Eventually(async () =>
        {
            await foreach (var _ in (await app.TableAsync()).QueryAsync<Azure.Data.Tables.TableEntity>(Shared.Ledger.WaitlistInbox.Filter(eventId), maxPerPage: 1)) return false;
            return (await app.RegistrationsAsync(eventId)).All(r => r.Status != RegistrationStatus.Queued);
        }, "the waitlist inbox is numbered");

    internal static async Task AssertCountersEqualRowsAsync(TestApp app, string eventId)
    {
        var rows = await app.RegistrationsAsync(eventId);
        var ev = await app.EventRowAsync(eventId);
        Assert.Equal(rows.Count(r => r.Status == RegistrationStatus.Confirmed), ev.Confirmed);
        Assert.Equal(rows.Count(r => r.Status == RegistrationStatus.Waitlisted), ev.Waitlisted);
        Assert.True(ev.Confirmed <= ev.Capacity, $"{ev.Confirmed} confirmed for {ev.Capacity} seats");
        // Nobody who came later holds a seat while someone earlier waits.
        var lastSeated = rows.Where(r => r.Status == RegistrationStatus.Confirmed).Select(r => r.Sequence).DefaultIfEmpty(0).Max();
        Assert.DoesNotContain(rows, r => r.Status == RegistrationStatus.Waitlisted && r.Sequence < lastSeated);
    }

    [Fact]
    public async Task Promotion_follows_the_waitlist_order_people_were_told_across_two_instances()
    {
        // Every sign-up told its place at once (without the waitlist inbox, whose sign-ups learn it by email: WaitlistInboxTests).
        var (a, b) = await TwoInstancesAsync(new() { ["EventFunctions:WaitlistInbox"] = "Off" });
        await using var _ = a;
        await using var __ = b;
        var lecture = await a.CreateEventAsync(Seed.Lecture(capacity: 100, waitlist: true));

        var views = await SignUpManyAsync([a, b], lecture.Id, Enumerable.Range(0, 400));
        var told = views.Where(v => v.Status == RegistrationStatus.Waitlisted).ToDictionary(v => v.RegistrationId, v => v.WaitlistPosition!.Value);
        Assert.Equal(Enumerable.Range(1, 300), told.Values.Order()); // every position held by exactly one person

        // 100 confirmed people cancel at once, through both instances.
        var rows = await a.RegistrationsAsync(lecture.Id);
        var cancels = rows.Where(r => r.Status == RegistrationStatus.Confirmed).Select((r, i) => Task.Run(() =>
            (i % 2 == 0 ? a : b).Get<RegistrationService>().CancelAsync(lecture.Id, r.RegistrationId, TestTokens.Manage(r), default))).ToList();
        Assert.All(await Task.WhenAll(cancels), c => Assert.IsType<CancelOutcome.Cancelled>(c));

        var after = await a.RegistrationsAsync(lecture.Id);
        var promoted = after.Where(r => r.Status == RegistrationStatus.Confirmed).Select(r => told[r.RegistrationId]).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 100), promoted); // exactly the first 100 they were told, none later
        await AssertCountersEqualRowsAsync(a, lecture.Id);

        // Positions are computed when read: the first still waiting is now number 1.
        var first = after.Single(r => told.TryGetValue(r.RegistrationId, out var p) && p == 101);
        Assert.Equal(1, await RegistrationService.WaitlistPositionAsync(await a.TableAsync(), first, default));
    }

    [Fact]
    public async Task A_client_hanging_up_does_not_fail_the_others_in_its_batch()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 100, waitlist: true));

        using var go = new ManualResetEventSlim(false);
        var tasks = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            go.Wait();
            using var hangUp = new CancellationTokenSource();
            if (i % 5 == 0) hangUp.CancelAfter(TimeSpan.FromMilliseconds(1 + i % 7));
            try
            {
                var (status, _) = await SignUpAsync(app, lecture.Id, i, hangUp.Token);
                return (i, status: status);
            }
            catch (OperationCanceledException)
            {
                return (i, status: -1); // the client left; whatever happened to it, nobody is answering it
            }
        })).ToList();
        go.Set();
        var results = await Task.WhenAll(tasks);

        // Everyone who stayed got their answer: stored.
        Assert.All(results.Where(r => r.i % 5 != 0), r => Assert.Equal(201, r.status));
        var rows = await app.RegistrationsAsync(lecture.Id);
        Assert.True(rows.Count >= 160);
        await AssertCountersEqualRowsAsync(app, lecture.Id);
    }

    [Fact]
    public async Task A_duplicate_in_a_batch_never_makes_another_sign_up_full_while_a_seat_is_free()
    {
        for (var trial = 0; trial < 8; trial++)
        {
            await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
            var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 2, waitlist: false));
            Assert.Equal(201, (await SignUpAsync(app, lecture.Id, 0)).Status);

            // The same email with other details (a duplicate) and a newcomer, at once: the newcomer gets the last seat.
            using var go = new ManualResetEventSlim(false);
            var dup = Task.Run(async () =>
            {
                go.Wait();
                var body = Seed.Person("另一个名字", "person0@example.cn", phone: null);
                return await app.RegisterForEvent.Run(Requests.Json("POST", $"/api/events/{lecture.Id}/registrations", body), lecture.Id, default);
            });
            var newcomer = Task.Run(async () => { go.Wait(); return await SignUpAsync(app, lecture.Id, 1); });
            go.Set();

            Assert.Equal(409, Assert.IsAssignableFrom<ObjectResult>(await dup).StatusCode);
            var (status, value) = await newcomer;
            Assert.Equal(201, status);
            Assert.Equal(RegistrationStatus.Confirmed, Assert.IsType<RegistrationView>(value).Status);
        }
    }

    [Fact]
    public async Task Cancellations_and_an_edit_complete_during_a_rush_on_two_instances()
    {
        var (a, b) = await TwoInstancesAsync();
        await using var _ = a;
        await using var __ = b;
        var input = Seed.Lecture(capacity: 50, waitlist: true);
        input["waitlistLimit"] = 1000; // the rush waits for its seats, all of it
        var lecture = await a.CreateEventAsync(input);
        await SignUpManyAsync([a, b], lecture.Id, Enumerable.Range(0, 40));
        var early = (await a.RegistrationsAsync(lecture.Id)).Take(20).ToList();

        using var go = new ManualResetEventSlim(false);
        var rush = Enumerable.Range(100, 300).Select(i => Task.Run(async () => { go.Wait(); return (await SignUpAsync(i % 2 == 0 ? a : b, lecture.Id, i)).Status; })).ToList();
        var cancels = early.Select((r, i) => Task.Run(async () =>
        {
            go.Wait();
            return await (i % 2 == 0 ? a : b).Get<RegistrationService>().CancelAsync(lecture.Id, r.RegistrationId, TestTokens.Manage(r), default);
        })).ToList();
        input["capacity"] = 60;
        var edit = Task.Run(async () => { go.Wait(); return await b.UpdateEvent.Run(Requests.Json("PUT", $"/api/events/{lecture.Id}", input), lecture.Id, default); });
        go.Set();

        Assert.All(await Task.WhenAll(rush), s => Assert.Equal(201, s));
        Assert.All(await Task.WhenAll(cancels), c => Assert.IsType<CancelOutcome.Cancelled>(c));
        Assert.IsType<OkObjectResult>(await edit);
        await NumberedAsync(a, lecture.Id); // those answered at the waitlist inbox's insert are numbered a moment later
        var ev = await a.EventRowAsync(lecture.Id);
        Assert.Equal(60, ev.Capacity);
        Assert.Equal(60, ev.Confirmed);
        Assert.Equal(340 - 20, ev.Confirmed + ev.Waitlisted);
        await AssertCountersEqualRowsAsync(a, lecture.Id);
    }

    [Fact]
    public async Task A_sign_up_stored_when_its_queue_message_cannot_be_written_is_still_answered_201_and_owed_its_email()
    {
        // An invalid queue name: every queue call fails with a non-transient 400.
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, settings: new() { ["EventFunctions:ConfirmationQueue"] = "Bad_Queue_Name" });
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 10));
        var (status, _) = await SignUpAsync(app, lecture.Id, 1);
        Assert.Equal(201, status);
        var row = Assert.Single(await app.RegistrationsAsync(lecture.Id));
        Assert.True(row.EmailPending); // the row is the outbox: the sweep queues it once the queue works
    }

    [Fact]
    public async Task Many_repeats_of_earlier_sign_ups_in_one_batch_are_all_answered_with_their_first_result()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: new() { ["EventFunctions:ContentionTimeout"] = "00:00:05" });
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 500, waitlist: true));
        await SignUpManyAsync([app], lecture.Id, Enumerable.Range(0, 60));

        // 60 double taps of earlier sign-ups and 30 newcomers at once: each repeat fails its insert (409) in
        // the same batch; they drop out one by one without backing off, well inside the deadline.
        using var go = new ManualResetEventSlim(false);
        var tasks = Enumerable.Range(0, 90).Select(i => Task.Run(async () => { go.Wait(); return (i, (await SignUpAsync(app, lecture.Id, i)).Status); })).ToList();
        go.Set();
        var results = await Task.WhenAll(tasks);
        Assert.All(results, r => Assert.Equal(r.i < 60 ? 200 : 201, r.Status));
        Assert.Equal(90, (await app.RegistrationsAsync(lecture.Id)).Count);
        await AssertCountersEqualRowsAsync(app, lecture.Id);
    }
}
