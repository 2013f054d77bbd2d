using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

[Collection(StorageCollection.Name)]
public sealed class RetentionTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Security_details_go_when_the_event_ends_and_registrations_thirty_days_later()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var input = Seed.SiteVisit();
        var visit = await app.CreateEventAsync(input);
        foreach (var i in Enumerable.Range(0, 3))
        {
            var p = Seed.Person($"参观者{i}", $"v{i}@example.cn");
            p["securityDetails"] = new[] { $"{1000 + i}" };
            await app.RegisterForEvent.Run(Requests.Json("POST", "/x", p), visit.Id, default);
        }

        var other = await app.CreateEventAsync(Seed.Lecture());
        await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person("听众", "l@example.cn", null)), other.Id, default);

        Assert.All(await app.RegistrationsAsync(visit.Id), r => Assert.NotEqual("[]", r.SecurityDetailsJson));

        // The visit ended yesterday: security-desk details go, the sign-ups stay.
        await MoveEvent(app, input, visit.Id, DateTimeOffset.UtcNow.AddDays(-1));
        await new Functions.Participants.PurgeExpiredData(app.Get<RetentionService>()).Run(null!, default);
        Assert.All(await app.RegistrationsAsync(visit.Id), r => Assert.Equal("[]", r.SecurityDetailsJson));
        var first = await app.Get<RetentionService>().PurgeAsync(default); // nothing more to clear
        Assert.Equal(0, first.SecurityDetailsCleared);
        Assert.Equal(3, (await app.RegistrationsAsync(visit.Id)).Count);

        // 31 days later: the registrations go; the counts stay as attendance statistics.
        await MoveEvent(app, input, visit.Id, DateTimeOffset.UtcNow.AddDays(-31));
        var second = await app.Get<RetentionService>().PurgeAsync(default);
        Assert.Equal(3, second.RegistrationsDeleted);
        Assert.Empty(await app.RegistrationsAsync(visit.Id));
        Assert.Equal(3, (await app.EventRowAsync(visit.Id)).Confirmed);

        // Upcoming events are untouched.
        Assert.Single(await app.RegistrationsAsync(other.Id));
    }

    private static async Task MoveEvent(TestApp app, Dictionary<string, object?> input, string eventId, DateTimeOffset end)
    {
        input["signUpOpens"] = Seed.Local(end.AddDays(-10));
        input["signUpCloses"] = Seed.Local(end.AddHours(-3));
        input["start"] = Seed.Local(end.AddHours(-2));
        input["end"] = Seed.Local(end);
        input["siteVisit"] = new { meetingPoint = "北外滩来福士一楼大堂", meetingTime = Seed.Local(end.AddHours(-2.5)), securityFields = new[] { "身份证号后四位" } };
        var result = await app.UpdateEvent.Run(Requests.Json("PUT", "/x", input), eventId, default);
        Assert.Equal(200, Results.Object<object>(result).Status);
    }
}
