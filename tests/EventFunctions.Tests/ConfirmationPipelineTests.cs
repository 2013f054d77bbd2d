using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Web;
using EventFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EventFunctions.Tests;

/// <summary>
/// A batch message's rows are read by partition queries, claimed and recorded in transactions: far fewer storage
/// requests per email, and still exactly one email per registration state when rows change, vanish or are held
/// between the read, the claim, the send and the record. The storage requests are counted (and interleavings
/// injected) by a policy on the sender's own table client; the interleaved changes are made through the app.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class ConfirmationPipelineTests(AzuriteFixture azurite)
{
    /// <summary>Sees every table request the sender makes (each try), and can act just before a transaction goes out.</summary>
    private sealed class StorageSpy(string tableName) : HttpPipelinePolicy
    {
        public ConcurrentQueue<string> Requests { get; } = new();
        /// <summary>Queries for an event's waitlist (each a partition scan, on the service as on Azurite).</summary>
        public int WaitlistScans => Volatile.Read(ref _waitlistScans);
        private int _waitlistScans;

        /// <summary>Called with the (decoded) body of each entity-group transaction before it is sent.</summary>
        public Func<string, Task>? BeforeTransaction { get; set; }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var uri = Uri.UnescapeDataString(message.Request.Uri.ToString());
            var path = new Uri(uri).AbsolutePath;
            if (path.Contains("/$batch", StringComparison.Ordinal))
            {
                using var body = new MemoryStream();
                await message.Request.Content!.WriteToAsync(body, message.CancellationToken);
                var text = Uri.UnescapeDataString(System.Text.Encoding.UTF8.GetString(body.ToArray()));
                Requests.Enqueue(text.Contains(nameof(RegistrationEntity.EmailSentVersion), StringComparison.Ordinal) ? "record" : "claim");
                if (BeforeTransaction is { } hook) await hook(text);
            }
            else if (uri.Contains(tableName, StringComparison.Ordinal))
            {
                if (uri.Contains($"Status eq '{RegistrationStatus.Waitlisted}'", StringComparison.Ordinal)) Interlocked.Increment(ref _waitlistScans);
                var pointRead = Regex.Match(uri, @"RowKey='(reg-[^']+)'");
                Requests.Enqueue(message.Request.Method == RequestMethod.Get
                    ? pointRead.Success ? "read " + pointRead.Groups[1].Value : uri.Contains("$filter", StringComparison.Ordinal) ? "query" : "read event"
                    : message.Request.Method.ToString() + " " + (pointRead.Success ? pointRead.Groups[1].Value : ""));
            }

            await ProcessNextAsync(message, pipeline);
        }

        public int Count(string kind) => Requests.Count(r => r == kind);
        public List<string> PointReads => Requests.Where(r => r.StartsWith("read reg-", StringComparison.Ordinal)).Select(r => r[5..]).ToList();
        public int Writes => Requests.Count(r => r.StartsWith("PATCH", StringComparison.Ordinal) || r.StartsWith("MERGE", StringComparison.Ordinal) || r.StartsWith("PUT", StringComparison.Ordinal));
    }

    /// <summary>A sender like the app's (a second instance, as far as storage can tell), over a table client the spy sees.</summary>
    private ConfirmationSender SpiedSender(TestApp app, StorageSpy spy)
    {
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(spy, HttpPipelinePosition.PerRetry);
        var options = app.Get<IOptions<EventFunctionsOptions>>();
        var store = new EventStore(new TableServiceClient(azurite.ConnectionString, tableOptions), app.Get<QueueServiceClient>(), options);
        var outbox = new EmailOutbox(app.Get<IEmailTransport>(), app.Get<RecipientCaps>(), app.Get<TimeProvider>(), options, app.Get<ILogger<EmailOutbox>>());
        return new ConfirmationSender(store, app.Get<ConfirmationQueue>(), outbox, app.Get<EventFunctions.Shared.Security.IdentifierKeys>(), app.Get<EventFunctions.Shared.Http.Links>(), app.Get<PageRenderer>(), app.Get<EventFunctions.Shared.Notifications.NoticeComposer>(), app.Get<EventFunctions.Shared.Units.UnitMail>(), app.Get<TimeProvider>(),
            options, app.Get<ILogger<ConfirmationSender>>());
    }

    private static async Task<List<RegistrationView>> SignUpAsync(TestApp app, string eventId, int count)
    {
        var views = new List<RegistrationView>();
        // A few at a time, as a rush arrives; the ledger queues their emails in commits.
        foreach (var group in Enumerable.Range(0, count).Chunk(10))
        {
            views.AddRange(await Task.WhenAll(group.Select(async i =>
            {
                var result = await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person($"参与者{i}", $"person{i}@example.cn", null)), eventId, default);
                return Results.Object<RegistrationView>(result).Value;
            })));
        }

        return views;
    }

    private static async Task<string> BatchMessageAsync(TestApp app, string eventId) =>
        ConfirmationQueue.Format(eventId, (await app.RegistrationsAsync(eventId)).Select(r => r.RowKey).ToList());

    private static void AssertAllRecorded(IEnumerable<RegistrationEntity> rows)
    {
        Assert.All(rows, r =>
        {
            Assert.False(r.EmailPending, r.RegistrationId);
            Assert.Equal(r.StateVersion, r.EmailSentVersion);
            Assert.True(r.EmailClaimUntil <= DateTimeOffset.UtcNow, "claim released");
        });
    }

    [Fact]
    public async Task Batches_after_one_commit_read_the_waitlist_once_and_a_later_commit_is_never_counted_from_an_older_list()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var definition = Seed.Lecture(capacity: 1);
        definition["waitlistLimit"] = 10;
        var lecture = await app.CreateEventAsync(definition);
        await SignUpAsync(app, lecture.Id, 5); // one seat, four waiting
        await app.DrainQueueAsync();
        var spy = new StorageSpy(app.TableName);
        var sender = SpiedSender(app, spy);
        var waiting = (await app.RegistrationsAsync(lecture.Id)).Where(r => r.Status == RegistrationStatus.Waitlisted).OrderBy(r => r.Sequence).ToList();
        int Told(string registrationId) => int.Parse(Regex.Match(app.SendGrid!.Mails.Select(Mail.From).Last(m => m.RegistrationId == registrationId).Html, @"候补第 (\d+) 位").Groups[1].Value);

        // Two messages of the same commit state: one scan of the waitlist between them, positions exact.
        await sender.HandleAsync(ConfirmationQueue.Format(lecture.Id, [waiting[0].RowKey, waiting[1].RowKey]), default);
        await sender.HandleAsync(ConfirmationQueue.Format(lecture.Id, [waiting[2].RowKey, waiting[3].RowKey]), default);
        Assert.Equal(1, spy.WaitlistScans);
        Assert.Equal([1, 2, 3, 4], waiting.Select(w => Told(w.RegistrationId)));

        // The seated person cancels (the first waiting is promoted) and someone new joins the end: a new version of the
        // event, so the list is read again and the newcomer is told 4th, not 5th.
        var seated = (await app.RegistrationsAsync(lecture.Id)).Single(r => r.Status == RegistrationStatus.Confirmed);
        Assert.IsType<CancelOutcome.Cancelled>(await app.Get<RegistrationService>().CancelAsync(lecture.Id, seated.RegistrationId, TestTokens.Manage(seated), default));
        var late = Results.Object<RegistrationView>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person("后来者", "late@example.cn", null)), lecture.Id, default)).Value;
        await app.DrainQueueAsync();
        var newcomer = (await app.RegistrationsAsync(lecture.Id)).Single(r => r.RegistrationId == late.RegistrationId);
        await sender.HandleAsync(ConfirmationQueue.Format(lecture.Id, [waiting[0].RowKey, newcomer.RowKey]), default);
        Assert.Equal(2, spy.WaitlistScans);
        Assert.Equal(4, Told(newcomer.RegistrationId));
    }

    [Fact]
    public async Task A_60_key_message_sends_60_emails_once_with_far_fewer_storage_requests_than_three_per_email()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 100));
        var views = await SignUpAsync(app, lecture.Id, 60);
        await app.DrainQueueAsync();
        var spy = new StorageSpy(app.TableName);
        var sender = SpiedSender(app, spy);

        await sender.HandleAsync(await BatchMessageAsync(app, lecture.Id), default);

        Assert.All(views, v => Assert.Equal([(RegistrationStatus.Confirmed, 1)], app.SendGrid!.MailsFor(v.RegistrationId)));
        Assert.Equal(60, app.SendGrid!.Mails.Count);
        AssertAllRecorded(await app.RegistrationsAsync(lecture.Id));
        Assert.Empty(await app.DrainQueueAsync());

        // Reads: five queries of at most 14 keys and the event row; no point reads, no single-row writes.
        Assert.Equal(5, spy.Count("query"));
        Assert.Equal(1, spy.Count("read event"));
        Assert.Empty(spy.PointReads);
        Assert.Equal(0, spy.Writes);
        // One claim transaction; records as sends finish, never more than the parallelism (8) unrecorded, so at
        // least 60 / 8 record transactions, and at most one per email.
        Assert.Equal(1, spy.Count("claim"));
        Assert.InRange(spy.Count("record"), 8, 60);
        var total = spy.Requests.Count;
        Assert.True(total <= 60 + 7, $"{total} storage requests for 60 emails");
        Console.WriteLine($"60 emails: {total} table requests ({spy.Count("record")} record transactions), against 180 one row at a time");

        // Delivered again: the queries find every row sent; nothing is claimed, sent or written.
        var again = new StorageSpy(app.TableName);
        await SpiedSender(app, again).HandleAsync(await BatchMessageAsync(app, lecture.Id), default);
        Assert.Equal(60, app.SendGrid.Mails.Count);
        Assert.Equal(5, again.Requests.Count);
    }

    [Fact]
    public async Task Messages_of_one_event_handled_at_once_share_their_record_transactions()
    {
        // The host hands an instance up to 16 messages at once; an event's commits each queue one. Their sends share
        // the instance's in-flight places (8), so each message alone would record one or two rows at a time: the
        // records go through one writer per event partition instead, whatever message the row came in.
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 100));
        var views = await SignUpAsync(app, lecture.Id, 60);
        await app.DrainQueueAsync();
        var spy = new StorageSpy(app.TableName);
        var sender = SpiedSender(app, spy);
        var keys = (await app.RegistrationsAsync(lecture.Id)).Select(r => r.RowKey).ToList();

        await Task.WhenAll(keys.Chunk(3).Select(chunk => sender.HandleAsync(ConfirmationQueue.Format(lecture.Id, chunk.ToList()), default)));

        Assert.All(views, v => Assert.Equal([(RegistrationStatus.Confirmed, 1)], app.SendGrid!.MailsFor(v.RegistrationId)));
        AssertAllRecorded(await app.RegistrationsAsync(lecture.Id));
        Assert.Empty(await app.DrainQueueAsync());
        Assert.Equal(20, spy.Count("claim"));
        // At least 60 / 8 (the in-flight bound), and fewer than one per message (20): records of different messages share.
        Assert.InRange(spy.Count("record"), 8, 19);
        Console.WriteLine($"20 messages of 3: {spy.Count("record")} record transactions for 60 emails");
    }

    [Fact]
    public async Task A_record_transaction_that_hangs_does_not_hold_back_the_records_of_the_next_message()
    {
        // Records share one writer per event, but a transaction stuck on stalled storage must not keep the next
        // message's sent emails unrecorded until their claims run out (then they would be sent again).
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 10));
        await SignUpAsync(app, lecture.Id, 4);
        await app.DrainQueueAsync();
        var keys = (await app.RegistrationsAsync(lecture.Id)).Select(r => r.RowKey).ToList();
        var spy = new StorageSpy(app.TableName);
        var stuck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var records = 0;
        spy.BeforeTransaction = async body =>
        {
            if (!body.Contains(nameof(RegistrationEntity.EmailSentVersion), StringComparison.Ordinal) || Interlocked.Increment(ref records) != 1) return;
            stuck.TrySetResult();
            await gate.Task; // the first record transaction hangs until the end of the test
        };
        var sender = SpiedSender(app, spy);

        var first = sender.HandleAsync(ConfirmationQueue.Format(lecture.Id, keys[..2]), default);
        await stuck.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await sender.HandleAsync(ConfirmationQueue.Format(lecture.Id, keys[2..]), default).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All((await app.RegistrationsAsync(lecture.Id)).Where(r => keys[2..].Contains(r.RowKey)),
            r => Assert.Equal(r.StateVersion, r.EmailSentVersion)); // recorded while the first message's record is still stuck
        Assert.False(first.IsCompleted);

        gate.TrySetResult();
        await first;
        AssertAllRecorded(await app.RegistrationsAsync(lecture.Id));
        Assert.Equal(4, app.SendGrid!.Mails.Count);
    }

    [Fact]
    public async Task The_same_message_delivered_twice_and_to_two_senders_at_once_emails_each_person_once()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 40, waitlist: true));
        var views = await SignUpAsync(app, lecture.Id, 60);
        await app.DrainQueueAsync();
        var message = await BatchMessageAsync(app, lecture.Id);
        var a = SpiedSender(app, new StorageSpy(app.TableName));
        var b = SpiedSender(app, new StorageSpy(app.TableName));

        await Task.WhenAll(Task.Run(() => a.HandleAsync(message, default)), Task.Run(() => b.HandleAsync(message, default)));
        await a.HandleAsync(message, default);

        // What one sender found held by the other came back on its own; delivered, it finds the email sent.
        for (var rounds = 0; rounds < 3; rounds++)
        {
            var retries = await app.DrainQueueAsync();
            if (retries.Count == 0) break;
            Assert.All(retries, r => Assert.NotNull(ConfirmationQueue.Parse(r)));
            foreach (var r in retries) await a.HandleAsync(r, default);
        }

        Assert.Empty(await app.DrainQueueAsync());
        Assert.All(views, v => Assert.Single(app.SendGrid!.MailsFor(v.RegistrationId)));
        Assert.Equal(60, app.SendGrid!.Mails.Count);
        AssertAllRecorded(await app.RegistrationsAsync(lecture.Id));
    }

    [Fact]
    public async Task A_row_promoted_and_a_row_cancelled_between_the_read_and_the_claim_get_the_newest_email_and_none()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 5, waitlist: true));
        var views = await SignUpAsync(app, lecture.Id, 12);
        await app.DrainQueueAsync();
        var rows = await app.RegistrationsAsync(lecture.Id);
        var cancelled = rows.First(r => r.Status == RegistrationStatus.Confirmed);
        var promoted = rows.Where(r => r.Status == RegistrationStatus.Waitlisted).MinBy(r => r.Sequence)!;
        var message = await BatchMessageAsync(app, lecture.Id);

        // The sender has read the rows; before its claim goes out, someone cancels, and the first waiting is promoted.
        var spy = new StorageSpy(app.TableName);
        var fired = 0;
        spy.BeforeTransaction = async body =>
        {
            if (Interlocked.Exchange(ref fired, 1) == 1) return;
            var result = await app.CancelRegistration.Delete(Requests.Get($"/x?t={TestTokens.Manage(cancelled)}"), lecture.Id, cancelled.RegistrationId, default);
            Assert.IsType<Microsoft.AspNetCore.Mvc.NoContentResult>(result);
        };
        await SpiedSender(app, spy).HandleAsync(message, default);
        await app.DeliverQueuedAsync(); // the cancellation's own message for the promotion: finds it sent

        Assert.Empty(app.SendGrid!.MailsFor(cancelled.RegistrationId));
        Assert.Equal([(RegistrationStatus.Confirmed, 2)], app.SendGrid.MailsFor(promoted.RegistrationId)); // never the stale waitlist email
        Assert.All(views.Where(v => v.RegistrationId != cancelled.RegistrationId && v.RegistrationId != promoted.RegistrationId),
            v => Assert.Single(app.SendGrid.MailsFor(v.RegistrationId)));
        Assert.Equal(11, app.SendGrid.Mails.Count);
        Assert.Contains(promoted.RowKey, spy.PointReads); // the promoted row went the per-row way
        var after = await app.RegistrationsAsync(lecture.Id);
        Assert.DoesNotContain(after, r => r.RowKey == cancelled.RowKey);
        AssertAllRecorded(after);
        Assert.Empty(await app.DrainQueueAsync());
    }

    [Fact]
    public async Task A_row_claimed_by_another_sender_after_the_read_is_not_sent_by_this_one_and_comes_back_on_its_own()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 50));
        var views = await SignUpAsync(app, lecture.Id, 20);
        await app.DrainQueueAsync();
        var table = await app.TableAsync();
        var held = (await app.RegistrationsAsync(lecture.Id))[7];
        var message = await BatchMessageAsync(app, lecture.Id);

        var spy = new StorageSpy(app.TableName);
        var fired = 0;
        spy.BeforeTransaction = async body =>
        {
            if (Interlocked.Exchange(ref fired, 1) == 1) return;
            await table.UpdateEntityAsync(new TableEntity(held.PartitionKey, held.RowKey) { [nameof(RegistrationEntity.EmailClaimUntil)] = DateTimeOffset.UtcNow.AddSeconds(45) },
                held.ETag, TableUpdateMode.Merge);
        };
        await SpiedSender(app, spy).HandleAsync(message, default);

        Assert.Empty(app.SendGrid!.MailsFor(held.RegistrationId));
        Assert.Equal(19, app.SendGrid.Mails.Count);
        var retry = Assert.Single(await app.DrainQueueAsync());
        Assert.Equal(held.RowKey, ConfirmationQueue.Parse(retry)!.RegistrationKey);
        var row = (await table.GetEntityAsync<RegistrationEntity>(held.PartitionKey, held.RowKey)).Value;
        Assert.True(row.EmailPending);
        Assert.True(row.EmailClaimUntil > DateTimeOffset.UtcNow, "the other sender's claim is left alone");

        // The other sender gives up its claim; the retry sends the one email.
        await table.UpdateEntityAsync(new TableEntity(held.PartitionKey, held.RowKey) { [nameof(RegistrationEntity.EmailClaimUntil)] = DateTimeOffset.UnixEpoch }, row.ETag, TableUpdateMode.Merge);
        await app.SendConfirmation.Run(retry, default);
        Assert.All(views, v => Assert.Single(app.SendGrid.MailsFor(v.RegistrationId)));
    }

    [Fact]
    public async Task The_recorded_send_time_is_the_apps_clock_for_a_queued_message_and_for_a_row_sent_again_on_its_own()
    {
        // Three hours behind the machine's clock, so that a time taken from the machine would show.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-3));
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, clock: clock);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 10));
        await SignUpAsync(app, lecture.Id, 3);
        await app.DrainQueueAsync();
        var late = (await app.RegistrationsAsync(lecture.Id))[0];
        app.SendGrid!.FailFor(late.Email, 503);

        // One message for all three: two sent, the third queued again on its own.
        await app.SendConfirmation.Run(await BatchMessageAsync(app, lecture.Id), default);
        var batchSent = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromMinutes(7));
        app.SendGrid.StopFailing();
        await app.DeliverQueuedAsync(); // the per-row message

        var rows = await app.RegistrationsAsync(lecture.Id);
        Assert.All(rows, r => Assert.InRange(r.EmailSentUtc!.Value - (r.RowKey == late.RowKey ? clock.GetUtcNow() : batchSent), TimeSpan.FromMilliseconds(-1), TimeSpan.FromMilliseconds(1)));
    }

    [Fact]
    public async Task SendGrid_failing_for_some_recipients_queues_those_again_each_on_its_own_and_records_the_others()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 50));
        var views = await SignUpAsync(app, lecture.Id, 30);
        await app.DrainQueueAsync();
        var rows = await app.RegistrationsAsync(lecture.Id);
        var down = rows.Take(3).ToList();
        var refused = rows[10];
        foreach (var r in down) app.SendGrid!.FailFor(r.Email, 503); // SendGrid's retries fail too
        app.SendGrid!.FailFor(refused.Email, 400); // the address itself is refused: recorded, not retried

        await SpiedSender(app, new StorageSpy(app.TableName)).HandleAsync(await BatchMessageAsync(app, lecture.Id), default);

        var retries = (await app.DrainQueueAsync()).Select(ConfirmationQueue.Parse).ToList();
        Assert.All(retries, Assert.NotNull);
        Assert.Equal(down.Select(r => r.RowKey).Order(), retries.Select(r => r!.RegistrationKey).Order());
        Assert.Equal(26, app.SendGrid.Mails.Count);
        var after = (await app.RegistrationsAsync(lecture.Id)).ToDictionary(r => r.RowKey);
        AssertAllRecorded(after.Values.Where(r => down.All(d => d.RowKey != r.RowKey)));
        Assert.StartsWith("400", after[refused.RowKey].EmailError);
        Assert.All(down, d =>
        {
            Assert.True(after[d.RowKey].EmailPending);
            Assert.Equal(0, after[d.RowKey].EmailSentVersion);
            Assert.True(after[d.RowKey].EmailClaimUntil <= DateTimeOffset.UtcNow, "claim released for the retry");
        });

        app.SendGrid.StopFailing();
        foreach (var r in retries) await app.SendConfirmation.Run(ConfirmationQueue.Format(r!.EventId, [r.RegistrationKey]), default);
        Assert.All(views.Where(v => v.RegistrationId != refused.RegistrationId), v => Assert.Single(app.SendGrid.MailsFor(v.RegistrationId)));
        Assert.Empty(app.SendGrid.MailsFor(refused.RegistrationId));
        Assert.Empty(await app.DrainQueueAsync());
    }

    [Fact]
    public async Task A_record_transaction_failing_on_a_row_changed_after_its_send_still_records_every_email_once()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 50));
        var views = await SignUpAsync(app, lecture.Id, 30);
        await app.DrainQueueAsync();
        var table = await app.TableAsync();

        // Just before the first record transaction of several rows goes out, one of its rows changes (checked in at the door).
        var spy = new StorageSpy(app.TableName);
        string? changed = null;
        var checkedIn = DateTimeOffset.UtcNow;
        spy.BeforeTransaction = async body =>
        {
            var keys = Regex.Matches(body, @"RowKey='(reg-[^']+)'").Select(m => m.Groups[1].Value).ToList();
            if (changed is not null || keys.Count < 2 || !body.Contains(nameof(RegistrationEntity.EmailSentVersion), StringComparison.Ordinal)) return;
            changed = keys.Last();
            await table.UpdateEntityAsync(new TableEntity(lecture.Id, changed) { [nameof(RegistrationEntity.CheckedInUtc)] = checkedIn }, Azure.ETag.All, TableUpdateMode.Merge);
        };
        // The first eight sends are held at SendGrid and let go together, so records queue up behind the first.
        var gate = app.SendGrid!.Hold();
        var handling = SpiedSender(app, spy).HandleAsync(await BatchMessageAsync(app, lecture.Id), default);
        await app.SendGrid.RequestsReachedAsync(8).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(8, app.SendGrid.Requests); // the parallelism: no ninth send while eight are held
        gate.SetResult();
        await handling;

        Assert.NotNull(changed);
        Assert.Contains(changed, spy.PointReads); // recorded the per-row way after its transaction failed
        Assert.All(views, v => Assert.Single(app.SendGrid!.MailsFor(v.RegistrationId)));
        Assert.Empty(await app.DrainQueueAsync());
        var after = await app.RegistrationsAsync(lecture.Id);
        AssertAllRecorded(after);
        Assert.Equal(checkedIn, after.Single(r => r.RowKey == changed).CheckedInUtc);
    }
}
