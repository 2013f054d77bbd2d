using System.Net;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;
using HttpRequest = Microsoft.AspNetCore.Http.HttpRequest;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>
/// The rate limits in front of the anonymous routes (Http/PublicLimits.cs): per client address, per event and per
/// mailbox for sign-ups; 429 with Retry-After, in the visitor's language on pages; the forwarded address only when the
/// setting says the app is behind the platform's front end.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class PublicLimitsTests(AzuriteFixture azurite)
{
    private static readonly Dictionary<string, string?> Generous = new()
    {
        ["EventFunctions:Limits:PagesPerAddressPerMinute"] = "1000",
        ["EventFunctions:Limits:SignUpsPerAddressPerMinute"] = "1000",
        ["EventFunctions:Limits:SignUpsPerEventPerMinute"] = "1000",
        ["EventFunctions:Limits:SignUpsPerMailboxPerHour"] = "1000",
    };

    private static Task<TestApp> StartAsync(AzuriteFixture azurite, params (string Key, string Value)[] limits)
    {
        var settings = new Dictionary<string, string?>(Generous);
        foreach (var (k, v) in limits) settings["EventFunctions:Limits:" + k] = v;
        return TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: settings);
    }

    private static HttpRequest From(HttpRequest request, string address, string? forwardedFor = null)
    {
        request.HttpContext.Connection.RemoteIpAddress = IPAddress.Parse(address);
        if (forwardedFor is not null) request.Headers["X-Forwarded-For"] = forwardedFor;
        return request;
    }

    private static async Task<int> SignUpAsync(TestApp app, string eventId, string email, string address, string? forwardedFor = null)
    {
        var request = From(Requests.Json("POST", $"/api/events/{eventId}/registrations", Seed.Person("王磊", email, null)), address, forwardedFor);
        var result = await app.RegisterForEvent.Run(request, eventId, default);
        var status = Assert.IsAssignableFrom<IStatusCodeActionResult>(result).StatusCode ?? 200;
        if (status == 429)
        {
            var problem = Assert.IsType<ProblemDetails>(Assert.IsType<ObjectResult>(result).Value);
            Assert.Equal(Problems.TooManyRequests, problem.Type);
            Assert.True(int.Parse(request.HttpContext.Response.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        }

        return status;
    }

    [Fact]
    public async Task Sign_ups_from_one_address_stop_at_the_limit_and_others_are_not_affected()
    {
        await using var app = await StartAsync(azurite, ("SignUpsPerAddressPerMinute", "3"));
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 100));

        for (var i = 0; i < 3; i++) Assert.Equal(201, await SignUpAsync(app, lecture.Id, $"bot{i}@example.cn", "198.51.100.7"));
        Assert.Equal(429, await SignUpAsync(app, lecture.Id, "bot3@example.cn", "198.51.100.7"));
        Assert.Equal(201, await SignUpAsync(app, lecture.Id, "resident@example.cn", "198.51.100.8")); // a neighbour's address
        Assert.Equal(4, (await app.RegistrationsAsync(lecture.Id)).Count); // the refused one stored nothing
    }

    [Fact]
    public async Task One_mailbox_is_limited_across_tags_addresses_and_events()
    {
        await using var app = await StartAsync(azurite, ("SignUpsPerMailboxPerHour", "2"));
        var salon = await app.CreateEventAsync(Seed.Lecture());
        var other = await app.CreateEventAsync(Seed.Lecture());

        Assert.Equal(201, await SignUpAsync(app, salon.Id, "victim+1@example.cn", "198.51.100.1"));
        Assert.Equal(201, await SignUpAsync(app, other.Id, "Victim+2@example.cn", "198.51.100.2"));
        Assert.Equal(429, await SignUpAsync(app, other.Id, "victim+3@example.cn", "198.51.100.3")); // a third email to one inbox: no
        Assert.Equal(201, await SignUpAsync(app, other.Id, "someone@example.cn", "198.51.100.3"));
    }

    [Fact]
    public async Task An_event_takes_at_most_its_per_event_rate_from_everyone_together()
    {
        await using var app = await StartAsync(azurite, ("SignUpsPerEventPerMinute", "3"));
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 100));
        var other = await app.CreateEventAsync(Seed.Lecture(capacity: 100));

        for (var i = 0; i < 3; i++) Assert.Equal(201, await SignUpAsync(app, lecture.Id, $"p{i}@example.cn", $"198.51.100.{10 + i}"));
        Assert.Equal(429, await SignUpAsync(app, lecture.Id, "p3@example.cn", "198.51.100.13"));
        Assert.Equal(201, await SignUpAsync(app, other.Id, "p3@example.cn", "198.51.100.13")); // another event is untouched
    }

    [Fact]
    public async Task A_forwarded_address_counts_only_behind_the_front_end_and_only_its_last_entry()
    {
        // Not behind the front end: a client's own X-Forwarded-For is ignored (it could name anyone).
        await using (var app = await StartAsync(azurite, ("SignUpsPerAddressPerMinute", "2")))
        {
            var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 100));
            for (var i = 0; i < 2; i++) Assert.Equal(201, await SignUpAsync(app, lecture.Id, $"a{i}@example.cn", "127.0.0.1", forwardedFor: $"203.0.113.{i}"));
            Assert.Equal(429, await SignUpAsync(app, lecture.Id, "a9@example.cn", "127.0.0.1", forwardedFor: "203.0.113.99"));
        }

        // Behind it: the entry the front end added (the last) is the client; entries a script puts before it change nothing.
        await using (var app = await StartAsync(azurite, ("SignUpsPerAddressPerMinute", "2"), ("TrustForwardedFor", "true")))
        {
            var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 100));
            for (var i = 0; i < 2; i++) Assert.Equal(201, await SignUpAsync(app, lecture.Id, $"b{i}@example.cn", "127.0.0.1", forwardedFor: $"10.9.9.{i}, 203.0.113.5:51234"));
            Assert.Equal(429, await SignUpAsync(app, lecture.Id, "b9@example.cn", "127.0.0.1", forwardedFor: "10.9.9.77, 203.0.113.5:40000"));
            Assert.Equal(201, await SignUpAsync(app, lecture.Id, "c0@example.cn", "127.0.0.1", forwardedFor: "203.0.113.6:40000")); // another client, same front end
            // IPv6: one subscriber holds a whole /64.
            Assert.Equal(201, await SignUpAsync(app, lecture.Id, "d0@example.cn", "127.0.0.1", forwardedFor: "[2001:db8:1:2::1]:443"));
            Assert.Equal(201, await SignUpAsync(app, lecture.Id, "d1@example.cn", "127.0.0.1", forwardedFor: "[2001:db8:1:2::ffff]:443"));
            Assert.Equal(429, await SignUpAsync(app, lecture.Id, "d2@example.cn", "127.0.0.1", forwardedFor: "[2001:db8:1:2:abcd::9]:443"));
        }
    }

    [Fact]
    public async Task A_page_refused_by_a_limit_says_so_in_the_visitors_language_with_Retry_After()
    {
        await using var app = await StartAsync(azurite, ("PagesPerAddressPerMinute", "2"));
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        for (var i = 0; i < 2; i++) Assert.Equal(200, Results.Html(await app.SignUpForm.Show(From(Requests.Get($"/api/signup/{lecture.Id}"), "198.51.100.20"), lecture.Id, default)).Status);

        var request = From(Requests.Get($"/api/signup/{lecture.Id}", acceptLanguage: "en"), "198.51.100.20");
        var (status, html) = Results.Html(await app.SignUpForm.Show(request, lecture.Id, default));
        Assert.Equal(429, status);
        Assert.Contains("Too many requests from your network", html);
        Assert.True(int.Parse(request.HttpContext.Response.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);

        var form = From(Requests.Form($"/api/signup/{lecture.Id}", [new("name", "王磊"), new("email", "w@example.cn"), new("consent", "true")]), "198.51.100.20");
        (status, html) = Results.Html(await app.SignUpForm.Submit(form, lecture.Id, default));
        Assert.Equal(429, status);
        Assert.Contains("请稍后再试", html);
        Assert.Empty(await app.RegistrationsAsync(lecture.Id));
    }
}
