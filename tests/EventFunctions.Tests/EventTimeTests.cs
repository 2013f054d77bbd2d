using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>
/// Organisers' times: a local time without an offset is in the event's time zone (Asia/Shanghai by default)
/// whatever its precision and whatever zone the server runs in (UTC on Azure); an explicit offset is honoured.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class EventTimeTests(AzuriteFixture azurite)
{
    private static readonly int Year = DateTime.UtcNow.Year + 1;

    public static TheoryData<string, string?, string> Times() => new()
    {
        // start as sent, the event's timeZone (null: the default), the StartUtc expected
        { "{0}-12-05T14:00", null, "{0}-12-05T06:00:00Z" },
        { "{0}-12-05T14:00:00", null, "{0}-12-05T06:00:00Z" },
        { "{0}-12-05T14:00:00.000", null, "{0}-12-05T06:00:00Z" },
        { "{0}-12-05T14:00:00.5", null, "{0}-12-05T06:00:00.5Z" },
        { "{0}-12-05T14:00:00.1234567", null, "{0}-12-05T06:00:00.1234567Z" },
        { "{0}-12-05 14:00:00", null, "{0}-12-05T06:00:00Z" },
        { "{0}-12-05T14:00:00", "Asia/Shanghai", "{0}-12-05T06:00:00Z" },
        // A zone other than Shanghai, so a server that happens to run in Shanghai time shows the fault as well.
        { "{0}-12-05T14:00:00.000", "Europe/Berlin", "{0}-12-05T13:00:00Z" },
        { "{0}-12-05T14:00:00", "America/New_York", "{0}-12-05T19:00:00Z" },
        // An explicit offset wins over the event's zone.
        { "{0}-12-05T14:00+08:00", "Europe/Berlin", "{0}-12-05T06:00:00Z" },
        { "{0}-12-05T14:00:00+08:00", null, "{0}-12-05T06:00:00Z" },
        { "{0}-12-05T14:00:00.000+08:00", "America/New_York", "{0}-12-05T06:00:00Z" },
        { "{0}-12-05T06:00:00Z", null, "{0}-12-05T06:00:00Z" },
        { "{0}-12-05T06:00:00.000Z", "Europe/Berlin", "{0}-12-05T06:00:00Z" },
        { "{0}-12-05T09:00:00-05:00", null, "{0}-12-05T14:00:00Z" },
    };

    [Theory]
    [MemberData(nameof(Times))]
    public async Task A_time_without_an_offset_is_in_the_events_time_zone_and_one_with_an_offset_keeps_it(string start, string? zone, string expectedUtc)
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var input = Seed.Lecture();
        input["start"] = string.Format(start, Year);
        input["end"] = $"{Year}-12-05T23:30";
        if (zone is not null) input["timeZone"] = zone;

        var created = await app.CreateEventAsync(input);

        var expected = DateTimeOffset.Parse(string.Format(expectedUtc, Year), System.Globalization.CultureInfo.InvariantCulture);
        var row = await app.EventRowAsync(created.Id);
        Assert.Equal(expected, row.StartUtc);
        Assert.Equal(TimeSpan.Zero, row.StartUtc.Offset);
    }

    [Theory]
    [InlineData("{0}-12-05T14")]
    [InlineData("{0}-12-05")]
    [InlineData("05/12/{0} 14:00")]
    [InlineData("{0}-12-05T14:00+15:00")]
    [InlineData("{0}-12-05T14:00:00.12345678")]
    [InlineData("{0}-12-05T14:00:00 PST")]
    [InlineData("next Tuesday")]
    public async Task Other_shapes_are_refused_naming_the_field(string start)
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var input = Seed.Lecture();
        input["start"] = string.Format(start, Year);
        input["end"] = $"{Year}-12-05T23:30";

        var result = await app.CreateEvent.Run(Requests.Json("POST", "/api/events", input), default);

        var (status, problem) = Results.Object<Microsoft.AspNetCore.Mvc.ValidationProblemDetails>(result);
        Assert.Equal(400, status);
        Assert.True(problem.Errors.ContainsKey("start"), string.Join(", ", problem.Errors.Keys));
    }
}
