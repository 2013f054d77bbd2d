using System.Diagnostics;
using System.Net;
using EventFunctions.Shared.Hosting;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace EventFunctions.Shared.Confirmations;

public sealed record EmailAttachment(string FileName, string ContentType, byte[] Content)
{
    /// <summary>Set for an inline image the HTML shows as <c>cid:{ContentId}</c> (the ticket's QR code).</summary>
    public string? ContentId { get; init; }
}

/// <summary>A rendered email. <see cref="Category"/> is for delivery statistics and holds no personal data.</summary>
public sealed record EmailMessage(
    string ToAddress,
    string ToName,
    string? ReplyTo,
    string Subject,
    string Html,
    string PlainText,
    IReadOnlyList<EmailAttachment> Attachments,
    string Category)
{
    /// <summary>
    /// Keys that tie the provider's delivery events back to the registration and the state this email is
    /// for (SendGrid's custom_args): ids only, never personal data.
    /// </summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}

public abstract record SendResult
{
    public sealed record Sent : SendResult;
    /// <summary>The provider refused the message for good (a 4xx other than 429): retrying cannot help.</summary>
    public sealed record Rejected(int StatusCode, string Reason) : SendResult;
}

/// <summary>The provider failed in a way a later try may not (429, 5xx, timeout): the queue message comes back.</summary>
public class TransientEmailException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The provider refused our credentials (401/403): the operator's problem (a wrong or expired API key), not the
/// address's. Retried like any transient failure, and logged as an error so someone fixes the key.
/// </summary>
public sealed class EmailAuthenticationException(int statusCode)
    : TransientEmailException($"SendGrid refused the API key ({statusCode}); check EventFunctions__Email__SendGridApiKey.")
{
    public int StatusCode { get; } = statusCode;
}

public interface IEmailTransport
{
    Task<SendResult> SendAsync(EmailMessage message, CancellationToken ct);
}

/// <summary>Production: SendGrid's v3 mail-send API through the official client.</summary>
public sealed class SendGridEmailTransport(ISendGridClient client, IOptions<EventFunctionsOptions> options) : IEmailTransport
{
    public async Task<SendResult> SendAsync(EmailMessage message, CancellationToken ct)
    {
        var email = options.Value.Email;
        var mail = MailHelper.CreateSingleEmail(
            new EmailAddress(email.FromAddress, email.FromName),
            new EmailAddress(message.ToAddress, message.ToName),
            message.Subject,
            message.PlainText,
            message.Html);
        if (message.ReplyTo is not null) mail.SetReplyTo(new EmailAddress(message.ReplyTo));
        foreach (var a in message.Attachments)
        {
            mail.AddAttachment(a.FileName, Convert.ToBase64String(a.Content), a.ContentType,
                a.ContentId is null ? null : "inline", a.ContentId);
        }

        mail.AddCategory(message.Category);
        foreach (var (key, value) in message.Tags) mail.AddCustomArg(key, value);

        using var activity = Telemetry.Source.StartActivity("email send", ActivityKind.Client);
        activity?.SetTag("eventfunctions.email.category", message.Category);
        var kind = new KeyValuePair<string, object?>("kind", message.Category);
        Response response;
        try
        {
            response = await client.SendEmailAsync(mail, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            Failed("unavailable");
            throw new TransientEmailException("SendGrid could not be reached or timed out.", ex);
        }

        var status = (int)response.StatusCode;
        activity?.SetTag("http.response.status_code", status);
        if (response.IsSuccessStatusCode)
        {
            Telemetry.EmailsSent.Add(1, kind);
            return new SendResult.Sent();
        }

        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            Failed("unauthorized");
            throw new EmailAuthenticationException(status);
        }

        if (response.StatusCode == HttpStatusCode.TooManyRequests || status >= 500)
        {
            Failed("unavailable");
            throw new TransientEmailException($"SendGrid answered {status}.");
        }

        Failed("rejected");
        return new SendResult.Rejected(status, await ErrorFieldsAsync(response, ct));

        void Failed(string reason)
        {
            activity?.SetStatus(ActivityStatusCode.Error, reason);
            Telemetry.EmailsFailed.Add(1, kind, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    /// <summary>Only the names of the fields SendGrid objects to: its messages may quote an address.</summary>
    private static async Task<string> ErrorFieldsAsync(Response response, CancellationToken ct)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(await response.Body.ReadAsStringAsync(ct));
            var fields = doc.RootElement.GetProperty("errors").EnumerateArray()
                .Select(e => e.TryGetProperty("field", out var f) && f.ValueKind == System.Text.Json.JsonValueKind.String ? f.GetString() : null)
                .OfType<string>().Distinct().ToList();
            return fields.Count == 0 ? "no field named" : "fields: " + string.Join(", ", fields);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "unreadable error body";
        }
    }
}

/// <summary>Local runs: each email becomes an .eml file in the outbox folder, which any mail program opens.</summary>
public sealed class OutboxEmailTransport(IOptions<EventFunctionsOptions> options, ILogger<OutboxEmailTransport> log) : IEmailTransport
{
    public async Task<SendResult> SendAsync(EmailMessage message, CancellationToken ct)
    {
        var email = options.Value.Email;
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(email.FromName, email.FromAddress));
        mime.To.Add(new MailboxAddress(message.ToName, message.ToAddress));
        if (message.ReplyTo is not null) mime.ReplyTo.Add(MailboxAddress.Parse(message.ReplyTo));
        mime.Subject = message.Subject;
        var body = new BodyBuilder { HtmlBody = message.Html, TextBody = message.PlainText };
        foreach (var a in message.Attachments)
        {
            if (a.ContentId is not null)
            {
                body.LinkedResources.Add(a.FileName, a.Content, ContentType.Parse(a.ContentType)).ContentId = a.ContentId;
                continue;
            }

            body.Attachments.Add(a.FileName, a.Content, ContentType.Parse(a.ContentType));
        }

        mime.Body = body.ToMessageBody();
        var folder = Path.GetFullPath(email.OutboxPath);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-{Guid.NewGuid():N}.eml");
        await mime.WriteToAsync(path, ct);
        log.LogInformation("Wrote email to outbox file {File}", Path.GetFileName(path));
        return new SendResult.Sent();
    }
}
