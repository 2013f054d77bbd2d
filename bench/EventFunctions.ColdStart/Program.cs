// Cold start: process start → the first sign-up form answered, N times (default 10), for the local host as built
// (src/LocalHost/bin/Release) and for any other build of it given with --host (a ReadyToRun publish, say).
// Run: dotnet run -c Release --project bench/EventFunctions.ColdStart -- [--starts 10] [--host path/to/EventFunctions.LocalHost.dll]...
// The local host is not the platform: this measures what the app adds (its start-up, its first storage reads, its
// first page render), not the Functions host's own start.
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using EventFunctions.Chaos;
using EventFunctions.Tests.Infrastructure;

var starts = 10;
var hosts = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--starts" && i + 1 < args.Length) starts = int.Parse(args[++i]);
    else if (args[i] == "--host" && i + 1 < args.Length) hosts.Add(Path.GetFullPath(args[++i]));
}

var root = RepoRoot.Find();
var built = Path.Combine(root, "src", "LocalHost", "bin", "Release", "net10.0", "EventFunctions.LocalHost.dll");
if (hosts.Count == 0) hosts.Add(built);
foreach (var h in hosts.Where(h => !File.Exists(h))) throw new FileNotFoundException($"{h} is missing (build first: dotnet build EventFunctions.sln -c Release)");

var azurite = new AzuriteProcess();
await azurite.StartAsync();
await using var fake = await FakeSendGrid.StartAsync(keepBodies: false);
var logs = Directory.CreateTempSubdirectory("eventfunctions-coldstart-").FullName;
var environment = new Dictionary<string, string>(TestSettings.ProductionEnvironment(fake.BaseUrl.TrimEnd('/')))
{
    ["AzureWebJobsStorage"] = azurite.ConnectionString,
    ["ConfirmationSweepSchedule"] = "0 0 0 1 1 *",
    ["ReminderSchedule"] = "0 0 0 1 1 *",
    ["HoldSweepSchedule"] = "0 0 0 1 1 *",
    ["Logging__LogLevel__Default"] = "Warning",
};
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
try
{
    // The event, created through one instance (then stopped): what the morning's first visitor opens.
    string eventId;
    using (var first = new AppInstance("setup", built, AzuriteProcess.FreePort(), environment, logs))
    {
        first.Start();
        if (!await first.WaitReadyAsync(http, TimeSpan.FromSeconds(90), needOk: true, default)) throw new TimeoutException($"the local host did not start (logs in {logs})");
        var start = DateTime.UtcNow.AddHours(8).AddDays(7).Date.AddHours(14);
        var definition = new JsonObject
        {
            ["kind"] = "lecture", ["title"] = "冷启动讲座", ["venue"] = "街道社区服务中心", ["capacity"] = 60, ["waitlistAllowed"] = true,
            ["start"] = start.ToString("yyyy-MM-ddTHH:mm"), ["end"] = start.AddHours(2).ToString("yyyy-MM-ddTHH:mm"),
            ["organiserName"] = "街道社区服务中心", ["organiserEmail"] = "organiser@example.cn",
        };
        using var created = await http.PostAsync($"{first.BaseUrl}/api/events", new StringContent(definition.ToJsonString(), Encoding.UTF8, "application/json"));
        eventId = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
    }

    foreach (var host in hosts)
    {
        var times = new List<double>();
        var second = new List<double>();
        for (var s = 0; s < starts; s++)
        {
            using var instance = new AppInstance($"cold{s}", host, AzuriteProcess.FreePort(), environment, logs);
            var watch = Stopwatch.StartNew();
            instance.Start();
            var url = $"{instance.BaseUrl}/api/signup/{eventId}";
            while (true)
            {
                if (!instance.Running) throw new InvalidOperationException($"the local host exited (logs in {logs})");
                if (watch.Elapsed > TimeSpan.FromSeconds(90)) throw new TimeoutException($"no form within 90 s (logs in {logs})");
                try
                {
                    using var response = await http.GetAsync(url);
                    if (response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Contains("<form", StringComparison.Ordinal)) break;
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                await Task.Delay(5);
            }

            times.Add(watch.Elapsed.TotalMilliseconds);
            var again = Stopwatch.StartNew();
            using (var warm = await http.GetAsync(url)) await warm.Content.ReadAsStringAsync();
            second.Add(again.Elapsed.TotalMilliseconds);
            Console.WriteLine($"  start {s + 1}/{starts}: first form {times[^1]:F0} ms, the next {second[^1]:F0} ms");
        }

        times.Sort();
        second.Sort();
        Console.WriteLine($"cold-start host={Path.GetRelativePath(root, host)} starts={starts} median_ms={times[times.Count / 2]:F0} max_ms={times[^1]:F0} min_ms={times[0]:F0} next_request_median_ms={second[second.Count / 2]:F0}");
    }

    return 0;
}
finally
{
    azurite.Dispose();
}
