
using System.Text.Json;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace EventFunctions.Shared.Http;

/// <summary>Reading request bodies safely and writing ProblemDetails, shared by every HTTP function.</summary>
public static class HttpIO
{
    /// <summary>No sign-up or event definition comes near this; anything larger is refused before parsing.</summary>
    public const int MaxBodyBytes = 64 * 1024;
    public const int RetryAfterSeconds = 5;

    public sealed record Read<T>(T? Value, IActionResult? Error);

    public static async Task<Read<T>> ReadJsonAsync<T>(HttpRequest request, UiText text, CancellationToken ct) where T : class
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return new(null, Problem(415, text.WrongContentType, $"Send the body as application/json (got '{request.ContentType ?? "none"}')."));
        }

        var body = await ReadBodyAsync(request, ct);
        if (body is null) return new(null, Problem(413, text.BodyTooLarge, $"The body may be at most {MaxBodyBytes} bytes."));
        if (body.Length == 0) return new(null, Problem(400, text.MalformedBody, "The request body is empty; send a JSON object."));

        try
        {
            var value = JsonSerializer.Deserialize<T>(body, Json.Options);
            return value is null
                ? new(null, Problem(400, text.MalformedBody, "The body must be a JSON object, not null."))
                : new(value, null);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is null ? "" : $" at {ex.Path}";
            var line = ex.LineNumber is { } l ? $" (line {l + 1}, position {ex.BytePositionInLine + 1})" : "";
            return new(null, Problem(400, text.MalformedBody, $"The body is not valid JSON of the expected shape{where}{line}."));
        }
    }

    public static async Task<Read<IFormCollection>> ReadFormAsync(HttpRequest request, UiText text, CancellationToken ct)
    {
        if (!request.HasFormContentType)
        {
            return new(null, Problem(415, text.WrongContentType, "Send the form as application/x-www-form-urlencoded."));
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return new(null, Problem(413, text.BodyTooLarge, $"The form may be at most {MaxBodyBytes} bytes."));
        }

        try
        {
            return new(await request.ReadFormAsync(new Microsoft.AspNetCore.Http.Features.FormOptions
            {
                BufferBody = true,
                ValueLengthLimit = MaxBodyBytes,
                KeyLengthLimit = 200,
                ValueCountLimit = 100,
            }, ct), null);
        }
        catch (InvalidDataException)
        {
            return new(null, Problem(413, text.BodyTooLarge, "The form is too large or has too many fields."));
        }
    }

    /// <summary>The body as bytes, or null when it is larger than <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes) return null;
        }

        return buffer.ToArray();
    }

    public static ObjectResult Problem(int status, string title, string? detail = null, string? type = null) =>
        new(new ProblemDetails { Status = status, Title = title, Detail = detail, Type = type })
        {
            StatusCode = status,
            ContentTypes = { "application/problem+json" },
        };

    public static ObjectResult Validation(FieldErrors errors, string title) =>
        new(new ValidationProblemDetails(errors.ToDictionary()) { Status = 400, Title = title })
        {
            StatusCode = 400,
            ContentTypes = { "application/problem+json" },
        };

    public static ContentResult Html(string html, int status = 200) =>
        new HtmlPageResult { Content = html, ContentType = "text/html; charset=utf-8", StatusCode = status };

    /// <summary>
    /// Runs an endpoint; a storage fault (Azure Storage down, timing out, or an event row too busy) becomes
    /// 503 with Retry-After instead of a 500 with a stack trace. Nothing was stored in that case: every write
    /// is a single entity or a single transaction.
    /// </summary>
    public static async Task<IActionResult> GuardAsync(HttpRequest request, ILogger log, Func<Task<IActionResult>> endpoint, Func<IActionResult> unavailable)
    {
        try
        {
            return await endpoint();
        }
        catch (Exception ex) when (StorageFaults.IsTransient(ex))
        {
            log.LogWarning(ex, "Storage unavailable for {Method} {Path}", request.Method, request.Path);
            return Unavailable(request, unavailable());
        }
    }

    /// <summary>A 503 answer, with Retry-After.</summary>
    public static IActionResult Unavailable(HttpRequest request, IActionResult answer)
    {
        request.HttpContext.Response.Headers[HeaderNames.RetryAfter] = RetryAfterSeconds.ToString();
        return answer;
    }

    public static UiText Language(HttpRequest request, string? explicitChoice = null) =>
        UiText.Pick(explicitChoice ?? request.Query["lang"].FirstOrDefault(), request.Headers.AcceptLanguage.ToString());

}

/// <summary>
/// An HTML page with the headers a page holding personal data should carry: no scripts or foreign
/// resources at all (the pages need none), forms only back to this site, not framed, not cached, and no
/// referrer (the cancel link carries its secret in the query).
/// </summary>
public sealed class HtmlPageResult : ContentResult
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public override Task ExecuteResultAsync(ActionContext context)
    {
        var headers = context.HttpContext.Response.Headers;
        headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        headers[HeaderNames.CacheControl] = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        return base.ExecuteResultAsync(context);
    }
}
