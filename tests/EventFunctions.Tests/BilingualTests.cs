using System.Text.Json;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Http;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace EventFunctions.Tests;

/// <summary>Organisers may give the event's own text in English; English readers see it, and the Chinese where it is missing.</summary>
[Collection(StorageCollection.Name)]
public sealed class BilingualTests(AzuriteFixture azurite)
{
    private static Dictionary<string, object?> SalonWithEnglish()
    {
        var salon = Seed.Salon();
        salon["english"] = new { title = "North Bund Chamber Salon: the Civil Code and your business", venue = "Floor 42, Magnolia Plaza", topic = "Contracts under the Civil Code" };
        return salon;
    }

    [Fact]
    public async Task The_JSON_API_takes_and_returns_the_English_text_and_the_reminder_lead_time()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var definition = SalonWithEnglish();
        definition["reminderHoursBefore"] = 3;
        var created = await app.CreateEventAsync(definition);
        Assert.Equal("North Bund Chamber Salon: the Civil Code and your business", created.English!.Title);
        Assert.Null(created.English.Description); // falls back to the Chinese
        Assert.Equal(3, created.ReminderHoursBefore);
        var json = JsonSerializer.Serialize(created, Shared.Json.Options);
        Assert.Contains("\"english\":{\"title\":\"North Bund Chamber Salon", json);
        Assert.Contains("\"reminderHoursBefore\":3", json);

        // Replaced without English: it is gone, not kept from before.
        definition.Remove("english");
        var result = await app.UpdateEvent.Run(Requests.Json("PUT", $"/api/events/{created.Id}", definition), created.Id, default);
        var updated = Assert.IsType<EventView>(Assert.IsType<OkObjectResult>(result).Value);
        Assert.Null(updated.English);
        var got = Assert.IsType<EventView>(Assert.IsType<OkObjectResult>(await app.GetEvent.Run(Requests.Get($"/api/events/{created.Id}"), created.Id, default)).Value);
        Assert.Null(got.English);
        Assert.Equal(3, got.ReminderHoursBefore); // kept when a replacement leaves it out
    }

    [Fact]
    public async Task Bad_English_fields_and_lead_times_are_named()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var definition = Seed.Lecture();
        definition["english"] = new { title = new string('x', 201), description = "fine" };
        definition["reminderHoursBefore"] = -1;
        var result = await app.CreateEvent.Run(Requests.Json("POST", "/api/events", definition), default);
        var problem = Assert.IsType<ValidationProblemDetails>(Assert.IsAssignableFrom<ObjectResult>(result).Value);
        Assert.Equal(400, problem.Status);
        Assert.Contains("english.title", problem.Errors.Keys);
        Assert.Contains("reminderHoursBefore", problem.Errors.Keys);
        var listed = Assert.IsType<OkObjectResult>(await app.ListEvents.Run(Requests.Get("/api/events"), default));
        Assert.Empty(Assert.IsAssignableFrom<IReadOnlyList<EventView>>(listed.Value)); // nothing stored
    }

    [Fact]
    public async Task The_sign_up_page_and_the_confirmation_show_English_where_given_and_Chinese_otherwise()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var salon = await app.CreateEventAsync(SalonWithEnglish());

        var english = Results.Html(await app.SignUpForm.Show(Requests.Get($"/api/signup/{salon.Id}?lang=en"), salon.Id, default)).Html;
        Assert.Contains("<title>North Bund Chamber Salon: the Civil Code and your business · Sign up</title>", english);
        Assert.Contains("Floor 42, Magnolia Plaza", english);
        Assert.Contains("Contracts under the Civil Code", english);
        Assert.Contains("律师事务所主讲，结合案例讲解合同编要点。", english); // no English description: the Chinese
        Assert.Contains("上海市虹口区东大名路 501 号", english); // nor address
        Assert.DoesNotContain("白玉兰广场 42 楼", english);

        var chinese = Results.Html(await app.SignUpForm.Show(Requests.Get($"/api/signup/{salon.Id}"), salon.Id, default)).Html;
        Assert.Contains("北外滩商会沙龙：《民法典》与企业经营", chinese);
        Assert.Contains("白玉兰广场 42 楼", chinese);
        Assert.DoesNotContain("Magnolia Plaza", chinese);

        // Emails follow the participant's language.
        foreach (var (name, email, language) in new[] { ("Anna Smith", "anna@example.com", "en"), ("王磊", "wanglei@example.cn", "zh-CN") })
        {
            var person = Seed.Person(name, email);
            person["answers"] = new Dictionary<string, string> { ["lunch"] = "yes" };
            person["language"] = language;
            var result = await app.RegisterForEvent.Run(Requests.Json("POST", "/x", person), salon.Id, default);
            Assert.Equal(201, Results.Object<Shared.Registrations.RegistrationView>(result).Status);
        }

        await app.DeliverQueuedAsync();
        var mails = app.SendGrid!.Mails.Select(Mail.From).ToList();
        var toAnna = Assert.Single(mails, m => m.To == "anna@example.com");
        Assert.Equal("You're signed up: North Bund Chamber Salon: the Civil Code and your business", toAnna.Subject);
        Assert.Contains("Floor 42, Magnolia Plaza", toAnna.Plain);
        Assert.Contains("SUMMARY:North Bund Chamber Salon", toAnna.Attachments.Single(a => a.Type.StartsWith("text/calendar")).Content);
        var toWang = Assert.Single(mails, m => m.To == "wanglei@example.cn");
        Assert.Equal("报名成功：北外滩商会沙龙：《民法典》与企业经营", toWang.Subject);
        Assert.Contains("白玉兰广场 42 楼", toWang.Plain);
    }

    [Fact]
    public async Task Without_any_English_text_English_readers_see_the_Chinese()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        Assert.Null(lecture.English);
        var page = Results.Html(await app.SignUpForm.Show(Requests.Get($"/api/signup/{lecture.Id}?lang=en"), lecture.Id, default)).Html;
        Assert.Contains("上海供水的过去、现在和未来", page);
        Assert.Contains("Sign up", page);
    }
}
