// Sign-up throughput against a real Azurite on this machine: group commit (up to 99 sign-ups per
// transaction) against one sign-up per transaction, at 1, 16 and 64 concurrent clients, and plain
// inserts as the ceiling. Run: dotnet run -c Release --project bench/EventFunctions.Bench [signUpsPerRun]
// Figures vary with the machine and its load; compare ratios from one run.
using System.Diagnostics;
using Azure.Data.Tables;
using EventFunctions.Shared;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Text;
using EventFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

var perRun = args.Length > 0 ? int.Parse(args[0]) : 400;
using var azurite = new AzuriteProcess();
await azurite.StartAsync();
Console.WriteLine($"EventFunctions sign-up benchmark: {perRun} sign-ups per run, Azurite in memory, {Environment.ProcessorCount} cores");
Console.WriteLine();

ServiceProvider Services(string table, int maxBatch) => new ServiceCollection()
    .AddEventFunctions(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["AzureWebJobsStorage"] = azurite.ConnectionString,
        ["EventFunctions:TableName"] = table,
        ["EventFunctions:ConfirmationQueue"] = "bench" + table,
        ["EventFunctions:MaxBatch"] = maxBatch.ToString(),
        ["EventFunctions:ContentionTimeout"] = "00:05:00",
    }).Build())
    .BuildServiceProvider();

async Task<double> SignUps(int maxBatch, int clients, int instances = 1)
{
    var table = "b" + Guid.NewGuid().ToString("N")[..12];
    var providers = Enumerable.Range(0, instances).Select(_ => Services(table, maxBatch)).ToList();
    var now = DateTimeOffset.UtcNow;
    var created = await providers[0].GetRequiredService<EventService>().CreateAsync(new EventInput
    {
        Kind = "lecture", Title = "基准测试讲座", Venue = "多功能厅", Capacity = perRun / 2, WaitlistAllowed = true,
        Start = Local(now.AddDays(3)), End = Local(now.AddDays(3).AddHours(2)),
        OrganiserName = "社区服务中心", OrganiserEmail = "bench@example.cn",
    }, default);
    var eventId = ((EventOutcome.Created)created).Event.Id;
    var services = providers.Select(p => p.GetRequiredService<RegistrationService>()).ToList();
    await services[0].SignUpAsync(eventId, Person(-1), UiText.Chinese, default); // warm the clients up

    var next = -1;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < perRun)
        {
            var outcome = await services[i % instances].SignUpAsync(eventId, Person(i), UiText.Chinese, default);
            if (outcome is not SignUpOutcome.Registered) throw new InvalidOperationException(outcome.ToString());
        }
    })));
    watch.Stop();

    var row = (await providers[0].GetRequiredService<EventStore>().FindEventAsync(eventId, default))!;
    if (row.Confirmed + row.Waitlisted != perRun + 1 || row.Confirmed != perRun / 2) throw new InvalidOperationException("counts are wrong");
    foreach (var p in providers) await p.DisposeAsync();
    return perRun / watch.Elapsed.TotalSeconds;
}

async Task<double> PlainInserts(int clients)
{
    var table = new TableClient(azurite.ConnectionString, "p" + Guid.NewGuid().ToString("N")[..12]);
    await table.CreateAsync();
    await table.AddEntityAsync(new TableEntity("warm", "up"));
    var next = -1;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < perRun)
        {
            await table.AddEntityAsync(new TableEntity("event", $"reg-{i}") { ["Name"] = $"参与者{i}", ["Email"] = $"p{i}@example.cn" });
        }
    })));
    return perRun / watch.Elapsed.TotalSeconds;
}

Console.WriteLine("clients | one per transaction (/s) | group commit (/s) | ratio | plain inserts (/s)");
Console.WriteLine("------- | ------------------------ | ----------------- | ----- | ------------------");
foreach (var clients in new[] { 1, 16, 64 })
{
    var single = await SignUps(maxBatch: 1, clients);
    var group = await SignUps(maxBatch: 99, clients);
    var plain = await PlainInserts(clients);
    Console.WriteLine($"{clients,7} | {single,24:F0} | {group,17:F0} | {group / single,5:F1} | {plain,18:F0}");
}

Console.WriteLine();
var twoInstances = await SignUps(maxBatch: 99, clients: 64, instances: 2);
Console.WriteLine($"two app instances on one event, 64 clients, group commit: {twoInstances:F0} sign-ups/s (ETag conflicts between instances retried)");

static string Local(DateTimeOffset utc) => TimeZoneInfo.ConvertTime(utc, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).ToString("yyyy-MM-dd'T'HH:mm");

static SignUpInput Person(int i) => new()
{
    Name = $"参与者{i}", Email = $"person{i}@example.cn", Organisation = "北外滩街道", Consent = true, Language = "zh-CN",
};
