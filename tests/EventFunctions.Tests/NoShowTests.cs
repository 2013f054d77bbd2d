using System.Net.Http.Json;
using EventFunctions.Shared.Attendance;
using EventFunctions.Shared.Events;
using EventFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EventFunctions.Tests;

/// <summary>The no-show loop's first half: after the event, who did not come, per event and per unit, and each unit's no-show rate.</summary>
[Collection(StorageCollection.Name)]
public sealed class NoShowTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task After_the_event_the_organiser_sees_who_did_not_come_and_each_units_no_show_rate()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await RunningHost.StartAsync(azurite, ConsoleAccessTests.DevelopmentConsole(), services => services.AddSingleton<TimeProvider>(clock));
        var eventId = (await host.CreateEventAsync(Seed.Salon(capacity: 10))).GetProperty("id").GetString()!;
        foreach (var (name, unit) in new[] { ("王磊", "金茂律师事务所"), ("陈静", "金茂律师事务所"), ("李明", "金茂律师事务所"), ("赵敏", "上海邮政博物馆") })
        {
            var person = Seed.Person(name, $"{Guid.NewGuid():N}@example.cn");
            person["organisation"] = unit;
            person["answers"] = new Dictionary<string, string> { ["lunch"] = "yes" };
            using var response = await host.Http.PostAsJsonAsync($"/api/events/{eventId}/registrations", person);
            Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        }
        var e = (await host.Get<EventService>().FindAsync(eventId, default))!;
        clock.SetUtcNow(e.StartUtc);
        foreach (var r in (await host.RegistrationsAsync(eventId)).Where(r => r.Name is "王磊" or "陈静"))
            await host.Get<AttendanceService>().CheckInAsync(eventId, r.RowKey, "door:test", default);
        clock.SetUtcNow(e.EndUtc.AddHours(1));

        var day = DateOnly.FromDateTime(e.ToLocal(e.StartUtc).DateTime);
        var units = await host.Get<AttendanceService>().UnitReportAsync(day, day, _ => true, default);
        var law = units.Single(u => u.Unit == "金茂律师事务所");
        Assert.Equal((2, 1), (law.Attended, law.NoShows));
        Assert.Equal(1 / 3d, law.NoShowRate!.Value, 3);
        var museum = units.Single(u => u.Unit == "上海邮政博物馆");
        Assert.Equal((0, 1, 1d), (museum.Attended, museum.NoShows, museum.NoShowRate));

        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(ConsoleAccessTests.Admin);
        var (status, page) = await admin.GetAsync($"/api/console/events/{eventId}");
        Assert.Equal(200, status);
        Assert.Contains("id=\"no-shows\"", page);
        Assert.Contains("李明 · 金茂律师事务所", page);
        Assert.Contains("赵敏 · 上海邮政博物馆", page);
        Assert.DoesNotContain("王磊 · 金茂律师事务所</li>", page);
        (status, page) = await admin.GetAsync($"/api/console/reports?from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}");
        Assert.Contains("data-noshows=\"1\">1 (33%)", page);
        Assert.Contains("data-noshows=\"1\">1 (100%)", page);
    }
}
