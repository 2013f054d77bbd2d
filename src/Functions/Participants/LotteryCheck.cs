using EventFunctions.Shared.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Participants;

/// <summary>A lottery's public check: its commitments, the drawn order, the entry list, and how to repeat the draw.</summary>
public sealed class LotteryCheck(LotteryApi api)
{
    [Function(nameof(LotteryCheck))]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Lottery)] HttpRequest request,
        string eventId,
        CancellationToken ct) => api.PageAsync(request, eventId, ct);

    [Function("LotteryEntries")]
    public Task<IActionResult> Entries(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.LotteryEntries)] HttpRequest request,
        string eventId,
        CancellationToken ct) => api.EntriesAsync(request, eventId, ct);
}
