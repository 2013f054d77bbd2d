using EventFunctions.Shared.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EventFunctions.Functions.Operations;

/// <summary>The health route: anonymous (a probe has no key), no personal data, cheap (cached for seconds).</summary>
public sealed class Health(OperationsApi api)
{
    [Function(nameof(Health))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Health)] HttpRequest request,
        CancellationToken ct) => api.HealthAsync(request, ct);
}

/// <summary>The OpenAPI 3 document of the organiser and participant JSON APIs.</summary>
public sealed class OpenApiDocument(OpenApiApi api)
{
    [Function(nameof(OpenApiDocument))]
    public IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.OpenApi)] HttpRequest request) => api.Document(request);
}

/// <summary>Admins see the messages in the poison queues and replay them (console sign-in, like every console route).</summary>
public sealed class ConsoleFailures(OperationsApi api)
{
    [Function(nameof(ConsoleFailures))]
    public Task<IActionResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleFailures)] HttpRequest request,
        CancellationToken ct) => api.FailuresPageAsync(request, ct);

    [Function("ConsoleReplayFailures")]
    public Task<IActionResult> Replay(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleReplay)] HttpRequest request,
        CancellationToken ct) => api.ReplayAsync(request, ct);
}
