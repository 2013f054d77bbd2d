using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventFunctions.LocalHost;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;
using Ical.Net;
using Microsoft.Extensions.Configuration;

namespace EventFunctions.Tests;

/// <summary>The local host, driven by the app's own functions.metadata and host.json, over real HTTP and queues.</summary>
[Collection(StorageCollection.Name)]
public sealed class LocalHostTests(AzuriteFixture azurite)
{
    private static readonly IReadOnlyList<FunctionMetadata> Metadata =
        FunctionMetadata.Load(Path.Combine(AppContext.BaseDirectory, "functions.metadata"));

    [Fact]
    public async Task Every_function_in_the_metadata_is_served()
    {
        await using var host = await RunningHost.StartAsync(azurite, new() { ["ConfirmationSweepSchedule"] = "*/1 * * * * *" });

        // Redirects are not followed: a console page sends anonymous callers to the sign-in page, which is counted on its own.
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(host.BaseUrl) };
        foreach (var f in Metadata)
        {
            var trigger = f.Trigger;
            switch (trigger.Type)
            {
                case Supported.Http:
                    // Route values that match no event: the function itself answers (with a body), not the router.
                    var path = "/api/" + trigger.Route!.Replace("{eventId}", "nosuchevent").Replace("{registrationId}", "ABCDEFGH");
                    // Counted before and after: a console page sends an anonymous caller to the sign-in page (itself a function).
                    var before = host.Invocations.For(f.Name).Count;
                    using (var request = new HttpRequestMessage(new HttpMethod(trigger.Methods![0].ToUpperInvariant()), path))
                    {
                        if (request.Method != HttpMethod.Get && request.Method != HttpMethod.Delete)
                        {
                            request.Content = f.Name is "SubmitSignUpForm" or "CancelRegistration"
                                ? new FormUrlEncodedContent([new("name", "王磊")])
                                : JsonContent.Create(new { name = "王磊" });
                        }

                        using var response = await http.SendAsync(request);
                        Assert.NotEqual(HttpStatusCode.MethodNotAllowed, response.StatusCode);
                        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
                    }

                    // The invocation is logged once the function returns, which may be just after its response reached us.
                    var count = before;
                    await RunningHost.Eventually(() => Task.FromResult(host.Invocations.For(f.Name).Count > count), $"{f.Name} is invoked at {path}");
                    break;
                case Supported.Queue when f.Name == "SendNotifications":
                    var notifications = new Azure.Storage.Queues.QueueClient(azurite.ConnectionString, trigger.QueueName, new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 });
                    await notifications.CreateIfNotExistsAsync();
                    await notifications.SendMessageAsync(JsonSerializer.Serialize(new { kind = "fan-out", eventId = "abcdefghjk", version = 1 }));
                    await RunningHost.Eventually(() => Task.FromResult(host.Invocations.For(f.Name).Any(i => i.Succeeded)), $"{f.Name} consumes a message");
                    break;
                case Supported.Queue:
                    await host.Queue.SendMessageAsync(JsonSerializer.Serialize(new { eventId = "nosuchevent", registrationKey = "reg-0" }));
                    await RunningHost.Eventually(() => Task.FromResult(host.Invocations.For(f.Name).Any(i => i.Succeeded)), $"{f.Name} consumes a message");
                    await RunningHost.Eventually(async () => (await host.Queue.PeekMessagesAsync()).Value.Length == 0, "the message is deleted");
                    break;
                case Supported.Timer when f.Name == "SweepConfirmations":
                    await RunningHost.Eventually(() => Task.FromResult(host.Invocations.For(f.Name).Count(i => i.Succeeded) >= 2), $"{f.Name} fires every second", 10);
                    break;
                case Supported.Timer:
                    // Daily schedules are run on demand, as the Functions host's admin API does.
                    using (var run = await host.Http.PostAsJsonAsync($"/admin/functions/{f.Name}", new { input = "" }))
                    {
                        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
                    }

                    Assert.True(host.Invocations.For(f.Name).Single().Succeeded);
                    // A timer needs no input: an empty body runs it too; a body that is not JSON is a 400, not a 500.
                    using (var empty = await host.Http.PostAsync($"/admin/functions/{f.Name}", new StringContent("")))
                    {
                        Assert.Equal(HttpStatusCode.Accepted, empty.StatusCode);
                    }

                    using (var broken = await host.Http.PostAsync($"/admin/functions/{f.Name}", new StringContent("{input")))
                    {
                        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
                        Assert.Contains("JSON", await broken.Content.ReadAsStringAsync());
                    }

                    Assert.Equal(2, host.Invocations.For(f.Name).Count(i => i.Succeeded));
                    break;
            }
        }
    }

    [Fact]
    public async Task Unknown_routes_are_404_and_wrong_methods_405()
    {
        await using var host = await RunningHost.StartAsync(azurite);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/api/no/such/route")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/events")).StatusCode); // routePrefix "api" applies
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await host.Http.DeleteAsync("/api/events")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await host.Http.PutAsync("/api/signup/abc", null)).StatusCode);
    }

    [Fact]
    public async Task Seed_scenario_over_HTTP_reaches_SendGrid()
    {
        await using var host = await RunningHost.StartAsync(azurite);
        var salon = await host.CreateEventAsync(Seed.Salon());
        var visit = await host.CreateEventAsync(Seed.SiteVisit());
        var lecture = await host.CreateEventAsync(Seed.Lecture());
        Assert.Equal("salon", salon.GetProperty("kind").GetString());

        var form = await host.Http.GetStringAsync($"/api/signup/{salon.GetProperty("id").GetString()}");
        Assert.Contains("白玉兰广场 42 楼", form);

        using var li = await host.Http.PostAsync($"/api/signup/{salon.GetProperty("id").GetString()}", new FormUrlEncodedContent(
        [
            new("name", "李莹晖"), new("phone", "13812345678"), new("email", "liyinghui@example.com"),
            new("organisation", "上海某律师事务所"), new("q_lunch", "yes"), new("consent", "true"),
            new("ft", TestFormTokens.For(salon.GetProperty("id").GetString()!)),
        ]));
        Assert.Equal(HttpStatusCode.OK, li.StatusCode);
        Assert.Contains("报名成功", await li.Content.ReadAsStringAsync());

        using var wang = await host.Http.PostAsync($"/api/signup/{visit.GetProperty("id").GetString()}", new FormUrlEncodedContent(
        [
            new("name", "王磊"), new("phone", "13912345678"), new("email", "wanglei@example.cn"),
            new("organisation", "北外滩街道"), new("sec_0", "1234"), new("consent", "true"),
            new("ft", TestFormTokens.For(visit.GetProperty("id").GetString()!)),
        ]));
        Assert.Equal(HttpStatusCode.OK, wang.StatusCode);

        using var json = await host.Http.PostAsJsonAsync($"/api/events/{lecture.GetProperty("id").GetString()}/registrations",
            Seed.Person("Zhang Wei", "zhangwei@example.com", null));
        Assert.Equal(HttpStatusCode.Created, json.StatusCode);
        Assert.Equal("confirmed", (await json.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString()?.ToLowerInvariant());

        // The queue trigger picks the messages up by itself and sends through the SendGrid client.
        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.Mails.Count == 3), "three confirmations at the fake SendGrid");
        var mail = host.SendGrid.Mails.Select(m => m.RootElement).Single(m => EndToEndTests.Recipient(m) == "liyinghui@example.com");
        Assert.Equal("报名成功：北外滩商会沙龙：《民法典》与企业经营", EndToEndTests.Subject(mail));
        var ics = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(mail.GetProperty("attachments")[0].GetProperty("content").GetString()!));
        Assert.Equal("Asia/Shanghai", Calendar.Load(ics)!.Events.Single().Start!.TzId);

        using var read = await host.Http.GetFromJsonAsync<JsonDocument>($"/api/events/{salon.GetProperty("id").GetString()}");
        Assert.Equal(1, read!.RootElement.GetProperty("counts").GetProperty("confirmed").GetInt32());
    }

    [Fact]
    public async Task Two_hundred_form_posts_over_HTTP_at_once_fill_fifty_seats_exactly_and_email_everyone_once()
    {
        await using var host = await RunningHost.StartAsync(azurite);
        var id = (await host.CreateEventAsync(Seed.Lecture(capacity: 50, waitlist: true))).GetProperty("id").GetString();

        var pages = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            using var response = await host.Http.PostAsync($"/api/signup/{id}", new FormUrlEncodedContent(
                [new("name", $"居民{i}"), new("email", $"resident{i}@example.cn"), new("consent", "true"), new("ft", TestFormTokens.For(id!))]));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }));

        Assert.Equal(50, pages.Count(p => p.Contains("报名成功")));
        Assert.Equal(150, pages.Count(p => p.Contains("已登记候补")));
        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.Mails.Count >= 200), "200 emails", 60);
        // Nothing can send again once no message is left (visible or in flight) and every row records its email as sent.
        await RunningHost.Eventually(async () => (await host.Queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0
            && (await host.RegistrationsAsync(id!)).All(r => !r.EmailPending && r.EmailSentVersion >= r.StateVersion), "every email recorded, no message left", 60);
        Assert.Equal(200, host.SendGrid.Mails.Select(m => EndToEndTests.Recipient(m.RootElement)).Distinct().Count());
        Assert.Equal(200, host.SendGrid.Mails.Count);
    }

    [Fact]
    public async Task A_message_that_always_fails_ends_in_the_poison_queue_after_maxDequeueCount_attempts()
    {
        await using var host = await RunningHost.StartAsync(azurite);
        await host.Queue.SendMessageAsync("this is not a confirmation message");

        await RunningHost.Eventually(async () => (await host.Poison.PeekMessagesAsync()).Value.Length == 1, "the message in confirmations-poison");
        var poisoned = (await host.Poison.ReceiveMessageAsync()).Value;
        Assert.Equal("this is not a confirmation message", poisoned.Body.ToString());
        Assert.Empty((await host.Queue.PeekMessagesAsync()).Value);

        var attempts = host.Invocations.For("SendConfirmation");
        Assert.Equal(5, attempts.Count); // host.json maxDequeueCount
        Assert.All(attempts, a => Assert.Equal(nameof(FormatException), a.Error));
    }

    [Fact]
    public void Refuses_metadata_it_cannot_serve_and_names_the_function()
    {
        var dir = Directory.CreateTempSubdirectory("localhost-metadata").FullName;
        try
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "host.json"), Path.Combine(dir, "host.json"));
            var functions = JsonSerializer.Deserialize<List<JsonElement>>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")))!;
            functions.Add(JsonSerializer.SerializeToElement(new
            {
                name = "ResizeImage", scriptFile = "EventFunctions.Functions.dll", entryPoint = "X.Y", language = "dotnet-isolated",
                bindings = new object[] { new { name = "blob", direction = "In", type = "blobTrigger", path = "images/{name}" } },
            }));
            File.WriteAllText(Path.Combine(dir, "functions.metadata"), JsonSerializer.Serialize(functions));

            var error = Assert.Throws<NotSupportedException>(() => LocalFunctionsHost.Build(new LocalHostOptions { AppDirectory = dir, Urls = "http://127.0.0.1:0" }));
            Assert.Contains("ResizeImage: trigger 'blobTrigger' is not supported", error.Message);
            Assert.Contains("func start", error.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Reads_host_json_and_lets_app_settings_override_it()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "2",
        }).Build();
        var settings = HostSettings.Load(Path.Combine(AppContext.BaseDirectory, "host.json"), configuration);
        Assert.Equal("api", settings.RoutePrefix);
        Assert.Equal(2, settings.MaxDequeueCount);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.VisibilityTimeout);
        Assert.Equal(16, settings.BatchSize);
        Assert.True(settings.Base64Messages);
    }
    [Fact]
    public async Task The_clock_moves_only_where_the_fault_injection_run_asks_for_it()
    {
        // Off by default: no clock endpoint, the system clock.
        await using (var plain = await RunningHost.StartAsync(azurite))
        {
            using var http = new HttpClient { BaseAddress = new Uri(plain.BaseUrl) };
            using var refused = await http.PostAsync("/admin/clock", JsonContent.Create(new { offsetSeconds = 3600 }));
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.Same(TimeProvider.System, plain.Get<TimeProvider>());
        }

        // On: it starts at the configured offset, and the endpoint sets it (absolute, so a repeat changes nothing).
        await using var shifted = await RunningHost.StartAsync(azurite, new() { ["LocalHost:ShiftedClock"] = "true", ["LocalHost:ClockOffsetSeconds"] = "60" });
        var clock = shifted.Get<TimeProvider>();
        Assert.InRange(clock.GetUtcNow() - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(55), TimeSpan.FromSeconds(65));
        using var client = new HttpClient { BaseAddress = new Uri(shifted.BaseUrl) };
        for (var i = 0; i < 2; i++)
        {
            using var moved = await client.PostAsync("/admin/clock", JsonContent.Create(new { offsetSeconds = 7200 }));
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        }
        Assert.InRange(clock.GetUtcNow() - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(7195), TimeSpan.FromSeconds(7205));
        using var bad = await client.PostAsync("/admin/clock", JsonContent.Create(new { minutes = 5 }));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task A_function_turned_off_by_its_app_setting_is_not_served_and_takes_no_message()
    {
        // As in the Functions host: AzureWebJobs.<name>.Disabled (the bench uses it to keep emails off a host).
        await using var host = await RunningHost.StartAsync(azurite, new()
        {
            ["AzureWebJobs.OpenApiDocument.Disabled"] = "true",
            ["AzureWebJobs.SendNotifications.Disabled"] = "1",
            ["AzureWebJobs.Health.Disabled"] = "false",
        });
        using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        using (var off = await http.GetAsync("/api/openapi.json")) Assert.Equal(HttpStatusCode.NotFound, off.StatusCode);
        using (var on = await http.GetAsync("/api/health")) Assert.NotEqual(HttpStatusCode.NotFound, on.StatusCode);

        var queue = new Azure.Storage.Queues.QueueClient(azurite.ConnectionString, EventFunctions.Shared.Storage.QueueNames.Notifications,
            new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync();
        var marker = JsonSerializer.Serialize(new { kind = "fan-out", eventId = "offtest" + Guid.NewGuid().ToString("N")[..8], version = 1 });
        await queue.SendMessageAsync(marker);
        // The listeners start together and poll at once: once the confirmations listener (on) has taken a message,
        // the notifications one would have too, were it on.
        await host.Queue.SendMessageAsync(JsonSerializer.Serialize(new { eventId = "nosuchevent", registrationKey = "reg-0" }));
        await RunningHost.Eventually(() => Task.FromResult(host.Invocations.For("SendConfirmation").Any()), "the confirmations listener takes its message");
        Assert.Empty(host.Invocations.For("SendNotifications"));
        Assert.Contains(marker, (await queue.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()));
        // Taken off again (others' messages seen meanwhile come back within a second).
        foreach (var m in (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(1))).Value.Where(m => m.Body.ToString() == marker))
        {
            await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
        }
    }
}

public sealed class TimerScheduleTests
{
    [Theory]
    [InlineData("0 */5 * * * *", "2026-11-25T10:02:30", "2026-11-25T10:05:00")]
    [InlineData("0 0 19 * * *", "2026-11-25T19:00:00", "2026-11-26T19:00:00")]
    [InlineData("*/1 * * * * *", "2026-11-25T10:00:00", "2026-11-25T10:00:01")]
    [InlineData("00:10:00", "2026-11-25T10:00:00", "2026-11-25T10:10:00")]
    public void Schedules_are_six_field_NCRONTAB_in_UTC_or_intervals(string schedule, string last, string next) =>
        Assert.Equal(DateTime.Parse(next), TimerScheduler.Parse(schedule)(DateTime.Parse(last)));

    [Fact]
    public void A_five_field_cron_is_refused_with_the_format_named() =>
        Assert.Contains("six-field", Assert.Throws<FormatException>(() => TimerScheduler.Parse("*/5 * * * *")).Message);

}
