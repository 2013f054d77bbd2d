using EventFunctions.Tests.Infrastructure;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace EventFunctions.Tests;

/// <summary>
/// The loopback SendGrid fake is what the chaos run judges duplicates by ("which instance sent it" is the API key
/// each mail came with), so its own bookkeeping must hold under concurrent requests.
/// </summary>
public sealed class FakeSendGridTests
{
    [Fact]
    public async Task Each_mail_keeps_the_api_key_it_came_with_when_requests_overlap()
    {
        await using var fake = await FakeSendGrid.StartAsync();
        fake.Mode = MailMode.Stall; // each request is held ~3 s between reading its headers and being accepted

        static SendGridClient Client(FakeSendGrid fake, string key) => new(new SendGridClientOptions { ApiKey = key, Host = fake.BaseUrl });
        static SendGridMessage Mail(string to) => MailHelper.CreateSingleEmail(new EmailAddress("events@example.cn"), new EmailAddress(to), "subject", "text", null);

        var first = Client(fake, "SG.instance-a").SendEmailAsync(Mail("a@example.cn"));
        await fake.RequestsReachedAsync(1); // the first is held; the second arrives while it waits
        var second = Client(fake, "SG.instance-b").SendEmailAsync(Mail("b@example.cn"));
        await Task.WhenAll(first, second);

        var sent = fake.Sent.ToDictionary(m => m.To!, m => m.ApiKey);
        Assert.Equal("SG.instance-a", sent["a@example.cn"]);
        Assert.Equal("SG.instance-b", sent["b@example.cn"]);
    }
}
