using EventFunctions.Shared.Delivery;
using EventFunctions.Shared.Registrations;

namespace EventFunctions.Tests;

/// <summary>The organiser's label for a registration's current email, from the sender's and the webhook's columns.</summary>
public sealed class DeliveryTextTests
{
    private static RegistrationEntity Row(int state, int sent, bool pending, string? error = null, string? delivery = null, int deliveryVersion = 0, string? detail = null) => new()
    {
        StateVersion = state,
        EmailSentVersion = sent,
        EmailPending = pending,
        EmailError = error,
        DeliveryStatus = delivery,
        DeliveryVersion = deliveryVersion,
        DeliveryDetail = detail,
    };

    [Fact]
    public void An_owed_email_is_sending()
    {
        var row = Row(state: 1, sent: 0, pending: true);
        Assert.Equal(("发送中", "Sending"), (DeliveryText.Describe(row, "zh-CN"), DeliveryText.Describe(row, "en")));
        Assert.False(DeliveryText.Classify(row).NeedsAttention);
    }

    [Fact]
    public void An_email_SendGrid_refused_or_the_sweep_gave_up_on_is_not_sent_with_the_reason()
    {
        var rejected = Row(state: 1, sent: 1, pending: false, error: "400: fields: personalizations.0.to.0.email");
        Assert.Equal("未发送：400: fields: personalizations.0.to.0.email", DeliveryText.Describe(rejected, "zh-CN"));
        Assert.True(DeliveryText.Classify(rejected).NeedsAttention);

        var gaveUp = Row(state: 2, sent: 1, pending: false, error: "Not sent after 6 attempts");
        Assert.Equal("Not sent: Not sent after 6 attempts", DeliveryText.Describe(gaveUp, "en"));

        var keyRefused = Row(state: 1, sent: 0, pending: true, error: "401: SendGrid refused the API key (not the address); retrying");
        Assert.Equal(DeliveryKind.NotSent, DeliveryText.Classify(keyRefused).Kind);
    }

    [Fact]
    public void A_delivery_event_that_beats_the_senders_own_record_counts_for_the_current_email()
    {
        // SendGrid may report "delivered" before the sender has written down that it sent the email.
        var row = Row(state: 1, sent: 0, pending: true, delivery: DeliveryStates.Delivered, deliveryVersion: 1);
        Assert.Equal("已送达", DeliveryText.Describe(row, "zh-CN"));
    }

    [Fact]
    public void Processed_only_is_sent_and_a_delivery_of_an_earlier_email_is_not_this_ones()
    {
        Assert.Equal("Sent", DeliveryText.Describe(Row(state: 1, sent: 1, pending: false, delivery: DeliveryStates.Processed, deliveryVersion: 1), "en"));
        Assert.Equal("已发送", DeliveryText.Describe(Row(state: 2, sent: 2, pending: false, delivery: DeliveryStates.Bounced, deliveryVersion: 1, detail: "550"), "zh"));
    }
}
