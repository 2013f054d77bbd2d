using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using EventFunctions.Tests.Infrastructure;
using static EventFunctions.Chaos.Checks;

namespace EventFunctions.Chaos;

/// <summary>
/// Fair admission under faults, after the first-come load: a lottery (300 entries, 280 confirmed, 10 seats, 20
/// waitlist places, so the draw takes several chunks) and a reconfirmation deadline (20 people, 10 seats, 4 reconfirm)
/// come due together; both instances sweep every half second while Azurite is paused and instance B is killed and
/// started again. The instances' clocks are moved (the local host's shifted clock) rather than waited for. Then, from
/// outside: the draw is repeated from the published list and seed with its own implementation of the published
/// algorithm, and must match the table; nobody is told they won who did not; no seat is given twice; releases promote
/// in order; every email once (a second copy only where a kill of B explains it, as in the first-come checks).
/// </summary>
public sealed class Admission(HttpClient http, AppInstance a, AppInstance b, Dictionary<string, string> environmentOfB, AzuriteProcess azurite, FakeSendGrid fake, TableClient table)
{
    private const int Entries = 300, Confirming = 280, LotterySeats = 10, LotteryWaitlist = 20;
    private const int ReconfirmPeople = 20, ReconfirmSeats = 10, Reconfirming = 4;
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public List<string> Notes { get; } = [];
    public List<DateTimeOffset> KillsOfB { get; } = [];
    public long DrawViolations { get; private set; }
    public long ReconfirmViolations { get; private set; }
    public long Duplicates { get; private set; }
    public long DuplicatesAtKill { get; private set; }
    public int Faults { get; private set; }
    private readonly List<string> _faultTimes = [];
    private TimeSpan _offset;

    private static string Local(DateTimeOffset utc) => TimeZoneInfo.ConvertTime(utc, Shanghai).ToString("yyyy-MM-dd'T'HH:mm:ss");

    public async Task RunAsync(CancellationToken abort)
    {
        var t0 = DateTimeOffset.UtcNow;
        var start = t0.AddDays(7);
        var lottery = await CreateAsync(new JsonObject
        {
            ["kind"] = "lecture", ["title"] = "故障注入：5G 枢纽参观抽签", ["venue"] = "5G 枢纽",
            ["start"] = Local(start), ["end"] = Local(start.AddHours(2)),
            ["capacity"] = LotterySeats, ["waitlistAllowed"] = true, ["waitlistLimit"] = LotteryWaitlist,
            ["lotteryDraw"] = Local(t0.AddHours(2)),
            ["organiserName"] = "街道", ["organiserEmail"] = "chaos-organiser@example.cn",
            ["lecture"] = new JsonObject { ["speaker"] = "专家" },
        }, abort);
        var reconfirmStart = t0.AddHours(3).AddMinutes(30);
        var reconfirm = await CreateAsync(new JsonObject
        {
            ["kind"] = "lecture", ["title"] = "故障注入：再次确认讲座", ["venue"] = "多功能厅",
            ["start"] = Local(reconfirmStart), ["end"] = Local(reconfirmStart.AddHours(1)),
            ["capacity"] = ReconfirmSeats, ["waitlistAllowed"] = true, ["waitlistLimit"] = 50, ["confirmEmail"] = false,
            ["reconfirmHoursBefore"] = 3, ["reconfirmDeadlineHoursBefore"] = 2, // asked at t0+30 min, due at t0+1 h 30 min
            ["organiserName"] = "街道", ["organiserEmail"] = "chaos-organiser@example.cn",
            ["lecture"] = new JsonObject { ["speaker"] = "专家" },
        }, abort);
        using (var shown = await http.GetAsync($"{a.BaseUrl}/api/events/{lottery}", abort))
        {
            var seedHashShown = JsonNode.Parse(await shown.Content.ReadAsStringAsync(abort))!["lottery"]!["seedSha256"]!.GetValue<string>();
            _seedHashShown = seedHashShown;
        }

        // Sign-ups (entries on the lottery), through both instances; then entries confirmed from the emails.
        await Parallel.ForEachAsync(Enumerable.Range(0, Entries), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = abort }, async (i, ct) =>
            await SignUpAsync(i % 2 == 0 ? a : b, lottery, $"adm-l-{i:000}@example.cn", ct));
        await Parallel.ForEachAsync(Enumerable.Range(0, ReconfirmPeople), new ParallelOptions { MaxDegreeOfParallelism = 1, CancellationToken = abort }, async (i, ct) =>
            await SignUpAsync(a, reconfirm, $"adm-r-{i:00}@example.cn", ct)); // one by one: arrival order is the waitlist's
        var entryIds = await WaitForMailsAsync(m => m.EventId == lottery && m.Status == "Entry", Entries, abort);
        var confirming = entryIds.Order(StringComparer.Ordinal).Take(Confirming).ToList();
        await Parallel.ForEachAsync(confirming, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = abort }, async (id, ct) =>
            await ConfirmAsync(confirming.IndexOf(id) % 2 == 0 ? a : b, lottery, id, ct));

        // Half an hour on: reconfirmation is asked; 4 of the 10 seated reconfirm.
        await ShiftAsync(TimeSpan.FromMinutes(31), abort);
        await RunFunctionAsync(a, "SendReminders", abort);
        var asked = await WaitForMailsAsync(m => m.EventId == reconfirm && m.Status is null, ReconfirmSeats, abort);
        var reconfirmed = asked.Order(StringComparer.Ordinal).Take(Reconfirming).ToList();
        foreach (var id in reconfirmed) await ConfirmAsync(b, reconfirm, id, abort);
        var before = await RowsAsync(reconfirm, abort);
        var seatedBefore = before.Where(r => Str(r, "Status") == "Confirmed").Select(r => Str(r, "RegistrationId")!).ToHashSet();
        var waitingBefore = before.Where(r => Str(r, "Status") == "Waitlisted").OrderBy(r => Long(r, "Sequence")).Select(r => Str(r, "RegistrationId")!).ToList();

        // Two hours on: the draw and the reconfirmation deadline are both due. Both instances sweep every half second
        // while Azurite is paused twice and B is killed and started again.
        await ShiftAsync(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1), abort);
        // Storage stops first, so both instances' first draw commits (and their release commits) are in flight when it
        // does; B is killed with them in flight.
        StopAzurite();
        using var sweeping = CancellationTokenSource.CreateLinkedTokenSource(abort);
        var sweeps = Task.WhenAll(new[] { a, b }.Select(i => Task.Run(async () =>
        {
            while (!sweeping.IsCancellationRequested)
            {
                // The sweeps stop by cancelling: a sweep in flight then ends cancelled, which is the stop, not a failure.
                try
                {
                    await RunFunctionAsync(i, "ExpireHolds", sweeping.Token, quiet: true);
                    await Task.Delay(500, sweeping.Token);
                }
                catch (OperationCanceledException) when (sweeping.IsCancellationRequested) { }
            }
        })));
        await Task.Delay(1500, abort);
        KillsOfB.Add(DateTimeOffset.UtcNow);
        _faultTimes.Add($"kill B {DateTimeOffset.UtcNow:HH:mm:ss.fff}");
        b.Kill();
        Faults++;
        await Task.Delay(1500, abort);
        // Then storage flaps: back for 150 ms, away for 600 ms, eight times, so the draw's chunks land between pauses.
        for (var flap = 0; flap < 8; flap++)
        {
            ContinueAzurite();
            await Task.Delay(150, abort);
            StopAzurite();
            await Task.Delay(600, abort);
        }

        ContinueAzurite();
        b.Start();
        await b.WaitReadyAsync(http, TimeSpan.FromSeconds(60), needOk: false, abort);
        await Task.Delay(TimeSpan.FromSeconds(8), abort);
        sweeping.Cancel();
        await sweeps;

        // Drain: every result told.
        var expected = Confirming + (Entries - Confirming) + (ReconfirmSeats - Reconfirming) + Math.Min(ReconfirmSeats - Reconfirming, ReconfirmPeople - ReconfirmSeats);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && Results(lottery, reconfirm) < expected)
        {
            await RunFunctionAsync(a, "ExpireHolds", abort, quiet: true);
            await RunFunctionAsync(a, "SweepConfirmations", abort, quiet: true);
            await Task.Delay(2000, abort);
        }

        await Task.Delay(2000, abort);
        await JudgeLotteryAsync(lottery, confirming.ToHashSet(), abort);
        await JudgeReconfirmAsync(reconfirm, seatedBefore, reconfirmed.ToHashSet(), waitingBefore, abort);
        JudgeDuplicates(lottery, reconfirm);
    }

    private string _seedHashShown = "";

    /// <summary>Result mails so far: lottery results and notices, releases and promotions on the reconfirmation event.</summary>
    private int Results(string lottery, string reconfirm) => fake.Sent.Count(m =>
        m.EventId == lottery && m.Status is "Confirmed" or "Waitlisted" or "Removed"
        || m.EventId == reconfirm && m.Status is "Removed" || m.EventId == reconfirm && m.Status == "Confirmed" && m.Version is not "1");

    private async Task JudgeLotteryAsync(string lottery, HashSet<string> confirmed, CancellationToken ct)
    {
        var rows = await RowsAsync(lottery, ct);
        var ev = (await table.GetEntityAsync<TableEntity>(lottery, "event", cancellationToken: ct)).Value;
        var state = JsonNode.Parse(Str(ev, "LotteryJson") ?? "{}")!;
        var seed = state["seed"]?.GetValue<string>();
        var listHash = state["entryListHash"]?.GetValue<string>();
        var seats = state["seatsDrawn"]?.GetValue<int>() ?? -1;
        if (state["drawnUtc"] is null || seed is null || listHash is null)
        {
            DrawViolations++;
            Notes.Add($"lottery: not drawn ({Str(ev, "LotteryJson")})");
            return;
        }

        var listRow = (await table.GetEntityAsync<TableEntity>(lottery, "lottery", cancellationToken: ct)).Value;
        var parts = (int)(Long(listRow, "Parts") ?? 1);
        var list = string.Concat(Enumerable.Range(0, parts).Select(p => Str(listRow, "List" + p) ?? ""));
        void Violation(string what) { DrawViolations++; if (Notes.Count(n => n.StartsWith("lottery", StringComparison.Ordinal)) < 8) Notes.Add("lottery: " + what); }
        if (Hex(SHA256.HashData(Encoding.UTF8.GetBytes(list))) != listHash) Violation("the entry list's SHA-256 is not the one published");
        if (Hex(SHA256.HashData(Convert.FromHexString(seed))) != _seedHashShown) Violation("the seed's SHA-256 is not the one shown before the draw");
        var entries = list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).Select(p => (Id: p[0], Tier: int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture))).ToList();
        if (!entries.Select(e => e.Id).ToHashSet().SetEquals(confirmed)) Violation($"the list holds {entries.Count} entries, not the {confirmed.Count} confirmed");
        // The published algorithm, written again here: (tier, HMAC-SHA256(seed, reference) in hex) ascending.
        var order = entries.OrderBy(e => e.Tier).ThenBy(e => Hex(HMACSHA256.HashData(Convert.FromHexString(seed), Encoding.UTF8.GetBytes(e.Id))), StringComparer.Ordinal).Select(e => e.Id).ToList();
        var winners = order.Take(seats).ToHashSet();
        var waiting = order.Skip(seats).Take(LotteryWaitlist).ToList();
        var notDrawn = order.Skip(seats + LotteryWaitlist).ToHashSet();
        var seated = rows.Where(r => Str(r, "Status") == "Confirmed").Select(r => Str(r, "RegistrationId")!).ToHashSet();
        var waitRows = rows.Where(r => Str(r, "Status") == "Waitlisted").OrderBy(r => Long(r, "Sequence")).Select(r => Str(r, "RegistrationId")!).ToList();
        if (seats != LotterySeats) Violation($"{seats} seats drawn, not {LotterySeats}");
        if (state["waitlistDrawn"]?.GetValue<int>() != LotteryWaitlist) Violation($"{state["waitlistDrawn"]} waitlist places at the draw, not {LotteryWaitlist}");
        if (!seated.SetEquals(winners)) Violation($"seated {seated.Count} are not the {winners.Count} drawn");
        if (!waitRows.SequenceEqual(waiting)) Violation($"the waitlist ({waitRows.Count}) is not the drawn order's next {waiting.Count}");
        if (rows.Any(r => Str(r, "Status") == "Entry")) Violation($"{rows.Count(r => Str(r, "Status") == "Entry")} entries left after the draw");
        if (Long(ev, "Confirmed") != seated.Count || Long(ev, "Waitlisted") != waitRows.Count || Long(ev, "Entries") != 0 || Long(ev, "Unconfirmed") != 0)
            Violation($"event row counters Confirmed={Long(ev, "Confirmed")} Waitlisted={Long(ev, "Waitlisted")} Entries={Long(ev, "Entries")} Unconfirmed={Long(ev, "Unconfirmed")} against {seated.Count}/{waitRows.Count} rows");

        // Told: each winner that they won, each one waiting their place, everyone else that they were not drawn (or not in it).
        var mails = fake.Sent.Where(m => m.EventId == lottery).ToList();
        var wonMail = mails.Where(m => m.Status == "Confirmed").Select(m => m.RegistrationId!).ToHashSet();
        if (wonMail.Except(winners).Any()) Violation($"{wonMail.Except(winners).Count()} told they won who did not");
        if (winners.Except(wonMail).Any()) Violation($"{winners.Except(wonMail).Count()} winners not told");
        var waitMail = mails.Where(m => m.Status == "Waitlisted").Select(m => m.RegistrationId!).ToHashSet();
        if (!waitMail.SetEquals(waiting)) Violation($"waitlist told {waitMail.Count}, waiting {waiting.Count}");
        var removedMail = mails.Where(m => m.Status == "Removed").Select(m => m.RegistrationId!).ToHashSet();
        var unconfirmed = rows.Count(r => Str(r, "Status") == "Entry");
        if (!notDrawn.IsSubsetOf(removedMail) || removedMail.Count != notDrawn.Count + (Entries - Confirming) - unconfirmed)
            Violation($"'not drawn / not confirmed' told {removedMail.Count}, expected {notDrawn.Count + Entries - Confirming}");
        var began = state["drawStartedUtc"]?.GetValue<DateTimeOffset>() - _offset;
        var ended = state["drawnUtc"]?.GetValue<DateTimeOffset>() - _offset;
        Notes.Add($"lottery: drawn from {began:HH:mm:ss.fff} to {ended:HH:mm:ss.fff} (system time); faults: {string.Join(", ", _faultTimes)}");
        Notes.Add($"lottery: {entries.Count} entries drawn, {seated.Count} seated, {waitRows.Count} waiting, {notDrawn.Count} not drawn; draw repeated from the published list and seed");
    }

    private async Task JudgeReconfirmAsync(string reconfirm, HashSet<string> seatedBefore, HashSet<string> reconfirmed, List<string> waitingBefore, CancellationToken ct)
    {
        var rows = await RowsAsync(reconfirm, ct);
        var ev = (await table.GetEntityAsync<TableEntity>(reconfirm, "event", cancellationToken: ct)).Value;
        void Violation(string what) { ReconfirmViolations++; Notes.Add("reconfirmation: " + what); }
        var seated = rows.Where(r => Str(r, "Status") == "Confirmed").Select(r => Str(r, "RegistrationId")!).ToHashSet();
        var waiting = rows.Where(r => Str(r, "Status") == "Waitlisted").OrderBy(r => Long(r, "Sequence")).Select(r => Str(r, "RegistrationId")!).ToList();
        var released = seatedBefore.Except(reconfirmed).ToHashSet();
        var promoted = waitingBefore.Take(released.Count).ToList();
        if (seated.Count > ReconfirmSeats) Violation($"{seated.Count} seated for {ReconfirmSeats} seats");
        if (seated.Overlaps(released)) Violation($"{seated.Intersect(released).Count()} not reconfirmed kept their seat");
        if (!reconfirmed.IsSubsetOf(seated)) Violation($"{reconfirmed.Except(seated).Count()} who reconfirmed lost their seat");
        if (!seated.SetEquals(reconfirmed.Concat(promoted))) Violation($"seated {seated.Count} are not the reconfirmed and the first {promoted.Count} waiting");
        if (!waiting.SequenceEqual(waitingBefore.Skip(promoted.Count))) Violation("the waitlist is not the rest in arrival order");
        if (Long(ev, "Confirmed") != seated.Count || Long(ev, "Waitlisted") != waiting.Count || Long(ev, "Unconfirmed") != 0 || Long(ev, "Held") != 0)
            Violation($"event row counters Confirmed={Long(ev, "Confirmed")} Waitlisted={Long(ev, "Waitlisted")} Unconfirmed={Long(ev, "Unconfirmed")} against {seated.Count}/{waiting.Count} rows");
        var mails = fake.Sent.Where(m => m.EventId == reconfirm).ToList();
        var releasedMail = mails.Where(m => m.Status == "Removed").Select(m => m.RegistrationId!).ToHashSet();
        if (!releasedMail.SetEquals(released)) Violation($"released told {releasedMail.Count}, released {released.Count}");
        var promotedMail = mails.Where(m => m.Status == "Confirmed" && m.Version is not "1").Select(m => m.RegistrationId!).ToHashSet();
        if (!promotedMail.SetEquals(promoted)) Violation($"promoted told {promotedMail.Count}, promoted {promoted.Count}");
        Notes.Add($"reconfirmation: {reconfirmed.Count} reconfirmed, {released.Count} released, {promoted.Count} promoted in order, {waiting.Count} still waiting");
    }

    /// <summary>Every email once: a second copy only where B was killed just after handing it to SendGrid.</summary>
    private void JudgeDuplicates(string lottery, string reconfirm)
    {
        foreach (var g in fake.Sent.Where(m => (m.EventId == lottery || m.EventId == reconfirm) && m.RegistrationId is not null)
            .GroupBy(m => $"{m.RegistrationId}|{m.Status}|{m.Version}").Where(g => g.Count() > 1))
        {
            var first = g.OrderBy(m => m.AcceptedUtc).First();
            var explained = g.Count() == 2 && ExplainedByKill(first, KillsOfB);
            if (explained) DuplicatesAtKill++;
            else
            {
                Duplicates += g.Count() - 1;
                Notes.Add($"admission: duplicate email {g.Key} sent {g.Count()} times");
            }
        }
    }

    private async Task<string> CreateAsync(JsonObject definition, CancellationToken ct)
    {
        using var created = await http.PostAsync($"{a.BaseUrl}/api/events", new StringContent(definition.ToJsonString(), Encoding.UTF8, "application/json"), ct);
        var body = await created.Content.ReadAsStringAsync(ct);
        if (created.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"POST /api/events answered {(int)created.StatusCode}: {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<string>();
    }

    private async Task SignUpAsync(AppInstance instance, string eventId, string email, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var person = new JsonObject { ["name"] = "故障注入 " + email[..10], ["email"] = email, ["consent"] = true };
            using var response = await http.PostAsync($"{instance.BaseUrl}/api/events/{eventId}/registrations", new StringContent(person.ToJsonString(), Encoding.UTF8, "application/json"), ct);
            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Conflict) return;
            await Task.Delay(500, ct);
        }

        throw new InvalidOperationException($"sign-up of {email} for {eventId} kept failing");
    }

    private async Task ConfirmAsync(AppInstance instance, string eventId, string registrationId, CancellationToken ct)
    {
        var token = fake.ManageTokens.TryGetValue(registrationId, out var t) ? t : throw new InvalidOperationException($"no manage link seen for {registrationId}");
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var response = await http.PostAsync($"{instance.BaseUrl}/api/manage/{eventId}/{registrationId}/confirm",
                new FormUrlEncodedContent([new("t", token)]), ct);
            if (response.IsSuccessStatusCode) return;
            await Task.Delay(500, ct);
        }

        throw new InvalidOperationException($"confirming {registrationId} on {eventId} kept failing");
    }

    private async Task<HashSet<string>> WaitForMailsAsync(Func<SentMail, bool> which, int count, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var ids = fake.Sent.Where(m => which(m) && m.RegistrationId is not null).Select(m => m.RegistrationId!).ToHashSet();
            if (ids.Count >= count) return ids;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"only {ids.Count} of {count} emails arrived");
            await RunFunctionAsync(a, "SweepConfirmations", ct, quiet: true);
            await Task.Delay(1000, ct);
        }
    }

    /// <summary>Moves both instances' clocks (and B's after a restart) to the system clock plus <paramref name="offset"/>.</summary>
    private async Task ShiftAsync(TimeSpan offset, CancellationToken ct)
    {
        _offset = offset;
        environmentOfB["LocalHost__ClockOffsetSeconds"] = offset.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var instance in new[] { a, b })
        {
            using var response = await http.PostAsync($"{instance.BaseUrl}/admin/clock", new StringContent($"{{\"offsetSeconds\": {offset.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}", Encoding.UTF8, "application/json"), ct);
            response.EnsureSuccessStatusCode();
        }
    }

    private async Task RunFunctionAsync(AppInstance instance, string name, CancellationToken ct, bool quiet = false)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            using var response = await http.PostAsync($"{instance.BaseUrl}/admin/functions/{name}", new StringContent("{}", Encoding.UTF8, "application/json"), timeout.Token);
            if (!quiet) response.EnsureSuccessStatusCode();
        }
        catch (Exception ex) when (quiet && ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            // an instance killed or storage paused: the next sweep goes again
        }
    }

    private void StopAzurite()
    {
        if (azurite.ProcessId is not { } pid) return;
        Native.Signal(pid, Native.SIGSTOP);
        _faultTimes.Add($"storage paused {DateTimeOffset.UtcNow:HH:mm:ss.fff}");
        Faults++;
    }

    private void ContinueAzurite()
    {
        if (azurite.ProcessId is { } pid) Native.Signal(pid, Native.SIGCONT);
        _faultTimes.Add($"resumed {DateTimeOffset.UtcNow:HH:mm:ss.fff}");
    }

    private async Task<List<TableEntity>> RowsAsync(string eventId, CancellationToken ct)
    {
        var rows = new List<TableEntity>();
        await foreach (var r in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {eventId} and RowKey ge {"reg-"} and RowKey lt {"reg."}"), cancellationToken: ct)) rows.Add(r);
        return rows;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
