// Fault-injection run: proves from outside that the app keeps its invariants under faults. Starts its own
// Azurite, a faulty loopback SendGrid and two local-host app instances (separate processes), drives
// sign-ups, cancels and capacity raises for --seconds S while pausing Azurite (SIGSTOP), killing instance
// B (SIGKILL), cutting clients off and failing email; then drains the email queue and checks the table.
// Run: dotnet run -c Release --project bench/EventFunctions.Chaos -- --seconds 60   (docs/fault-injection.md)
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using EventFunctions.Chaos;
using EventFunctions.Tests.Infrastructure;

var seconds = 60;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--seconds" && i + 1 < args.Length && int.TryParse(args[i + 1], out var s) && s > 0) seconds = s;
    else if (args[i] is "--help" or "-h")
    {
        Console.WriteLine("usage: EventFunctions.Chaos [--seconds S]   (default 60)");
        return 0;
    }
}

const int Clients = 32;
const double MaxRssGrowthMb = 60;
// What each instance may have handed to SendGrid and not yet recorded (the app's default): the bound on the second
// copies one kill of B can cause.
const int MaxInFlight = 8;

using var abort = new CancellationTokenSource();
var cleanup = new Cleanup();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Interrupt(c));
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Interrupt(c));
AppDomain.CurrentDomain.ProcessExit += (_, _) => cleanup.Run();

void Interrupt(PosixSignalContext context)
{
    if (abort.IsCancellationRequested) return; // a second Ctrl-C: let it end the process (ProcessExit still cleans up)
    context.Cancel = true;
    Console.WriteLine("chaos: interrupted; stopping everything it started");
    abort.Cancel();
}

try
{
    return await RunAsync(seconds, abort.Token);
}
catch (OperationCanceledException) when (abort.IsCancellationRequested)
{
    Console.WriteLine($"chaos seconds={seconds} interrupted");
    return 130;
}
catch (Exception ex)
{
    Console.WriteLine($"chaos: failed: {ex}");
    Console.WriteLine($"chaos seconds={seconds} failed to run: {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
    return 2;
}
finally
{
    cleanup.Run();
}

async Task<int> RunAsync(int seconds, CancellationToken abort)
{
    var root = RepoRoot.Find();
    var dll = Path.Combine(root, "src", "LocalHost", "bin", "Release", "net10.0", "EventFunctions.LocalHost.dll");
    if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is missing: build first (dotnet build EventFunctions.sln -c Release).");
    var logs = Directory.CreateTempSubdirectory("eventfunctions-chaos-").FullName;
    Console.WriteLine($"chaos: {seconds} s, {Clients} clients, two instances; app logs in {logs}");

    var azurite = new AzuriteProcess();
    cleanup.Azurite = azurite;
    await azurite.StartAsync();
    var fake = await FakeSendGrid.StartAsync(keepBodies: false);
    cleanup.SendGrid = fake;

    // Production settings (the instances refuse to start without them), as environment variables.
    var environment = new Dictionary<string, string>(TestSettings.ProductionEnvironment(fake.BaseUrl.TrimEnd('/')))
    {
        ["AzureWebJobsStorage"] = azurite.ConnectionString,
        ["ConfirmationSweepSchedule"] = "0 0 0 1 1 *",
        ["ReminderSchedule"] = "0 0 0 1 1 *",
        ["HoldSweepSchedule"] = "0 0 0 1 1 *",
        ["EventFunctions__Email__SendGridApiKey"] = "SG.chaos",
        ["EventFunctions__RequeueAfter"] = "00:00:05",
        ["EventFunctions__Email__MaxInFlight"] = MaxInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.500",
        ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:02",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
        // Both instances commit their sign-ups to seat blocks whenever they have seats (the product's Auto takes them
        // once it meets the other instance): the block commits, folds and their lost answers are under the faults too.
        ["EventFunctions__SeatBlocks"] = "Always",
        // Likewise the waitlist inbox whenever people wait (Auto uses it once it meets the other instance): sign-ups
        // answered at their insert and numbered by the next commit, under the same faults and kills.
        ["EventFunctions__WaitlistInbox"] = "Always",
        // The fair-admission phase moves the instances' clocks (a draw, a reconfirmation deadline hours away): the
        // local host's shifted clock, offset 0 until then (see src/LocalHost/ShiftedClock.cs).
        ["LocalHost__ShiftedClock"] = "true",
    };
    var a = new AppInstance("A", dll, AzuriteProcess.FreePort(), environment, logs);
    // B sends with its own API key, so a mail says which instance sent it (see Checks: a kill between SendGrid's 202
    // and the record of it is the one duplicate no sender can rule out without provider idempotency keys).
    var environmentOfB = new Dictionary<string, string>(environment) { ["EventFunctions__Email__SendGridApiKey"] = Checks.InstanceBKey };
    var b = new AppInstance("B", dll, AzuriteProcess.FreePort(), environmentOfB, logs);
    cleanup.Instances.Add(a);
    cleanup.Instances.Add(b);

    using var http = new HttpClient(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
    })
    { Timeout = TimeSpan.FromSeconds(60) };

    a.Start();
    b.Start();
    foreach (var instance in new[] { a, b })
    {
        if (!await instance.WaitReadyAsync(http, TimeSpan.FromSeconds(90), needOk: true, abort))
        {
            throw new TimeoutException($"instance {instance.Name} did not answer GET /api/events within 90 s (see {logs})");
        }
    }

    Console.WriteLine($"chaos: Azurite pid {azurite.ProcessId}, fake SendGrid {fake.BaseUrl}, instance A {a.BaseUrl} pid {a.ProcessId}, instance B {b.BaseUrl} pid {b.ProcessId}");

    // The event: a lecture a week ahead, 40 seats, waitlist on.
    var startLocal = DateTime.UtcNow.AddHours(8).AddDays(7).Date.AddHours(14);
    var definition = new JsonObject
    {
        ["kind"] = "lecture",
        ["title"] = "故障注入讲座：数据安全与个人信息保护",
        ["venue"] = "街道社区服务中心 多功能厅",
        ["address"] = "上海市虹口区东大名路 501 号",
        ["start"] = startLocal.ToString("yyyy-MM-ddTHH:mm"),
        ["end"] = startLocal.AddHours(2).ToString("yyyy-MM-ddTHH:mm"),
        ["capacity"] = 40,
        ["waitlistAllowed"] = true,
        ["waitlistLimit"] = 100_000, // thousands wait for 40 seats here: the ledger's order is what this run checks
        ["confirmEmail"] = false, // the abuse run checks holds; this one the ledger under faults
        ["organiserName"] = "街道社区服务中心",
        ["organiserEmail"] = "chaos-organiser@example.cn",
        ["lecture"] = new JsonObject { ["speaker"] = "张敏 教授", ["onlineUrl"] = "https://live.example.cn/chaos" },
    };
    using var created = await http.PostAsync($"{a.BaseUrl}/api/events",
        new StringContent(definition.ToJsonString(), Encoding.UTF8, "application/json"), abort);
    var createdBody = await created.Content.ReadAsStringAsync(abort);
    if (created.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"POST /api/events answered {(int)created.StatusCode}: {createdBody}");
    var eventId = JsonNode.Parse(createdBody)!["id"]!.GetValue<string>();
    Console.WriteLine($"chaos: event {eventId}");

    var tableOptions = new TableClientOptions();
    tableOptions.Retry.MaxRetries = 1;
    tableOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
    var table = new TableClient(azurite.ConnectionString, "events", tableOptions);

    var ledger = new Ledger();
    var load = new Load(http, eventId, definition, [a, b], ledger, id => fake.ManageTokens.TryGetValue(id, out var t) ? t : null);
    var faults = new Faults(azurite, b, fake, load, ledger, http);

    // ---- load and faults for S seconds ----
    using var stop = CancellationTokenSource.CreateLinkedTokenSource(abort);
    var watch = Stopwatch.StartNew();
    var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(() => load.RunClientAsync(c, stop.Token, abort))).ToList();
    var scheduler = Task.Run(() => faults.RunAsync(stop.Token, abort));
    double? rssStart = null;
    long lastOps = 0;
    var lastTick = TimeSpan.Zero;
    while (TimeSpan.FromSeconds(seconds) - watch.Elapsed > TimeSpan.FromMilliseconds(200))
    {
        var wait = TimeSpan.FromSeconds(seconds) - watch.Elapsed;
        await Task.Delay(wait < TimeSpan.FromSeconds(5) ? wait : TimeSpan.FromSeconds(5), abort);
        // The first sample once the instance is warm (compiled code, connection pools, the GC's budgets): at a
        // third of the run, at least 10 s in. Sampled at 10 s, one run read 123 MB there against 153 MB in the next.
        if (rssStart is null && watch.Elapsed >= TimeSpan.FromSeconds(Math.Max(10, seconds / 3.0))) rssStart = a.RssMb();
        var ops = ledger.Operations;
        var now = watch.Elapsed;
        var rate = (ops - lastOps) / Math.Max(0.001, (now - lastTick).TotalSeconds);
        (lastOps, lastTick) = (ops, now);
        Console.WriteLine($"progress t={now.TotalSeconds:F0}s ops={ops} ops/s={rate:F0} acked={ledger.AckedCount} cancelled={ledger.CancelledCount} not_saved={ledger.NotSavedCount} unknown={ledger.UnknownCount} errors_500={ledger.Errors500} faults={faults.Count} ({faults.Active}) mails={fake.Sent.Count}");
    }

    rssStart ??= a.RssMb();
    Console.WriteLine($"chaos: load stops after {watch.Elapsed.TotalSeconds:F0} s; waiting for requests in flight and ending faults");
    stop.Cancel();
    await scheduler;
    await Task.WhenAll(clients);
    await faults.EndAsync(abort);
    if (!await a.WaitReadyAsync(http, TimeSpan.FromSeconds(60), needOk: true, abort)) Console.WriteLine("chaos: instance A does not answer after the faults");
    if (!await b.WaitReadyAsync(http, TimeSpan.FromSeconds(60), needOk: true, abort)) Console.WriteLine("chaos: instance B does not answer after the faults");

    // ---- drain: sweep until every stored registration's current state has its email (bounded) ----
    var drain = Stopwatch.StartNew();
    Checks.Snapshot snapshot;
    while (true)
    {
        try
        {
            using var sweepTimeout = CancellationTokenSource.CreateLinkedTokenSource(abort);
            sweepTimeout.CancelAfter(TimeSpan.FromSeconds(30));
            // The hold sweep first (its timer is off here): it numbers what a killed B left in the waitlist inbox.
            using var holds = await http.PostAsync($"{a.BaseUrl}/admin/functions/ExpireHolds",
                new StringContent("{}", Encoding.UTF8, "application/json"), sweepTimeout.Token);
            using var sweep = await http.PostAsync($"{a.BaseUrl}/admin/functions/SweepConfirmations",
                new StringContent("{}", Encoding.UTF8, "application/json"), sweepTimeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !abort.IsCancellationRequested)
        {
            Console.WriteLine($"chaos: sweep request failed: {ex.GetType().Name}");
        }

        await Task.Delay(TimeSpan.FromSeconds(3), abort);
        snapshot = await Checks.ReadAsync(table, eventId, abort);
        var missingNow = Checks.MissingEmails(snapshot, fake.Sent.ToArray());
        if (missingNow == 0 || drain.Elapsed > TimeSpan.FromSeconds(60))
        {
            Console.WriteLine($"chaos: drained for {drain.Elapsed.TotalSeconds:F0} s; {missingNow} of {snapshot.Registrations.Count} stored registrations still without their email");
            break;
        }
    }

    await Task.Delay(TimeSpan.FromSeconds(2), abort); // late duplicates (a redelivery after a stall) land too
    snapshot = await Checks.ReadAsync(table, eventId, abort);
    var rssEnd = a.RssMb();
    var mails = fake.Sent.ToArray();
    var verdict = Checks.Judge(snapshot, ledger, mails, faults.KillsOfB);

    // ---- fair admission: a lottery draw and a reconfirmation deadline falling due during pauses and a kill ----
    Console.WriteLine("chaos: fair-admission phase (a lottery draw and a reconfirmation deadline under faults)");
    var admission = new Admission(http, a, b, environmentOfB, azurite, fake, table);
    await admission.RunAsync(abort);

    Console.WriteLine();
    Console.WriteLine($"answers: {string.Join(", ", ledger.Answers.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"))}");
    Console.WriteLine($"clients: acked={ledger.AckedCount} not_saved={ledger.NotSavedCount} unknown={ledger.UnknownCount} refused={ledger.Refused} cancelled={ledger.CancelledCount} not_removed={ledger.NotRemovedCount} capacity_raises={ledger.CapacityRaises} disconnects={ledger.Disconnects} transport_errors={ledger.TransportErrors}");
    Console.WriteLine($"faults: {faults.Summary()}");
    Console.WriteLine($"fake SendGrid: {fake.Requests} requests, {mails.Length} accepted, {fake.Unparsed} accepted without a registration id");
    foreach (var note in verdict.Notes) Console.WriteLine($"note: {note}");
    if (verdict.Notes.Any(n => n.StartsWith("duplicate email:", StringComparison.Ordinal))) Console.WriteLine($"note: faults: {string.Join(", ", faults.Timeline)}");
    foreach (var note in admission.Notes) Console.WriteLine($"note: {note}");
    foreach (var sample in ledger.ErrorSamples.Take(5)) Console.WriteLine($"error sample: {sample}");
    foreach (var sample in ledger.RefusalSamples.Take(3)) Console.WriteLine($"refusal sample: {sample}");
    var growth = rssEnd is { } e1 && rssStart is { } s1 ? e1 - s1 : double.NaN;
    var flat = !double.IsNaN(growth) && growth <= MaxRssGrowthMb;
    Console.WriteLine($"memory instanceA rss_start_mb={rssStart:F0} rss_end_mb={rssEnd:F0}{(flat ? "" : $" (growth over {MaxRssGrowthMb} MB or unmeasured: failure)")}");
    var withinBound = verdict.MostAtOneKill <= MaxInFlight && admission.DuplicatesAtKill <= MaxInFlight;
    Console.WriteLine($"fair admission: faults={admission.Faults} draw_violations={admission.DrawViolations} reconfirm_violations={admission.ReconfirmViolations} duplicate_emails={admission.Duplicates} duplicate_emails_at_kill={admission.DuplicatesAtKill}");
    Console.WriteLine($"duplicates at kill: {verdict.DuplicatesAtKill} over {faults.KillsOfB.Count} kill(s) of B, at most {verdict.MostAtOneKill} at one kill; bound {MaxInFlight} per kill (Email:MaxInFlight){(withinBound ? "" : ": over the bound, failure")}");
    Console.WriteLine($"chaos seconds={seconds} operations={ledger.Operations} faults={faults.Count} lost={verdict.Lost} phantom={verdict.Phantom} errors_500={ledger.Errors500} oversold={verdict.Oversold} order_violations={verdict.OrderViolations} missing_emails={verdict.MissingEmails} duplicate_emails={verdict.DuplicateEmails + admission.Duplicates} duplicate_emails_at_kill={verdict.DuplicatesAtKill + admission.DuplicatesAtKill} draw_violations={admission.DrawViolations} reconfirm_violations={admission.ReconfirmViolations}");
    var clean = verdict.Lost == 0 && verdict.Phantom == 0 && ledger.Errors500 == 0 && verdict.Oversold == 0 && verdict.OrderViolations == 0
        && verdict.MissingEmails == 0 && verdict.DuplicateEmails == 0 && withinBound
        && admission.DrawViolations == 0 && admission.ReconfirmViolations == 0 && admission.Duplicates == 0;
    return clean && flat ? 0 : 1;
}

/// <summary>Stops everything the run started, once, however it ends (normally, exception, Ctrl-C, SIGTERM).</summary>
internal sealed class Cleanup
{
    private int _done;
    public AzuriteProcess? Azurite { get; set; }
    public FakeSendGrid? SendGrid { get; set; }
    public List<AppInstance> Instances { get; } = [];

    public void Run()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1) return;
        foreach (var instance in Instances)
        {
            try { instance.Dispose(); } catch (Exception) { }
        }

        if (Azurite?.ProcessId is { } pid) Native.Signal(pid, Native.SIGCONT);
        try { Azurite?.Dispose(); } catch (Exception) { }
        try { SendGrid?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5)); } catch (Exception) { }
    }
}
