using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Queues;
using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Hosting;
using EventFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace EventFunctions.Tests;

/// <summary>What an operator relies on: the health route, failures an admin can see and replay, one trace per sign-up.</summary>
[Collection(StorageCollection.Name)]
public sealed class OperationsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Health_reports_storage_queue_depths_and_poison_counts_without_personal_data()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await RunningHost.StartAsync(azurite, services: s => s.AddSingleton<TimeProvider>(clock));
        await ConsoleSeed.SeedEventAsync(host, unit: "商会"); // a person's name and email are now stored
        using var response = await host.Http.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var text = await response.Content.ReadAsStringAsync();
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal("Healthy", json.GetProperty("status").GetString());
        Assert.Equal("Healthy", json.GetProperty("checks").GetProperty("tables").GetProperty("status").GetString());
        var queues = json.GetProperty("checks").GetProperty("queues");
        Assert.Equal(0, queues.GetProperty("data").GetProperty("confirmations-poison").GetInt32());
        Assert.True(queues.GetProperty("data").TryGetProperty("notifications", out _));
        Assert.DoesNotContain("王磊", text);
        Assert.DoesNotContain("@example.cn", text);

        // A poison message makes it Degraded (still 200: the app serves), with the count, once the cache has passed.
        await host.Poison.SendMessageAsync(ConfirmationQueue.Format("abcdefghjk", ["reg-x"]));
        Assert.Equal(text, await host.Http.GetStringAsync("/api/health")); // within the cache's life: the same report
        clock.Advance(Shared.Http.OperationsApi.HealthCacheFor);
        var degraded = JsonDocument.Parse(await host.Http.GetStringAsync("/api/health")).RootElement;
        Assert.Equal("Degraded", degraded.GetProperty("status").GetString());
        Assert.Equal(1, degraded.GetProperty("checks").GetProperty("queues").GetProperty("data").GetProperty("confirmations-poison").GetInt32());
    }

    [Fact]
    public async Task Health_under_a_storage_outage_is_503_naming_the_check_without_a_stack_trace()
    {
        // Nothing listens on this port: every storage request is refused.
        var dead = AzuriteFixture.FreePort();
        var connection = azurite.ConnectionString.Replace($"127.0.0.1:{azurite.TablePort}", $"127.0.0.1:{dead}").Replace($"127.0.0.1:{azurite.QueuePort}", $"127.0.0.1:{dead}");
        await using var app = await TestApp.StartAsync(connection, withSendGrid: false);
        var api = app.Get<Shared.Http.OperationsApi>();
        var (status, body, headers) = await InvokeAsync(api);
        Assert.Equal(503, status);
        Assert.Equal("30", headers.RetryAfter.ToString());
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal("Unhealthy", json.GetProperty("status").GetString());
        Assert.Equal("Unhealthy", json.GetProperty("checks").GetProperty("tables").GetProperty("status").GetString());
        Assert.Contains("did not answer", json.GetProperty("checks").GetProperty("tables").GetProperty("description").GetString());
        Assert.DoesNotContain("   at ", body);
    }

    [Fact]
    public async Task Health_answers_within_seconds_when_storage_stalls()
    {
        await using var proxy = StallingProxy.Start(azurite.TablePort);
        var connection = azurite.ConnectionString.Replace($"127.0.0.1:{azurite.TablePort}", $"127.0.0.1:{proxy.Port}");
        await using var app = await TestApp.StartAsync(connection, withSendGrid: false);
        await app.CreateEventAsync(Seed.Lecture()); // the table exists
        proxy.HoldAnswers();
        var clock = Stopwatch.StartNew();
        var (status, body, _) = await InvokeAsync(app.Get<Shared.Http.OperationsApi>());
        proxy.Release();
        Assert.Equal(503, status);
        Assert.Contains("timed out", body);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    private static async Task<(int Status, string Body, Microsoft.AspNetCore.Http.IHeaderDictionary Headers)> InvokeAsync(Shared.Http.OperationsApi api)
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        var result = (Microsoft.AspNetCore.Mvc.ContentResult)await api.HealthAsync(context.Request, default);
        return (result.StatusCode ?? 200, result.Content ?? "", context.Response.Headers);
    }

    [Fact]
    public async Task A_confirmation_that_failed_into_the_poison_queue_is_shown_replayed_once_and_sends_one_email()
    {
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole());
        var email = $"poison-{Guid.NewGuid():N}@example.cn";
        host.SendGrid.FailFor(email, 401); // a wrong API key: every try fails, the message ends in the poison queue
        var created = await host.CreateEventAsync(Seed.Lecture());
        var eventId = created.GetProperty("id").GetString()!;
        using var signUp = await host.Http.PostAsJsonAsync($"/api/events/{eventId}/registrations", Seed.Person("李莹晖", email));
        Assert.Equal(HttpStatusCode.Created, signUp.StatusCode);
        await RunningHost.Eventually(async () => (await host.Poison.GetPropertiesAsync()).Value.ApproximateMessagesCount == 1, "the message in the poison queue");
        Assert.Empty(host.SendGrid.Mails);

        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(ConsoleAccessTests.Admin);
        var (status, html) = await admin.GetAsync("/api/console/failures");
        Assert.Equal(200, status);
        Assert.Contains(eventId, html);
        Assert.Contains("EmailAuthenticationException", html); // the last error, from the failures table
        Assert.DoesNotContain(email, html);
        var messageId = System.Text.RegularExpressions.Regex.Match(html, "data-message-id=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(messageId);

        // Not an admin: refused.
        await ConsoleSeed.AddOrganiserAsync(admin, "organiser@jiedao.example.cn", "商会");
        using var organiser = new ConsoleClient(host.BaseUrl);
        await organiser.SignInAsync("organiser@jiedao.example.cn");
        Assert.Equal(403, (await organiser.GetAsync("/api/console/failures")).Status);
        Assert.Equal(403, (await organiser.PostAsync("/api/console/failures/replay", ("queue", "confirmations"), ("messageId", messageId))).Status);

        // The cause fixed, replayed: one email.
        host.SendGrid.StopFailing();
        await admin.GetAsync("/api/console/failures");
        var (replayStatus, page, _) = await admin.PostAsync("/api/console/failures/replay", ("queue", "confirmations"), ("messageId", messageId));
        Assert.Equal(200, replayStatus); // followed the 303
        Assert.Contains("Replayed 1 message", page);
        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.Mails.Count == 1), "the replayed confirmation");
        Assert.Equal(0, (await host.Poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);

        // Replaying the same message again does nothing; so does a copy of it put back by hand (the email is recorded as sent).
        var (_, again, _) = await admin.PostAsync("/api/console/failures/replay", ("queue", "confirmations"), ("messageId", messageId));
        Assert.Contains("Nothing replayed", again);
        await host.Poison.SendMessageAsync(ConfirmationQueue.Format(eventId, [(await host.RegistrationsAsync(eventId)).Single().RowKey]));
        var (_, all, _) = await admin.PostAsync("/api/console/failures/replay", ("queue", "confirmations"));
        Assert.Contains("Replayed 1 message", all);
        // Five failures, the replay, the copy: the invocation is logged once the function has returned.
        await RunningHost.Eventually(() => Task.FromResult(host.Invocations.For("SendConfirmation").Count >= 7), "the copy handled");
        Assert.Single(host.SendGrid.Mails);
    }

    [Fact]
    public async Task Metrics_count_sign_ups_waitlisted_emails_sent_and_failed_and_poison_messages()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<(string Name, long Value, string Tags)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == Telemetry.MeterName) l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            seen.Enqueue((instrument.Name, value, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}")))));
        listener.Start();

        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 1));
        await Kit.SignUpAsync(app, lecture.Id, "甲", $"m1-{Guid.NewGuid():N}@example.cn", null);
        var failing = $"m2-{Guid.NewGuid():N}@example.cn";
        app.SendGrid!.FailFor(failing, 400); // refused for good: a failed send
        await Kit.SignUpAsync(app, lecture.Id, "乙", failing, null);
        await app.DeliverQueuedAsync();
        await app.SweepConfirmations.Run(new Microsoft.Azure.Functions.Worker.TimerInfo(), default); // looks at the poison queues
        listener.RecordObservableInstruments();

        var all = seen.ToList();
        Assert.Contains(all, m => m.Name == "eventfunctions.signups" && m.Tags == "status=confirmed,path=event-row");
        Assert.Contains(all, m => m.Name == "eventfunctions.signups" && m.Tags == "status=waitlisted,path=event-row");
        Assert.Contains(all, m => m.Name == "eventfunctions.emails.sent" && m.Tags.Contains("kind=", StringComparison.Ordinal));
        Assert.Contains(all, m => m.Name == "eventfunctions.emails.failed" && m.Tags.Contains("reason=rejected", StringComparison.Ordinal));
        Assert.Contains(all, m => m.Name == "eventfunctions.poison.messages");
        Assert.DoesNotContain(all, m => m.Tags.Contains('@'));
    }

    [Fact]
    public async Task One_trace_follows_a_sign_up_from_the_http_request_through_the_queue_to_the_send()
    {
        var spans = new Spans();
        await using var host = await RunningHost.StartAsync(azurite, services: s => s.AddOpenTelemetry().WithTracing(t => t
            .AddAspNetCoreInstrumentation()
            .AddSource(Telemetry.SourceName)
            .AddInMemoryExporter(spans)));
        var created = await host.CreateEventAsync(Seed.Lecture());
        var eventId = created.GetProperty("id").GetString()!;
        using var signUp = await host.Http.PostAsJsonAsync($"/api/events/{eventId}/registrations", Seed.Person("王磊", $"trace-{Guid.NewGuid():N}@example.cn"));
        Assert.Equal(HttpStatusCode.Created, signUp.StatusCode);
        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.Mails.Count == 1), "the confirmation");
        // The consumer span ends (and is exported) after the send within it.
        await RunningHost.Eventually(() => Task.FromResult(Snapshot(spans).Any(a => a.DisplayName == "confirmations process")), "the consumer span exported");

        var all = Snapshot(spans);
        var request = Assert.Single(all, a => a.Kind == ActivityKind.Server && a.DisplayName.Contains("registrations", StringComparison.Ordinal));
        var commit = Assert.Single(all, a => a.DisplayName == "ledger commit" && a.TraceId == request.TraceId);
        Assert.Equal(request.SpanId, commit.ParentSpanId);
        var consumer = Assert.Single(all, a => a.DisplayName == "confirmations process" && a.TraceId == request.TraceId);
        Assert.Equal(ActivityKind.Consumer, consumer.Kind);
        var send = Assert.Single(all, a => a.DisplayName == "email send" && a.TraceId == request.TraceId);
        Assert.Equal(ActivityKind.Client, send.Kind);
        Assert.DoesNotContain(all.SelectMany(a => a.Tags), t => t.Value?.Contains('@') == true); // no email in any tag
    }

    private static List<Activity> Snapshot(Spans spans) => spans.ToList();

    /// <summary>The exporter adds from whichever thread ends a span; the test reads meanwhile.</summary>
    private sealed class Spans : System.Collections.ObjectModel.Collection<Activity>
    {
        private readonly object _gate = new();
        protected override void InsertItem(int index, Activity item) { lock (_gate) base.InsertItem(index, item); }
        public List<Activity> ToList() { lock (_gate) return Items.ToList(); }
    }
}
