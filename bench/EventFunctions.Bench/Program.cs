// The hot-event benchmark: a popular event's sign-up rush on one partition, from one run against one Azurite
// it starts itself (in memory), in five parts:
//   1. raw       K concurrent single-entity inserts into one partition (the ceiling without any rule)
//   2. naive     per sign-up: read the event row, one ETag transaction (counters + row), retry on 412; no coordination
//   3. product   RegistrationService in process: K clients, one event with C seats and a waitlist, N attempts
//   3b. scale-out the same rush over 1, 2 and 4 instances (separate service providers: separate ledgers, one event),
//                and its ceiling: 4 instances each on an event of its own (nothing shared)
//   4. http      the same through the local host: urlencoded form posts, the result page rendered
//   5. pipeline  confirmation messages through the SendConfirmation queue function to a loopback SendGrid,
//                beside a raw dequeue rate; first-email latency after a quiet minute and during the HTTP rush
// Each part prints throughput and p50/p95/p99 latency and checks its invariants from the table afterwards.
// Parts 1 and 3 first get an unmeasured warm-up (--warmup, default N) so that both are measured with the hot paths
// compiled, and then run in alternating rounds (--rounds, default 3): each reports its median round, so a swing in
// this noisy machine's speed hits both sides of the ratio. Each run also prints the CPU time per attempt spent in
// this process and in Azurite: on 2 cores that bounds what either side can reach.
// Run: dotnet run -c Release --project bench/EventFunctions.Bench -- [--clients 64] [--attempts 5000] [--capacity 1000]
//      [--naive-attempts 500] [--http-attempts N] [--quiet-seconds 60] [--quiet-samples 10] [--set Key=Value]... [--quick]
//      [--warmup N] [--rounds 3] [--http-only] [--emails-after] [--sequencing]
// (--quick runs parts 1, 3 and 3b only, to try settings; --http-only the HTTP parts only, with --quiet-seconds 0
// --quiet-samples 0 in about two minutes.)
// (--set passes an app setting to the product, e.g. --set EventFunctions:MaxBatch=32, or a host.json override,
// e.g. --set AzureFunctionsJobHost:extensions:queues:batchSize=32.) Figures vary with the machine and its load:
// compare the ratios of one run.
using System.Diagnostics;
using System.Net;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using EventFunctions.Bench;
using EventFunctions.LocalHost;
using EventFunctions.Shared;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Text;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;

var options = Args.Parse(args);
int K = options.Clients, N = options.Attempts, C = options.Capacity;

using var azurite = new AzuriteProcess();
await azurite.StartAsync();
Clients.AzuritePid = azurite.ProcessId;
Console.WriteLine($"EventFunctions hot-event benchmark: K={K} clients, N={N} attempts, C={C} seats (+ waitlist); Azurite in memory; {Environment.ProcessorCount} cores");
Console.WriteLine($"settings: {(options.Settings.Count == 0 ? "app defaults" : string.Join(", ", options.Settings.Select(kv => $"{kv.Key}={kv.Value}")))}");
Console.WriteLine();

var table = "bench" + Guid.NewGuid().ToString("N")[..10];
// Production settings (the app refuses to start without them); SendGrid is the loopback fake of part 5 on.
var appSettings = TestSettings.Production("http://127.0.0.1:9");
appSettings["AzureWebJobsStorage"] = azurite.ConnectionString;
appSettings["EventFunctions:TableName"] = table;
foreach (var (k, v) in options.Settings) appSettings[k] = v;

// ---- set-up: parts 1 and 3 run in alternating rounds on the same Azurite, after a warm-up of each ----
var rawTable = new TableClient(azurite.ConnectionString, "raw" + Guid.NewGuid().ToString("N")[..10]);
await rawTable.CreateAsync();
await rawTable.AddEntityAsync(LeanRow<RegistrationEntity>.ForInsert(Rows.RegistrationLike("warm", "up", -1)));
// Every storage request the in-process app sends is counted (a policy in the SDK pipeline): requests per sign-up.
var productRequests = new StorageRequests();
var serviceCollection = new ServiceCollection().AddEventFunctions(new ConfigurationBuilder().AddInMemoryCollection(appSettings).Build());
serviceCollection.AddAzureClients(b => b.ConfigureDefaults(o => o.AddPolicy(productRequests, Azure.Core.HttpPipelinePosition.PerCall)));
await using var services = serviceCollection.BuildServiceProvider();
var store = services.GetRequiredService<EventStore>();
var registrations = services.GetRequiredService<RegistrationService>();
var warmupRows = 0;
// --http-only skips parts 1, 2, 3, 3b and 5: the HTTP parts alone (their own table), to try a change to that path quickly.
PartResult raw = Skipped("raw"), product = Skipped("product"), naive = Skipped("naive");
var scaleOut = new Dictionary<(int Instances, int DelayMs), PartResult>();
var ceiling = new Dictionary<(int Instances, int DelayMs), PartResult>(); // 3b's reference: instances on events of their own
var sequenced = new Dictionary<(int Instances, int DelayMs), PartResult>(); // --sequencing: the prototype of run R's design
var answeredAtInsert = new Dictionary<(int Instances, int DelayMs), PartResult>(); // --sequencing: run T's lever

var productAcked = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
var productRows = 0;
var rushRequests = new List<double>();
double lonePerSignUp = double.NaN;
if (!options.HttpOnly)
{
    if (options.Warmup > 0)
    {
        // Warm-up (not measured): the same work on another partition and event, so that the JIT has compiled the hot
        // paths (the ledger's run once per commit, ~80 times in a rush of 5,000) and both are measured in steady state.
        Console.WriteLine($"warm-up (not measured): {options.Warmup} raw inserts and {options.Warmup} sign-ups");
        await Clients.RunAsync(K, options.Warmup, "raw warm-up", i => rawTable.AddEntityAsync(LeanRow<RegistrationEntity>.ForInsert(Rows.RegistrationLike("warmup", $"reg-{i:000000}", i))));
        var warmupEvent = await CreateEventAsync(services, "热身讲座（基准测试，不计时）", Math.Max(1, C / 5));
        await Clients.RunAsync(K, options.Warmup, "product warm-up", i => registrations.SignUpAsync(warmupEvent, Person(i, "pw"), UiText.Chinese, default));
        warmupRows = (await Checks.EventAsync(await store.TableAsync(default), warmupEvent, C, null)).Rows;
        Console.WriteLine();
    }

    // Rounds alternate raw and product so that a swing in the machine's speed hits both; each part reports the round
    // with its median throughput, and invariants are summed over every round.
    var rawRounds = new List<PartResult>();
    var productRounds = new List<PartResult>();
    for (var round = 1; round <= options.Rounds; round++)
    {
        // ---- 1. raw ----
        Console.WriteLine($"1. raw, round {round}/{options.Rounds}: single-entity inserts into one partition (the row a sign-up stores)");
        var rawAcked = new bool[N];
        var rawPartition = $"event{round}";
        var (rawSeconds, rawLatency) = await Clients.RunAsync(K, N, "raw", async i =>
        {
            await rawTable.AddEntityAsync(LeanRow<RegistrationEntity>.ForInsert(Rows.RegistrationLike(rawPartition, $"reg-{i:000000}", i)));
            rawAcked[i] = true;
        });
        var rawRows = 0;
        await foreach (var _ in rawTable.QueryAsync<TableEntity>(filter: $"PartitionKey eq '{rawPartition}'", select: ["RowKey"])) rawRows++;
        var rawRound = new PartResult("raw", N, rawAcked.Count(a => a), rawSeconds, rawLatency) { Lost = Math.Max(0, rawAcked.Count(a => a) - rawRows) };
        Report(rawRound);
        rawRounds.Add(rawRound);

        // ---- 3. product ----
        Console.WriteLine($"3. product, round {round}/{options.Rounds}: RegistrationService in process");
        var productEvent = await CreateEventAsync(services, $"热门讲座（基准测试，第{round}轮）", C);
        var acked = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        var refused = 0;
        var requestsBefore = productRequests.Snapshot();
        var (productSeconds, productLatency) = await Clients.RunAsync(K, N, "product", async i =>
        {
            var outcome = await registrations.SignUpAsync(productEvent, Person(i, $"p{round}-"), UiText.Chinese, default);
            if (outcome is SignUpOutcome.Registered r) acked[r.Registration.RegistrationId] = r.Registration.Status;
            else Interlocked.Increment(ref refused);
        });
        var check = await Checks.EventAsync(await store.TableAsync(default), productEvent, C, acked.Keys);
        var productRound = new PartResult("product", N, acked.Count, productSeconds, productLatency)
        {
            Oversold = check.Oversold, Lost = check.Lost, Duplicates = check.Duplicates,
            Note = $"{check.Confirmed} confirmed, {check.Waitlisted} waitlisted, {check.Commits} commits (mean {(double)check.Rows / Math.Max(1, check.Commits):F1} sign-ups each){(refused > 0 ? $", {refused} not registered" : "")}",
        };
        await services.GetRequiredService<EventFunctions.Shared.Ledger.EventLedger>().QueueWritesAsync(); // the commits' queue messages count too
        Console.WriteLine($"   storage requests per sign-up in the rush: {productRequests.Since(requestsBefore, N, out var perSignUp)} = {perSignUp:F2}");
        rushRequests.Add(perSignUp);
        Report(productRound);
        productRounds.Add(productRound);
        foreach (var (id, status) in acked) productAcked[id] = status;
        productRows += check.Rows;
    }

    raw = Median(rawRounds) with { Lost = rawRounds.Sum(r => r.Lost) };
    product = Median(productRounds) with
    {
        Oversold = productRounds.Sum(r => r.Oversold), Lost = productRounds.Sum(r => r.Lost), Duplicates = productRounds.Sum(r => r.Duplicates),
    };
    if (options.Rounds > 1)
    {
        Console.WriteLine($"   rounds: raw {string.Join(", ", rawRounds.Select(r => $"{r.PerSecond:F0}"))}/s; product {string.Join(", ", productRounds.Select(r => $"{r.PerSecond:F0}"))}/s; " +
            $"product/raw per round {string.Join(", ", rawRounds.Zip(productRounds, (r, p) => $"{p.PerSecond / r.PerSecond:F2}"))}; medians {raw.PerSecond:F0}/s and {product.PerSecond:F0}/s");
    }

    // ---- 2. naive ----
    var naiveN = Math.Min(options.NaiveAttempts, N);
    var naiveC = Math.Max(1, (int)((long)C * naiveN / N));
    Console.WriteLine($"2. naive: read + ETag transaction + retry per sign-up, no coordination ({naiveN} attempts, {naiveC} seats)");
    if (!options.Quick && options.Warmup > 0) await Naive.RunAsync(azurite.ConnectionString, K, Math.Min(naiveN, 2 * K), naiveC, "naive warm-up");
    naive = options.Quick ? raw with { Part = "naive (skipped)" } : await Naive.RunAsync(azurite.ConnectionString, K, naiveN, naiveC);
    Report(naive);

    // ---- 3b. scale-out: the same rush over M instances (M service providers, so M ledgers; one storage, one event) ----
    // What the platform does when a popular lecture opens: more instances, each committing to the same partition.
    // Without and with every storage request delayed 5 ms (as the real service's round trips are): there contention
    // costs round trips, not this machine's CPU.
    // "Apart" is the ceiling, not the product's case: each instance its own event (C/M seats each), so nothing contends
    // and each commit carries one instance's clients only. Any scheme that keeps a sign-up on the instance that took it
    // can at best reach it; where even the ceiling falls short of one instance, the cause is this machine's CPU.
    foreach (var (m, delayMs, apart) in new[] { (1, 0, false), (2, 0, false), (4, 0, false), (4, 0, true), (1, 5, false), (4, 5, false), (4, 5, true) })
    {
        Console.WriteLine(apart
            ? $"3b. ceiling: {K} clients over {m} instances, each its own event of {C / m} seats (nothing shared){(delayMs > 0 ? $", every storage request delayed {delayMs} ms" : "")}"
            : $"3b. scale-out: {K} clients over {m} instance(s), one event of {C} seats{(delayMs > 0 ? $", every storage request delayed {delayMs} ms" : "")}");
        // Each configuration its own table and queue, deleted after: Azurite's in-memory tables answer a query by scanning
        // the table, so rows left by one configuration would slow the next (and the later parts), and its messages would
        // be the pipeline part's to send.
        var scaleName = $"scale{m}x{delayMs}{Guid.NewGuid().ToString("N")[..8]}";
        var scaleSettings = new Dictionary<string, string?>(appSettings) { ["EventFunctions:TableName"] = scaleName, ["EventFunctions:ConfirmationQueue"] = scaleName };
        var scaleRequests = new StorageRequests(); // every instance's requests, refusals (412: another instance first) apart
        var instances = Enumerable.Range(0, m).Select(_ =>
        {
            var collection = new ServiceCollection().AddEventFunctions(new ConfigurationBuilder().AddInMemoryCollection(scaleSettings).Build());
            collection.AddAzureClients(b => b.ConfigureDefaults(o => o.AddPolicy(scaleRequests, Azure.Core.HttpPipelinePosition.PerCall)));
            if (delayMs > 0) collection.AddAzureClients(b => b.ConfigureDefaults(o => o.AddPolicy(new StorageDelay(TimeSpan.FromMilliseconds(delayMs)), Azure.Core.HttpPipelinePosition.PerRetry)));
            return collection.BuildServiceProvider();
        }).ToList();
        var scaleEvents = new List<string>();
        for (var e = 0; e < (apart ? m : 1); e++)
            scaleEvents.Add(await CreateEventAsync(instances[0], $"多实例热门讲座（基准测试，{m} 个实例，延迟 {delayMs} ms{(apart ? $"，第{e + 1}场" : "")}）", apart ? C / m : C));
        var instanceRegistrations = instances.Select(s => s.GetRequiredService<RegistrationService>()).ToList();
        var scaleAcked = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        var label = $"{m} instance(s){(apart ? ", events apart" : "")}{(delayMs > 0 ? $" at {delayMs} ms" : "")}";
        var scaleBefore = scaleRequests.Snapshot();
        using var paths = new LedgerPaths();
        var (scaleSeconds, scaleLatency) = await Clients.RunAsync(K, N, label, async i =>
        {
            // Client i always reaches the same instance, as a client's connection does.
            var outcome = await instanceRegistrations[i % m].SignUpAsync(scaleEvents[apart ? i % m : 0], Person(i, $"s{m}d{delayMs}{(apart ? "a" : "")}-"), UiText.Chinese, default);
            if (outcome is SignUpOutcome.Registered r) scaleAcked[r.Registration.RegistrationId] = $"{r.Event.Id}/{r.Registration.Status}";
        });
        var scaleStore = instances[0].GetRequiredService<EventStore>();
        var scaleChecks = new List<Checks.EventCheck>();
        foreach (var e in scaleEvents)
        {
            // Each event's check against the ids acknowledged for it (its own clients' only, when apart).
            var ids = scaleAcked.Where(a => a.Value.StartsWith(e + "/", StringComparison.Ordinal)).Select(a => a.Key);
            scaleChecks.Add(await Checks.EventAsync(await scaleStore.TableAsync(default), e, apart ? C / m : C, ids));
        }

        var (scaleCommits, scaleRows) = (scaleChecks.Sum(c => c.Commits), scaleChecks.Sum(c => c.Rows));
        var scaleResult = new PartResult(label, N, scaleAcked.Count, scaleSeconds, scaleLatency)
        {
            Oversold = scaleChecks.Sum(c => c.Oversold), Lost = scaleChecks.Sum(c => c.Lost), Duplicates = scaleChecks.Sum(c => c.Duplicates),
            Note = $"{scaleCommits} commits (mean {(double)scaleRows / Math.Max(1, scaleCommits):F1} sign-ups each)"
                + (scaleChecks.Sum(c => c.ViaInbox) is var viaInbox and > 0 ? $"; {viaInbox} answered at the waitlist inbox's insert, all numbered {scaleChecks.Max(c => c.NumberedMs):F0} ms after the last answer" : ""),
        };
        if (apart) ceiling[(m, delayMs)] = scaleResult;
        else scaleOut[(m, delayMs)] = scaleResult;
        Report(scaleResult);
        Console.WriteLine($"   how the ledger stored them: {paths.Summary()}");
        if (options.Timeline) Console.WriteLine($"   per quarter second (e event row, b seat block, i waitlist inbox, x refused): {paths.Timeline()}");
        Console.WriteLine($"   storage requests per sign-up: {scaleRequests.Since(scaleBefore, N, out var scalePerSignUp)} = {scalePerSignUp:F2}");
        foreach (var instance in instances[1..]) await instance.DisposeAsync();
        await instances[0].GetRequiredService<EventFunctions.Shared.Ledger.EventLedger>().ReturnBlocksAsync();
        await (await scaleStore.TableAsync(default)).DeleteAsync();
        await (await scaleStore.QueueAsync(default)).DeleteIfExistsAsync();
        await instances[0].DisposeAsync();
    }

    Console.WriteLine($"   scale-out: instances2/1={ScaleRatio(2, 0):F2} instances4/1={ScaleRatio(4, 0):F2} instances4/1_at_5ms={ScaleRatio(4, 5):F2} " +
        $"(p99 {scaleOut[(1, 0)].Latency.Percentile(0.99):F0} / {scaleOut[(2, 0)].Latency.Percentile(0.99):F0} / {scaleOut[(4, 0)].Latency.Percentile(0.99):F0} ms; " +
        $"at 5 ms {scaleOut[(1, 5)].Latency.Percentile(0.99):F0} / {scaleOut[(4, 5)].Latency.Percentile(0.99):F0} ms); " +
        $"ceiling (4 instances, events apart) /1={ScaleRatio(4, 0, apart: true):F2}, at 5 ms {ScaleRatio(4, 5, apart: true):F2}");

    if (options.Sequencing)
    {
        // The design run R proposes, as a prototype of its commit pattern: what it could reach, before it is built.
        foreach (var (m, delayMs, atInsert) in new[] { (1, 0, false), (4, 0, false), (1, 0, true), (4, 0, true), (1, 5, false), (4, 5, false), (1, 5, true), (4, 5, true) })
        {
            var sequencingRequests = new StorageRequests();
            var part = await Sequencing.RunAsync(azurite.ConnectionString, K, N, C, m, TimeSpan.FromMilliseconds(delayMs), sequencingRequests, atInsert);
            if (atInsert) answeredAtInsert[(m, delayMs)] = part;
            else sequenced[(m, delayMs)] = part;
            Report(part);
            Console.WriteLine($"   storage requests per sign-up: {sequencingRequests.Since(new Dictionary<string, long>(), N, out var perSignUp)} = {perSignUp:F2}");
        }

        double Sequenced(int m, int d) => sequenced[(m, d)].PerSecond;
        Console.WriteLine($"   sequencing prototype: 4 instances/1 instance of it={Sequenced(4, 0) / Sequenced(1, 0):F2}, at 5 ms {Sequenced(4, 5) / Sequenced(1, 5):F2}; " +
            $"4 instances of it/the product's 1 instance={Sequenced(4, 0) / scaleOut[(1, 0)].PerSecond:F2}, at 5 ms {Sequenced(4, 5) / scaleOut[(1, 5)].PerSecond:F2}; " +
            $"answered at insert, 4 instances/the product's 1 instance={answeredAtInsert[(4, 0)].PerSecond / scaleOut[(1, 0)].PerSecond:F2}, at 5 ms {answeredAtInsert[(4, 5)].PerSecond / scaleOut[(1, 5)].PerSecond:F2}");
    }

    // A lone sign-up on a quiet event: what one person's sign-up costs when nothing is batched with it.
    var loneEvent = await CreateEventAsync(services, "一个人的报名（基准测试）", 10);
    var loneBefore = productRequests.Snapshot();
    var loneOutcome = await registrations.SignUpAsync(loneEvent, Person(0, "lone"), UiText.Chinese, default);
    await services.GetRequiredService<EventFunctions.Shared.Ledger.EventLedger>().QueueWritesAsync();
    var loneLine = productRequests.Since(loneBefore, 1, out lonePerSignUp);
    Console.WriteLine($"storage requests for a lone sign-up ({loneOutcome.GetType().Name}): {loneLine} = {lonePerSignUp:F0}; in the rush (median of rounds) {MedianOf(rushRequests):F2} per sign-up");

    if (options.Quick)
    {
        Console.WriteLine($"quick (parts 1, 3 and 3b only): product/raw={product.PerSecond / raw.PerSecond:F2} instances2/1={ScaleRatio(2, 0):F2} " +
            $"instances4/1={ScaleRatio(4, 0):F2} instances4/1_at_5ms={ScaleRatio(4, 5):F2} ceiling4/1={ScaleRatio(4, 0, apart: true):F2} ceiling4/1_at_5ms={ScaleRatio(4, 5, apart: true):F2} p99_ms={product.Latency.Percentile(0.99):F0} storage_requests_per_signup={MedianOf(rushRequests):F2} lone={lonePerSignUp:F0}");
        return 0;
    }
}

// M instances (on one event, or each on its own: the ceiling) against one instance at the same delay.
double ScaleRatio(int m, int delayMs, bool apart = false) =>
    (apart ? ceiling : scaleOut).TryGetValue((m, delayMs), out var many) && scaleOut.TryGetValue((1, delayMs), out var one) ? many.PerSecond / one.PerSecond : double.NaN;

// ---- 5. pipeline (run before the HTTP part so that the HTTP rush finds an idle host, and measured on part 3's emails) ----
await using var sendGrid = await FakeSendGrid.StartAsync(keepBodies: false);
var hostSettings = new Dictionary<string, string?>(appSettings)
{
    ["ConfirmationSweepSchedule"] = "0 0 0 1 1 *",
    ["ReminderSchedule"] = "0 0 0 1 1 *",
    ["HoldSweepSchedule"] = "0 0 0 1 1 *",
    ["EventFunctions:Email:SendGridHost"] = sendGrid.BaseUrl,
    ["Logging:LogLevel:Default"] = "Warning",
    ["Logging:LogLevel:Azure"] = "Error", // slow-response warnings would bury the progress lines
};
// The host's storage requests are counted too: what sending one confirmation costs (claim, record, the queue).
var hostRequests = new StorageRequests();
// The HTTP reference (part 4r): beside the functions, in the same host, an endpoint that reads the same form, inserts
// one row (the row a sign-up stores, part 1's) per post and answers a page as long as the product's result page.
var referencePage = "";
var referenceCount = 0;
async Task<(WebApplication Host, string Url)> StartHostAsync(Dictionary<string, string?> settings)
{
    var built = LocalFunctionsHost.Build(new LocalHostOptions
    {
        Urls = "http://127.0.0.1:0",
        Settings = settings,
        ConfigureServices = s => s.AddAzureClients(b => b.ConfigureDefaults(o => o.AddPolicy(hostRequests, Azure.Core.HttpPipelinePosition.PerCall))),
        ConfigureApp = app => app.MapPost("bench/reference/{partition}", async (HttpContext context, string partition) =>
        {
            var form = await context.Request.ReadFormAsync();
            var row = Rows.RegistrationLike(partition, "reg-" + form["email"], Interlocked.Increment(ref referenceCount));
            await rawTable.AddEntityAsync(LeanRow<RegistrationEntity>.ForInsert(row), context.RequestAborted);
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(referencePage, context.RequestAborted);
        }),
    });
    await built.StartAsync();
    return (built, built.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}

var owed = productRows + warmupRows; // every round's emails, and the warm-up's
var queuedMessages = 0;
var drained = true;
var pipelineSeconds = double.NaN;
List<SentMail> mails = [];
var pipelineMissing = 0;
var dequeueRate = double.NaN;
if (!options.HttpOnly)
{
    Console.WriteLine("5. pipeline: the confirmation messages of part 3 (and its warm-up) through SendConfirmation (local host) to a loopback SendGrid");
    var queue = new QueueClient(azurite.ConnectionString, QueueNames.Confirmations, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
    queuedMessages = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
    var pipelineWatch = Stopwatch.StartNew();
    var (pipelineHost, _) = await StartHostAsync(hostSettings);
    drained = await Clients.UntilAsync(() => Task.FromResult((sendGrid.Count >= owed, $"{sendGrid.Count}/{owed} emails")), TimeSpan.FromMinutes(5), "emails");
    pipelineWatch.Stop();
    pipelineSeconds = pipelineWatch.Elapsed.TotalSeconds;
    mails = sendGrid.Sent.ToList();
    var mailed = mails.Select(m => m.RegistrationId).ToHashSet(StringComparer.Ordinal);
    pipelineMissing = productAcked.Keys.Count(id => !mailed.Contains(id));
    Console.WriteLine($"   storage requests per confirmation email (the app's clients in the host; the queue listener's receive and delete are not counted): {hostRequests.Since(new Dictionary<string, long>(), mails.Count, out var perEmail)} = {perEmail:F2}");
    await pipelineHost.StopAsync();
    await pipelineHost.DisposeAsync();

    Console.WriteLine($"   raw dequeue: one message per email ({Math.Min(owed, N)} of them), received {32} at a time and deleted, by one poller");
    var rawQueue = new QueueClient(azurite.ConnectionString, "raw-dequeue", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
    await rawQueue.CreateIfNotExistsAsync();
    var dequeueN = Math.Min(owed, N); // a rate: N messages measure it as well as all of them
    await Clients.RunAsync(K, dequeueN, "filling", i => rawQueue.SendMessageAsync($$"""{"eventId":"bench","registrationKey":"reg-{{i}}"}"""));
    var dequeueWatch = Stopwatch.StartNew();
    var dequeued = 0;
    while (true)
    {
        var received = (await rawQueue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1))).Value;
        if (received.Length == 0) break;
        await Task.WhenAll(received.Select(m => rawQueue.DeleteMessageAsync(m.MessageId, m.PopReceipt)));
        dequeued += received.Length;
    }

    dequeueWatch.Stop();
    dequeueRate = dequeued / dequeueWatch.Elapsed.TotalSeconds;
    Console.WriteLine($"   raw dequeue: {dequeued} messages in {dequeueWatch.Elapsed.TotalSeconds:F1} s");
}

// The HTTP parts get a host of their own on a table of their own, as the scale-out part does: Azurite answers
// a query by scanning every row of the table (the real service scans only the partition asked for), so parts 1 and
// 3's 20,000 rows would otherwise be scanned by every query of the HTTP rush's emails.
var httpTable = "http" + Guid.NewGuid().ToString("N")[..10];
var httpHostSettings = new Dictionary<string, string?>(hostSettings) { ["EventFunctions:TableName"] = httpTable };
// --emails-after (a diagnostic): the HTTP host sends no email (SendConfirmation turned off, as an app setting turns a
// function off); a second host sends them once part 4 is measured, so part 4 shows the HTTP path without the emails'
// work beside it on this machine's two cores.
if (options.EmailsAfter) httpHostSettings["AzureWebJobs.SendConfirmation.Disabled"] = "true";
var (host, hostUrl) = await StartHostAsync(httpHostSettings);
WebApplication? emailHost = null;
var hostServices = host.Services;
var hostStore = hostServices.GetRequiredService<EventStore>();
var hostBatchSize = hostServices.GetRequiredService<HostSettings>().BatchSize;
var hostPolling = hostServices.GetRequiredService<HostSettings>().MaxPollingInterval;

// First email after a quiet minute: the host's queue listener has backed off to maxPollingInterval.
Console.WriteLine($"   first email after a quiet spell: {options.QuietSeconds} s quiet, then {options.QuietSamples} sign-ups through HTTP, each after 3.2–5.2 s of quiet (the listener back at its cap)");
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(K, 16) }) { BaseAddress = new Uri(hostUrl), Timeout = TimeSpan.FromSeconds(60) };
var quietEvent = await CreateEventAsync(hostServices, "安静时段的讲座（基准测试）", options.QuietSamples + 10);
await PostFormAsync(http, quietEvent, -1, "quiet-warm"); // the form path warmed up before the quiet spell
await Task.Delay(TimeSpan.FromSeconds(options.QuietSeconds));
var quietLatency = new Latencies();
var random = new Random(7);
for (var s = 0; s < options.QuietSamples; s++)
{
    if (s > 0) await Task.Delay(TimeSpan.FromMilliseconds(3200 + random.Next(2000)));
    var started = Stopwatch.GetTimestamp();
    var (ok, email) = await PostFormAsync(http, quietEvent, s, "quiet");
    if (!ok) continue;
    var arrived = await Clients.UntilAsync(() => Task.FromResult((sendGrid.FirstByRecipient.ContainsKey(email), $"sample {s + 1}/{options.QuietSamples}")), TimeSpan.FromSeconds(60), "quiet");
    if (arrived) quietLatency.Add(Stopwatch.GetElapsedTime(started, sendGrid.FirstByRecipient[email]).TotalMilliseconds);
}

// ---- 4. http ----
var httpN = options.HttpAttempts ?? N;
Console.WriteLine($"4. http: urlencoded form posts to the local host ({httpN} attempts, {C} seats), result page read; its emails sent meanwhile");
var httpEvent = await CreateEventAsync(hostServices, "热门讲座（表单，基准测试）", C);
if (options.Warmup > 0)
{
    var httpWarmupEvent = await CreateEventAsync(hostServices, "热身讲座（表单，基准测试，不计时）", Math.Max(1, C / 5));
    var httpWarmup = Math.Max(K, Math.Min(httpN, options.Warmup) / 2);
    var warmupEmails = new System.Collections.Concurrent.ConcurrentBag<string>();
    await Clients.RunAsync(K, httpWarmup, "http warm-up", async i =>
    {
        var (ok, email) = await PostFormAsync(http, httpWarmupEvent, i, "hw");
        if (ok) warmupEmails.Add(email);
    });
    Console.WriteLine();
    // Its emails go out before the measured rush, so the rush's first-email latency is its own.
    if (!options.EmailsAfter) await Clients.UntilAsync(() => Task.FromResult((warmupEmails.All(sendGrid.FirstByRecipient.ContainsKey), $"{warmupEmails.Count(sendGrid.FirstByRecipient.ContainsKey)}/{warmupEmails.Count} warm-up emails")), TimeSpan.FromMinutes(5), "warm-up emails");
}
else
{
    await PostFormAsync(http, httpEvent, -1, "http-warm");
}

// ---- 4r. the HTTP reference: the same clients and posts, one insert each, a page of the product's size ----
{
    using var sample = await http.PostAsync($"/api/signup/{httpEvent}", FormFor(httpEvent, -2, "page-size"));
    var size = (await sample.Content.ReadAsByteArrayAsync()).Length;
    const string head = "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>报名成功</title><body><main><h1>报名成功</h1><p>";
    const string tail = "</p></main></body></html>";
    var fill = size - System.Text.Encoding.UTF8.GetByteCount(head) - System.Text.Encoding.UTF8.GetByteCount(tail);
    referencePage = head + new string('x', Math.Max(0, fill)) + tail;
    Console.WriteLine($"4r. http reference: the same {httpN} form posts to an endpoint in the same host that inserts one row each and answers {System.Text.Encoding.UTF8.GetByteCount(referencePage)} bytes (the product's result page: {size})");
}

var referencePartition = "ref" + Guid.NewGuid().ToString("N")[..10];
if (options.Warmup > 0) await Clients.RunAsync(K, Math.Min(httpN, options.Warmup) / 2, "http reference warm-up", i => PostReferenceAsync(http, "ref-warm", i, "rw"));
var referenceStored = 0;
var (referenceSeconds, referenceLatency) = await Clients.RunAsync(K, httpN, "http reference", async i =>
{
    if (await PostReferenceAsync(http, referencePartition, i, "r")) Interlocked.Increment(ref referenceStored);
});
var httpReference = new PartResult("4r. http reference", httpN, referenceStored, referenceSeconds, referenceLatency);
Report(httpReference);

var httpAcked = new System.Collections.Concurrent.ConcurrentDictionary<string, long>(StringComparer.Ordinal);
var beforeHttp = hostRequests.Snapshot();
var (httpSeconds, httpLatency) = await Clients.RunAsync(K, httpN, "http", async i =>
{
    var started = Stopwatch.GetTimestamp();
    var (ok, email) = await PostFormAsync(http, httpEvent, i, "h");
    if (ok) httpAcked[email] = started;
});
var httpCheck = await Checks.EventAsync(await hostStore.TableAsync(default), httpEvent, C, null, httpAcked.Keys);
var httpPart = new PartResult("http", httpN, httpAcked.Count, httpSeconds, httpLatency)
{
    Oversold = httpCheck.Oversold, Lost = httpCheck.Lost, Duplicates = httpCheck.Duplicates,
    Note = $"{httpCheck.Confirmed} confirmed, {httpCheck.Waitlisted} waitlisted, {httpCheck.Commits} commits",
};
Report(httpPart);
if (options.EmailsAfter)
{
    Console.WriteLine("   (--emails-after: a second host now sends part 4's emails)");
    (emailHost, _) = await StartHostAsync(new Dictionary<string, string?>(hostSettings) { ["EventFunctions:TableName"] = httpTable });
}

await Clients.UntilAsync(() => Task.FromResult((httpAcked.Keys.All(sendGrid.FirstByRecipient.ContainsKey), $"{httpAcked.Keys.Count(sendGrid.FirstByRecipient.ContainsKey)}/{httpAcked.Count} emails of the rush")),
    TimeSpan.FromMinutes(5), "rush emails");
// What the host asked of storage for the rush, its emails included, per sign-up, by kind (queries by what they ask):
// where Azurite's CPU goes.
Console.WriteLine($"   storage requests per sign-up of part 4, its emails included (the host's clients): {hostRequests.Since(beforeHttp, httpN, out var perHttpSignUp)} = {perHttpSignUp:F2}");
var rushLatency = new Latencies();
foreach (var (email, started) in httpAcked)
{
    if (sendGrid.FirstByRecipient.TryGetValue(email, out var at)) rushLatency.Add(Stopwatch.GetElapsedTime(started, at).TotalMilliseconds);
}

// ---- 4b. first email during a 1,000-person rush (issue 20's figure: a street office's biggest rush), the queue idle before ----
var peopleN = Math.Min(1000, httpN);
Console.WriteLine($"4b. first email: {peopleN} people sign up through the form at once ({K} at a time), each email timed from the post to SendGrid");
var peopleEvent = await CreateEventAsync(hostServices, "千人报名的讲座（基准测试）", C);
var peopleAcked = new System.Collections.Concurrent.ConcurrentDictionary<string, long>(StringComparer.Ordinal);
var (peopleSeconds, _) = await Clients.RunAsync(K, peopleN, "1,000 people", async i =>
{
    var started = Stopwatch.GetTimestamp();
    var (ok, email) = await PostFormAsync(http, peopleEvent, i, "k");
    if (ok) peopleAcked[email] = started;
});
await Clients.UntilAsync(() => Task.FromResult((peopleAcked.Keys.All(sendGrid.FirstByRecipient.ContainsKey), $"{peopleAcked.Keys.Count(sendGrid.FirstByRecipient.ContainsKey)}/{peopleAcked.Count} emails")),
    TimeSpan.FromMinutes(5), "the 1,000 people's emails");
var peopleLatency = new Latencies();
foreach (var (email, started) in peopleAcked)
{
    if (sendGrid.FirstByRecipient.TryGetValue(email, out var at)) peopleLatency.Add(Stopwatch.GetElapsedTime(started, at).TotalMilliseconds);
}

Console.WriteLine($"   {peopleAcked.Count} signed up in {peopleSeconds:F1} s; first email p50={peopleLatency.Percentile(0.5):F0} ms p95={peopleLatency.Percentile(0.95):F0} ms max={peopleLatency.Percentile(1):F0} ms");

var rushMissing = httpAcked.Keys.Count(e => !sendGrid.FirstByRecipient.ContainsKey(e)) + peopleAcked.Keys.Count(e => !sendGrid.FirstByRecipient.ContainsKey(e));
var allMails = sendGrid.Sent.ToList();
var allDuplicates = allMails.Count - allMails.Select(m => (m.RegistrationId, m.Version)).Distinct().Count();
var pipeline = new PartResult("pipeline", owed, drained ? owed : sendGrid.Count, pipelineSeconds, new Latencies())
{
    Lost = pipelineMissing + rushMissing, Duplicates = allDuplicates,
    Note = $"{owed} emails from {queuedMessages} queue messages",
};
await host.StopAsync();
await host.DisposeAsync();
if (emailHost is not null)
{
    await emailHost.StopAsync();
    await emailHost.DisposeAsync();
}

// ---- Report ----
Console.WriteLine();
Console.WriteLine($"| part | attempts | stored | per second | p50 ms | p95 ms | p99 ms | oversold | lost | duplicates | notes |");
Console.WriteLine($"| ---- | -------- | ------ | ---------- | ------ | ------ | ------ | -------- | ---- | ---------- | ----- |");
foreach (var p in new[] { raw, naive, product, httpReference, httpPart }) Row(p);
Console.WriteLine($"| 5. pipeline | {owed} emails | {pipeline.Succeeded} sent | {pipeline.PerSecond:F0} emails/s | | | | | {pipeline.Lost} | {pipeline.Duplicates} | {pipeline.Note}; raw dequeue {dequeueRate:F0} msgs/s (32 per receive, one poller) |");
Console.WriteLine();
Console.WriteLine($"first email (sign-up sent → handed to SendGrid): after a quiet minute p50={quietLatency.Percentile(0.5):F0} ms p95={quietLatency.Percentile(0.95):F0} ms ({quietLatency.Count} samples); " +
    $"during the HTTP rush p50={rushLatency.Percentile(0.5):F0} ms p95={rushLatency.Percentile(0.95):F0} ms ({rushLatency.Count} emails); during {peopleAcked.Count} people p50={peopleLatency.Percentile(0.5):F0} ms p95={peopleLatency.Percentile(0.95):F0} ms; host batchSize={hostBatchSize} maxPollingInterval={hostPolling.TotalSeconds:0.###} s");
Console.WriteLine($"ratios: product/raw={product.PerSecond / raw.PerSecond:F2} product/naive={product.PerSecond / naive.PerSecond:F1} http/raw={httpPart.PerSecond / raw.PerSecond:F2} pipeline emails/raw dequeue={pipeline.PerSecond / dequeueRate:F2}");
long oversold = naive.Oversold + product.Oversold + httpPart.Oversold;
long lost = raw.Lost + naive.Lost + product.Lost + httpPart.Lost + pipeline.Lost;
long duplicates = naive.Duplicates + product.Duplicates + httpPart.Duplicates + pipeline.Duplicates;
Console.WriteLine($"also: product/naive={product.PerSecond / naive.PerSecond:F1} http_per_s={httpPart.PerSecond:F0} httpraw_per_s={httpReference.PerSecond:F0} first_email_quiet_p95_s={quietLatency.Percentile(0.95) / 1000:F1} lone_signup_storage_requests={lonePerSignUp:F0}");
oversold += scaleOut.Values.Concat(ceiling.Values).Sum(p => p.Oversold);
lost += scaleOut.Values.Concat(ceiling.Values).Sum(p => p.Lost);
duplicates += scaleOut.Values.Concat(ceiling.Values).Sum(p => p.Duplicates);
var inv = System.Globalization.CultureInfo.InvariantCulture;
if (options.HttpOnly)
{
    // Not the benchmark's line: parts 1, 2, 3, 3b and 5 did not run.
    Console.WriteLine(string.Create(inv, $"http-only K={K} N={httpN} C={C}: http/httpraw={httpPart.PerSecond / httpReference.PerSecond:F2} http_per_s={httpPart.PerSecond:F0} httpraw_per_s={httpReference.PerSecond:F0} first_email_p95_s={peopleLatency.Percentile(0.95) / 1000:F1} http_storage_requests_per_signup={perHttpSignUp:F2} oversold={oversold} lost={lost} duplicates={duplicates}"));
    return oversold + lost + duplicates == 0 ? 0 : 1;
}

Console.WriteLine(string.Create(inv, $"hot-event K={K} N={N} C={C}: product/raw={product.PerSecond / raw.PerSecond:F2} instances2/1={ScaleRatio(2, 0):F2} instances4/1={ScaleRatio(4, 0):F2} instances4/1_at_5ms={ScaleRatio(4, 5):F2} http/httpraw={httpPart.PerSecond / httpReference.PerSecond:F2} first_email_p95_s={peopleLatency.Percentile(0.95) / 1000:F1} storage_requests_per_signup={MedianOf(rushRequests):F2} p99_ms={product.Latency.Percentile(0.99):F0} oversold={oversold} lost={lost} duplicates={duplicates}"));
return oversold + lost + duplicates == 0 ? 0 : 1;

static PartResult Median(List<PartResult> rounds) => rounds.OrderBy(r => r.PerSecond).ElementAt((rounds.Count - 1) / 2);

static double MedianOf(List<double> values) => values.Count == 0 ? double.NaN : values.Order().ElementAt((values.Count - 1) / 2);

static PartResult Skipped(string part) => new($"{part} (skipped)", 0, 0, 1, new Latencies());

static void Report(PartResult p) =>
    Console.WriteLine($"   {p.Part}: {p.PerSecond:F0}/s ({p.Succeeded} of {p.Attempts} in {p.Seconds:F1} s), {p.Latency.Summary}; oversold={p.Oversold} lost={p.Lost} duplicates={p.Duplicates}{(p.Note.Length > 0 ? "; " + p.Note : "")}");

static void Row(PartResult p) =>
    Console.WriteLine($"| {p.Part} | {p.Attempts} | {p.Succeeded} | {p.PerSecond:F0} | {p.Latency.Percentile(0.5):F1} | {p.Latency.Percentile(0.95):F1} | {p.Latency.Percentile(0.99):F1} | {p.Oversold} | {p.Lost} | {p.Duplicates} | {p.Note} |");

static async Task<string> CreateEventAsync(IServiceProvider services, string title, int capacity)
{
    var now = DateTimeOffset.UtcNow;
    var created = await services.GetRequiredService<EventService>().CreateAsync(new EventInput
    {
        Kind = "lecture", Title = title, Venue = "社区文化活动中心多功能厅", Capacity = capacity, WaitlistAllowed = true, ConfirmEmail = false,
        WaitlistLimit = 100_000, // a rush several times the seats: everyone past the seats waits (the default limit is three times the seats)
        Start = Local(now.AddDays(3)), End = Local(now.AddDays(3).AddHours(2)),
        OrganiserName = "社区服务中心", OrganiserEmail = "bench@example.cn",
    }, default);
    return ((EventOutcome.Created)created).Event.Id;
}

static string Local(DateTimeOffset utc) => TimeZoneInfo.ConvertTime(utc, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).ToString("yyyy-MM-dd'T'HH:mm");

static SignUpInput Person(int i, string tag) => new()
{
    Name = $"参与者{i}", Email = $"{tag}{i}@example.cn", Organisation = "北外滩街道", Consent = true, Language = "zh-CN",
};

static FormUrlEncodedContent FormFor(string eventId, int i, string tag) => new(
[
    new("name", $"参与者{i}"), new("email", $"{tag}{i}@example.cn"), new("organisation", "北外滩街道"), new("consent", "on"),
    new("ft", TestFormTokens.For(eventId)), // the token the page gives, served a minute ago
]);

static async Task<bool> PostReferenceAsync(HttpClient http, string partition, int i, string tag)
{
    using var response = await http.PostAsync($"/bench/reference/{partition}", FormFor(partition, i, tag));
    await response.Content.ReadAsStringAsync();
    return response.StatusCode == HttpStatusCode.OK;
}

static async Task<(bool Ok, string Email)> PostFormAsync(HttpClient http, string eventId, int i, string tag)
{
    var email = $"{tag}{i}@example.cn";
    using var response = await http.PostAsync($"/api/signup/{eventId}", FormFor(eventId, i, tag));
    var page = await response.Content.ReadAsStringAsync();
    return (response.StatusCode == HttpStatusCode.OK && (page.Contains("报名成功") || page.Contains("已登记候补")), email);
}

public sealed record Args(int Clients, int Attempts, int Capacity, int NaiveAttempts, int? HttpAttempts, int QuietSeconds, int QuietSamples, Dictionary<string, string?> Settings)
{
    /// <summary>Only parts 1 and 3 (raw and product), for trying settings quickly.</summary>
    public bool Quick { get; init; }

    /// <summary>Only the HTTP parts (4r, 4, 4b and the first email after a quiet spell), for trying a change to that path quickly.</summary>
    public bool HttpOnly { get; init; }

    /// <summary>Part 4's emails sent by a second host after the rush (a diagnostic: the HTTP path without the emails' work beside it).</summary>
    public bool EmailsAfter { get; init; }

    /// <summary>Part 3b also measures the waitlist-sequencing design's commit pattern (<see cref="Sequencing"/>), a prototype.</summary>
    public bool Sequencing { get; init; }
    /// <summary>Part 3b also prints, per quarter second, how the ledger stored the sign-ups.</summary>
    public bool Timeline { get; init; }

    /// <summary>Attempts of the unmeasured warm-up of parts 1 and 3 (0: none).</summary>
    public int Warmup { get; init; }

    /// <summary>Alternating rounds of parts 1 and 3; each reports its median round.</summary>
    public int Rounds { get; init; } = 1;

    public static Args Parse(string[] args)
    {
        var a = new Args(64, 5000, 1000, 500, null, 60, 10, []) { Warmup = 5000, Rounds = 3 };
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            a = args[i] switch
            {
                "--clients" => a with { Clients = int.Parse(Next()) },
                "--attempts" => a with { Attempts = int.Parse(Next()) },
                "--capacity" => a with { Capacity = int.Parse(Next()) },
                "--naive-attempts" => a with { NaiveAttempts = int.Parse(Next()) },
                "--http-attempts" => a with { HttpAttempts = int.Parse(Next()) },
                "--quiet-seconds" => a with { QuietSeconds = int.Parse(Next()) },
                "--quiet-samples" => a with { QuietSamples = int.Parse(Next()) },
                "--set" => Set(a, Next()),
                "--quick" => a with { Quick = true },
                "--http-only" => a with { HttpOnly = true },
                "--emails-after" => a with { EmailsAfter = true },
                "--sequencing" => a with { Sequencing = true },
                "--timeline" => a with { Timeline = true },
                "--warmup" => a with { Warmup = int.Parse(Next()) },
                "--rounds" => a with { Rounds = Math.Max(1, int.Parse(Next())) },
                _ => throw new ArgumentException($"unknown argument {args[i]} (see the comment at the top of Program.cs)"),
            };
        }

        return a;
    }

    private static Args Set(Args a, string kv)
    {
        var eq = kv.IndexOf('=');
        if (eq <= 0) throw new ArgumentException($"--set {kv}: expected Key=Value");
        a.Settings[kv[..eq].Replace("__", ":")] = kv[(eq + 1)..];
        return a;
    }
}

/// <summary>Invariants of one event's partition after a run, read from the table.</summary>
public static class Checks
{
    /// <param name="NumberedMs">how long after the check began the waitlist inbox was numbered (0: nothing waited there)</param>
    public sealed record EventCheck(long Oversold, long Lost, long Duplicates, int Confirmed, int Waitlisted, int Rows, long Commits, double NumberedMs = 0, int ViaInbox = 0);

    /// <param name="ackedIds">registration ids the clients were told are stored</param>
    /// <param name="ackedEmails">or the emails they were told are stored</param>
    public static async Task<EventCheck> EventAsync(TableClient table, string eventId, int capacity, IEnumerable<string>? ackedIds, IEnumerable<string>? ackedEmails = null)
    {
        // Sign-ups answered "on the waitlist" at the waitlist inbox's insert are numbered by the next commit: checked
        // once it has (how long that took after the last answer is reported).
        var numbering = System.Diagnostics.Stopwatch.StartNew();
        var inboxSeen = false;
        while (numbering.Elapsed < TimeSpan.FromSeconds(60))
        {
            var left = false;
            await foreach (var _ in table.QueryAsync<TableEntity>(EventFunctions.Shared.Ledger.WaitlistInbox.Filter(eventId), maxPerPage: 1)) { left = true; break; }
            if (!left) break;
            inboxSeen = true;
            await Task.Delay(20);
        }
        var numberedMs = inboxSeen ? numbering.Elapsed.TotalMilliseconds : 0;

        var rows = new List<RegistrationEntity>();
        var blocks = new List<EventFunctions.Shared.Ledger.SeatBlockEntity>();
        await foreach (var r in table.QueryAsync<RegistrationEntity>(x => x.PartitionKey == eventId && x.RowKey != EventEntity.RowKeyValue))
            if (!r.RowKey.StartsWith(EventFunctions.Shared.Ledger.SeatBlockEntity.KeyPrefix) && !r.RowKey.StartsWith(EventFunctions.Shared.Ledger.WaitlistInbox.Prefix)) rows.Add(r);
        EventEntity stored;
        while (true)
        {
            // The event row and its blocks as of one moment: a fold between the two reads moves counts from one to the other.
            stored = (await table.GetEntityAsync<EventEntity>(eventId, EventEntity.RowKeyValue)).Value;
            blocks.Clear();
            await foreach (var b in table.QueryAsync<EventFunctions.Shared.Ledger.SeatBlockEntity>(EventFunctions.Shared.Ledger.SeatBlockEntity.Filter(eventId))) blocks.Add(b);
            if ((await table.GetEntityAsync<EventEntity>(eventId, EventEntity.RowKeyValue)).Value.ETag == stored.ETag) break;
        }
        // The event's counters include what instances' seat blocks gave and have not folded in yet; the seats the event
        // row counts as handed to blocks are exactly those the blocks hold.
        var blockedMismatch = Math.Abs(stored.Blocked - blocks.Sum(b => b.Seats));
        var ev = EventFunctions.Shared.Ledger.SeatBlockEntity.View(stored, blocks);
        var confirmed = rows.Count(r => r.Status == RegistrationStatus.Confirmed);
        var waitlisted = rows.Count(r => r.Status == RegistrationStatus.Waitlisted);
        // Over capacity, counters off the rows, or someone later seated while someone earlier waits.
        var lastSeated = rows.Where(r => r.Status == RegistrationStatus.Confirmed).Select(r => r.Sequence).DefaultIfEmpty(0).Max();
        var outOfOrder = rows.Count(r => r.Status == RegistrationStatus.Waitlisted && r.Sequence < lastSeated);
        var oversold = Math.Max(0, confirmed - capacity) + Math.Abs(ev.Confirmed - confirmed) + Math.Abs(ev.Waitlisted - waitlisted) + blockedMismatch + outOfOrder;
        if (oversold > 0) Console.WriteLine($"   check: {confirmed} confirmed rows for {capacity} seats; counters confirmed {ev.Confirmed} waitlisted {ev.Waitlisted} against rows {confirmed}/{waitlisted}; blocked off by {blockedMismatch}; {outOfOrder} waiting before the last seated; {blocks.Count} block(s)");
        var ids = rows.Select(r => r.RegistrationId).ToHashSet(StringComparer.Ordinal);
        var emails = rows.Select(r => r.Email).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var lost = (ackedIds?.Count(id => !ids.Contains(id)) ?? 0) + (ackedEmails?.Count(e => !emails.Contains(e)) ?? 0);
        var duplicates = rows.Count - emails.Count + rows.Count - ids.Count + rows.Count - rows.Select(r => r.Sequence).Distinct().Count();
        // A row still queued (the inbox not numbered within the minute) counts as lost: told "waiting", never numbered.
        lost += rows.Count(r => r.Status == RegistrationStatus.Queued);
        return new EventCheck(oversold, lost, duplicates, confirmed, waitlisted, rows.Count, ev.Version, numberedMs, rows.Count(r => r.InboxKey is not null));
    }
}

/// <summary>
/// The reference without coordination: every sign-up reads the event row, decides, and commits the counters and
/// its row in one transaction under the row's ETag; a 412 (someone else committed first) reads and tries again,
/// backing off exponentially with jitter (10 ms to 400 ms, as the ledger's retries).
/// </summary>
public static class Rows
{
    /// <summary>
    /// The row a sign-up stores, filled as RegistrationService and the ledger fill it (same properties, same sizes);
    /// inserted through <see cref="LeanRow{T}"/> (empty properties left out) as the ledger inserts it, so raw
    /// inserts and the naive reference store what the product stores.
    /// </summary>
    /// <summary>The product's ticket-code derivation (HMAC under the identifier key), so the references do its work too.</summary>
    private static readonly EventFunctions.Shared.Security.IdentifierKeys Keys = new(
        Microsoft.Extensions.Options.Options.Create(new EventFunctions.Shared.Storage.EventFunctionsOptions { IdentifierKey = TestSettings.IdentifierKey }),
        new EventFunctions.Shared.Hosting.AppEnvironment(new ConfigurationBuilder().Build()));

    public static RegistrationEntity RegistrationLike(string partition, string rowKey, int i)
    {
        var now = DateTimeOffset.UtcNow;
        return new RegistrationEntity
        {
            PartitionKey = partition, RowKey = rowKey, RegistrationId = Ids.NewRegistrationId(), Name = $"参与者{i}", Email = $"raw{i}@example.cn",
            Organisation = "北外滩街道", Language = "zh-CN", CreatedUtc = now, ConsentUtc = now, ConsentNotice = RegistrationService.ConsentNoticeVersion,
            SubmissionHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))),
            EmailPending = true, EmailQueuedUtc = now, Status = RegistrationStatus.Confirmed, Sequence = i, StateVersion = 1,
            TicketCode = Keys.TicketCode(partition, Math.Max(1, i + 1)),
        };
    }
}

public static class Naive
{
    public static async Task<PartResult> RunAsync(string connection, int clients, int attempts, int capacity, string label = "naive")
    {
        var table = new TableClient(connection, "naive" + Guid.NewGuid().ToString("N")[..10]);
        await table.CreateAsync();
        const string eventId = "naive";
        await table.AddEntityAsync(new TableEntity(eventId, "event") { ["Capacity"] = capacity, ["Confirmed"] = 0, ["Waitlisted"] = 0, ["NextSequence"] = 0L });
        var acked = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        long conflicts = 0;
        var (seconds, latency) = await Clients.RunAsync(clients, attempts, label, async i =>
        {
            var delay = 10.0;
            while (true)
            {
                var ev = (await table.GetEntityAsync<TableEntity>(eventId, "event")).Value;
                int confirmed = ev.GetInt32("Confirmed")!.Value, waitlisted = ev.GetInt32("Waitlisted")!.Value;
                var sequence = ev.GetInt64("NextSequence")!.Value + 1;
                var seat = waitlisted == 0 && confirmed < capacity;
                var id = $"N{i:0000000}";
                var registration = Rows.RegistrationLike(eventId, $"reg-{i:000000}", i);
                registration.RegistrationId = id;
                registration.Email = $"naive{i}@example.cn";
                registration.Status = seat ? RegistrationStatus.Confirmed : RegistrationStatus.Waitlisted;
                registration.Sequence = sequence;
                var row = LeanRow<RegistrationEntity>.ForInsert(registration);
                var counters = new TableEntity(eventId, "event")
                {
                    ["Confirmed"] = confirmed + (seat ? 1 : 0), ["Waitlisted"] = waitlisted + (seat ? 0 : 1), ["NextSequence"] = sequence,
                };
                try
                {
                    await table.SubmitTransactionAsync([
                        new TableTransactionAction(TableTransactionActionType.UpdateMerge, counters, ev.ETag),
                        new TableTransactionAction(TableTransactionActionType.Add, row),
                    ]);
                    acked[id] = true;
                    return;
                }
                catch (TableTransactionFailedException ex) when (ex.Status == 412)
                {
                    Interlocked.Increment(ref conflicts);
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * delay));
                    delay = Math.Min(delay * 2, 400);
                }
            }
        });

        var rows = new List<TableEntity>();
        await foreach (var r in table.QueryAsync<TableEntity>(x => x.PartitionKey == eventId && x.RowKey != "event")) rows.Add(r);
        var counted = (await table.GetEntityAsync<TableEntity>(eventId, "event")).Value;
        var confirmedRows = rows.Count(r => r.GetString("Status") == RegistrationStatus.Confirmed);
        var waitlistedRows = rows.Count - confirmedRows;
        var ids = rows.Select(r => r.GetString("RegistrationId")).ToHashSet();
        return new PartResult("naive", attempts, acked.Count, seconds, latency)
        {
            Oversold = Math.Max(0, confirmedRows - capacity) + Math.Abs(counted.GetInt32("Confirmed")!.Value - confirmedRows) + Math.Abs(counted.GetInt32("Waitlisted")!.Value - waitlistedRows),
            Lost = acked.Keys.Count(id => !ids.Contains(id)),
            Duplicates = rows.Count - rows.Select(r => r.GetInt64("Sequence")).Distinct().Count(),
            Note = $"{conflicts} ETag conflicts retried",
        };
    }
}
