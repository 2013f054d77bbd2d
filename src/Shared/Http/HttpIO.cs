
using System.Text;
using System.Text.Json;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace EventFunctions.Shared.Http;

/// <summary>Reading request bodies safely and writing ProblemDetails, shared by every HTTP function.</summary>
public static class HttpIO
{
    /// <summary>No sign-up or event definition comes near this; anything larger is refused before parsing.</summary>
    public const int MaxBodyBytes = 64 * 1024;
    public const int RetryAfterSeconds = 5;
    public const string FormMediaType = "application/x-www-form-urlencoded";
    public const int MaxFormFields = 100;
    public const int MaxFormKeyLength = 200;

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
        catch (JsonException ex) when (ex.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) && ex.Path is { Length: > 2 } path)
        {
            // The same property twice: which one counts would be a guess (Json.Options refuses duplicates).
            var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
            return new(null, Problem(400, string.Format(text.FieldGivenTwiceFormat, field), $"The property '{field}' appears twice; send it once."));
        }
        catch (JsonException ex)
        {
            var where = ex.Path is null ? "" : $" at {ex.Path}";
            var line = ex.LineNumber is { } l ? $" (line {l + 1}, position {ex.BytePositionInLine + 1})" : "";
            return new(null, Problem(400, text.MalformedBody, $"The body is not valid JSON of the expected shape{where}{line}."));
        }
    }

    /// <summary>
    /// Reads a form posted from one of our pages. Anything that cannot be read comes back as an HTML page in the
    /// participant's language (a phone shows it; it would show ProblemDetails JSON as raw text): 415 for anything
    /// but application/x-www-form-urlencoded (multipart included) or a charset we do not read, 413 over
    /// <see cref="MaxBodyBytes"/> or too many fields, 400 for bytes that are not text in the declared charset.
    /// Control characters (a NUL byte) are read as they are, so validation names the field they are in.
    /// </summary>
    public static async Task<Read<IFormCollection>> ReadFormAsync(HttpRequest request, UiText text, PageRenderer pages, CancellationToken ct)
    {
        var read = await ReadFormAsync(request, text, ct);
        if (read.Error is not ObjectResult { Value: ProblemDetails problem } error) return read;
        var html = await pages.RenderAsync<ResultPage>(new()
        {
            [nameof(ResultPage.Text)] = text,
            [nameof(ResultPage.Heading)] = problem.Title ?? text.MalformedBody,
            [nameof(ResultPage.Lines)] = new[] { text.FormGoBack },
        });
        return new(null, Html(html, error.StatusCode ?? 400));
    }

    /// <summary>As above, with ProblemDetails for the errors.</summary>
    public static async Task<Read<IFormCollection>> ReadFormAsync(HttpRequest request, UiText text, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals(FormMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return new(null, Problem(415, text.WrongContentType, $"Send the form as {FormMediaType} (got '{request.ContentType ?? "none"}')."));
        }

        var charset = type.Charset.HasValue ? type.Charset.Value!.Trim('"') : null;
        var encoding = FormEncoding(charset);
        if (encoding is null)
        {
            return new(null, Problem(415, text.WrongContentType, $"The charset '{charset}' is not supported; send UTF-8 (GBK and GB18030 are read too)."));
        }

        var body = await ReadBodyAsync(request, ct);
        if (body is null) return new(null, Problem(413, text.BodyTooLarge, $"The form may be at most {MaxBodyBytes} bytes."));

        var fields = new Dictionary<string, StringValues>(StringComparer.Ordinal);
        var count = 0;
        foreach (var pair in body.AsSpan().Split((byte)'&'))
        {
            var part = body.AsSpan(pair);
            if (part.IsEmpty) continue;
            if (++count > MaxFormFields) return new(null, Problem(413, text.BodyTooLarge, $"The form may have at most {MaxFormFields} fields."));
            var equals = part.IndexOf((byte)'=');
            string key, value;
            try
            {
                key = encoding.GetString(UrlDecode(equals < 0 ? part : part[..equals]));
                value = equals < 0 ? "" : encoding.GetString(UrlDecode(part[(equals + 1)..]));
            }
            catch (DecoderFallbackException)
            {
                return new(null, Problem(400, text.FormEncodingInvalid, $"The form is not valid {encoding.WebName} text."));
            }

            if (key.Length > MaxFormKeyLength) return new(null, Problem(413, text.BodyTooLarge, $"A field name may be at most {MaxFormKeyLength} characters."));
            // A field twice (consent=true&consent=false): which one counts would be a guess, so neither does.
            if (!fields.TryAdd(key, new StringValues(value)))
            {
                return new(null, Problem(400, string.Format(text.FieldGivenTwiceFormat, key), $"The field '{key}' was sent twice; send it once."));
            }
        }

        return new(new FormCollection(fields), null);
    }

    internal static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// GB18030 (a superset of GBK and GB2312; the WHATWG Encoding standard decodes all three labels with it): old
    /// Chinese phone browsers post in it. Its code page comes from System.Text.Encoding.CodePages.
    /// </summary>
    internal static readonly Lazy<Encoding> StrictGb18030 = new(() =>
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GB18030", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    });

    /// <summary>The encoding a form body's bytes are text in (after percent-decoding), or null for a charset we do not read.</summary>
    private static Encoding? FormEncoding(string? charset) => charset?.ToLowerInvariant() switch
    {
        null or "" or "utf-8" or "utf8" or "unicode-1-1-utf-8" or "us-ascii" or "ascii" => StrictUtf8,
        "gbk" or "gb2312" or "gb18030" or "x-gbk" or "gb_2312-80" or "chinese" or "csgb2312" or "cp936" or "windows-936" => StrictGb18030.Value,
        _ => null,
    };

    /// <summary>
    /// application/x-www-form-urlencoded percent-decoding to bytes, as browsers and the WHATWG URL standard do it:
    /// '+' is a space, %XX is a byte, a '%' not followed by two hex digits stays a '%'.
    /// </summary>
    private static byte[] UrlDecode(ReadOnlySpan<byte> encoded)
    {
        var bytes = new byte[encoded.Length];
        var n = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            var b = encoded[i];
            if (b == (byte)'+')
            {
                bytes[n++] = (byte)' ';
            }
            else if (b == (byte)'%' && i + 2 < encoded.Length && IsHex(encoded[i + 1]) && IsHex(encoded[i + 2]))
            {
                bytes[n++] = (byte)(HexValue(encoded[i + 1]) << 4 | HexValue(encoded[i + 2]));
                i += 2;
            }
            else
            {
                bytes[n++] = b;
            }
        }

        return bytes[..n];

        static bool IsHex(byte c) => char.IsAsciiHexDigit((char)c);
        static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
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
    /// <summary>
    /// As <see cref="GuardAsync"/> for a participant's page: storage faults answer the "not saved, try again" page in
    /// their language (503, Retry-After), never a stack trace or a bare status.
    /// </summary>
    public static async Task<IActionResult> GuardPageAsync(HttpRequest request, ILogger log, UiText text, PageRenderer pages, Func<Task<IActionResult>> endpoint)
    {
        var result = await GuardAsync(request, log, endpoint, () => new StatusCodeResult(503));
        if (result is not StatusCodeResult { StatusCode: 503 }) return result;
        return Html(await pages.RenderAsync<ResultPage>(new()
        {
            [nameof(ResultPage.Text)] = text,
            [nameof(ResultPage.Heading)] = text.Unavailable,
            [nameof(ResultPage.Lines)] = Array.Empty<string>(),
        }), 503);
    }

    /// <summary>A participant's one-message page (a heading, lines, maybe a link onward), in their language.</summary>
    public static Task<string> MessagePageAsync(PageRenderer pages, UiText text, string heading, IReadOnlyList<string> lines, bool success = false, string? linkUrl = null, string? linkText = null) =>
        pages.RenderAsync<ResultPage>(new()
        {
            [nameof(ResultPage.Text)] = text,
            [nameof(ResultPage.Heading)] = heading,
            [nameof(ResultPage.Lines)] = lines,
            [nameof(ResultPage.Success)] = success,
            [nameof(ResultPage.LinkUrl)] = linkUrl,
            [nameof(ResultPage.LinkText)] = linkText,
        });

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

    /// <summary>The same policy, with images from this site (the console's QR codes).</summary>
    public const string ContentSecurityPolicyWithImages = ContentSecurityPolicy + "; img-src 'self'";

    /// <summary>The page shows images served by this site (QR codes); still no scripts and nothing foreign.</summary>
    public bool ImagesFromSelf { get; init; }

    /// <summary>
    /// A public page holding nobody's data (the calendar): caches may keep it this many seconds. 0 (the default): never
    /// stored, as every page with a person's data.
    /// </summary>
    public int CacheSeconds { get; init; }

    public override Task ExecuteResultAsync(ActionContext context)
    {
        var headers = context.HttpContext.Response.Headers;
        headers[HeaderNames.ContentSecurityPolicy] = ImagesFromSelf ? ContentSecurityPolicyWithImages : ContentSecurityPolicy;
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        headers[HeaderNames.CacheControl] = CacheSeconds > 0 ? $"public, max-age={CacheSeconds}" : "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        return base.ExecuteResultAsync(context);
    }
}
