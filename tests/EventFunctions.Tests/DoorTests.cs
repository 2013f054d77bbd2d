using System.Text.Json;
using System.Text.RegularExpressions;
using EventFunctions.Functions;
using EventFunctions.Shared.Http;
using EventFunctions.Functions.Door;
using EventFunctions.Shared.Attendance;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Results = EventFunctions.Tests.Infrastructure.Results;
using Microsoft.Extensions.Time.Testing;

namespace EventFunctions.Tests;

/// <summary>The door endpoints through their function classes: the link, its cookie, the ticket QR, actions, forgery.</summary>
[Collection(StorageCollection.Name)]
public sealed partial class DoorTests(AzuriteFixture azurite)
{
    private static DoorCheckIn DoorFn(TestApp app) => new(app.Get<DoorApi>());

    private static TicketLink TicketFn(TestApp app) => new(app.Get<DoorApi>());

    private static string TokenOf(string link) => Uri.UnescapeDataString(Regex.Match(link, "[?&]k=([^&]+)").Groups[1].Value);

    private static string FormToken(string html) => AfField().Match(html).Groups[1].Value;

    [GeneratedRegex("name=\"af\" value=\"([^\"]+)\"")]
    private static partial Regex AfField();

    private static HttpRequest WithCookie(HttpRequest request, string eventId, string token)
    {
        request.Headers.Cookie = $"{DoorApi.CookiePrefix}{eventId}={token}";
        return request;
    }

    private static async Task<(TestApp App, string EventId, string Token, RegistrationView Li)> SetUpAsync(AzuriteFixture azurite, TimeProvider? clock = null)
    {
        var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, clock: clock);
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        var li = await Kit.SignUpAsync(app, lecture.Id, "李莹晖", "li@example.cn", null);
        var link = app.Get<DoorLinks>().Create(await Kit.EventAsync(app, lecture.Id));
        Assert.StartsWith($"https://signup.example.cn/api/door/{lecture.Id}?k=", link);
        return (app, lecture.Id, TokenOf(link), li);
    }

    [Fact]
    public async Task The_check_in_link_opens_the_door_page_and_leaves_its_credential_on_the_door_and_ticket_paths()
    {
        var (app, eventId, token, _) = await SetUpAsync(azurite);
        await using var _ = app;
        var request = Requests.Get($"/api/door/{eventId}?k={Uri.EscapeDataString(token)}");
        request.Scheme = "http"; // as the worker may see it behind the Functions front end; the public address is https
        var (status, html) = Results.Html(await DoorFn(app).Show(request, eventId, default));
        Assert.Equal(200, status);
        Assert.Contains("现场签到", html);
        Assert.Contains("id=\"count-checked-in\">0 / 1<", html);
        Assert.Contains("name=\"k\" value=\"" + token + "\"", html); // forms carry it: a browser without cookies works

        var cookies = request.HttpContext.Response.Headers.SetCookie.Select(c => c!.ToLowerInvariant()).ToList();
        Assert.Equal(2, cookies.Count);
        var end = (await Kit.EventAsync(app, eventId)).EndUtc + TimeSpan.FromHours(12);
        foreach (var (cookie, path) in cookies.Zip(new[] { "/api/door", "/api/t" }))
        {
            Assert.StartsWith($"door_{eventId}=", cookie);
            Assert.Contains($"path={path}", cookie);
            Assert.Contains("httponly", cookie);
            Assert.Contains("samesite=lax", cookie);
            Assert.Contains("secure", cookie);
            Assert.Contains("expires=" + end.ToString("r").ToLowerInvariant(), cookie);
        }

        // Later, without the query: the cookie is enough.
        var again = Results.Html(await DoorFn(app).Show(WithCookie(Requests.Get($"/api/door/{eventId}"), eventId, token), eventId, default));
        Assert.Equal(200, again.Status);
    }

    [Fact]
    public async Task A_wrong_expired_or_other_events_link_is_refused_in_both_languages()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (app, eventId, token, _) = await SetUpAsync(azurite, clock);
        await using var _ = app;
        var other = await app.CreateEventAsync(Seed.Salon());
        var otherToken = TokenOf(app.Get<DoorLinks>().Create(await Kit.EventAsync(app, other.Id)));

        foreach (var k in new[] { otherToken, token[..^2] + "xx", "nonsense", "" })
        {
            var (status, html) = Results.Html(await DoorFn(app).Show(Requests.Get($"/api/door/{eventId}?k={Uri.EscapeDataString(k)}"), eventId, default));
            Assert.Equal(403, status);
            Assert.Contains("请向活动组织者索取", html);
            Assert.Contains("Ask the organiser for a new check-in link", html);
        }

        var end = (await Kit.EventAsync(app, eventId)).EndUtc;
        clock.SetUtcNow(end.AddHours(11));
        Assert.Equal(200, Results.Html(await DoorFn(app).Show(Requests.Get($"/api/door/{eventId}?k={Uri.EscapeDataString(token)}"), eventId, default)).Status);
        clock.SetUtcNow(end.AddHours(12));
        Assert.Equal(403, Results.Html(await DoorFn(app).Show(Requests.Get($"/api/door/{eventId}?k={Uri.EscapeDataString(token)}"), eventId, default)).Status);
        Assert.Equal(403, Results.Html(await DoorFn(app).Show(WithCookie(Requests.Get($"/api/door/{eventId}"), eventId, token), eventId, default)).Status);
    }

    [Fact]
    public async Task A_ticket_QR_shows_a_neutral_page_to_anyone_and_the_check_in_screen_on_a_door_phone()
    {
        var (app, eventId, token, li) = await SetUpAsync(azurite);
        await using var _ = app;
        var ticketPath = $"/api/t/{eventId}/{li.TicketCode}";

        var (status, neutral) = Results.Html(await TicketFn(app).Show(Requests.Get(ticketPath), eventId, li.TicketCode!, default));
        Assert.Equal(200, status);
        Assert.Contains("“上海供水的过去、现在和未来”的入场二维码", neutral);
        // The same for any code, existing or not: it must not read as proof that this one is valid.
        Assert.Contains("此页面本身不能证明报名有效", neutral);
        Assert.DoesNotContain("李莹晖", neutral);
        Assert.DoesNotContain("签到", Regex.Replace(neutral, "<title>.*?</title>|签到链接", "")); // no check-in button

        var door = Results.Html(await TicketFn(app).Show(WithCookie(Requests.Get(ticketPath), eventId, token), eventId, li.TicketCode!, default));
        Assert.Equal(200, door.Status);
        Assert.Contains("李莹晖", door.Html);
        Assert.Contains("name=\"action\" value=\"checkin\"", door.Html);

        // The check-in button, as the page posts it (no k: this phone has the cookie).
        var fields = new Dictionary<string, string> { ["af"] = FormToken(door.Html), ["action"] = "checkin", ["code"] = li.TicketCode!, ["lang"] = "zh-CN" };
        var post = WithCookie(Requests.Form($"/api/door/{eventId}", fields), eventId, token);
        post.Headers.Origin = "null"; // what a browser sends from a no-referrer page
        post.Headers["Sec-Fetch-Site"] = "same-origin";
        var first = Results.Html(await DoorFn(app).Act(post, eventId, default));
        Assert.Equal(200, first.Status);
        Assert.Contains("李莹晖 签到成功", first.Html);
        Assert.Contains("id=\"count-checked-in\">1 / 1<", first.Html);

        var row = await Kit.RowAsync(app, eventId, li.RegistrationId);
        var local = TimeZoneInfo.ConvertTime(row.CheckedInUtc!.Value, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).ToString("HH:mm");
        Assert.StartsWith("door:", row.CheckedInBy);

        fields["lang"] = "en";
        var second = Results.Html(await DoorFn(app).Act(WithCookie(Requests.Form($"/api/door/{eventId}", fields), eventId, token), eventId, default));
        Assert.Equal(200, second.Status);
        Assert.Contains($"Checked in at {local}", second.Html);
        Assert.Equal(1, (await app.EventRowAsync(eventId)).CheckedIn);
    }

    [Fact]
    public async Task Another_events_ticket_on_a_door_phone_is_refused_with_the_reason()
    {
        var (app, eventId, token, _) = await SetUpAsync(azurite);
        await using var _ = app;
        var salon = await app.CreateEventAsync(Seed.Salon());
        var guest = await Kit.SignUpAsync(app, salon.Id, "王磊", "wl@example.cn", "13912345678", answers: Kit.Lunch);

        var request = WithCookie(Requests.Get($"/api/t/{salon.Id}/{guest.TicketCode}"), eventId, token);
        var (status, html) = Results.Html(await TicketFn(app).Show(request, salon.Id, guest.TicketCode!, default));
        Assert.Equal(409, status);
        Assert.Contains("这是另一场活动（北外滩商会沙龙：《民法典》与企业经营）的入场凭证", html);
        Assert.DoesNotContain("王磊", html);
    }

    [Fact]
    public async Task Posts_without_the_anti_forgery_token_or_from_another_site_are_refused_and_change_nothing()
    {
        var (app, eventId, token, li) = await SetUpAsync(azurite);
        await using var _ = app;
        var page = Results.Html(await DoorFn(app).Show(Requests.Get($"/api/door/{eventId}?k={Uri.EscapeDataString(token)}"), eventId, default)).Html;
        var af = FormToken(page);
        var otherEvent = await app.CreateEventAsync(Seed.Salon());
        var otherAf = app.Get<DoorLinks>().FormToken(app.Get<DoorLinks>().Verify(otherEvent.Id, TokenOf(app.Get<DoorLinks>().Create(await Kit.EventAsync(app, otherEvent.Id))))!);

        HttpRequest Post(string? formToken, bool withK, Action<HttpRequest>? headers = null)
        {
            var fields = new Dictionary<string, string> { ["action"] = "checkin", ["code"] = li.TicketCode! };
            if (formToken is not null) fields["af"] = formToken;
            if (withK) fields["k"] = token;
            var r = WithCookie(Requests.Form($"/api/door/{eventId}", fields), eventId, token);
            headers?.Invoke(r);
            return r;
        }

        var forged = new[]
        {
            Post(null, withK: false), // a cross-site form riding on the phone's cookie
            Post(null, withK: true),
            Post(otherAf, withK: true),
            Post("garbage", withK: false),
            Post(af, withK: true, r => r.Headers["Sec-Fetch-Site"] = "cross-site"),
            Post(af, withK: true, r => r.Headers.Origin = "https://evil.example"),
        };
        foreach (var request in forged)
        {
            var (status, html) = Results.Html(await DoorFn(app).Act(request, eventId, default));
            Assert.Equal(403, status);
            Assert.Contains("页面已过期", html);
            // A way back that reloads nothing: a link to a fresh door page.
            Assert.Contains($"id=\"result-link\" href=\"/api/door/{eventId}?k={Uri.EscapeDataString(token)}&amp;lang=zh-CN\"", html);
        }

        Assert.Null((await Kit.RowAsync(app, eventId, li.RegistrationId)).CheckedInUtc);
        Assert.Equal(0, (await app.EventRowAsync(eventId)).CheckedIn);

        // The page's own form, from the page's own origin, with the token in the form and no cookie.
        var ok = Requests.Form($"/api/door/{eventId}", new Dictionary<string, string> { ["k"] = token, ["af"] = af, ["action"] = "checkin", ["code"] = li.TicketCode! });
        ok.Headers.Origin = "https://signup.example.cn";
        Assert.Equal(200, Results.Html(await DoorFn(app).Act(ok, eventId, default)).Status);
    }

    [Fact]
    public async Task Walk_in_form_says_what_is_wrong_beside_the_field_and_adds_once()
    {
        var (app, eventId, token, _) = await SetUpAsync(azurite);
        await using var _ = app;
        var page = Results.Html(await DoorFn(app).Show(Requests.Get($"/api/door/{eventId}?k={Uri.EscapeDataString(token)}&lang=en"), eventId, default)).Html;
        var wid = Regex.Match(page, "name=\"wid\" value=\"([^\"]+)\"").Groups[1].Value;
        Dictionary<string, string> Fields(string name) => new() { ["k"] = token, ["af"] = FormToken(page), ["action"] = "walkin", ["wid"] = wid, ["name"] = name, ["unit"] = "上海水务", ["lang"] = "en" };

        var (status, html) = Results.Html(await DoorFn(app).Act(Requests.Form($"/api/door/{eventId}", Fields(" ")), eventId, default));
        Assert.Equal(400, status);
        Assert.Matches("<p class=\"error\" id=\"walkin-name-error\"[^>]*>Enter a name.</p>", html);
        Assert.Contains("value=\"上海水务\"", html); // what they typed stays
        Assert.Contains($"name=\"wid\" value=\"{wid}\"", html);
        Assert.Equal(0, (await app.EventRowAsync(eventId)).WalkIns);

        for (var i = 0; i < 2; i++) // the second is the browser sending the same form again
        {
            var added = Results.Html(await DoorFn(app).Act(Requests.Form($"/api/door/{eventId}", Fields("赵六")), eventId, default));
            Assert.Equal(200, added.Status);
            Assert.Contains("Walk-in added and checked in: 赵六", added.Html);
        }

        Assert.Equal(1, (await app.EventRowAsync(eventId)).WalkIns);
        Assert.Single(await app.RegistrationsAsync(eventId), r => r.Status == RegistrationStatus.WalkIn);
    }

    [Fact]
    public async Task Search_shows_name_masked_phone_unit_status_and_a_check_in_button()
    {
        var (app, eventId, token, _) = await SetUpAsync(azurite);
        await using var _ = app;
        var salon = await app.CreateEventAsync(Seed.Salon());
        await Kit.SignUpAsync(app, salon.Id, "王磊", "wl@example.cn", "13912345678", answers: Kit.Lunch);
        var salonToken = TokenOf(app.Get<DoorLinks>().Create(await Kit.EventAsync(app, salon.Id)));

        var (status, html) = Results.Html(await DoorFn(app).Show(Requests.Get($"/api/door/{salon.Id}?k={Uri.EscapeDataString(salonToken)}&q=5678"), salon.Id, default));
        Assert.Equal(200, status);
        Assert.Contains("王磊", html);
        Assert.Contains("139****5678", html);
        Assert.DoesNotContain("13912345678", html);
        Assert.Contains("虹口区律师事务所", html);
        Assert.Contains("已确认", html);

        var none = Results.Html(await DoorFn(app).Show(Requests.Get($"/api/door/{salon.Id}?k={Uri.EscapeDataString(salonToken)}&q=0000"), salon.Id, default)).Html;
        Assert.Contains("id=\"no-matches\"", none);
        // A door link works for its own event only.
        Assert.Equal(403, Results.Html(await DoorFn(app).Show(Requests.Get($"/api/door/{eventId}?k={Uri.EscapeDataString(salonToken)}"), eventId, default)).Status);
    }

    [Fact]
    public async Task A_waitlisted_person_shows_why_there_is_no_check_in_and_a_cancelled_events_door_page_says_so_at_the_top()
    {
        var (app, eventId, _, _) = await SetUpAsync(azurite);
        await using var _ = app;
        var salon = await app.CreateEventAsync(Seed.Salon(capacity: 1, waitlist: true));
        await Kit.SignUpAsync(app, salon.Id, "王磊", "wl@example.cn", "13912345678", answers: Kit.Lunch);
        await Kit.SignUpAsync(app, salon.Id, "张伟", "zw@example.cn", "13700002222", answers: Kit.Lunch);
        var token = TokenOf(app.Get<DoorLinks>().Create(await Kit.EventAsync(app, salon.Id)));
        async Task<string> SearchAsync(string q) =>
            Results.Html(await DoorFn(app).Show(Requests.Get($"/api/door/{salon.Id}?k={Uri.EscapeDataString(token)}&q={q}"), salon.Id, default)).Html;

        // The search results: between their card and the recent check-ins' card.
        static string Found(string html) => Regex.Match(html, "id=\"result-list\".*?id=\"recent\"", RegexOptions.Singleline).Value;

        // One character (a surname) finds nobody: a door link must not list the room; two characters do.
        Assert.DoesNotContain("王磊", Found(await SearchAsync(Uri.EscapeDataString("王"))));
        Assert.Contains("王磊", Found(await SearchAsync(Uri.EscapeDataString("王磊"))));

        var waiting = await SearchAsync("2222");
        Assert.Contains("张伟", Found(waiting));
        Assert.Contains("此人仍在候补名单中，没有确认名额，不能签到。", Found(waiting));
        Assert.DoesNotContain("value=\"checkin\"", Found(waiting));
        Assert.Contains("value=\"checkin\"", Found(await SearchAsync("5678")));
        Assert.DoesNotContain("id=\"event-cancelled\"", waiting);

        Assert.IsType<EventOutcome.Ok>(await app.Get<EventService>().CancelEventAsync(salon.Id, default));
        var cancelled = await SearchAsync("5678");
        Assert.Contains("id=\"event-cancelled\"", cancelled);
        Assert.Contains("活动已取消，不能签到。", cancelled);
        Assert.Contains("王磊", Found(cancelled));
        Assert.DoesNotContain("value=\"checkin\"", Found(cancelled));
    }

    [Fact]
    public async Task Revoking_the_door_links_stops_every_link_made_so_far_on_the_page_the_form_and_the_ticket_QR_and_a_new_link_works()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (app, eventId, oldToken, li) = await SetUpAsync(azurite, clock);
        await using var _ = app;
        var page = Results.Html(await DoorFn(app).Show(Requests.Get($"/api/door/{eventId}?k={Uri.EscapeDataString(oldToken)}"), eventId, default)).Html;
        var oldAf = FormToken(page);
        HttpRequest CheckIn(string token, string af)
        {
            var r = Requests.Form($"/api/door/{eventId}", new Dictionary<string, string> { ["k"] = token, ["af"] = af, ["action"] = "checkin", ["code"] = li.TicketCode! });
            r.Headers.Origin = "https://signup.example.cn";
            return r;
        }

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.IsType<EventOutcome.Ok>(await app.Get<EventService>().RevokeDoorLinksAsync(eventId, default));
        clock.Advance(TimeSpan.FromSeconds(1));

        // The old link: no door page, no check-in from a page left open, and its QR scans show the neutral page.
        var (status, html) = Results.Html(await DoorFn(app).Show(Requests.Get($"/api/door/{eventId}?k={Uri.EscapeDataString(oldToken)}"), eventId, default));
        Assert.Equal(403, status);
        Assert.Contains("已被组织者停用", html);
        Assert.Equal(403, Results.Html(await DoorFn(app).Act(CheckIn(oldToken, oldAf), eventId, default)).Status);
        var ticket = Results.Html(await TicketFn(app).Show(WithCookie(Requests.Get($"/api/t/{eventId}/{li.TicketCode}"), eventId, oldToken), eventId, li.TicketCode!, default));
        Assert.DoesNotContain("李莹晖", ticket.Html);
        Assert.Null((await Kit.RowAsync(app, eventId, li.RegistrationId)).CheckedInUtc);

        // A link made after it works, and an edit of the event keeps the revocation.
        var newToken = TokenOf(app.Get<DoorLinks>().Create(await Kit.EventAsync(app, eventId)));
        var fresh = Results.Html(await DoorFn(app).Show(Requests.Get($"/api/door/{eventId}?k={Uri.EscapeDataString(newToken)}"), eventId, default));
        Assert.Equal(200, fresh.Status);
        Assert.Equal(200, Results.Html(await DoorFn(app).Act(CheckIn(newToken, FormToken(fresh.Html)), eventId, default)).Status);
        Assert.NotNull((await Kit.RowAsync(app, eventId, li.RegistrationId)).CheckedInUtc);
        var record = await Kit.EventAsync(app, eventId);
        var values = EventFunctions.Shared.Console.EventForm.FromRecord(record);
        values["title"] = "上海供水：过去、现在和未来";
        Assert.IsType<EventOutcome.Ok>(await app.Get<EventService>().UpdateAsync(eventId, EventFunctions.Shared.Console.EventForm.ToInput(values, record.Unit), default));
        Assert.Equal(403, Results.Html(await DoorFn(app).Show(Requests.Get($"/api/door/{eventId}?k={Uri.EscapeDataString(oldToken)}"), eventId, default)).Status);
    }

    [Theory]
    [InlineData("DoorPage", "get", Routes.Door)]
    [InlineData("DoorAction", "post", Routes.Door)]
    [InlineData("TicketLink", "get", Routes.Ticket)]
    public void Door_functions_are_wired_anonymous_at_their_routes(string function, string method, string route)
    {
        var path = Path.Combine(Path.GetDirectoryName(typeof(EventFunctions.Functions.TelemetryExtensions).Assembly.Location)!, "functions.metadata");
        if (!File.Exists(path)) path = Path.Combine(RepoRoot.Find(), "src", "Functions", "bin", "Release", "net10.0", "functions.metadata");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var trigger = doc.RootElement.EnumerateArray().Single(f => f.GetProperty("name").GetString() == function)
            .GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger");
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
    }
}
