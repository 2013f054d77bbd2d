using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using EventFunctions.Shared;
using EventFunctions.Shared.Attendance;
using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Notifications;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Text;
using EventFunctions.Tests.Infrastructure;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EventFunctions.Tests;

/// <summary>
/// One app instance for the notification tests: the real service graph against Azurite and the fake SendGrid,
/// with time from a <see cref="FakeTimeProvider"/>. Two of them on the same table and queues are two instances.
/// </summary>
public sealed class Informed : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly bool _ownsSendGrid;

    public FakeTimeProvider Clock { get; }
    public FakeSendGrid SendGrid { get; }
    public string Table { get; }
    public string NotificationQueueName { get; }

    private Informed(ServiceProvider services, FakeTimeProvider clock, FakeSendGrid sendGrid, bool ownsSendGrid, string table, string queue)
    {
        _services = services;
        Clock = clock;
        SendGrid = sendGrid;
        _ownsSendGrid = ownsSendGrid;
        Table = table;
        NotificationQueueName = queue;
    }

    public static async Task<Informed> StartAsync(AzuriteFixture azurite, Informed? sameStorageAs = null, FakeSendGrid? sendGrid = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var table = sameStorageAs?.Table ?? $"n{suffix}";
        var queue = sameStorageAs?.NotificationQueueName ?? $"nq{suffix}";
        var ownsSendGrid = sendGrid is null;
        sendGrid ??= await FakeSendGrid.StartAsync();
        var clock = sameStorageAs?.Clock ?? new FakeTimeProvider(DateTimeOffset.UtcNow);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(TestSettings.Production(sendGrid.BaseUrl))
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["EventFunctions:TableName"] = table,
            ["EventFunctions:ConfirmationQueue"] = $"nc{suffix}",
            ["EventFunctions:NotificationQueue"] = queue,
        }).Build();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddEventFunctions(configuration).BuildServiceProvider();
        return new Informed(services, clock, sendGrid, ownsSendGrid, table, queue);
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public static EventInput Input(Dictionary<string, object?> definition) =>
        JsonSerializer.Deserialize<EventInput>(JsonSerializer.Serialize(definition, Json.Options), Json.Options)!;

    public async Task<EventView> CreateAsync(Dictionary<string, object?> definition)
    {
        var outcome = await Get<EventService>().CreateAsync(Input(definition), default);
        return Assert.IsType<EventOutcome.Created>(outcome).Event;
    }

    public async Task<EventView> UpdateAsync(string eventId, Dictionary<string, object?> definition)
    {
        var outcome = await Get<EventService>().UpdateAsync(eventId, Input(definition), default);
        if (outcome is EventOutcome.Invalid invalid) Assert.Fail("Update refused: " + string.Join("; ", invalid.Errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        return Assert.IsType<EventOutcome.Ok>(outcome).Event;
    }

    public async Task<RegistrationView> SignUpAsync(string eventId, string name, string email, string language = "zh-CN", Action<Dictionary<string, object?>>? extra = null)
    {
        var body = new Dictionary<string, object?> { ["name"] = name, ["email"] = email, ["consent"] = true, ["language"] = language };
        extra?.Invoke(body);
        var input = JsonSerializer.Deserialize<SignUpInput>(JsonSerializer.Serialize(body, Json.Options), Json.Options)!;
        var outcome = await Get<RegistrationService>().SignUpAsync(eventId, input, UiText.ForCode(language), default);
        return Assert.IsType<SignUpOutcome.Registered>(outcome).Registration;
    }

    public async Task<QueueClient> QueueAsync() => await Get<NotificationQueue>().QueueAsync(default);

    /// <summary>Takes every message off the notifications queue, decoded as the trigger would hand it over.</summary>
    public async Task<List<string>> DrainAsync() => await Queues.DrainAsync(await QueueAsync());

    /// <summary>Hands one message to the queue-triggered function, as the host would.</summary>
    public Task Deliver(string message, CancellationToken ct = default) =>
        new Functions.Notifications.SendNotifications(Get<NotificationSender>(), Get<EventFunctions.Shared.Operations.QueueFailures>()).Run(message, ct);

    /// <summary>Delivers until the queue is empty (fan-outs add batches); returns the messages that threw (they would come back).</summary>
    public async Task<List<string>> DeliverAllAsync()
    {
        var failed = new List<string>();
        while (await DrainAsync() is { Count: > 0 } messages)
        {
            foreach (var m in messages)
            {
                try
                {
                    await Deliver(m);
                }
                catch (TransientEmailException)
                {
                    failed.Add(m);
                }
            }
        }

        return failed;
    }

    public Task<SweepResult> SweepAsync() => Get<NotificationSweep>().RunAsync(default);

    public async Task<List<RegistrationEntity>> RowsAsync(string eventId)
    {
        var table = await Get<EventStore>().TableAsync(default);
        var rows = new List<RegistrationEntity>();
        await foreach (var r in table.QueryAsync<RegistrationEntity>(x => x.PartitionKey == eventId && x.RowKey != EventEntity.RowKeyValue)) rows.Add(r);
        return rows;
    }

    public List<Mail> Mails(string? notice = null) => SendGrid.Mails.Select(Mail.From).Where(m => notice is null || m.Notice == notice).ToList();

    public async ValueTask DisposeAsync()
    {
        if (_ownsSendGrid) await SendGrid.DisposeAsync();
        await _services.DisposeAsync();
    }
}

/// <summary>One mail the fake SendGrid accepted, as the tests read it.</summary>
public sealed record Mail(string? RegistrationId, string? Notice, int? NoticeVersion, string To, string Subject, string Plain, string Html, IReadOnlyList<(string Type, string Content)> Attachments)
{
    public static Mail From(JsonDocument doc)
    {
        var root = doc.RootElement;
        var p = root.GetProperty("personalizations")[0];
        var args = p.TryGetProperty("custom_args", out var a) ? a : default;
        string? Arg(string name) => args.ValueKind == JsonValueKind.Object && args.TryGetProperty(name, out var v) ? v.GetString() : null;
        string Content(string type) => root.GetProperty("content").EnumerateArray().Single(c => c.GetProperty("type").GetString() == type).GetProperty("value").GetString()!;
        var attachments = root.TryGetProperty("attachments", out var at)
            ? at.EnumerateArray().Select(x => (x.GetProperty("type").GetString()!, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(x.GetProperty("content").GetString()!)))).ToList()
            : [];
        return new Mail(Arg("registrationId"), Arg("notice"), Arg("noticeVersion") is { } nv ? int.Parse(nv) : null,
            p.GetProperty("to")[0].GetProperty("email").GetString()!,
            root.TryGetProperty("subject", out var s) ? s.GetString()! : p.GetProperty("subject").GetString()!,
            Content("text/plain"), Content("text/html"), attachments);
    }

    public CalendarEventInfo Calendar()
    {
        var calendar = Ical.Net.Calendar.Load(Attachments.Single(a => a.Type.StartsWith("text/calendar")).Content)!;
        var e = calendar.Events.Single();
        return new CalendarEventInfo(calendar.Method, e.Uid!, e.Sequence, e.Location ?? "", e.DtStart!.Value);
    }
}

public sealed record CalendarEventInfo(string? Method, string Uid, int Sequence, string Location, DateTime Start);

/// <summary>Change notices: one email per person per change, in their language, with the calendar entry moved.</summary>
[Collection(StorageCollection.Name)]
public sealed class NotificationTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_change_of_time_and_place_emails_every_registrant_once_with_old_beside_new_and_a_higher_SEQUENCE()
    {
        await using var app = await Informed.StartAsync(azurite);
        var definition = Seed.Lecture(capacity: 2, waitlist: true);
        var lecture = await app.CreateAsync(definition);
        var zh = await app.SignUpAsync(lecture.Id, "王磊", "wanglei@example.cn");
        var en = await app.SignUpAsync(lecture.Id, "Anna Smith", "anna@example.com", "en");
        var waiting = await app.SignUpAsync(lecture.Id, "李莹晖", "liyinghui@example.com");
        Assert.Equal(RegistrationStatus.Waitlisted, waiting.Status);

        // The organiser moves the lecture an hour later and to another hall.
        definition["start"] = Seed.Local(lecture.Start.AddHours(1));
        definition["end"] = Seed.Local(lecture.End.AddHours(1));
        definition["venue"] = "社区文化活动中心三楼报告厅";
        var changed = await app.UpdateAsync(lecture.Id, definition);
        Assert.Equal(1, changed.CalendarSequence);

        Assert.Empty(await app.DeliverAllAsync());
        var mails = app.Mails("change");
        Assert.Equal(3, mails.Count);
        Assert.Equal(new[] { en.RegistrationId, waiting.RegistrationId, zh.RegistrationId }.Order(), mails.Select(m => m.RegistrationId).Order());

        var chinese = mails.Single(m => m.RegistrationId == zh.RegistrationId);
        Assert.Equal("活动变更：上海供水的过去、现在和未来", chinese.Subject);
        Assert.Contains("社区文化活动中心多功能厅", chinese.Html); // was
        Assert.Contains("社区文化活动中心三楼报告厅", chinese.Html); // now
        Assert.Contains($"地点: 原为 社区文化活动中心多功能厅 → 现为 社区文化活动中心三楼报告厅", chinese.Plain);
        Assert.Contains(UiText.Chinese.FormatDateTime(lecture.Start.AddHours(1)), chinese.Plain);
        var entry = chinese.Calendar();
        Assert.Equal("PUBLISH", entry.Method);
        Assert.Equal($"{lecture.Id}-{zh.RegistrationId}@eventfunctions", entry.Uid); // the confirmation's UID
        Assert.Equal(1, entry.Sequence);
        Assert.Equal(lecture.Start.AddHours(1).DateTime, entry.Start);

        var english = mails.Single(m => m.RegistrationId == en.RegistrationId);
        Assert.StartsWith("Change to: ", english.Subject);
        Assert.Contains("Venue: Was 社区文化活动中心多功能厅 → Now 社区文化活动中心三楼报告厅", english.Plain);

        // The waitlisted person is told too, without a calendar entry they never had.
        Assert.Empty(mails.Single(m => m.RegistrationId == waiting.RegistrationId).Attachments);

        // Delivered again (at-least-once), swept again: nothing more.
        Assert.Equal(0, (await app.SweepAsync()).Notices);
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, (await app.SweepAsync()).Notices);
        Assert.Equal(3, app.Mails("change").Count);
        Assert.All(await app.RowsAsync(lecture.Id), r => Assert.Equal(1, r.NoticeSentVersion));
    }

    [Fact]
    public async Task A_notice_that_could_not_be_delivered_counts_as_not_delivered_on_the_event_and_shows_on_its_line()
    {
        await using var app = await Informed.StartAsync(azurite);
        var definition = Seed.Lecture(capacity: 5);
        var lecture = await app.CreateAsync(definition);
        await app.SignUpAsync(lecture.Id, "王磊", "wanglei@example.cn");
        var refused = await app.SignUpAsync(lecture.Id, "李莹晖", "refused@example.cn");
        foreach (var r in await app.RowsAsync(lecture.Id))
            await app.Get<Shared.Confirmations.ConfirmationSender>().SendAsync(new Shared.Confirmations.ConfirmationMessage(lecture.Id, r.RowKey), default);
        var queries = app.Get<Shared.Console.ConsoleQueries>();
        Assert.Equal(0, (await queries.TallyAsync(lecture.Id, default))!.EmailsNotDelivered); // both confirmations went out

        app.SendGrid.FailFor("refused@example.cn", 400); // SendGrid refuses this address for good
        definition["venue"] = "社区文化活动中心三楼报告厅";
        await app.UpdateAsync(lecture.Id, definition);
        Assert.Empty(await app.DeliverAllAsync());
        Assert.Single(app.Mails("change"));

        // Not only confirmations: the notice that failed is counted, within the delivery, not after the sweep gives up.
        Assert.Equal(1, (await queries.TallyAsync(lecture.Id, default))!.EmailsNotDelivered);
        var row = (await app.Get<Shared.Storage.EventStore>().TableAsync(default)).GetEntity<RegistrationEntity>(lecture.Id,
            (await app.RowsAsync(lecture.Id)).Single(r => r.RegistrationId == refused.RegistrationId).RowKey).Value;
        Assert.Equal("bad", Shared.Console.ConsoleFormat.Email(row).Css);
    }

    [Fact]
    public async Task A_walk_in_gets_no_change_or_cancellation_notice_and_does_not_keep_them_from_the_people_registered()
    {
        await using var app = await Informed.StartAsync(azurite);
        var definition = Seed.Lecture(capacity: 1, waitlist: true);
        var lecture = await app.CreateAsync(definition);
        var seated = await app.SignUpAsync(lecture.Id, "王磊", "wanglei@example.cn");
        var waiting = await app.SignUpAsync(lecture.Id, "李莹晖", "liyinghui@example.com");
        // Added at the door (a row in the event's partition, no email, not a registration).
        Assert.IsType<CheckInOutcome.CheckedIn>(await app.Get<AttendanceService>().AddWalkInAsync(lecture.Id, "散客", "北外滩商会", "door:test", "WALK0001", UiText.Chinese, default));

        definition["venue"] = "社区文化活动中心三楼报告厅";
        await app.UpdateAsync(lecture.Id, definition);
        Assert.Empty(await app.DeliverAllAsync());
        Assert.Equal(new[] { seated.RegistrationId, waiting.RegistrationId }.Order(), app.Mails("change").Select(m => m.RegistrationId).Order());
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, (await app.SweepAsync()).Notices); // nothing left owed, the walk-in included

        Assert.IsType<EventOutcome.Ok>(await app.Get<EventService>().CancelEventAsync(lecture.Id, default));
        Assert.Empty(await app.DeliverAllAsync());
        Assert.Equal(new[] { seated.RegistrationId, waiting.RegistrationId }.Order(), app.Mails("cancellation").Select(m => m.RegistrationId).Order());
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, (await app.SweepAsync()).Notices);
    }

    [Fact]
    public async Task Editing_only_the_description_or_capacity_sends_nothing_and_keeps_the_SEQUENCE()
    {
        await using var app = await Informed.StartAsync(azurite);
        var definition = Seed.Lecture();
        var lecture = await app.CreateAsync(definition);
        await app.SignUpAsync(lecture.Id, "王磊", "wanglei@example.cn");
        definition["description"] = "新增：讲座后参观水质检测实验室。";
        definition["capacity"] = 300;
        var updated = await app.UpdateAsync(lecture.Id, definition);
        Assert.Equal(0, updated.CalendarSequence);
        Assert.Empty(await app.DrainAsync());
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, (await app.SweepAsync()).Notices);
        Assert.Empty(app.Mails("change"));
    }

    [Fact]
    public async Task Two_changes_in_quick_succession_send_the_latest_state_and_never_a_stale_one_after_a_fresh_one()
    {
        await using var app = await Informed.StartAsync(azurite);
        var definition = Seed.Lecture();
        var lecture = await app.CreateAsync(definition);
        var early = await app.SignUpAsync(lecture.Id, "王磊", "wanglei@example.cn");
        var late = await app.SignUpAsync(lecture.Id, "李莹晖", "liyinghui@example.com");

        // First change: only the first person's email goes out before the second change lands.
        definition["venue"] = "二楼会议室";
        await app.UpdateAsync(lecture.Id, definition);
        var fanOut1 = Assert.Single(await app.DrainAsync());
        await app.Deliver(fanOut1);
        var batch1 = Assert.Single(await app.DrainAsync());
        var earlyKey = (await app.RowsAsync(lecture.Id)).Single(r => r.RegistrationId == early.RegistrationId).RowKey;
        await app.Deliver(JsonSerializer.Serialize(new NotificationMessage(NotificationKinds.Notice, lecture.Id, 1, [earlyKey]), Json.Options));

        app.Clock.Advance(TimeSpan.FromSeconds(40));
        definition["venue"] = "三楼报告厅";
        var second = await app.UpdateAsync(lecture.Id, definition);
        Assert.Equal(2, second.CalendarSequence);

        // The first change's batch arrives late, after the second change: it carries the latest state.
        await app.Deliver(batch1);
        Assert.Empty(await app.DeliverAllAsync());
        await app.Deliver(batch1); // and again: nothing

        var earlyMails = app.Mails("change").Where(m => m.RegistrationId == early.RegistrationId).OrderBy(m => m.NoticeVersion).ToList();
        Assert.Equal(2, earlyMails.Count); // one per change they had not been told
        Assert.Contains("多功能厅 → 现为 二楼会议室", earlyMails[0].Plain);
        Assert.Contains("二楼会议室 → 现为 三楼报告厅", earlyMails[1].Plain);
        Assert.Equal(2, earlyMails[1].Calendar().Sequence);

        var lateMail = Assert.Single(app.Mails("change"), m => m.RegistrationId == late.RegistrationId);
        Assert.Contains("多功能厅 → 现为 三楼报告厅", lateMail.Plain); // straight from what they knew to the latest
        Assert.Equal(2, lateMail.Calendar().Sequence);
        Assert.Equal(2, lateMail.NoticeVersion);
    }

    [Fact]
    public async Task A_change_whose_queue_message_is_lost_is_sent_by_the_sweep_and_a_person_who_signed_up_after_it_is_not_told()
    {
        await using var app = await Informed.StartAsync(azurite);
        var definition = Seed.Lecture();
        var lecture = await app.CreateAsync(definition);
        var before = await app.SignUpAsync(lecture.Id, "王磊", "wanglei@example.cn");
        definition["start"] = Seed.Local(lecture.Start.AddDays(1));
        definition["end"] = Seed.Local(lecture.End.AddDays(1));
        await app.UpdateAsync(lecture.Id, definition);
        await app.DrainAsync(); // the fan-out message is lost

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var after = await app.SignUpAsync(lecture.Id, "李莹晖", "liyinghui@example.com");
        Assert.Equal(0, (await app.SweepAsync()).Notices); // not yet: the fan-out may still be on its way
        app.Clock.Advance(app.Get<Microsoft.Extensions.Options.IOptions<EventFunctionsOptions>>().Value.RequeueAfter);
        Assert.Equal(1, (await app.SweepAsync()).Notices);
        Assert.Empty(await app.DeliverAllAsync());
        Assert.Equal([before.RegistrationId], app.Mails("change").Select(m => m.RegistrationId));
        Assert.DoesNotContain(app.Mails(), m => m.RegistrationId == after.RegistrationId);
    }

    [Fact]
    public async Task Cancelling_a_500_person_event_sends_exactly_one_cancellation_each_despite_a_redelivered_batch_and_a_crashed_sender()
    {
        await using var app = await Informed.StartAsync(azurite);
        var lecture = await app.CreateAsync(Seed.Lecture(capacity: 450, waitlist: true));
        var people = await Task.WhenAll(Enumerable.Range(0, 500).Select(i =>
            app.SignUpAsync(lecture.Id, $"参会者{i}", $"p{i}@example.cn", i % 5 == 0 ? "en" : "zh-CN")));
        Assert.Equal(450, people.Count(p => p.Status == RegistrationStatus.Confirmed));

        var cancelled = Assert.IsType<EventOutcome.Ok>(await app.Get<EventService>().CancelEventAsync(lecture.Id, default)).Event;
        Assert.Equal("cancelled", cancelled.SignUpStatus);
        Assert.Equal(1, cancelled.CalendarSequence);

        // The request only recorded it: one fan-out message, which splits the work into batches.
        var fanOut = Assert.Single(await app.DrainAsync());
        await app.Deliver(fanOut);
        var batches = await app.DrainAsync();
        Assert.Equal(500 / NotificationQueue.BatchSize, batches.Count);

        // A second instance takes the first batch and dies mid-send (its SendGrid never answers).
        await using var deadSendGrid = await FakeSendGrid.StartAsync();
        var gate = deadSendGrid.Hold();
        await using var dead = await Informed.StartAsync(azurite, sameStorageAs: app, sendGrid: deadSendGrid);
        using var killed = new CancellationTokenSource();
        var dying = dead.Deliver(batches[0], killed.Token);
        await RunningHost.Eventually(() => Task.FromResult(deadSendGrid.Requests >= 1), "the dead instance is mid-send");

        // Its message comes back (visibility timeout) to the live instance with all the others, and one is delivered twice.
        var failed = new List<string>();
        foreach (var message in batches.Append(batches[1]))
        {
            try { await app.Deliver(message); }
            catch (TransientEmailException) { failed.Add(message); }
        }

        Assert.Equal([batches[0]], failed); // held by the dead instance's claim
        Assert.True(app.Mails("cancellation").Count >= 500 - NotificationQueue.BatchSize);

        // The claim runs out; the message's next delivery finishes the batch.
        app.Clock.Advance(EmailOutbox.ClaimDuration + TimeSpan.FromSeconds(1));
        await app.Deliver(batches[0]);
        await app.Deliver(batches[0]);

        var mails = app.Mails("cancellation");
        Assert.Equal(500, mails.Count);
        Assert.Equal(500, mails.Select(m => m.RegistrationId).Distinct().Count());
        Assert.Empty(app.Mails("change"));
        var english = mails.First(m => m.Subject.StartsWith("Cancelled: "));
        Assert.Contains("has been cancelled", english.Plain);
        Assert.Contains("(Shanghai time)", english.Plain); // a visitor from abroad must not read it as their own clock
        Assert.Contains("(Shanghai time)", english.Html);
        // The footer offers only what is still possible: deleting the data, not cancelling a registration.
        var chinese = mails.First(m => !m.Subject.StartsWith("Cancelled: "));
        foreach (var mail in new[] { english, chinese })
        {
            Assert.DoesNotContain(UiText.ForCode(mail == english ? "en" : "zh-CN").ManageLink, mail.Plain + mail.Html);
            Assert.Contains(UiText.ForCode(mail == english ? "en" : "zh-CN").DeleteDataLink, mail.Plain + mail.Html);
        }
        var confirmedMail = mails.First(m => m.Attachments.Count > 0);
        var entry = confirmedMail.Calendar();
        Assert.Equal("CANCEL", entry.Method);
        Assert.Equal(1, entry.Sequence);
        Assert.Equal(CalendarFile.CancelContentType, confirmedMail.Attachments[0].Type);
        Assert.Equal(50, mails.Count(m => m.Attachments.Count == 0)); // the waitlisted had no calendar entry to remove
        Assert.All(await app.RowsAsync(lecture.Id), r => Assert.Equal(1, r.NoticeSentVersion));

        // The sign-up page says it was cancelled, and nobody can sign up.
        var page = Results.Html(await new Functions.Participants.SignUpForm(app.Get<Shared.Http.SignUpApi>()).Show(Requests.Get($"/api/signup/{lecture.Id}"), lecture.Id, default)).Html;
        Assert.Contains(UiText.Chinese.EventCancelled, page);
        Assert.DoesNotContain("<form", page);

        // Cancelling again changes nothing and sends nothing.
        await app.Get<EventService>().CancelEventAsync(lecture.Id, default);
        Assert.Empty(await app.DrainAsync());

        // Clean up the dead instance: its send is aborted (it never reached the live SendGrid).
        killed.Cancel();
        gate.SetResult();
        await Assert.ThrowsAnyAsync<Exception>(() => dying);
        Assert.Equal(500, app.Mails("cancellation").Count);
    }

    [Fact]
    public async Task On_the_running_host_a_PUT_that_moves_the_event_returns_at_once_and_the_queue_brings_the_notice()
    {
        await using var host = await RunningHost.StartAsync(azurite);
        var definition = Seed.Lecture();
        var created = await host.CreateEventAsync(definition);
        var eventId = created.GetProperty("id").GetString()!;
        using (var signUp = await host.Http.PostAsJsonAsync($"/api/events/{eventId}/registrations", Seed.Person("王磊", "wanglei@example.cn", null)))
        {
            Assert.Equal(System.Net.HttpStatusCode.Created, signUp.StatusCode);
        }

        definition["venue"] = "社区文化活动中心三楼报告厅";
        using var put = await host.Http.PutAsJsonAsync($"/api/events/{eventId}", definition);
        Assert.Equal(System.Net.HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(1, (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("calendarSequence").GetInt32());

        await RunningHost.Eventually(() => Task.FromResult(host.SendGrid.Mails.Select(Mail.From).Any(m => m.Notice == "change")), "the change notice is sent through the notifications queue");
        var notice = Assert.Single(host.SendGrid.Mails.Select(Mail.From), m => m.Notice == "change");
        Assert.Equal(1, notice.Calendar().Sequence);
        Assert.Contains("社区文化活动中心三楼报告厅", notice.Plain);
    }

    [Fact]
    public async Task An_edit_of_a_cancelled_event_keeps_it_cancelled()
    {
        await using var app = await Informed.StartAsync(azurite);
        var definition = Seed.Lecture();
        var lecture = await app.CreateAsync(definition);
        await app.Get<EventService>().CancelEventAsync(lecture.Id, default);
        definition["description"] = "改期另行通知";
        var edited = await app.UpdateAsync(lecture.Id, definition);
        Assert.Equal("cancelled", edited.SignUpStatus);
    }
}
