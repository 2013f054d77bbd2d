using System.Reflection;
using System.Text.Json;
using EventFunctions.Functions;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Storage;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Tests;

/// <summary>Checks the functions.metadata the Worker SDK generated: the wiring the Functions host will use.</summary>
public sealed class WiringTests
{
    private static readonly Dictionary<string, JsonElement> Metadata = Load();

    private static Dictionary<string, JsonElement> Load()
    {
        var functionsDll = typeof(EventFunctions.Functions.TelemetryExtensions).Assembly.Location;
        var path = Path.Combine(Path.GetDirectoryName(functionsDll)!, "functions.metadata");
        if (!File.Exists(path))
        {
#if DEBUG
            const string configuration = "Debug";
#else
            const string configuration = "Release";
#endif
            path = Path.Combine(RepoRootPath(), "src", "Functions", "bin", configuration, "net10.0", "functions.metadata");
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.Clone());
    }

    private static string RepoRootPath() => Infrastructure.RepoRoot.Find();

    private static JsonElement Trigger(string function) =>
        Metadata[function].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger"));

    [Theory]
    [InlineData("CreateEvent", "post", Routes.Events, "Function")]
    [InlineData("ListEvents", "get", Routes.Events, "Function")]
    [InlineData("GetEvent", "get", Routes.Event, "Function")]
    [InlineData("UpdateEvent", "put", Routes.Event, "Function")]
    [InlineData("SignUpForm", "get", Routes.SignUpForm, "Anonymous")]
    [InlineData("SubmitSignUpForm", "post", Routes.SignUpForm, "Anonymous")]
    [InlineData("RegisterForEvent", "post", Routes.Registrations, "Anonymous")]
    [InlineData("ManageRegistration", "get", Routes.Manage, "Anonymous")]
    [InlineData("CancelRegistration", "post", Routes.Manage, "Anonymous")]
    [InlineData("DeleteRegistration", "delete", Routes.Registration, "Anonymous")]
    [InlineData("ResendConfirmation", "post", Routes.ManageResend, "Anonymous")]
    [InlineData("DownloadCalendar", "get", Routes.ManageCalendar, "Anonymous")]
    public void Http_function_has_its_route_method_and_auth_level(string function, string method, string route, string authLevel)
    {
        var trigger = Trigger(function);
        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(authLevel, trigger.GetProperty("authLevel").GetString());
    }

    [Fact]
    public void Confirmation_sender_listens_on_the_queue_the_services_write_to()
    {
        var trigger = Trigger("SendConfirmation");
        Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(QueueNames.Confirmations, trigger.GetProperty("queueName").GetString());
        Assert.Equal(QueueNames.Confirmations, new EventFunctionsOptions().ConfirmationQueue);
    }

    [Fact]
    public void Sweep_runs_on_the_schedule_setting()
    {
        var trigger = Trigger("SweepConfirmations");
        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(Schedules.ConfirmationSweep, trigger.GetProperty("schedule").GetString());
    }

    [Fact]
    public void Notification_sender_listens_on_the_queue_the_services_write_to_and_reminders_run_on_their_setting()
    {
        var trigger = Trigger("SendNotifications");
        Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(QueueNames.Notifications, trigger.GetProperty("queueName").GetString());
        Assert.Equal(QueueNames.Notifications, new EventFunctionsOptions().NotificationQueue);
        var timer = Trigger("SendReminders");
        Assert.Equal("timerTrigger", timer.GetProperty("type").GetString());
        Assert.Equal(Schedules.Reminders, timer.GetProperty("schedule").GetString());
    }

    [Fact]
    public void Retention_purge_runs_daily_at_night_in_Shanghai()
    {
        var trigger = Trigger("PurgeExpiredData");
        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("0 0 19 * * *", trigger.GetProperty("schedule").GetString());
    }

    [Fact]
    public void Every_function_method_in_the_assembly_is_in_the_metadata_and_nothing_else()
    {
        var declared = typeof(EventFunctions.Functions.TelemetryExtensions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<FunctionAttribute>()?.Name)
            .OfType<string>()
            .Order();
        Assert.Equal(declared, Metadata.Keys.Order());
    }

    [Fact]
    public void Organiser_routes_are_never_anonymous()
    {
        foreach (var (name, _) in Metadata)
        {
            var trigger = Trigger(name);
            if (trigger.GetProperty("type").GetString() != "httpTrigger") continue;
            var route = trigger.GetProperty("route").GetString()!;
            // The console's pages decide who may call them on every request (sign-in and unit): ConsoleAccessTests walks each.
            if (route.StartsWith("console", StringComparison.Ordinal)) continue;
            var method = trigger.GetProperty("methods")[0].GetString();
            var participantRoute = route.StartsWith("signup/") || route.StartsWith("manage/") || route.Contains("/registrations")
                || route.StartsWith("door/") || route.StartsWith("t/") // door staff and tickets: the signed door token is the credential
                || route.StartsWith("unit/") // an invited unit's contact: the signed contact link is the credential
                || route.StartsWith("feedback/") // the manage link's secret, as manage/
                || route.StartsWith("series/") // a series' public sign-up form, as signup/
                || route.StartsWith("lottery/"); // a lottery's public check page
            var signedWebhook = route == Routes.SendGridEvents; // authenticated by SendGrid's signature (DeliveryWebhookTests)
            var operations = route is Routes.Health or Routes.OpenApi; // no personal data: OperationsTests
            var publicCalendar = route.StartsWith("calendar", StringComparison.Ordinal); // public events only: CalendarTests
            Assert.Equal(participantRoute || signedWebhook || operations || publicCalendar ? "Anonymous" : "Function", trigger.GetProperty("authLevel").GetString());
            Assert.False(method is "get" or "put" && route.StartsWith("events") && trigger.GetProperty("authLevel").GetString() == "Anonymous", name);
        }
    }

    [Fact]
    public void Host_json_uses_base64_queue_messages_and_a_poison_limit()
    {
        var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRootPath(), "src", "Functions", "host.json"))).RootElement;
        var queues = host.GetProperty("extensions").GetProperty("queues");
        Assert.Equal("base64", queues.GetProperty("messageEncoding").GetString());
        Assert.Equal(5, queues.GetProperty("maxDequeueCount").GetInt32());
        Assert.Equal(Routes.Prefix, host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void Links_are_built_from_the_route_templates_never_written_by_hand()
    {
        // Outside comments, no file under src/Shared spells out an /api/ path: Paths and Links fill in Routes' templates.
        var root = Path.Combine(RepoRootPath(), "src", "Shared");
        var handWritten = Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal)) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => x.line.Contains("/api/", StringComparison.Ordinal) && !x.line.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .Select(x => $"{Path.GetFileName(x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(handWritten.Count == 0, string.Join("\n", handWritten));

        // And the paths they build are routes the function app serves.
        var routes = Metadata.Keys.Select(Trigger).Where(t => t.GetProperty("type").GetString() == "httpTrigger")
            .Select(t => "/" + Routes.Prefix + "/" + t.GetProperty("route").GetString()).ToHashSet();
        foreach (var path in new[] { Paths.SignUp("e1"), Paths.Manage("e1", "R1"), Paths.Door("e1"), Paths.Ticket("e1", "AB2CDE"), Paths.Console.Event("e1"), Paths.Console.CheckIn("e1", "R1"), Paths.Console.Replay, Paths.Console.ReportCsv })
        {
            Assert.Contains(routes, r => System.Text.RegularExpressions.Regex.IsMatch(path, "^" + System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Escape(r), @"\\\{[^}]+}", "[^/]+") + "$"));
        }
    }

    [Fact]
    public void The_console_and_its_endpoints_write_no_sentence_by_hand_only_text_class_members()
    {
        // Outside comments, the console's pages and endpoints spell out no Chinese: every label and sentence is a member of
        // Text/ConsoleText or Text/ConsoleMessages holding both languages. Left by design: the A4 poster (Chinese only, for
        // a wall), the weekday names of the date format, and the "(optional)" suffixes an organiser may type.
        var root = Path.Combine(RepoRootPath(), "src", "Shared");
        var allowed = new[] { "PosterPage.razor", "ConsoleFormat.cs:11", "EventForm.cs:" };
        var places = new[] { Path.Combine(root, "Http"), Path.Combine(root, "Web", "Console"), Path.Combine(root, "Console") };
        var handWritten = places.SelectMany(d => Directory.EnumerateFiles(d, "*.*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (Where: $"{Path.GetFileName(f)}:{i + 1}", Line: line.Trim())))
            .Where(x => !x.Line.StartsWith("//", StringComparison.Ordinal) && !x.Line.StartsWith("@*", StringComparison.Ordinal)
                && x.Line.Any(c => c is >= '\u4e00' and <= '\u9fff'))
            .Where(x => !allowed.Any(a => (x.Where + ":").StartsWith(a, StringComparison.Ordinal) || x.Where.StartsWith(a, StringComparison.Ordinal)))
            .Select(x => $"{x.Where}: {x.Line}")
            .ToList();
        Assert.True(handWritten.Count == 0, string.Join("\n", handWritten));
    }
}
