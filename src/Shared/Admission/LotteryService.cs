using Azure.Data.Tables;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;

namespace EventFunctions.Shared.Admission;

/// <summary>A lottery's draw and its public record (see <see cref="Lottery"/>, <see cref="LotteryDraw"/>).</summary>
public sealed class LotteryService(EventStore store, EventLedger ledger, NoShowHistory noShows, Security.IdentifierKeys ids)
{
    /// <summary>Runs the draw to its end if its time has come (the hold sweep's, and the organiser's "draw now" once due): once, whoever else runs it.</summary>
    public Task<DrawResult> DrawAsync(string eventId, CancellationToken ct) =>
        ledger.DrawAsync(eventId, entries => noShows.TiersAsync(entries, ct));

    /// <summary>The SHA-256 of the event's seed: public from the event's creation.</summary>
    public string SeedHash(string eventId) => LotteryDraw.SeedHash(ids.LotterySeed(eventId));

    /// <summary>The frozen entry list (null before the draw starts).</summary>
    public async Task<LotteryListEntity?> EntryListAsync(string eventId, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var found = await table.GetEntityIfExistsAsync<LotteryListEntity>(eventId, LotteryListEntity.Key, cancellationToken: ct);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>One line of the drawn order as the public sees it: no name, only the reference and what became of it.</summary>
    public sealed record Drawn(int Rank, string RegistrationId, int Tier, DrawOutcome Outcome);

    public enum DrawOutcome { Seat, Waitlist, NotDrawn }

    /// <summary>
    /// The drawn order repeated from the published list and the revealed seed (so the page shows what anyone would
    /// compute): the first <see cref="Lottery.SeatsDrawn"/> have seats, then the <see cref="Lottery.WaitlistDrawn"/> places the waitlist had, the rest not drawn (an entry withdrawn since keeps its line: the draw is of the list as frozen).
    /// </summary>
    public static IReadOnlyList<Drawn> Order(EventRecord e, string list)
    {
        if (e.Lottery is not { Seed: { } seed } lottery) return [];
        var order = LotteryDraw.Order(seed, LotteryDraw.Parse(list));
        return order.Select((x, i) => new Drawn(i + 1, x.RegistrationId, x.Tier,
            i < lottery.SeatsDrawn ? DrawOutcome.Seat : i < lottery.SeatsDrawn + lottery.WaitlistDrawn ? DrawOutcome.Waitlist : DrawOutcome.NotDrawn)).ToList();
    }
}
