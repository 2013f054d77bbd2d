using EventFunctions.Shared.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Participants;

/// <summary>A series' public page: its sessions, and one form for the whole series or the sessions ticked.</summary>
public sealed class SeriesForm(SeriesApi api)
{
    [Function(nameof(SeriesForm))]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Series)] HttpRequest request,
        string seriesId,
        CancellationToken ct) => api.PageAsync(request, seriesId, ct);

    [Function("SubmitSeriesForm")]
    public Task<IActionResult> Submit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Series)] HttpRequest request,
        string seriesId,
        CancellationToken ct) => api.SubmitAsync(request, seriesId, ct);
}
