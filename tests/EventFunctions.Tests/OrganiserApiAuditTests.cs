using EventFunctions.Shared.Console;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>Changes through the organisers' JSON API (a function key) are in the event's history, as the console's are.</summary>
[Collection(StorageCollection.Name)]
public sealed class OrganiserApiAuditTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Creating_and_changing_an_event_through_the_API_is_recorded_and_a_refused_change_is_not()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var input = Seed.Lecture(capacity: 10);
        var lecture = await app.CreateEventAsync(input);
        input["capacity"] = 12;
        await app.UpdateEvent.Run(Requests.Json("PUT", $"/api/events/{lecture.Id}", input), lecture.Id, default);
        input["capacity"] = 0;
        await app.UpdateEvent.Run(Requests.Json("PUT", $"/api/events/{lecture.Id}", input), lecture.Id, default); // refused

        var history = await app.Get<AuditLog>().ListAsync(lecture.Id, 20, default);
        Assert.Equal(["编辑 Edited", "创建 Created"], history.Select(h => h.Action)); // newest first
        Assert.All(history, h => Assert.Equal(AuditLog.OrganiserApiActor, h.Actor));
        Assert.Equal("12 seats", history[0].Detail);
    }
}
