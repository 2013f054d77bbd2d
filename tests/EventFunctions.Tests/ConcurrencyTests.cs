using Microsoft.AspNetCore.Mvc;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

[Collection(StorageCollection.Name)]
public sealed class ConcurrencyTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Two_hundred_simultaneous_sign_ups_for_fifty_seats_fill_exactly_and_email_each_once()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 50, waitlist: true));

        using var go = new ManualResetEventSlim(false);
        var tasks = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            go.Wait();
            var body = Seed.Person($"参与者{i}", $"person{i}@example.cn", phone: null);
            return await app.RegisterForEvent.Run(Requests.Json("POST", $"/api/events/{lecture.Id}/registrations", body), lecture.Id, default);
        })).ToList();
        go.Set();
        var results = await Task.WhenAll(tasks);

        var views = results.Select(r => Results.Object<RegistrationView>(r)).ToList();
        Assert.All(views, v => Assert.Equal(201, v.Status));
        Assert.Equal(50, views.Count(v => v.Value.Status == RegistrationStatus.Confirmed));
        Assert.Equal(150, views.Count(v => v.Value.Status == RegistrationStatus.Waitlisted));
        Assert.Equal(Enumerable.Range(1, 150), views.Where(v => v.Value.WaitlistPosition is not null).Select(v => v.Value.WaitlistPosition!.Value).Order());

        // The counters equal the rows.
        var rows = await app.RegistrationsAsync(lecture.Id);
        var eventRow = await app.EventRowAsync(lecture.Id);
        Assert.Equal(200, rows.Count);
        Assert.Equal(rows.Count(r => r.Status == RegistrationStatus.Confirmed), eventRow.Confirmed);
        Assert.Equal(rows.Count(r => r.Status == RegistrationStatus.Waitlisted), eventRow.Waitlisted);
        Assert.Equal(50, eventRow.Confirmed);

        // Every message delivered twice, concurrently (at-least-once delivery): still one email each.
        var messages = await app.DrainQueueAsync();
        Assert.Equal(200, TestApp.RegistrationsNamed(messages)); // one message per commit, naming each registration once
        Assert.Equal(200, messages.SelectMany(m => Shared.Confirmations.ConfirmationQueue.ParseAll(m)!).Select(r => r.RegistrationKey).Distinct().Count());
        var deliveries = await Task.WhenAll(messages.Concat(messages).Select(m => Task.Run(async () =>
        {
            try
            {
                await app.SendConfirmation.Run(m, default);
                return null;
            }
            catch (Shared.Confirmations.TransientEmailException)
            {
                return m; // the twin delivery held the row: the host brings this message back later
            }
        })));
        foreach (var m in deliveries.OfType<string>()) await app.SendConfirmation.Run(m, default);
        while (await app.DeliverQueuedAsync() > 0) { } // a batch's registrations held by the twin were queued again on their own

        var recipients = app.SendGrid!.Mails.Select(m => EndToEndTests.Recipient(m.RootElement)).ToList();
        Assert.Equal(200, recipients.Count);
        Assert.Equal(200, recipients.Distinct().Count());
        Assert.Equal(50, app.SendGrid.Mails.Count(m => EndToEndTests.Subject(m.RootElement).StartsWith("报名成功")));
        Assert.Equal(150, app.SendGrid.Mails.Count(m => EndToEndTests.Subject(m.RootElement).StartsWith("候补登记")));
    }

    [Fact]
    public async Task The_same_person_tapping_submit_many_times_at_once_gets_one_registration()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 5));
        var body = Seed.Person("李莹晖", "liyinghui@example.com", phone: null);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() =>
            app.RegisterForEvent.Run(Requests.Json("POST", $"/api/events/{lecture.Id}/registrations", body), lecture.Id, default))));

        var views = results.Select(r => Results.Object<RegistrationView>(r)).ToList();
        Assert.Single(views, v => v.Status == 201);
        Assert.All(views.Where(v => v.Status != 201), v => Assert.Equal(200, v.Status));
        Assert.Single(views.Select(v => v.Value.RegistrationId).Distinct());
        Assert.Single(await app.RegistrationsAsync(lecture.Id));
        Assert.Equal(1, (await app.EventRowAsync(lecture.Id)).Confirmed);
    }

    [Fact]
    public async Task Two_app_instances_sharing_one_event_never_overbook()
    {
        await using var first = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        await using var second = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: new()
        {
            ["EventFunctions:TableName"] = first.TableName,
            ["EventFunctions:ConfirmationQueue"] = first.QueueName,
        });
        var visit = await first.CreateEventAsync(Seed.SiteVisit(capacity: 60, waitlist: false));

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            var app = i % 2 == 0 ? first : second;
            var body = Seed.Person($"参观者{i}", $"visitor{i}@example.cn", $"1381234{i:0000}");
            body["securityDetails"] = new[] { $"{i:0000}" };
            var result = await app.RegisterForEvent.Run(Requests.Json("POST", "/x", body), visit.Id, default);
            return ((Microsoft.AspNetCore.Mvc.ObjectResult)result).StatusCode;
        })));

        Assert.Equal(60, results.Count(s => s == 201));
        Assert.Equal(140, results.Count(s => s == 409));
        var rows = await first.RegistrationsAsync(visit.Id);
        Assert.Equal(60, rows.Count);
        Assert.All(rows, r => Assert.Equal(RegistrationStatus.Confirmed, r.Status));
        Assert.Equal(60, (await first.EventRowAsync(visit.Id)).Confirmed);
        Assert.Equal(60, TestApp.RegistrationsNamed(await first.DrainQueueAsync()));
    }

    [Fact]
    public async Task Identical_sign_ups_in_one_batch_store_one_row_each_and_share_their_result()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 100));

        var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(() =>
            app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person($"人{i % 20}", $"p{i % 20}@example.cn", null)), lecture.Id, default))));

        Assert.All(results, r => Assert.True(r is ObjectResult { Value: RegistrationView }, System.Text.Json.JsonSerializer.Serialize((r as ObjectResult)?.Value)));
        var views = results.Select(r => Results.Object<RegistrationView>(r)).ToList();
        Assert.Equal(20, views.Count(v => v.Status == 201));
        Assert.Equal(20, views.Select(v => v.Value.RegistrationId).Distinct().Count());
        Assert.Equal(20, (await app.RegistrationsAsync(lecture.Id)).Count);
        Assert.Equal(20, (await app.EventRowAsync(lecture.Id)).Confirmed);
    }
}
