// Abuse run: proves from outside that a script cannot take an event's seats or flood an inbox. Starts its own
// Azurite, a loopback SendGrid and one local-host app instance with the production rate limits, creates an event
// of 40 seats that needs a confirmed email, then for --seconds S (60) runs at the same time:
//  - a bot, from one loopback address (127.0.0.2), posting sign-ups as fast as it can: fresh addresses on the form
//    (to take seats), and one victim's inbox through +tags on the JSON API (to mail-bomb it);
//  - 100 real people, each from their own loopback address (127.0.1.x), paced evenly over the minute (so the result
//    does not depend on the machine's speed): open the form, sign up, wait for the email, tap "confirm" a few
//    seconds later, and confirm again if a seat comes free for them later.
// Holds last --hold S (15) here, and the hold sweep runs every 2 s. Afterwards it waits for the bot's last holds to
// run out, reads the table and the mails, and prints one line:
//   abuse seconds=60 bot_requests=N bot_seats_held_at_end=0 real_people=100 real_seated=N of 40 max_mails_one_inbox=N errors_5xx=0
// Exit 0 when real people hold at least 36 seats, the bot none, no inbox got more than the daily cap, and no 5xx.
// Run: dotnet run -c Release --project bench/EventFunctions.Abuse -- [--seconds 60] [--hold 15]   (docs/abuse.md)
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using EventFunctions.Chaos;
using EventFunctions.Tests.Infrastructure;

var seconds = 60;
var holdSeconds = 15;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--seconds" && i + 1 < args.Length && int.TryParse(args[i + 1], out var s) && s > 0) seconds = s;
    else if (args[i] == "--hold" && i + 1 < args.Length && int.TryParse(args[i + 1], out var h) && h > 0) holdSeconds = h;
    else if (args[i] is "--help" or "-h")
    {
        Console.WriteLine("usage: EventFunctions.Abuse [--seconds S] [--hold S]   (defaults 60, 15)");
        return 0;
    }
}

const int People = 100;
const int Seats = 40;
const int NeededSeats = 36;
const int MailCap = 10; // EventFunctions:Email:MaxPerRecipientPerDay, the app's default
const int BotWorkers = 4;

using var abort = new CancellationTokenSource();
AppInstance? app = null;
AzuriteProcess? azurite = null;
FakeSendGrid? fake = null;
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; abort.Cancel(); });
try
{
    return await RunAsync(abort.Token);
}
catch (OperationCanceledException) when (abort.IsCancellationRequested)
{
    Console.WriteLine($"abuse seconds={seconds} interrupted");
    return 130;
}
catch (Exception ex)
{
    Console.WriteLine($"abuse: failed: {ex}");
    Console.WriteLine($"abuse seconds={seconds} failed to run: {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
    return 2;
}
finally
{
    try { app?.Dispose(); } catch (Exception) { }
    try { azurite?.Dispose(); } catch (Exception) { }
    try { if (fake is not null) await fake.DisposeAsync(); } catch (Exception) { }
}

async Task<int> RunAsync(CancellationToken ct)
{
    var root = RepoRoot.Find();
    var dll = Path.Combine(root, "src", "LocalHost", "bin", "Release", "net10.0", "EventFunctions.LocalHost.dll");
    if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is missing: build first (dotnet build EventFunctions.sln -c Release).");
    var logs = Directory.CreateTempSubdirectory("eventfunctions-abuse-").FullName;
    Console.WriteLine($"abuse: {seconds} s, {People} people for {Seats} seats, holds of {holdSeconds} s; app logs in {logs}");

    azurite = new AzuriteProcess();
    await azurite.StartAsync();
    fake = await FakeSendGrid.StartAsync();

    // Production settings with the production rate limits (the shared test settings lift them; this run puts the
    // defaults back by leaving those keys out), short holds and a sweep every 2 s.
    var environment = TestSettings.ProductionEnvironment(fake.BaseUrl.TrimEnd('/'))
        .Where(kv => !kv.Key.StartsWith("EventFunctions__Limits__", StringComparison.Ordinal))
        .ToDictionary(kv => kv.Key, kv => kv.Value);
    environment["AzureWebJobsStorage"] = azurite.ConnectionString;
    environment["ConfirmationSweepSchedule"] = "*/5 * * * * *";
    environment["ReminderSchedule"] = "0 0 0 1 1 *";
    environment["HoldSweepSchedule"] = "*/2 * * * * *";
    environment["EventFunctions__HoldTime"] = TimeSpan.FromSeconds(holdSeconds).ToString();
    environment["EventFunctions__RequeueAfter"] = "00:00:05";
    environment["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.250";
    environment["Logging__LogLevel__Default"] = "Warning";
    app = new AppInstance("A", dll, AzuriteProcess.FreePort(), environment, logs);

    using var admin = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    app.Start();
    if (!await app.WaitReadyAsync(admin, TimeSpan.FromSeconds(90), needOk: true, ct))
        throw new TimeoutException($"the app did not answer within 90 s (see {logs})");

    var startLocal = DateTime.UtcNow.AddHours(8).AddDays(7).Date.AddHours(14);
    var definition = new JsonObject
    {
        ["kind"] = "lecture",
        ["title"] = "上海博物馆东馆 专场参观讲座",
        ["venue"] = "街道社区服务中心 多功能厅",
        ["start"] = startLocal.ToString("yyyy-MM-ddTHH:mm"),
        ["end"] = startLocal.AddHours(2).ToString("yyyy-MM-ddTHH:mm"),
        ["capacity"] = Seats,
        ["waitlistAllowed"] = true, // the default waitlist limit: three times the seats
        // confirmEmail left out: a new event needs a confirmed email by default
        ["organiserName"] = "街道社区服务中心",
        ["organiserEmail"] = "abuse-organiser@example.cn",
        ["lecture"] = new JsonObject { ["speaker"] = "张敏 研究员" },
    };
    using var created = await admin.PostAsync($"{app.BaseUrl}/api/events", new StringContent(definition.ToJsonString(), Encoding.UTF8, "application/json"), ct);
    var createdBody = await created.Content.ReadAsStringAsync(ct);
    if (created.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"POST /api/events answered {(int)created.StatusCode}: {createdBody}");
    var eventId = JsonNode.Parse(createdBody)!["id"]!.GetValue<string>();
    if (JsonNode.Parse(createdBody)!["confirmEmail"]?.GetValue<bool>() != true) throw new InvalidOperationException("a new event does not need a confirmed email by default");
    Console.WriteLine($"abuse: event {eventId} at {app.BaseUrl}");

    var counters = new Counters();
    var watch = Stopwatch.StartNew();
    using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
    stop.CancelAfter(TimeSpan.FromSeconds(seconds));

    // ---- the bot ----
    // A script that posts the form blind is sent back (no form token); this one is smarter: it loads the form once,
    // waits out the time a person would take, and reuses that page's token for every post.
    using var botHttp = Loopback.Client(IPAddress.Parse("127.0.0.2"));
    var botToken = Person.TokenIn(await botHttp.GetStringAsync($"{app.BaseUrl}/api/signup/{eventId}", ct));
    await Task.Delay(TimeSpan.FromSeconds(2.5), ct);
    var botTasks = Enumerable.Range(0, BotWorkers).Select(w => Task.Run(async () =>
    {
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            n++;
            try
            {
                HttpResponseMessage response;
                if (n % 2 == 0)
                {
                    // Mail bomb: the victim's inbox under a new +tag each time, with the bot's text as the name.
                    var body = JsonSerializer.Serialize(new { name = "中奖通知请点击链接领取", email = $"victim+{w}x{n}@inbox.example.net", consent = true });
                    response = await botHttp.PostAsync($"{app.BaseUrl}/api/events/{eventId}/registrations", new StringContent(body, Encoding.UTF8, "application/json"), stop.Token);
                }
                else
                {
                    // Seat grab: a fresh address each time, straight to the form's post (no page load).
                    response = await botHttp.PostAsync($"{app.BaseUrl}/api/signup/{eventId}", new FormUrlEncodedContent(
                    [
                        new("name", $"黄牛{w}-{n}"), new("email", $"seat{w}x{n}@bot.example.net"), new("consent", "on"), new("lang", "zh-CN"), new("ft", botToken),
                    ]), stop.Token);
                }

                counters.Bot(response.StatusCode);
                response.Dispose();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !stop.IsCancellationRequested)
            {
                counters.BotTransport();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
    })).ToList();

    // ---- the people ----
    var people = Enumerable.Range(1, People).Select(i => new Person(i, $"居民{i:000}", $"resident{i:000}@residents.example.cn")).ToList();
    var tail = TimeSpan.FromSeconds(holdSeconds * 2 + 10); // after the minute: the bot's last holds run out, their seats move on
    using var peopleStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
    var personTasks = people.Select(p => Task.Run(() => p.RunAsync(app.BaseUrl, eventId, fake, counters,
        startAfter: TimeSpan.FromSeconds(seconds * (p.Index - 1) / (double)People), peopleStop.Token))).ToList();

    while (!stop.IsCancellationRequested)
    {
        await Task.Delay(TimeSpan.FromSeconds(5), ct).ContinueWith(_ => { });
        Console.WriteLine($"progress t={watch.Elapsed.TotalSeconds:F0}s bot_requests={counters.BotRequests} bot_accepted={counters.BotAccepted} bot_429={counters.Bot429} people_signed_up={counters.PeopleSignedUp} confirms={counters.Confirms} mails={fake.Count} errors_5xx={counters.Errors5xx}");
    }

    await Task.WhenAll(botTasks);
    Console.WriteLine($"abuse: the bot stopped at {watch.Elapsed.TotalSeconds:F0} s; waiting up to {tail.TotalSeconds:F0} s for its holds to run out");

    // ---- after the minute: until the bot holds nothing and no seat is held for anyone, or the tail is over ----
    var table = new TableClient(azurite.ConnectionString, "events");
    var deadline = watch.Elapsed + tail;
    Snapshot snapshot;
    while (true)
    {
        snapshot = await Snapshot.ReadAsync(table, eventId, ct);
        var settled = counters.PeopleAnswered == People && snapshot.BotSeats == 0 && snapshot.HeldForAnyone == 0 && snapshot.RealSeated >= Math.Min(Seats, counters.PeopleSignedUp);
        if (settled || watch.Elapsed > deadline) break;
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
    }

    await peopleStop.CancelAsync();
    await Task.WhenAll(personTasks);

    var maxMails = fake.Mails
        .Select(m => m.RootElement.GetProperty("personalizations")[0].GetProperty("to")[0].GetProperty("email").GetString()!)
        .GroupBy(Mailbox).Select(g => g.Count()).DefaultIfEmpty(0).Max();
    var victimMails = fake.Mails.Count(m => Mailbox(m.RootElement.GetProperty("personalizations")[0].GetProperty("to")[0].GetProperty("email").GetString()!) == "victim@inbox.example.net");
    Console.WriteLine($"abuse: bot accepted={counters.BotAccepted} refused_429={counters.Bot429} other={counters.BotOther} transport={counters.BotTransportErrors}; " +
                      $"people signed_up={counters.PeopleSignedUp} confirms={counters.Confirms} late_confirms={counters.LateConfirms} waitlisted_at_end={snapshot.RealWaiting}; " +
                      $"victim inbox mails={victimMails}; seats: {snapshot.RealSeated} real, {snapshot.BotSeats} bot, {snapshot.HeldForAnyone} held; rows={snapshot.Rows}");
    var ok = snapshot.BotSeats == 0 && snapshot.RealSeated >= NeededSeats && maxMails <= MailCap && counters.Errors5xx == 0;
    Console.WriteLine($"abuse seconds={seconds} bot_requests={counters.BotRequests} bot_seats_held_at_end={snapshot.BotSeats} real_people={People} real_seated={snapshot.RealSeated} of {Seats} max_mails_one_inbox={maxMails} errors_5xx={counters.Errors5xx}");
    return ok ? 0 : 1;
}

// One inbox however it is written: lower case, the +tag dropped (as the app's one-registration-per-inbox rule reads it).
static string Mailbox(string email)
{
    var at = email.LastIndexOf('@');
    var local = email[..at].ToLowerInvariant();
    var plus = local.IndexOf('+');
    return (plus >= 0 ? local[..plus] : local) + email[at..].ToLowerInvariant();
}



internal static class Loopback
{
    /// <summary>An HTTP client whose connections leave from <paramref name="address"/> (a loopback address of its own), so per-address limits see it as its own client.</summary>
    public static HttpClient Client(IPAddress address) => new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = async (context, token) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(address, 0));
                await socket.ConnectAsync(context.DnsEndPoint, token);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { Timeout = TimeSpan.FromSeconds(30) };
}

internal sealed class Counters
{
    private long _botRequests, _botAccepted, _bot429, _botOther, _botTransport, _errors5xx, _signedUp, _answered, _confirms, _lateConfirms;
    /// <summary>People whose sign-up was answered (whatever the answer).</summary>
    public long PeopleAnswered => Interlocked.Read(ref _answered);
    public long BotRequests => Interlocked.Read(ref _botRequests);
    public long BotAccepted => Interlocked.Read(ref _botAccepted);
    public long Bot429 => Interlocked.Read(ref _bot429);
    public long BotOther => Interlocked.Read(ref _botOther);
    public long BotTransportErrors => Interlocked.Read(ref _botTransport);
    public long Errors5xx => Interlocked.Read(ref _errors5xx);
    public long PeopleSignedUp => Interlocked.Read(ref _signedUp);
    public long Confirms => Interlocked.Read(ref _confirms);
    public long LateConfirms => Interlocked.Read(ref _lateConfirms);

    public void Bot(HttpStatusCode status)
    {
        Interlocked.Increment(ref _botRequests);
        if ((int)status is 200 or 202) Interlocked.Increment(ref _botAccepted);
        else if (status == HttpStatusCode.TooManyRequests) Interlocked.Increment(ref _bot429);
        else Interlocked.Increment(ref _botOther);
        Server(status);
    }

    public void BotTransport()
    {
        Interlocked.Increment(ref _botRequests);
        Interlocked.Increment(ref _botTransport);
    }

    public void Server(HttpStatusCode status)
    {
        if ((int)status >= 500) Interlocked.Increment(ref _errors5xx);
    }

    public void SignedUp() => Interlocked.Increment(ref _signedUp);
    public void Answered() => Interlocked.Increment(ref _answered);
    public void Confirmed() => Interlocked.Increment(ref _confirms);
    public void TooLate() => Interlocked.Increment(ref _lateConfirms);
}

/// <summary>A resident on their own phone (their own address): opens the form, signs up, confirms from each email that asks.</summary>
internal sealed partial class Person(int index, string name, string email)
{
    public int Index { get; } = index;

    public async Task RunAsync(string baseUrl, string eventId, FakeSendGrid fake, Counters counters, TimeSpan startAfter, CancellationToken ct)
    {
        try
        {
            await Task.Delay(startAfter, ct);
            using var http = Loopback.Client(IPAddress.Parse($"127.0.1.{Index}"));
            string token;
            using (var page = await http.GetAsync($"{baseUrl}/api/signup/{eventId}?lang=zh-CN", ct))
            {
                counters.Server(page.StatusCode);
                token = TokenIn(await page.Content.ReadAsStringAsync(ct));
            }

            await Task.Delay(TimeSpan.FromSeconds(2 + Index % 3), ct); // reading and typing
            using (var sent = await http.PostAsync($"{baseUrl}/api/signup/{eventId}", new FormUrlEncodedContent(
                [new("name", name), new("email", email), new("consent", "on"), new("lang", "zh-CN"), new("ft", token)]), ct))
            {
                counters.Server(sent.StatusCode);
                counters.Answered();
                if (sent.StatusCode != HttpStatusCode.OK) Console.WriteLine($"abuse: resident {Index} sign-up answered {(int)sent.StatusCode}");
                else counters.SignedUp();
            }

            // Each email that asks to confirm is answered once, a few seconds after it arrives (the first one, and
            // the one that says a seat came free while they were still unconfirmed).
            var answered = 0;
            while (!ct.IsCancellationRequested)
            {
                var asks = fake.PlainTextsTo(email).Where(t => t.Contains("确认报名:", StringComparison.Ordinal) || t.Contains("确认报名：", StringComparison.Ordinal)).ToList();
                if (asks.Count > answered)
                {
                    answered = asks.Count;
                    await Task.Delay(TimeSpan.FromSeconds(1 + Index % 3), ct);
                    var link = LinkPattern().Match(asks[^1]);
                    if (link.Success)
                    {
                        var form = new FormUrlEncodedContent([new("t", Uri.UnescapeDataString(link.Groups["t"].Value)), new("lang", "zh-CN")]);
                        using var confirmed = await http.PostAsync($"{baseUrl}/api/manage/{link.Groups["e"].Value}/{link.Groups["r"].Value}/confirm", form, ct);
                        counters.Server(confirmed.StatusCode);
                        if (confirmed.StatusCode == HttpStatusCode.OK) counters.Confirmed();
                        else if (confirmed.StatusCode == HttpStatusCode.Gone) counters.TooLate();
                    }
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    [GeneratedRegex(@"/manage/(?<e>[^/\s]+)/(?<r>[^/?\s]+)\?t=(?<t>[^&\s]+)")]
    private static partial Regex LinkPattern();

    /// <summary>The form token the sign-up page carries (its hidden field ft).</summary>
    public static string TokenIn(string page) => WebUtility.HtmlDecode(TokenPattern().Match(page).Groups[1].Value);

    [GeneratedRegex("name=\"ft\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}

/// <summary>The event's rows as the run's end reads them.</summary>
internal sealed record Snapshot(int Rows, int RealSeated, int RealWaiting, int BotSeats, int HeldForAnyone)
{
    public static async Task<Snapshot> ReadAsync(TableClient table, string eventId, CancellationToken ct)
    {
        int rows = 0, realSeated = 0, realWaiting = 0, botSeats = 0, held = 0;
        await foreach (var r in table.QueryAsync<TableEntity>(x => x.PartitionKey == eventId && x.RowKey != "event", cancellationToken: ct))
        {
            var status = r.GetString("Status");
            var email = r.GetString("Email") ?? "";
            if (status is not ("Confirmed" or "Held" or "Waitlisted")) continue;
            rows++;
            var seat = status is "Confirmed" or "Held";
            if (status == "Held") held++;
            if (email.EndsWith("@residents.example.cn", StringComparison.Ordinal))
            {
                if (status == "Confirmed") realSeated++;
                else if (status == "Waitlisted") realWaiting++;
            }
            else if (seat)
            {
                botSeats++;
            }
        }

        return new Snapshot(rows, realSeated, realWaiting, botSeats, held);
    }
}
