using Azure.Data.Tables;
using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>
/// One queue message per ledger commit, naming every registration it owes an email: each is still emailed
/// exactly once, one failing does not hold back or resend the others, and messages in the old
/// single-registration format (queued before a deploy) are still handled.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class ConfirmationBatchTests(AzuriteFixture azurite)
{
    private static async Task<List<RegistrationView>> SignUpAtOnceAsync(TestApp app, string eventId, int count)
    {
        using var go = new ManualResetEventSlim(false);
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            go.Wait();
            var result = await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person($"参与者{i}", $"person{i}@example.cn", null)), eventId, default);
            return Results.Object<RegistrationView>(result).Value;
        })).ToList();
        go.Set();
        return [.. await Task.WhenAll(tasks)];
    }

    /// <summary>A batch message for these people's registrations, as the ledger writes it.</summary>
    private static async Task<string> BatchMessageAsync(TestApp app, string eventId)
    {
        var keys = (await app.RegistrationsAsync(eventId)).Select(r => r.RowKey).ToList();
        Assert.True(keys.Count > 1);
        return ConfirmationQueue.Format(eventId, keys);
    }

    [Fact]
    public async Task A_rush_is_queued_as_fewer_messages_than_sign_ups_each_naming_its_registrations_once()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 150));
        await SignUpAtOnceAsync(app, lecture.Id, 100);

        var messages = await app.DrainQueueAsync();
        var named = messages.SelectMany(m => ConfirmationQueue.ParseAll(m)!).ToList();
        var rows = await app.RegistrationsAsync(lecture.Id);
        Assert.Equal(rows.Select(r => r.RowKey).Order(), named.Select(n => n.RegistrationKey).Order()); // each once, none missing
        Assert.True(messages.Count < rows.Count, $"{messages.Count} messages for {rows.Count} sign-ups");
        Assert.Contains(messages, m => m.Contains("\"registrationKeys\"", StringComparison.Ordinal));
        Assert.All(messages, m => Assert.DoesNotContain("example.cn", m)); // keys only, no personal data
    }

    [Fact]
    public async Task A_batch_message_emails_each_registration_once_and_a_redelivery_sends_nothing_more()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 5, waitlist: true));
        var views = await SignUpAtOnceAsync(app, lecture.Id, 12);
        await app.DrainQueueAsync();
        var batch = await BatchMessageAsync(app, lecture.Id);

        await app.SendConfirmation.Run(batch, default);
        await app.SendConfirmation.Run(batch, default); // delivered again (at-least-once)
        await Task.WhenAll(app.SendConfirmation.Run(batch, default), app.SendConfirmation.Run(batch, default)); // and twice at once

        Assert.Empty(await app.DrainQueueAsync());
        Assert.All(views, v => Assert.Single(app.SendGrid!.MailsFor(v.RegistrationId)));
        Assert.Equal(12, app.SendGrid!.Mails.Count);
        Assert.All(await app.RegistrationsAsync(lecture.Id), r => Assert.False(r.EmailPending));

        // Waitlist positions in the emails are the ones counted from the table: 1 to 7, each once.
        var positions = views.Where(v => v.Status == RegistrationStatus.Waitlisted)
            .Select(v => app.SendGrid.Mails.Single(m => m.RootElement.GetProperty("personalizations")[0].GetProperty("custom_args").GetProperty("registrationId").GetString() == v.RegistrationId))
            .Select(m => Enumerable.Range(1, 7).Single(p => EndToEndTests.Content(m.RootElement, "text/html").Contains($"第 {p} 位")))
            .Order();
        Assert.Equal(Enumerable.Range(1, 7), positions);
    }

    [Fact]
    public async Task A_failed_email_in_a_batch_goes_back_on_its_own_and_the_others_are_not_sent_again()
    {
        // One email at a time, so the failures below fall on the first ones rather than spread over retries.
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, settings: new() { ["EventFunctions:ConfirmationParallelism"] = "1" });
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 50));
        var views = await SignUpAtOnceAsync(app, lecture.Id, 10);
        await app.DrainQueueAsync();
        var batch = await BatchMessageAsync(app, lecture.Id);

        app.SendGrid!.FailNext(500, count: 6); // SendGrid down for a moment: two emails' worth of attempts, with its client's own retries
        await app.SendConfirmation.Run(batch, default); // does not throw: the batch is done, its failures are queued again

        var sent = views.Where(v => app.SendGrid.MailsFor(v.RegistrationId).Count == 1).Select(v => v.RegistrationId).ToHashSet();
        var retries = (await app.DrainQueueAsync()).Select(m => ConfirmationQueue.Parse(m)).ToList();
        Assert.All(retries, Assert.NotNull); // each on its own, in the single-registration format
        Assert.InRange(retries.Count, 1, 6);
        Assert.Equal(10, sent.Count + retries.Count);
        var rows = await app.RegistrationsAsync(lecture.Id);
        Assert.Equal(rows.Where(r => !sent.Contains(r.RegistrationId)).Select(r => r.RowKey).Order(), retries.Select(r => r!.RegistrationKey).Order());

        // The retries send the rest; the whole batch again sends nothing twice.
        foreach (var r in retries) await app.SendConfirmation.Run(ConfirmationQueue.Format(r!.EventId, [r.RegistrationKey]), default);
        await app.SendConfirmation.Run(batch, default);
        Assert.All(views, v => Assert.Single(app.SendGrid.MailsFor(v.RegistrationId)));
        Assert.Empty(await app.DrainQueueAsync());
    }

    [Fact]
    public async Task A_registration_held_by_another_delivery_does_not_hold_back_the_rest_of_its_batch()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 50));
        var views = await SignUpAtOnceAsync(app, lecture.Id, 6);
        await app.DrainQueueAsync();
        var batch = await BatchMessageAsync(app, lecture.Id);

        // Another delivery is sending one of them right now (its claim on the row).
        var table = await app.TableAsync();
        var held = (await app.RegistrationsAsync(lecture.Id)).First();
        await table.UpdateEntityAsync(new TableEntity(held.PartitionKey, held.RowKey) { [nameof(RegistrationEntity.EmailClaimUntil)] = DateTimeOffset.UtcNow.AddSeconds(45) },
            held.ETag, TableUpdateMode.Merge);

        await app.SendConfirmation.Run(batch, default);
        Assert.Equal(5, app.SendGrid!.Mails.Count);
        Assert.Empty(app.SendGrid.MailsFor(held.RegistrationId));
        var retry = Assert.Single(await app.DrainQueueAsync());
        Assert.Equal(held.RowKey, ConfirmationQueue.Parse(retry)!.RegistrationKey);

        // While the claim lasts the retry comes back again (never dropped); once it is released, one email.
        await Assert.ThrowsAsync<TransientEmailException>(() => app.SendConfirmation.Run(retry, default));
        var now = (await table.GetEntityAsync<RegistrationEntity>(held.PartitionKey, held.RowKey)).Value;
        await table.UpdateEntityAsync(new TableEntity(held.PartitionKey, held.RowKey) { [nameof(RegistrationEntity.EmailClaimUntil)] = DateTimeOffset.UnixEpoch },
            now.ETag, TableUpdateMode.Merge);
        await app.SendConfirmation.Run(retry, default);
        await app.SendConfirmation.Run(batch, default);
        Assert.All(views, v => Assert.Single(app.SendGrid.MailsFor(v.RegistrationId)));
    }

    [Fact]
    public async Task A_single_registration_message_from_before_the_batch_format_is_still_handled()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        var view = (await SignUpAtOnceAsync(app, lecture.Id, 1)).Single();
        var queued = Assert.Single(await app.DrainQueueAsync());
        var row = Assert.Single(await app.RegistrationsAsync(lecture.Id));

        // Written by the version before batch messages, byte for byte; and what one key is still written as.
        var old = $$"""{"eventId":"{{lecture.Id}}","registrationKey":"{{row.RowKey}}"}""";
        Assert.Equal(old, queued);
        await app.SendConfirmation.Run(old, default);
        await app.SendConfirmation.Run(old, default);
        Assert.Single(app.SendGrid!.MailsFor(view.RegistrationId));
    }

    [Theory]
    [InlineData("""{"eventId":"abc","registrationKeys":[]}""")]
    [InlineData("""{"eventId":"abc","registrationKeys":["reg-1",""]}""")]
    [InlineData("""{"eventId":"abc","registrationKey":"reg-1","registrationKeys":["reg-2"]}""")]
    [InlineData("""{"registrationKeys":["reg-1","reg-2"]}""")]
    public async Task A_malformed_batch_message_throws_so_it_ends_in_the_poison_queue(string message)
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        await Assert.ThrowsAsync<FormatException>(() => app.SendConfirmation.Run(message, default));
    }

    [Fact]
    public async Task A_promotion_while_its_waitlist_email_is_with_SendGrid_in_a_batch_still_gets_its_own_email()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, clock: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow));
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 1, waitlist: true));
        var views = new List<RegistrationView>();
        foreach (var (name, email) in new[] { ("王磊", "wanglei@example.cn"), ("李莹晖", "liyinghui@example.com"), ("张伟", "zhangwei@example.cn") })
        {
            views.Add(Results.Object<RegistrationView>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person(name, email, null)), lecture.Id, default)).Value);
        }

        await app.DrainQueueAsync();
        var first = (await app.RegistrationsAsync(lecture.Id)).Single(r => r.Status == RegistrationStatus.Confirmed);
        await app.SendConfirmation.Run(ConfirmationQueue.Format(lecture.Id, [first.RowKey]), default);
        var waiting = (await app.RegistrationsAsync(lecture.Id)).Where(r => r.Status == RegistrationStatus.Waitlisted).OrderBy(r => r.Sequence).ToList();

        // Both waitlist emails are with SendGrid (held) when the seat frees up and the first in line is promoted.
        var gate = app.SendGrid!.Hold();
        var before = app.SendGrid.Requests;
        var batch = Task.Run(() => app.SendConfirmation.Run(ConfirmationQueue.Format(lecture.Id, waiting.Select(w => w.RowKey).ToList()), default));
        await app.SendGrid.RequestsReachedAsync(before + 2);
        Assert.IsType<CancelOutcome.Cancelled>(await app.Get<RegistrationService>().CancelAsync(lecture.Id, first.RegistrationId, TestTokens.Manage(first), default));
        gate.SetResult();
        await batch;

        // The promoted person was sent the waitlist email and, after it, the promotion: the record of the first
        // (read afresh, the row having moved on) left the second owed, and the batch went round for it.
        Assert.Equal([(RegistrationStatus.Confirmed, 2), (RegistrationStatus.Waitlisted, 1)], app.SendGrid.MailsFor(waiting[0].RegistrationId).Order());
        var promoted = (await app.RegistrationsAsync(lecture.Id)).Single(r => r.RegistrationId == waiting[0].RegistrationId);
        Assert.Equal((false, 2), (promoted.EmailPending, promoted.EmailSentVersion));
        Assert.Equal([(RegistrationStatus.Waitlisted, 1)], app.SendGrid.MailsFor(waiting[1].RegistrationId));
    }

    [Fact]
    public async Task A_batch_sends_nothing_to_a_mailbox_over_its_daily_cap_and_everything_else()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, settings: new() { ["EventFunctions:Email:MaxPerRecipientPerDay"] = "1" });
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 20));
        await SignUpAtOnceAsync(app, lecture.Id, 6); // person0..5@example.cn
        await app.DrainQueueAsync();
        Assert.True(await app.Get<RecipientCaps>().TakeAsync("person3@example.cn", default)); // already sent one today, elsewhere

        await app.SendConfirmation.Run(await BatchMessageAsync(app, lecture.Id), default);

        var rows = await app.RegistrationsAsync(lecture.Id);
        Assert.Equal(5, app.SendGrid!.Count);
        var capped = Assert.Single(rows, r => r.Email == "person3@example.cn");
        Assert.StartsWith("429: daily email limit", capped.EmailError);
        Assert.All(rows, r => Assert.False(r.EmailPending));
    }
}
