using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>
/// The per-recipient daily cap (Confirmations/RecipientCaps.cs, applied by the outbox): a mailbox is sent at most
/// Email:MaxPerRecipientPerDay emails a day for sign-ups anyone could have made with its address, across events,
/// +tags and instances; what is over it is recorded as not sent, never retried.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class RecipientCapTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_mailbox_gets_at_most_the_daily_cap_of_sign_up_emails_across_events_tags_and_instances()
    {
        var capTable = "rc" + Guid.NewGuid().ToString("N")[..16];
        var settings = new Dictionary<string, string?> { ["EventFunctions:Email:MaxPerRecipientPerDay"] = "2", ["EventFunctions:Email:RecipientCapTable"] = capTable };
        await using var a = await TestApp.StartAsync(azurite.ConnectionString, settings: settings);
        await using var b = await TestApp.StartAsync(azurite.ConnectionString, settings: new(settings) { ["EventFunctions:TableName"] = a.TableName, ["EventFunctions:ConfirmationQueue"] = a.QueueName });
        var events = new List<string>();
        for (var i = 0; i < 3; i++) events.Add((await a.CreateEventAsync(Seed.Lecture())).Id);

        // Three sign-ups naming one inbox (a script typing a stranger's address), one per event, on two instances.
        for (var i = 0; i < 3; i++)
        {
            var app = i % 2 == 0 ? a : b;
            var (status, _) = Results.Object<RegistrationView>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person("王磊", $"victim+{i}@example.cn", null)), events[i], default));
            Assert.Equal(201, status);
        }

        var messages = await a.DrainQueueAsync();
        for (var i = 0; i < messages.Count; i++) await (i % 2 == 0 ? a : b).SendConfirmation.Run(messages[i], default);

        Assert.Equal(2, a.SendGrid!.Count + b.SendGrid!.Count); // the third is not sent
        var capped = (await Task.WhenAll(events.Select(a.RegistrationsAsync))).SelectMany(r => r).Single(r => !string.IsNullOrEmpty(r.EmailError));
        Assert.StartsWith("429: daily email limit", capped.EmailError);
        Assert.False(capped.EmailPending); // recorded as done: not retried by the sweep

        // Someone else is not affected.
        var (other, _) = Results.Object<RegistrationView>(await a.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person("李莹", "li@example.cn", null)), events[0], default));
        Assert.Equal(201, other);
        await a.DeliverQueuedAsync();
        Assert.Equal(3, a.SendGrid.Count + b.SendGrid.Count);
    }

    [Fact]
    public async Task The_nightly_purge_forgets_the_counts_of_days_gone()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, settings: new() { ["EventFunctions:Email:MaxPerRecipientPerDay"] = "1" }, clock: clock);
        var caps = app.Get<RecipientCaps>();
        Assert.True(await caps.TakeAsync("wang@example.cn", default));
        Assert.False(await caps.TakeAsync("Wang+news@example.cn", default)); // the same mailbox, the same day

        clock.Advance(TimeSpan.FromDays(1));
        Assert.True(await caps.TakeAsync("wang@example.cn", default)); // a new day
        Assert.Equal(0, await caps.PurgeAsync(default)); // yesterday's count stays until the day after
        clock.Advance(TimeSpan.FromDays(1));
        await app.Get<EventFunctions.Shared.Registrations.RetentionService>().PurgeAsync(default); // the nightly purge
        var table = new Azure.Data.Tables.TableClient(azurite.ConnectionString,
            app.Get<Microsoft.Extensions.Options.IOptions<EventFunctions.Shared.Storage.EventFunctionsOptions>>().Value.Email.RecipientCapTable);
        var left = await table.QueryAsync<Azure.Data.Tables.TableEntity>().ToListAsync();
        Assert.Single(left); // the day before yesterday's count is gone, yesterday's stays
        Assert.Equal(1, left[0].GetInt32("Count"));
    }

    [Fact]
    public async Task A_batch_counts_its_recipients_together_and_stops_at_the_cap_as_one_by_one_would()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, settings: new() { ["EventFunctions:Email:MaxPerRecipientPerDay"] = "2" });
        var caps = app.Get<RecipientCaps>();
        Assert.True(await caps.TakeAsync("zhang@example.cn", default)); // one already today

        // Four emails in one batch: two for zhang (+tag and case), two for li; zhang has room for one more, li for two.
        var allowed = await caps.TakeManyAsync(["Zhang+a@example.cn", "li@example.cn", "zhang@example.cn", "li+x@example.cn"], default);
        Assert.Equal([true, true, false, true], allowed);
        Assert.False(await caps.TakeAsync("li@example.cn", default));
        Assert.False(await caps.TakeAsync("zhang@example.cn", default));
        Assert.True(await caps.TakeAsync("wang@example.cn", default));
    }
}
