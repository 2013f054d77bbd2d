using EventFunctions.Shared.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Participants;

/// <summary>The public calendar: upcoming events anyone may sign up for, and the same as a feed to subscribe to.</summary>
public sealed class Calendar(CalendarApi api)
{
    [Function(nameof(Calendar))]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Calendar)] HttpRequest request,
        CancellationToken ct) => api.PageAsync(request, ct);

    [Function("CalendarFeed")]
    public Task<IActionResult> Feed(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.CalendarFeed)] HttpRequest request,
        CancellationToken ct) => api.FeedAsync(request, ct);

    [Function("CalendarCard")]
    public IActionResult Card(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.CalendarCard)] HttpRequest request) => api.Card(request);
}
