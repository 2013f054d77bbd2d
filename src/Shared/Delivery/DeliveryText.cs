using EventFunctions.Shared.Registrations;

namespace EventFunctions.Shared.Delivery;

/// <summary>Where a registration's current email stands, for the organiser's list.</summary>
public enum DeliveryKind
{
    /// <summary>Owed and on its way to SendGrid (queued, or being retried).</summary>
    Sending,
    /// <summary>Handed to SendGrid; no delivery event yet (or only "processed").</summary>
    Sent,
    /// <summary>The receiving server asked SendGrid to try later; SendGrid keeps trying.</summary>
    Deferred,
    Delivered,
    Bounced,
    Dropped,
    /// <summary>Never got to SendGrid, or SendGrid refused it: the organiser may resend.</summary>
    NotSent,
}

/// <summary>A registration's email status: what kind, and the provider's or sender's reason when there is one.</summary>
public sealed record DeliveryView(DeliveryKind Kind, string? Detail, DateTimeOffset? UpdatedUtc)
{
    /// <summary>Bounced, dropped or not sent: the person has no email for their current state, so offer a resend.</summary>
    public bool NeedsAttention => Kind is DeliveryKind.Bounced or DeliveryKind.Dropped or DeliveryKind.NotSent;
}

/// <summary>
/// The read model beside each person in the organiser's console: it combines the sender's outbox columns
/// (EmailPending, EmailSentVersion, EmailError) with the webhook's delivery columns, about the email for the
/// registration's current state only: "delivered" for an earlier email (the waitlist one, before a promotion) does not
/// say the current one arrived.
/// </summary>
public static class DeliveryText
{
    public static DeliveryView Classify(RegistrationEntity row)
    {
        // A delivery event for the current state's email (it may arrive before the sender has recorded the send).
        if (row.DeliveryStatus is { Length: > 0 } status && row.DeliveryVersion >= row.StateVersion && row.DeliveryVersion > 0)
        {
            var detail = string.IsNullOrEmpty(row.DeliveryDetail) ? null : row.DeliveryDetail;
            var kind = status switch
            {
                DeliveryStates.Delivered => DeliveryKind.Delivered,
                DeliveryStates.Bounced => DeliveryKind.Bounced,
                DeliveryStates.Dropped => DeliveryKind.Dropped,
                DeliveryStates.Deferred => DeliveryKind.Deferred,
                _ => DeliveryKind.Sent,
            };
            return new DeliveryView(kind, kind == DeliveryKind.Sent ? null : detail, row.DeliveryUpdatedUtc);
        }

        var error = string.IsNullOrEmpty(row.EmailError) ? null : row.EmailError;
        if (row.EmailSentVersion >= row.StateVersion && row.StateVersion > 0)
        {
            // Recorded as done: sent, or refused by SendGrid for good (then the error says why).
            return error is null ? new DeliveryView(DeliveryKind.Sent, null, row.EmailSentUtc) : new DeliveryView(DeliveryKind.NotSent, error, row.EmailSentUtc);
        }

        if (error is not null) return new DeliveryView(DeliveryKind.NotSent, error, null); // retrying (a refused API key), or given up
        return row.EmailPending ? new DeliveryView(DeliveryKind.Sending, null, row.EmailQueuedUtc) : new DeliveryView(DeliveryKind.NotSent, null, null);
    }

    /// <summary>A short label in the organiser's language (zh-CN unless <paramref name="language"/> starts with "en").</summary>
    public static string Describe(RegistrationEntity row, string? language) => Describe(Classify(row), language);

    public static string Describe(DeliveryView view, string? language)
    {
        var en = language?.Trim().StartsWith("en", StringComparison.OrdinalIgnoreCase) == true;
        var label = view.Kind switch
        {
            DeliveryKind.Sending => en ? "Sending" : "发送中",
            DeliveryKind.Sent => en ? "Sent" : "已发送",
            DeliveryKind.Deferred => en ? "Delayed, retrying" : "投递延迟，重试中",
            DeliveryKind.Delivered => en ? "Delivered" : "已送达",
            DeliveryKind.Bounced => en ? "Bounced" : "退信",
            DeliveryKind.Dropped => en ? "Not delivered" : "未投递",
            _ => en ? "Not sent" : "未发送",
        };
        return view.Detail is null ? label : label + (en ? ": " : "：") + view.Detail;
    }
}
