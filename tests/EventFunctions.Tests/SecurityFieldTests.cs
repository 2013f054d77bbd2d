using EventFunctions.Shared.Console;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace EventFunctions.Tests;

/// <summary>A site's security-desk fields: the organiser marks each required or optional (a visitor on foot has no car plate).</summary>
[Collection(StorageCollection.Name)]
public sealed class SecurityFieldTests(AzuriteFixture azurite)
{
    private static Dictionary<string, object?> Visit() => new(Seed.SiteVisit())
    {
        ["siteVisit"] = new
        {
            meetingPoint = "北外滩来福士一楼大堂", meetingTime = Seed.Local(Seed.Day(12, 9)),
            securityFields = new[] { "身份证号后四位", "车牌号" }, optionalSecurityFields = new[] { "车牌号" },
        },
    };

    private static Dictionary<string, object?> Person(string email, params string?[] details)
    {
        var p = Seed.Person("王磊", email);
        p["securityDetails"] = details;
        return p;
    }

    [Fact]
    public async Task An_optional_field_may_be_left_empty_and_a_required_one_may_not()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var visit = await app.CreateEventAsync(Visit());
        Assert.Equal(["车牌号"], visit.SiteVisit!.OptionalSecurityFields);

        var onFoot = await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Person("onfoot@example.cn", "1234", "")), visit.Id, default);
        Assert.Equal(201, Results.Object<RegistrationView>(onFoot).Status);
        var byCar = await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Person("bycar@example.cn", "5678", "沪A12345")), visit.Id, default);
        Assert.Equal(201, Results.Object<RegistrationView>(byCar).Status);
        var (status, problem) = Results.Object<ValidationProblemDetails>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Person("noid@example.cn", "", "沪A12345")), visit.Id, default));
        Assert.Equal(400, status);
        Assert.True(problem.Errors.ContainsKey("securityDetails[0]"));
        Assert.False(problem.Errors.ContainsKey("securityDetails[1]"));

        // The form marks the optional one and does not require it.
        var (_, html) = Results.Html(await app.SignUpForm.Show(Requests.Get($"/api/signup/{visit.Id}"), visit.Id, default));
        Assert.Matches("<label for=\"sec_1\">车牌号\\s?<span class=\"hint\">选填</span></label>", html);
        Assert.DoesNotMatch("id=\"sec_1\"[^>]*required", html);
        Assert.Matches("id=\"sec_0\"[^>]*required", html);
    }

    [Fact]
    public async Task The_console_form_marks_optional_fields_with_a_suffix_and_reads_them_back()
    {
        var values = EventForm.Values(new Microsoft.AspNetCore.Http.FormCollection(new()
        {
            ["kind"] = "siteVisit", ["siteVisit.securityFields"] = "身份证号后四位\n车牌号（选填）\nPlate (optional)",
        }));
        var input = EventForm.ToInput(values, "党建办");
        Assert.Equal(["身份证号后四位", "车牌号", "Plate"], input.SiteVisit!.SecurityFields);
        Assert.Equal(["车牌号", "Plate"], input.SiteVisit.OptionalSecurityFields);

        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var visit = await app.CreateEventAsync(Visit());
        var record = (await app.Get<Shared.Events.EventService>().FindAsync(visit.Id, default))!;
        Assert.Equal("身份证号后四位\n车牌号（选填）", EventForm.FromRecord(record)["siteVisit.securityFields"]);
    }

    [Fact]
    public async Task An_optional_field_must_be_one_of_the_fields()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var visit = Visit();
        visit["siteVisit"] = new { meetingPoint = "大堂", meetingTime = Seed.Local(Seed.Day(12, 9)), securityFields = new[] { "身份证号后四位" }, optionalSecurityFields = new[] { "车牌号" } };
        var result = await app.CreateEvent.Run(Requests.Json("POST", "/api/events", visit), default);
        var (status, problem) = Results.Object<ValidationProblemDetails>(result);
        Assert.Equal(400, status);
        Assert.True(problem.Errors.ContainsKey("siteVisit.optionalSecurityFields"));
    }
}
