using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using EventFunctions.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventFunctions.LocalHost;

public sealed record LocalHostOptions
{
    /// <summary>The folder holding functions.metadata, host.json, local.settings.json and the app's assembly.</summary>
    public string AppDirectory { get; init; } = AppContext.BaseDirectory;
    public string Urls { get; init; } = "http://127.0.0.1:7071";
    /// <summary>App settings over local.settings.json and the environment (tests use this).</summary>
    public IDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();
    public string[] Args { get; init; } = [];
    /// <summary>
    /// A local.settings.json to read (its <c>Values</c> as app settings, under the environment's), or none. Program.cs
    /// passes the one beside the app (what `./run.sh` writes); tests and the chaos run pass none, so a developer's
    /// local settings never leak into them.
    /// </summary>
    public string? LocalSettingsPath { get; init; }
    /// <summary>More services after the app's own (tests add a telemetry exporter here).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }
    /// <summary>More endpoints beside the functions' (the benchmark maps its HTTP reference here).</summary>
    public Action<WebApplication>? ConfigureApp { get; init; }
}

/// <summary>
/// A local stand-in for the Azure Functions host, for development and tests only: it serves the real
/// function classes as the metadata the Worker SDK generated describes them (HTTP routes and methods
/// under host.json's routePrefix, queue triggers with host.json's retry and poison rules, timer
/// schedules), so it cannot drift from the app's wiring. It refuses metadata it cannot serve.
/// </summary>
public static partial class LocalFunctionsHost
{
    public static WebApplication Build(LocalHostOptions options)
    {
        var metadataPath = Path.Combine(options.AppDirectory, "functions.metadata");
        var hostJsonPath = Path.Combine(options.AppDirectory, "host.json");
        if (!File.Exists(metadataPath)) throw new FileNotFoundException($"No functions.metadata in {options.AppDirectory}; build src/Functions first.", metadataPath);
        var functions = FunctionMetadata.Load(metadataPath);
        Supported.Check(functions);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = options.Args, ContentRootPath = options.AppDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration
            .AddInMemoryCollection(QuietLogging)
            .AddInMemoryCollection(options.LocalSettingsPath is { } file ? LocalSettings(file) : [])
            .AddEnvironmentVariables()
            .AddCommandLine(options.Args)
            .AddInMemoryCollection(options.Settings);
        builder.WebHost.UseUrls(options.Urls);
        builder.Services.AddMvcCore(); // executes the functions' IActionResults
        builder.AddEventFunctions(); // the app's own services, as Program.cs registers them
        ShiftedClock? shifted = null;
        if (builder.Configuration.GetValue<bool>("LocalHost:ShiftedClock"))
        {
            shifted = new ShiftedClock(TimeSpan.FromSeconds(builder.Configuration.GetValue<double>("LocalHost:ClockOffsetSeconds")));
            builder.Services.AddSingleton<TimeProvider>(shifted);
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<InvocationLog>();
        options.ConfigureServices?.Invoke(builder.Services);

        var configuration = builder.Configuration;
        var settings = HostSettings.Load(hostJsonPath, configuration);
        builder.Services.AddSingleton(settings);

        // A function turned off by its app setting (AzureWebJobs.<name>.Disabled, as the Functions host reads it) is not
        // started: no listener, no schedule, no route.
        var invokers = functions.Where(f => !IsDisabled(configuration, f.Name)).ToDictionary(f => f.Name, f => new FunctionInvoker(f, LoadAssembly(f)));
        foreach (var invoker in invokers.Values)
        {
            var trigger = invoker.Function.Trigger;
            switch (trigger.Type)
            {
                case Supported.Queue:
                    var queueName = Resolve(trigger.QueueName ?? throw new InvalidDataException($"{invoker.Function.Name}: queueTrigger without queueName."), configuration);
                    var connection = configuration[trigger.Connection ?? "AzureWebJobsStorage"];
                    if (string.IsNullOrWhiteSpace(connection))
                    {
                        throw new InvalidOperationException($"{invoker.Function.Name}: set the connection string '{trigger.Connection ?? "AzureWebJobsStorage"}' (UseDevelopmentStorage=true for Azurite).");
                    }

                    var queueOptions = new QueueClientOptions { MessageEncoding = settings.Base64Messages ? QueueMessageEncoding.Base64 : QueueMessageEncoding.None };
                    builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<QueueListener>(sp, invoker,
                        new QueueClient(connection, queueName, queueOptions), new QueueClient(connection, queueName + "-poison", queueOptions)));
                    break;
                case Supported.Timer:
                    var schedule = Resolve(trigger.Schedule ?? throw new InvalidDataException($"{invoker.Function.Name}: timerTrigger without schedule."), configuration);
                    TimerScheduler.Parse(schedule); // a bad schedule stops the start, as in the Functions host
                    builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<TimerScheduler>(sp, invoker, schedule));
                    break;
            }
        }

        var app = builder.Build();
        var prefix = settings.RoutePrefix.Length == 0 ? "" : settings.RoutePrefix + "/";
        foreach (var invoker in invokers.Values.Where(i => i.Function.Trigger.Type == Supported.Http))
        {
            var trigger = invoker.Function.Trigger;
            var template = prefix + (trigger.Route ?? invoker.Function.Name);
            var methods = (trigger.Methods is { Count: > 0 } m ? m : ["get", "post", "put", "patch", "delete", "head", "options"]).Select(x => x.ToUpperInvariant());
            app.MapMethods(template, methods, (HttpContext context) => Logged(app, invoker, () => invoker.InvokeHttpAsync(context)))
                .WithDisplayName(invoker.Function.Name);
        }

        options.ConfigureApp?.Invoke(app);

        if (shifted is not null)
        {
            // The fault-injection run's clock (see ShiftedClock): sets the offset from the system clock, absolute, so a repeat is harmless.
            app.MapPost("admin/clock", async (HttpContext context) =>
            {
                using var json = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                if (!json.RootElement.TryGetProperty("offsetSeconds", out var seconds) || !seconds.TryGetDouble(out var value)) return Results.BadRequest("{\"offsetSeconds\": N}");
                shifted.Offset = TimeSpan.FromSeconds(value);
                return Results.Ok(new { now = shifted.GetUtcNow() });
            });
        }

        // As the Functions host: POST /admin/functions/{name} runs a non-HTTP function now ({"input": "…"} for a queue message).
        app.MapPost("admin/functions/{name}", async (HttpContext context, string name) =>
        {
            if (!invokers.TryGetValue(name, out var invoker) || invoker.Function.Trigger.Type == Supported.Http) return Results.NotFound();
            // The body is optional (a timer needs none); when given it must be JSON.
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            string? input = null;
            if (!string.IsNullOrWhiteSpace(body))
            {
                try
                {
                    using var json = JsonDocument.Parse(body);
                    input = json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("input", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
                }
                catch (JsonException)
                {
                    return Results.BadRequest("The body must be JSON, such as {\"input\": \"…\"}, or empty.");
                }
            }

            await Logged(app, invoker, () => invoker.InvokeAsync(context.RequestServices,
                new TriggerInput { Message = input, Timer = new TimerInfo(), CancellationToken = context.RequestAborted }));
            return Results.Accepted();
        });

        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EventFunctions.LocalHost");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            log.LogInformation("Local Functions host (development only) serving {Count} functions from {Metadata}", functions.Count, metadataPath);
            foreach (var f in functions)
            {
                var t = f.Trigger;
                log.LogInformation("  {Function}: {Trigger} {Detail}", f.Name, t.Type, t.Type switch
                {
                    Supported.Http => $"[{string.Join(",", t.Methods ?? ["any"])}] /{prefix}{t.Route ?? f.Name} ({t.AuthLevel})",
                    Supported.Queue => Resolve(t.QueueName!, configuration),
                    _ => Resolve(t.Schedule!, configuration),
                });
            }
        });
        return app;
    }

    /// <summary>
    /// Log levels under every other setting: the Azure SDK logs each storage request at Information (the queue
    /// polls alone fill ~40 MB an hour) and ASP.NET Core each HTTP request, burying the banner and the app's own
    /// logs. <c>Logging__LogLevel__Azure=Information</c> (environment or local.settings.json) brings them back.
    /// </summary>
    private static readonly Dictionary<string, string?> QuietLogging = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Azure"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
    };

    private static async Task<T> Logged<T>(WebApplication app, FunctionInvoker invoker, Func<Task<T>> run)
    {
        var log = app.Services.GetRequiredService<InvocationLog>();
        try
        {
            var result = await run();
            log.Add(new Invocation(invoker.Function.Name, DateTimeOffset.UtcNow, true, null));
            return result;
        }
        catch (Exception ex)
        {
            log.Add(new Invocation(invoker.Function.Name, DateTimeOffset.UtcNow, false, ex.GetType().Name));
            throw;
        }
    }

    private static async Task Logged(WebApplication app, FunctionInvoker invoker, Func<Task> run) =>
        await Logged(app, invoker, async () => { await run(); return true; });

    /// <summary>The function app's assembly, from the default load context so its types match the app's services.</summary>
    private static Assembly LoadAssembly(FunctionMetadata f) => Assembly.Load(new AssemblyName(Path.GetFileNameWithoutExtension(f.ScriptFile)));

    /// <summary>Whether the app setting AzureWebJobs.&lt;name&gt;.Disabled (or AzureWebJobs__&lt;name&gt;__Disabled) turns the function off.</summary>
    public static bool IsDisabled(IConfiguration configuration, string name) =>
        (configuration[$"AzureWebJobs.{name}.Disabled"] ?? configuration[$"AzureWebJobs:{name}:Disabled"]) is { } value
        && (bool.TryParse(value, out var b) ? b : value == "1");

    /// <summary>%Name% in a queue name or schedule is an app setting, as in the Functions host.</summary>
    public static string Resolve(string value, IConfiguration configuration) => Setting().Replace(value, m =>
        configuration[m.Groups[1].Value.Replace("__", ":")] ?? throw new InvalidOperationException($"App setting '{m.Groups[1].Value}' is not set (it is used as {value})."));

    /// <summary>The "Values" of local.settings.json, with "__" as the section separator, as app settings.</summary>
    private static IEnumerable<KeyValuePair<string, string?>> LocalSettings(string path)
    {
        if (!File.Exists(path)) return [];
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.TryGetProperty("Values", out var values)
            ? values.EnumerateObject().Select(p => KeyValuePair.Create(p.Name.Replace("__", ":"), (string?)p.Value.ToString())).ToList()
            : [];
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex Setting();
}
