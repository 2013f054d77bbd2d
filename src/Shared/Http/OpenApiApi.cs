using EventFunctions.Shared.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Http;

/// <summary>
/// Serves the OpenAPI 3 document of the JSON APIs (Http/openapi.json, embedded), with this deployment's address as
/// its server. A test reads it with the OpenAPI library and compares its paths and methods with functions.metadata.
/// </summary>
public sealed class OpenApiApi(IOptions<EventFunctionsOptions> options)
{
    private static readonly Lazy<string> Template = new(() =>
    {
        using var stream = typeof(OpenApiApi).Assembly.GetManifestResourceStream("EventFunctions.Shared.Http.openapi.json")
            ?? throw new InvalidOperationException("openapi.json is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public string Json => Template.Value.Replace("__PUBLIC_BASE_URL__", options.Value.PublicBaseUrl.TrimEnd('/'), StringComparison.Ordinal);

    public IActionResult Document(HttpRequest request) =>
        new ContentResult { Content = Json, ContentType = "application/json; charset=utf-8", StatusCode = 200 };
}
