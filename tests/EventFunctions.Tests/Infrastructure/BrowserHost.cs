using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Tests.Infrastructure;

/// <summary>
/// Serves the participant pages over real HTTP on 127.0.0.1 for the browser tests, calling the same
/// function classes the Functions host calls and executing their IActionResults as the ASP.NET Core
/// integration does. Only the routes a participant's browser visits.
/// </summary>
public sealed class BrowserHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BrowserHost(WebApplication app) => _app = app;

    public string BaseUrl => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public static async Task<BrowserHost> StartAsync(TestApp app)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddMvcCore();
        var web = builder.Build();

        web.MapGet("/api/signup/{eventId}", (HttpContext c, string eventId) => Run(c, app.SignUpForm.Show(c.Request, eventId, c.RequestAborted)));
        web.MapPost("/api/signup/{eventId}", (HttpContext c, string eventId) => Run(c, app.SignUpForm.Submit(c.Request, eventId, c.RequestAborted)));
        web.MapGet("/api/manage/{eventId}/{registrationId}", (HttpContext c, string eventId, string registrationId) =>
            Run(c, app.CancelRegistration.Show(c.Request, eventId, registrationId, c.RequestAborted)));
        web.MapPost("/api/manage/{eventId}/{registrationId}", (HttpContext c, string eventId, string registrationId) =>
            Run(c, app.CancelRegistration.Confirm(c.Request, eventId, registrationId, c.RequestAborted)));
        await web.StartAsync();
        return new BrowserHost(web);
    }

    private static async Task Run(HttpContext context, Task<IActionResult> function)
    {
        var result = await function;
        await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
