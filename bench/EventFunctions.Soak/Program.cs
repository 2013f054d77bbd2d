// Soak: one local-host process (the app as it runs) under a steady load for --minutes M (default 30): --rate R
// sign-ups a second (default 50) spread over 20 events of --capacity seats (default 5,000: the run's sign-ups fit, so
// nobody waits; with a waitlist every waiting person's email counts the people before them, a scan of the event's
// partition that Azurite's in-memory tables make a scan of the whole table, and Azurite, not the app, becomes what
// is measured), and a cancellation for every fifth sign-up (with the link's secret from the participant's email, as
// a person would), sampling the process's resident memory every 10 s.
// After --warmup W minutes (default 5) the baseline is taken; the run fails when memory at the end is 10% or more
// above it, or on any failure other than a 503 (storage that stalls, as Azurite in memory does now and then for
// seconds, is answered "not saved, try again": counted apart). Run: dotnet run -c Release --project bench/EventFunctions.Soak -- [--minutes 30] [--rate 50] [--warmup 5]
// --form posts the web form instead of the JSON API (the result page rendered; no cancellations): the load to profile
// the HTTP path under (docs/benchmark.md: where the HTTP path's time goes).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventFunctions.Chaos;
using EventFunctions.Tests.Infrastructure;

double minutes = 30, warmup = 5;
var rate = 50;
var capacity = 5000;
var form = false;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--form") form = true;
    else if (args[i] == "--capacity" && i + 1 < args.Length) capacity = int.Parse(args[++i]);
    if (args[i] == "--minutes" && i + 1 < args.Length) minutes = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
    else if (args[i] == "--warmup" && i + 1 < args.Length) warmup = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
    else if (args[i] == "--rate" && i + 1 < args.Length) rate = int.Parse(args[++i]);
}

const int Events = 20;
const double MaxGrowth = 0.10;
var root = RepoRoot.Find();
var dll = Path.Combine(root, "src", "LocalHost", "bin", "Release", "net10.0", "EventFunctions.LocalHost.dll");
if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is missing: build first (dotnet build EventFunctions.sln -c Release)");

using var azurite = new AzuriteProcess();
await azurite.StartAsync();
await using var fake = await FakeSendGrid.StartAsync(keepBodies: false);
var logs = Directory.CreateTempSubdirectory("eventfunctions-soak-").FullName;
var environment = new Dictionary<string, string>(TestSettings.ProductionEnvironment(fake.BaseUrl.TrimEnd('/')))
{
    ["AzureWebJobsStorage"] = azurite.ConnectionString,
    ["ConfirmationSweepSchedule"] = "0 */5 * * * *",
    ["ReminderSchedule"] = "0 */5 * * * *",
    ["HoldSweepSchedule"] = "0 * * * * *",
    ["Logging__LogLevel__Default"] = "Warning",
};
using var app = new AppInstance("soak", dll, AzuriteProcess.FreePort(), environment, logs);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { Timeout = TimeSpan.FromSeconds(30) };
app.Start();
if (!await app.WaitReadyAsync(http, TimeSpan.FromSeconds(90), needOk: true, default)) throw new TimeoutException($"the local host did not start (logs in {logs})");
Console.WriteLine($"soak: {minutes} min at {rate} sign-ups/s over {Events} events, a cancel for every fifth; warm-up {warmup} min; pid {app.ProcessId}; logs in {logs}");

var events = new List<string>();
for (var e = 0; e < Events; e++)
{
    var start = DateTime.UtcNow.AddHours(8).AddDays(7 + e).Date.AddHours(14);
    var definition = new JsonObject
    {
        ["kind"] = "lecture", ["title"] = $"长跑测试讲座 {e + 1}",
        ["venue"] = "街道社区服务中心", ["capacity"] = capacity, ["waitlistAllowed"] = true, ["waitlistLimit"] = 100_000, ["confirmEmail"] = false,
        ["start"] = start.ToString("yyyy-MM-ddTHH:mm"), ["end"] = start.AddHours(2).ToString("yyyy-MM-ddTHH:mm"),
        ["organiserName"] = "街道社区服务中心", ["organiserEmail"] = "organiser@example.cn",
    };
    using var created = await http.PostAsync($"{app.BaseUrl}/api/events", new StringContent(definition.ToJsonString(), Encoding.UTF8, "application/json"));
    var body = await created.Content.ReadAsStringAsync();
    if (!created.IsSuccessStatusCode) throw new InvalidOperationException($"creating event {e}: {(int)created.StatusCode} {body}");
    events.Add(JsonNode.Parse(body)!["id"]!.GetValue<string>());
}

var stored = new ConcurrentQueue<(string EventId, string RegistrationId)>();
long signUps = 0, cancels = 0, failures = 0, unavailable = 0;
var reasons = new ConcurrentDictionary<string, int>(); // what each failure was: a status code or an exception
void Fail(string reason)
{
    Interlocked.Increment(ref failures);
    reasons.AddOrUpdate(reason, 1, (_, n) => n + 1);
}

var samples = new List<(double Minute, double RssMb)>();
var watch = Stopwatch.StartNew();
var total = TimeSpan.FromMinutes(minutes);
var inFlight = new SemaphoreSlim(64);
var tasks = new List<Task>();
var n = 0;
var nextSample = TimeSpan.Zero;
while (watch.Elapsed < total)
{
    // Paced: sign-up n goes at n / rate seconds.
    var due = TimeSpan.FromSeconds((double)n / rate);
    if (due > watch.Elapsed) await Task.Delay(due - watch.Elapsed);
    if (watch.Elapsed >= nextSample)
    {
        if (app.RssMb() is { } rss) samples.Add((watch.Elapsed.TotalMinutes, rss));
        Console.WriteLine($"  {watch.Elapsed.TotalMinutes:F1} min: rss {samples.LastOrDefault().RssMb:F0} MB, {signUps} sign-ups, {cancels} cancels, {unavailable} answered 503, {failures} failures");
        nextSample += TimeSpan.FromSeconds(10);
    }

    var i = n++;
    await inFlight.WaitAsync();
    tasks.Add(Task.Run(async () =>
    {
        try
        {
            var eventId = events[i % Events];
            if (form)
            {
                using var page = await http.PostAsync($"{app.BaseUrl}/api/signup/{eventId}", new FormUrlEncodedContent(
                [
                    new("name", $"参与者{i}"), new("email", $"s{i}@soak.example.cn"), new("consent", "on"), new("ft", TestFormTokens.For(eventId)),
                ]));
                await page.Content.ReadAsStringAsync();
                if (page.IsSuccessStatusCode) Interlocked.Increment(ref signUps);
                else Fail($"form {(int)page.StatusCode}");
                return;
            }

            var body = JsonSerializer.Serialize(new { name = $"参与者{i}", email = $"s{i}@soak.example.cn", consent = true, language = i % 3 == 0 ? "en" : "zh-CN" });
            using var response = await http.PostAsync($"{app.BaseUrl}/api/events/{eventId}/registrations", new StringContent(body, Encoding.UTF8, "application/json"));
            var answer = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode == 503) { Interlocked.Increment(ref unavailable); return; } // storage did not answer in time: "not saved, try again"
            if (!response.IsSuccessStatusCode) { Fail($"sign-up {(int)response.StatusCode}"); return; }
            Interlocked.Increment(ref signUps);
            stored.Enqueue((eventId, JsonNode.Parse(answer)!["registrationId"]!.GetValue<string>()));
            if (i % 5 != 4 || !stored.TryDequeue(out var earlier)) return;
            if (fake.ManageTokens.TryGetValue(earlier.RegistrationId, out var token))
            {
                using var cancel = await http.DeleteAsync($"{app.BaseUrl}/api/events/{earlier.EventId}/registrations/{earlier.RegistrationId}?t={Uri.EscapeDataString(token)}");
                if (cancel.IsSuccessStatusCode) Interlocked.Increment(ref cancels);
                else if ((int)cancel.StatusCode == 503) { Interlocked.Increment(ref unavailable); stored.Enqueue(earlier); }
                else Fail($"cancel {(int)cancel.StatusCode}");
            }
            else
            {
                stored.Enqueue(earlier); // its email has not come yet: later
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Fail(ex is TaskCanceledException ? "no answer within 30 s" : ex.GetType().Name);
        }
        finally
        {
            inFlight.Release();
        }
    }));
    if (tasks.Count > 1000) tasks.RemoveAll(t => t.IsCompleted);
}

await Task.WhenAll(tasks);
if (app.RssMb() is { } last) samples.Add((watch.Elapsed.TotalMinutes, last));
var afterWarmup = samples.Where(s => s.Minute >= warmup).ToList();
if (afterWarmup.Count < 2) throw new InvalidOperationException("the run is shorter than its warm-up");
var baseline = afterWarmup.Take(3).Average(s => s.RssMb); // the first half-minute after warm-up
var end = afterWarmup.TakeLast(3).Average(s => s.RssMb);
var peak = afterWarmup.Max(s => s.RssMb);
var growth = (end - baseline) / baseline;
Console.WriteLine($"soak minutes={minutes} rate={rate} sign_ups={signUps} cancels={cancels} unavailable_503={unavailable} failures={failures} rss_after_warmup_mb={baseline:F0} rss_end_mb={end:F0} rss_peak_mb={peak:F0} growth={growth:P1}");
if (!reasons.IsEmpty) Console.WriteLine("failures by kind: " + string.Join(", ", reasons.OrderByDescending(r => r.Value).Select(r => $"{r.Key} ×{r.Value}")));
return growth < MaxGrowth && failures == 0 ? 0 : 1;
