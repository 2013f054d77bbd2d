using EventFunctions.Shared.Admission;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Shared.Http;

/// <summary>
/// A lottery's public check (see <see cref="Lottery"/>): the seed's SHA-256 from the event's creation, the entry
/// list's SHA-256 and the list itself from the draw's start, the seed and the drawn order (references only, never a
/// name) once drawn; and how to repeat the draw. Anyone with the link may read it, like the event's page.
/// </summary>
public sealed class LotteryApi(EventStore store, LotteryService lottery, PageRenderer pages, PublicLimits limits, TimeProvider clock, ILogger<LotteryApi> log)
{
    public Task<IActionResult> PageAsync(HttpRequest request, string eventId, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        if (limits.Refuse(request, PublicAction.Page) is { } wait) return PublicLimits.TooManyPageAsync(request, wait, text, pages);
        return HttpIO.GuardPageAsync(request, log, text, pages, async () =>
        {
            var e = Ids.IsValidEventId(eventId) ? (await store.FindEventAsync(eventId, ct))?.ToRecord() : null;
            if (e is null || e.Invitation is { Public: false }) return HttpIO.Html(await HttpIO.MessagePageAsync(pages, text, text.EventNotFound, []), 404);
            if (e.Lottery is null) return HttpIO.Html(await HttpIO.MessagePageAsync(pages, text, LotteryUi.For(text).NotALottery, [], linkUrl: Paths.SignUp(e.Id), linkText: e.Title), 404);
            var order = e.Lottery.Seed is not null && await lottery.EntryListAsync(e.Id, ct) is { } list ? LotteryService.Order(e, list.List) : [];
            return HttpIO.Html(await pages.RenderAsync<LotteryPage>(new()
            {
                [nameof(LotteryPage.Event)] = e,
                [nameof(LotteryPage.Text)] = text,
                [nameof(LotteryPage.Now)] = clock.GetUtcNow(),
                [nameof(LotteryPage.SeedHash)] = lottery.SeedHash(e.Id),
                [nameof(LotteryPage.SwitchUrl)] = $"{Paths.Lottery(e.Id)}?lang={text.OtherCode}",
                [nameof(LotteryPage.Order)] = order,
            }));
        });
    }

    /// <summary>The entry list the draw froze, byte for byte what its published SHA-256 is of; 404 before the draw starts.</summary>
    public Task<IActionResult> EntriesAsync(HttpRequest request, string eventId, CancellationToken ct)
    {
        var text = HttpIO.Language(request);
        if (limits.Refuse(request, PublicAction.Page) is { } wait) return PublicLimits.TooManyPageAsync(request, wait, text, pages);
        return HttpIO.GuardPageAsync(request, log, text, pages, async () =>
        {
            var list = Ids.IsValidEventId(eventId) ? await lottery.EntryListAsync(eventId, ct) : null;
            if (list is null) return HttpIO.Html(await HttpIO.MessagePageAsync(pages, text, text.EventNotFound, []), 404);
            return new FileContentResult(System.Text.Encoding.UTF8.GetBytes(list.List), "text/plain; charset=utf-8") { FileDownloadName = "entries.txt" };
        });
    }
}
