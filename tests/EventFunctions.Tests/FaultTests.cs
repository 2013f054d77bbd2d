using EventFunctions.Shared.Http;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace EventFunctions.Tests;

/// <summary>Answers under storage faults are true: "not saved" only when known not saved.</summary>
[Collection(StorageCollection.Name)]
public sealed class FaultTests(AzuriteFixture azurite)
{
    private async Task<(TestApp App, StallingProxy Proxy, string EventId)> StartBehindProxyAsync()
    {
        var proxy = StallingProxy.Start(azurite.TablePort);
        var connection = azurite.ConnectionString.Replace($"127.0.0.1:{azurite.TablePort}", $"127.0.0.1:{proxy.Port}");
        var app = await TestApp.StartAsync(connection, settings: new()
        {
            ["EventFunctions:ContentionTimeout"] = "00:00:02",
        });
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 10));
        return (app, proxy, lecture.Id);
    }

    private static Task<IActionResult> SignUp(TestApp app, string eventId, int i) =>
        app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person($"参与者{i}", $"p{i}@example.cn", null)), eventId, default);

    [Fact]
    public async Task A_commit_whose_answer_is_lost_for_a_moment_is_found_out_and_answered_as_stored()
    {
        var (app, proxy, eventId) = await StartBehindProxyAsync();
        await using var _ = app;
        await using var __ = proxy;
        Assert.Equal(201, Results.Object<RegistrationView>(await SignUp(app, eventId, 0)).Status); // warm: the event row is cached

        // The commit lands, but its answer is held past the deadline; then storage answers again.
        proxy.HoldAnswers();
        var signUp = SignUp(app, eventId, 1);
        var release = Task.Delay(TimeSpan.FromSeconds(3)).ContinueWith(t => proxy.Release());
        var result = await signUp;
        await release;

        var stored = (await app.RegistrationsAsync(eventId)).Any(r => r.Email == "p1@example.cn");
        Assert.True(stored);
        Assert.Equal(201, Results.Object<RegistrationView>(result).Status); // the truth: it was stored
    }

    [Fact]
    public async Task A_commit_whose_answer_never_comes_is_answered_unknown_never_not_saved()
    {
        var (app, proxy, eventId) = await StartBehindProxyAsync();
        await using var _ = app;
        await using var __ = proxy;
        Assert.Equal(201, Results.Object<RegistrationView>(await SignUp(app, eventId, 0)).Status);

        proxy.HoldAnswers();
        var started = DateTime.UtcNow;
        var result = await SignUp(app, eventId, 1);
        var took = DateTime.UtcNow - started;
        proxy.Release();

        var (status, problem) = Results.Object<ProblemDetails>(result);
        Assert.Equal(503, status);
        Assert.Equal(Problems.OutcomeUnknown, problem.Type); // it was stored: "not saved" would be a lie
        Assert.True(took < TimeSpan.FromSeconds(20), $"answered after {took}"); // a deadline, not a hang
        await RunningHost.Eventually(async () => (await app.RegistrationsAsync(eventId)).Any(r => r.Email == "p1@example.cn"), "the held commit is stored");

        // The participant sends the same again, as the page asks: the true answer, and no second registration.
        var again = Results.Object<RegistrationView>(await SignUp(app, eventId, 1));
        Assert.Equal(200, again.Status);
        Assert.Equal(2, (await app.RegistrationsAsync(eventId)).Count);
    }

    [Fact]
    public async Task The_form_page_answering_a_storage_fault_shows_no_seat_count_it_could_not_read()
    {
        var (app, proxy, eventId) = await StartBehindProxyAsync();
        await using var _ = app;
        await using var __ = proxy;
        Assert.Equal(201, Results.Object<RegistrationView>(await SignUp(app, eventId, 0)).Status);

        proxy.HoldAnswers();
        var result = await app.SignUpForm.Submit(Requests.Form($"/api/signup/{eventId}",
            [new("name", "王磊"), new("email", "wanglei@example.cn"), new("consent", "true")]), eventId, default);
        proxy.Release();

        var (status, html) = Results.Html(result);
        Assert.Equal(503, status);
        Assert.DoesNotContain("id=\"seats\"", html); // not "10 of 10 left" for an event whose counts were not read
        Assert.Contains("<form", html); // the form stays, filled in, for another try
        Assert.Contains("wanglei@example.cn", html);
    }

    [Fact]
    public async Task A_stalled_queue_does_not_hold_up_the_answer_and_the_message_follows_when_storage_answers()
    {
        // Queue storage behind a proxy whose answers are held; the table answers as usual.
        await using var proxy = StallingProxy.Start(azurite.QueuePort);
        var connection = azurite.ConnectionString.Replace($"127.0.0.1:{azurite.QueuePort}", $"127.0.0.1:{proxy.Port}");
        await using var app = await TestApp.StartAsync(connection, withSendGrid: false);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 10));
        Assert.Equal(201, Results.Object<RegistrationView>(await SignUp(app, lecture.Id, 0)).Status);
        Assert.Single(await app.DrainQueueAsync());

        proxy.HoldAnswers();
        var answered = await SignUp(app, lecture.Id, 1).WaitAsync(TimeSpan.FromSeconds(30)); // would wait for the queue before
        Assert.Equal(201, Results.Object<RegistrationView>(answered).Status);
        var pending = app.Get<EventFunctions.Shared.Ledger.EventLedger>().QueueWritesAsync();
        Assert.False(pending.IsCompleted, "the queue write was still held");

        proxy.Release();
        await pending.WaitAsync(TimeSpan.FromSeconds(30));
        var message = Assert.Single(await app.DrainQueueAsync());
        var row = (await app.RegistrationsAsync(lecture.Id)).Single(r => r.Email == "p1@example.cn");
        Assert.Equal(row.RowKey, Assert.Single(EventFunctions.Shared.Confirmations.ConfirmationQueue.ParseAll(message)!).RegistrationKey);
    }
}
