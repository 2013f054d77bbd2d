using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EventFunctions.Functions;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Events;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>
/// Who may use the organisers' console: every route in functions.metadata walked as an anonymous caller and as
/// another unit's organiser; the platform's principal header only where the platform vouches for it; the
/// development sign-in only in Development; forms only with the person's own anti-forgery token.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class ConsoleAccessTests(AzuriteFixture azurite)
{
    public const string Admin = "admin@jiedao.example.cn";

    public static Dictionary<string, string?> DevelopmentConsole(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["EventFunctions:Console:DevelopmentSignIn"] = "true",
            ["EventFunctions:Console:Admins"] = Admin,
        };
        foreach (var (k, v) in more ?? []) settings[k] = v;
        return settings;
    }

    /// <summary>Routes anyone may call: the participant's side, sign-in itself, and what authenticates otherwise (signed links, signatures).</summary>
    private static readonly HashSet<string> PublicFunctions =
    [
        "SignUpForm", "SubmitSignUpForm", "RegisterForEvent", "ManageRegistration", "CancelRegistration", "DeleteRegistration",
        "ConsoleSignInPage", "ConsoleSignIn",
        "SendGridEvents", // SendGrid's signature (ECDSA) authenticates it: DeliveryWebhookTests
        "DoorPage", "DoorAction", "TicketLink", // the signed per-event door link authenticates door staff: DoorTests
        "UnitContact", "UnitContactCancel", // the signed per-unit contact link authenticates the unit's contact: InvitationConsoleTests
        "ResendConfirmation", "DownloadCalendar", "ConfirmSignUp", // the manage page's secret link, as ManageRegistration: NotificationResendTests
        "Health", "OpenApiDocument", // no personal data, for probes and API clients: OperationsTests
        "Calendar", "CalendarFeed", "CalendarCard", // the public calendar lists public events only, no one's data: CalendarTests
        "SeriesForm", "SubmitSeriesForm", // a series' public sign-up form, as SignUpForm: SeriesPageTests
        "LotteryCheck", "LotteryEntries", // a lottery's public check page and its entry list (references only): LotteryTests
        "VolunteerCertificate", "FeedbackForm", "SubmitFeedback", // the manage link's secret, as ManageRegistration: VolunteerTests, FeedbackTests
    ];

    /// <summary>Every HTTP function in functions.metadata, with its route and method.</summary>
    private static List<(string Name, string Route, string Method, string AuthLevel)> HttpFunctions()
    {
        var path = Path.Combine(Path.GetDirectoryName(typeof(EventFunctions.Functions.TelemetryExtensions).Assembly.Location)!, "functions.metadata");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var list = new List<(string, string, string, string)>();
        foreach (var f in doc.RootElement.EnumerateArray())
        {
            foreach (var b in f.GetProperty("bindings").EnumerateArray())
            {
                if (b.GetProperty("type").GetString() != "httpTrigger") continue;
                foreach (var m in b.GetProperty("methods").EnumerateArray())
                    list.Add((f.GetProperty("name").GetString()!, b.GetProperty("route").GetString()!, m.GetString()!, b.GetProperty("authLevel").GetString()!));
            }
        }
        return list;
    }

    [Fact]
    public void Every_http_route_is_public_by_design_behind_a_function_key_or_a_console_route()
    {
        foreach (var (name, route, _, authLevel) in HttpFunctions())
        {
            var classified = PublicFunctions.Contains(name) || route.StartsWith("console", StringComparison.Ordinal) || authLevel == "Function";
            Assert.True(classified, $"{name} ({route}) is anonymous but neither a participant route nor a console route: decide who may call it.");
            if (!route.StartsWith("console", StringComparison.Ordinal) && !PublicFunctions.Contains(name))
                Assert.Equal("Function", authLevel); // the organisers' JSON API keeps function keys
        }
    }

    [Fact]
    public async Task A_console_change_that_records_nothing_itself_is_still_in_the_history()
    {
        // Sign-out names nothing in the history itself: the policy in front of every change route records it.
        await using var host = await RunningHost.StartAsync(azurite, DevelopmentConsole());
        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(Admin);
        var (status, _, location) = await admin.PostAsync(Paths.Console.SignOut);
        Assert.Equal(302, status);
        Assert.Equal(Paths.Console.SignIn, location);

        var history = new Azure.Data.Tables.TableClient(azurite.ConnectionString, host.Table.Name + "audit");
        var entry = Assert.Single(await history.QueryAsync<EventFunctions.Shared.Console.AuditEntity>().ToListAsync());
        Assert.Equal(("操作 Change", $"POST {Paths.Console.SignOut}", "302"), (entry.Action, entry.Detail, entry.Outcome));
        Assert.Contains(Admin, entry.Actor);
    }

    [Fact]
    public async Task Every_console_route_refuses_anonymous_callers_and_other_units_organisers()
    {
        await using var host = await RunningHost.StartAsync(azurite, DevelopmentConsole());
        var (eventId, registrationId) = await ConsoleSeed.SeedEventAsync(host, unit: "商会");

        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(Admin);
        await ConsoleSeed.AddOrganiserAsync(admin, "lawyer@firm.example.cn", "金茂律师事务所");
        using var otherUnit = new ConsoleClient(host.BaseUrl);
        await otherUnit.SignInAsync("lawyer@firm.example.cn");

        var walked = 0;
        foreach (var (name, route, method, _) in HttpFunctions().Where(f => f.Route.StartsWith("console", StringComparison.Ordinal)))
        {
            if (PublicFunctions.Contains(name)) continue;
            var path = "/api/" + route.Replace("{eventId}", eventId).Replace("{registrationId}", registrationId).Replace("{unitId}", "abcdefgh");
            var fields = new KeyValuePair<string, string>[] { new("confirm", "yes"), new("capacity", "1"), new("email", "x@example.cn"), new("unit", "x"), new("role", "Admin"), new("title", "x") };

            // Anonymous: GET is sent to sign in, anything else is 401; nothing is shown or changed.
            using var anonymous = new ConsoleClient(host.BaseUrl);
            using var response = method == "get"
                ? await anonymous.Http.GetAsync(path)
                : await anonymous.PostRawAsync(path, fields);
            var body = await response.Content.ReadAsStringAsync();
            if (method == "get")
            {
                Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{name} GET {path}: {response.StatusCode}");
                Assert.StartsWith("/api/console/signin", response.Headers.Location!.ToString());
            }
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{name} {method} {path}: {response.StatusCode}");
            }
            Assert.DoesNotContain("北外滩", body);

            // A change sent from another site, or without the person's token, is refused even for an admin.
            if (method != "get")
            {
                var (crossSite, crossBody) = await PostCrossSiteAsync(admin, path, fields);
                Assert.True(crossSite == 403, $"{name} {method} {path} from another site: {crossSite}");
                Assert.DoesNotContain("北外滩", crossBody);
                using var noToken = await admin.PostRawAsync(path, fields);
                Assert.True(noToken.StatusCode == HttpStatusCode.Forbidden, $"{name} {method} {path} without a token: {noToken.StatusCode}");
            }

            // Another unit's organiser, signed in with a valid anti-forgery token: refused for this event.
            if (route.Contains("{eventId}"))
            {
                var (status, html) = method == "get"
                    ? await otherUnit.GetAsync(path)
                    : await PostKeepingTokenAsync(otherUnit, path, fields);
                Assert.True(status == 403, $"{name} {method} {path} as another unit: {status}");
                Assert.DoesNotContain("北外滩", html);
            }
            walked++;
        }
        Assert.True(walked >= 15, $"only {walked} console routes walked");

        // Nothing the refused calls carried reached the event.
        var e = await host.Table.GetEntityAsync<EventEntity>(eventId, EventEntity.RowKeyValue);
        Assert.False(e.Value.Cancelled);
        Assert.Equal(40, e.Value.Capacity);
        Assert.Single(await host.RegistrationsAsync(eventId));

        // An organiser (not admin) may not manage organisers either.
        var (organisersStatus, _) = await otherUnit.GetAsync("/api/console/organisers");
        Assert.Equal(403, organisersStatus);
    }

    [Fact]
    public async Task An_organiser_sees_only_their_units_events_and_an_admin_sees_all()
    {
        await using var host = await RunningHost.StartAsync(azurite, DevelopmentConsole());
        var (chamberEvent, _) = await ConsoleSeed.SeedEventAsync(host, unit: "商会");
        var (partyEvent, _) = await ConsoleSeed.SeedEventAsync(host, unit: "党建办");

        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(Admin);
        await ConsoleSeed.AddOrganiserAsync(admin, "chamber@jiedao.example.cn", "商会");
        var (_, all) = await admin.GetAsync("/api/console");
        Assert.Contains(chamberEvent, all);
        Assert.Contains(partyEvent, all);

        using var chamber = new ConsoleClient(host.BaseUrl);
        await chamber.SignInAsync("chamber@jiedao.example.cn");
        var (_, own) = await chamber.GetAsync("/api/console");
        Assert.Contains(chamberEvent, own);
        Assert.DoesNotContain(partyEvent, own);
        Assert.Contains("开发环境登录", own); // the development sign-in says so on every page
        Assert.Equal(200, (await chamber.GetAsync($"/api/console/events/{chamberEvent}")).Status);
        Assert.Equal(403, (await chamber.GetAsync($"/api/console/events/{partyEvent}")).Status);
    }

    [Fact]
    public async Task Someone_signed_in_but_not_an_organiser_is_refused()
    {
        await using var host = await RunningHost.StartAsync(azurite, DevelopmentConsole());
        using var stranger = new ConsoleClient(host.BaseUrl);
        using var response = await stranger.PostRawAsync("/api/console/signin", [new("email", "stranger@example.cn")]);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("请管理员先添加", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await stranger.Http.GetAsync("/api/console")).StatusCode);
    }

    [Fact]
    public async Task A_principal_header_is_refused_unless_the_platform_sets_it()
    {
        var principal = Principal("admin@jiedao.example.cn");

        await using (var host = await RunningHost.StartAsync(azurite, DevelopmentConsole()))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/console");
            request.Headers.Add("X-MS-CLIENT-PRINCIPAL", principal);
            using var response = await host.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.DoesNotContain("新建活动", await response.Content.ReadAsStringAsync());
        }

        // The setting says the platform signs people in, but the platform does not say so: the header is not believed.
        await using (var host = await RunningHost.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["EventFunctions:Console:PlatformAuthentication"] = "true",
            ["EventFunctions:Console:Admins"] = Admin,
        }))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/console");
            request.Headers.Add("X-MS-CLIENT-PRINCIPAL", principal);
            using var response = await host.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.DoesNotContain("新建活动", await response.Content.ReadAsStringAsync());
        }

        await using (var host = await RunningHost.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["EventFunctions:Console:PlatformAuthentication"] = "true",
            ["WEBSITE_AUTH_ENABLED"] = "True",
            ["EventFunctions:Console:Admins"] = Admin,
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["EventFunctions:Console:DevelopmentSignIn"] = "true",
        }))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/console");
            request.Headers.Add("X-MS-CLIENT-PRINCIPAL", principal);
            using var response = await host.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("新建活动", html);
            Assert.DoesNotContain("开发环境登录", html); // a real sign-in: no development banner

            // With the platform's sign-in the development one does not exist, even in Development.
            using var dev = await host.Http.PostAsync("/api/console/signin", new FormUrlEncodedContent([new("email", Admin)]));
            Assert.Equal(HttpStatusCode.NotFound, dev.StatusCode);
            // Without a principal: sent to the platform's sign-in.
            using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(host.BaseUrl) };
            using var signIn = await anonymous.GetAsync("/api/console/signin");
            Assert.StartsWith("/.auth/login/aad", signIn.Headers.Location!.ToString());
        }
    }

    [Fact]
    public async Task The_development_sign_in_never_exists_on_the_platform_even_in_Development()
    {
        // WEBSITE_INSTANCE_ID: the platform's own variable, on every App Service instance.
        await using var host = await RunningHost.StartAsync(azurite, DevelopmentConsole(new() { ["WEBSITE_INSTANCE_ID"] = "a1b2c3d4e5" }));
        using var client = new ConsoleClient(host.BaseUrl);
        using var response = await client.PostRawAsync("/api/console/signin", [new("email", Admin)]);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_development_sign_in_exists_only_when_asked_for_even_in_Development()
    {
        // The environment alone is not enough: a deployment left on "Development" does not open the console.
        await using var host = await RunningHost.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["EventFunctions:Console:Admins"] = Admin,
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
        });
        using var client = new ConsoleClient(host.BaseUrl);
        using var response = await client.PostRawAsync("/api/console/signin", [new("email", Admin)]);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_development_sign_in_exists_only_in_Development()
    {
        await using var host = await RunningHost.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["EventFunctions:Console:Admins"] = Admin,
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production",
        });
        using var client = new ConsoleClient(host.BaseUrl);
        using var response = await client.PostRawAsync("/api/console/signin", [new("email", Admin)]);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        // A cookie signed with the right key and purpose is still not a sign-in outside Development.
        var signer = new EventFunctions.Shared.Security.Signer(
            Microsoft.Extensions.Options.Options.Create(new EventFunctions.Shared.Storage.EventFunctionsOptions { SigningKey = "test-signing-key-0123456789abcdef-0123456789" }), TimeProvider.System);
        client.Cookies.Add(new Uri(host.BaseUrl), new Cookie("ef_dev_signin", signer.Sign("console:development-sign-in", Admin, DateTimeOffset.UtcNow.AddHours(1)), "/api/console"));
        using var dashboard = await client.Http.GetAsync("/api/console");
        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
    }

    [Fact]
    public async Task Changes_need_the_signed_in_persons_own_token_from_this_site()
    {
        await using var host = await RunningHost.StartAsync(azurite, DevelopmentConsole());
        var (eventId, _) = await ConsoleSeed.SeedEventAsync(host, unit: "商会");
        using var admin = new ConsoleClient(host.BaseUrl);
        await admin.SignInAsync(Admin);
        var path = $"/api/console/events/{eventId}/capacity";

        // No token.
        using (var response = await admin.PostRawAsync(path, [new("capacity", "50")]))
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        // Another person's token.
        await ConsoleSeed.AddOrganiserAsync(admin, "chamber@jiedao.example.cn", "商会");
        using var chamber = new ConsoleClient(host.BaseUrl);
        await chamber.SignInAsync("chamber@jiedao.example.cn");
        using (var response = await admin.PostRawAsync(path, [new("capacity", "50"), new("_csrf", chamber.Csrf)]))
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        // The right token from another site.
        using (var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent([new("capacity", "50"), new("_csrf", admin.Csrf)]) })
        {
            request.Headers.Add("Origin", "https://evil.example");
            using var response = await admin.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
        Assert.Equal(40, (await host.Table.GetEntityAsync<EventEntity>(eventId, EventEntity.RowKeyValue)).Value.Capacity);

        // The right token from this site.
        var (status, html, _) = await admin.PostAsync(path, ("capacity", "50"));
        Assert.Equal(200, status);
        Assert.Contains("名额已修改", html);
        Assert.Equal(50, (await host.Table.GetEntityAsync<EventEntity>(eventId, EventEntity.RowKeyValue)).Value.Capacity);
    }

    /// <summary>A form post a hostile page makes the signed-in admin's browser send: the token is right, the site is not.</summary>
    private static async Task<(int Status, string Html)> PostCrossSiteAsync(ConsoleClient client, string path, KeyValuePair<string, string>[] fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent([.. fields, new("_csrf", client.Csrf)]) };
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        request.Headers.Add("Origin", "https://attacker.example");
        using var response = await client.Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<(int Status, string Html)> PostKeepingTokenAsync(ConsoleClient client, string path, KeyValuePair<string, string>[] fields)
    {
        using var response = await client.PostRawAsync(path, [.. fields, new("_csrf", client.Csrf)]);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Principal(string email, string objectId = "00000000-0000-0000-0000-0000000000a1") => Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        auth_typ = "aad",
        name_typ = "name",
        role_typ = "roles",
        claims = new[]
        {
            new { typ = "name", val = "管理员" }, new { typ = "preferred_username", val = email },
            new { typ = "http://schemas.microsoft.com/identity/claims/objectidentifier", val = objectId },
            new { typ = "iss", val = "https://login.microsoftonline.com/tenant-1/v2.0" },
        },
    })));

    [Fact]
    public async Task An_organisers_email_lets_in_only_the_provider_id_that_first_signed_in_with_it()
    {
        await using var host = await RunningHost.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["EventFunctions:Console:PlatformAuthentication"] = "true",
            ["WEBSITE_AUTH_ENABLED"] = "True",
            ["EventFunctions:Console:Admins"] = Admin,
        });
        async Task<HttpStatusCode> AsAsync(string objectId)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/console");
            request.Headers.Add("X-MS-CLIENT-PRINCIPAL", Principal(Admin, objectId));
            using var response = await host.Http.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await AsAsync("11111111-aaaa-4aaa-8aaa-000000000001")); // the admin, first: tied to this id
        // Someone else at the provider who set the admin's address as their own username: refused.
        Assert.Equal(HttpStatusCode.Forbidden, await AsAsync("22222222-bbbb-4bbb-8bbb-000000000002"));
        Assert.Equal(HttpStatusCode.OK, await AsAsync("11111111-aaaa-4aaa-8aaa-000000000001"));
    }
}

/// <summary>Events, registrations and organisers for console tests.</summary>
public static class ConsoleSeed
{

    public static async Task<(string EventId, string RegistrationId)> SeedEventAsync(RunningHost host, string unit)
    {
        var input = Seed.Salon();
        input["unit"] = unit;
        var created = await host.CreateEventAsync(input);
        var eventId = created.GetProperty("id").GetString()!;
        using var signUp = await host.Http.PostAsJsonAsync($"/api/events/{eventId}/registrations", new
        {
            name = "王磊", phone = "13812345678", email = $"wanglei-{Guid.NewGuid():N}@example.cn", organisation = "北外滩商会",
            answers = new Dictionary<string, string> { ["lunch"] = "yes" }, consent = true,
        });
        Assert.Equal(HttpStatusCode.Created, signUp.StatusCode);
        var registration = await signUp.Content.ReadFromJsonAsync<JsonElement>();
        return (eventId, registration.GetProperty("registrationId").GetString()!);
    }

    public static async Task AddOrganiserAsync(ConsoleClient admin, string email, string unit, string role = "Organiser")
    {
        await admin.GetAsync("/api/console/organisers");
        var (status, html, _) = await admin.PostAsync("/api/console/organisers", ("email", email), ("name", ""), ("unit", unit), ("role", role));
        Assert.Equal(200, status);
        Assert.Contains(email, html);
    }

}
