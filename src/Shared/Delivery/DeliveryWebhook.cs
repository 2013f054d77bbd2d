using System.Globalization;
using System.Text;
using System.Text.Json;
using EllipticCurve;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SendGrid.Helpers.EventWebhook;

namespace EventFunctions.Shared.Delivery;

/// <summary>
/// SendGrid's Signed Event Webhook (POST /api/sendgrid/events). The endpoint is anonymous to the Functions host
/// (SendGrid cannot send a function key); the ECDSA signature over timestamp + body, checked with SendGrid's own
/// <see cref="RequestValidator"/> against <see cref="EmailOptions.WebhookPublicKey"/>, is the authentication. A
/// timestamp further than <see cref="EmailOptions.WebhookMaxAge"/> from now is refused, so a captured request cannot
/// be replayed later. Then the events are recorded (<see cref="DeliveryRecorder"/>) and the batch acknowledged:
/// 200 also for events we cannot place (SendGrid retries anything else for 72 hours), 503 with Retry-After when
/// storage fails, so SendGrid sends the batch again and the rest is recorded.
/// </summary>
public sealed class DeliveryWebhook(DeliveryRecorder recorder, IOptions<EventFunctionsOptions> options, TimeProvider clock, ILogger<DeliveryWebhook> log)
{
    /// <summary>SendGrid batches events into posts well under this; anything larger is refused before it is read whole.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public const string SignatureHeader = RequestValidator.SIGNATURE_HEADER;
    public const string TimestampHeader = RequestValidator.TIMESTAMP_HEADER;

    private static readonly RequestValidator Validator = new();
    private sealed record ParsedKey(string Pem, PublicKey Key);

    private volatile ParsedKey? _key;

    public Task<IActionResult> ReceiveAsync(HttpRequest request, CancellationToken ct) =>
        HttpIO.GuardAsync(request, log, () => ReceiveCoreAsync(request, ct),
            // Part of the batch may be recorded: sending all of it again is safe (recorded events are recognised).
            () => HttpIO.Problem(503, "Storage is unavailable.", $"Send the batch again in {HttpIO.RetryAfterSeconds} seconds; events already recorded are recognised.", Problems.OutcomeUnknown));

    private async Task<IActionResult> ReceiveCoreAsync(HttpRequest request, CancellationToken ct)
    {
        var key = PublicKey();
        if (key is null)
        {
            log.LogError("SendGrid event webhook refused: no verification key. Set EventFunctions__Email__WebhookPublicKey to the Signed Event Webhook's verification key");
            return HttpIO.Problem(403, "The event webhook is not configured", "This endpoint accepts signed events only, and no verification key is configured.");
        }

        var signature = request.Headers[SignatureHeader].ToString();
        var timestamp = request.Headers[TimestampHeader].ToString();
        if (signature.Length == 0 || timestamp.Length == 0)
        {
            return Refuse(401, "Signature missing", $"Send the {SignatureHeader} and {TimestampHeader} headers (SendGrid's Signed Event Webhook).");
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253402300799)
        {
            return Refuse(401, "Timestamp unreadable", $"{TimestampHeader} must be Unix seconds.");
        }

        var age = clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        var maxAge = options.Value.Email.WebhookMaxAge;
        if (age > maxAge || age < -maxAge)
        {
            return Refuse(401, "Timestamp out of range", $"The signed timestamp is {Math.Abs(age.TotalMinutes):0} minutes from now; at most {maxAge.TotalMinutes:0} are accepted.");
        }

        var body = await ReadBodyAsync(request, ct);
        if (body is null) return HttpIO.Problem(413, "Body too large", $"The body may be at most {MaxBodyBytes} bytes.");

        // What SendGrid signs is the timestamp and the body's bytes as sent; its validator takes them as UTF-8 text.
        var payload = Encoding.UTF8.GetString(body);
        if (!Verify(key, payload, signature, timestamp))
        {
            return Refuse(403, "Signature invalid", "The signature does not match the body and timestamp for the configured verification key.");
        }

        DeliveryBatch batch;
        try
        {
            batch = DeliveryEventParser.Parse(payload);
        }
        catch (JsonException ex)
        {
            log.LogWarning("SendGrid event webhook: signed body is not a JSON array of events ({Error})", ex.Message);
            return HttpIO.Problem(400, "Malformed events", "The body must be a JSON array of event objects.");
        }

        var outcome = await recorder.RecordAsync(batch, ct);
        if (outcome.NotOurs > 0 || outcome.UnknownRegistrations > 0)
        {
            log.LogInformation("SendGrid event webhook: {Recorded} recorded, {Duplicates} seen before, {Unknown} for registrations that no longer exist, {NotOurs} without our ids, {Ignored} not recorded (opens, clicks, …)",
                outcome.Recorded, outcome.Duplicates, outcome.UnknownRegistrations, outcome.NotOurs, outcome.Ignored);
        }

        return new OkObjectResult(outcome);
    }

    private IActionResult Refuse(int status, string title, string detail)
    {
        log.LogWarning("SendGrid event webhook refused ({Status}): {Reason}", status, title);
        return HttpIO.Problem(status, title, detail);
    }

    /// <summary>The configured key, parsed once (SendGrid shows it as base64 DER; a PEM block is read too). Null when unset or unreadable.</summary>
    private PublicKey? PublicKey()
    {
        var pem = options.Value.Email.WebhookPublicKey?.Trim();
        if (string.IsNullOrEmpty(pem)) return null;
        if (_key is { } cached && cached.Pem == pem) return cached.Key;
        try
        {
            var key = Validator.ConvertPublicKeyToECDSA(pem);
            _key = new ParsedKey(pem, key);
            return key;
        }
        catch (Exception ex)
        {
            log.LogError("EventFunctions__Email__WebhookPublicKey is not an ECDSA public key ({Error}); every webhook request is refused", ex.GetType().Name);
            return null;
        }
    }

    private static bool Verify(PublicKey key, string payload, string signature, string timestamp)
    {
        try
        {
            return Validator.VerifySignature(key, payload, signature, timestamp);
        }
        catch (Exception)
        {
            return false; // not base64, not a DER signature: not SendGrid's
        }
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes) return null;
        }

        return buffer.ToArray();
    }
}
