using EventFunctions.Shared.Attendance;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;
using MimeKit;
using Results = EventFunctions.Tests.Infrastructure.Results;

namespace EventFunctions.Tests;

[Collection(StorageCollection.Name)]
public sealed class TicketTests(AzuriteFixture azurite)
{
    private static EventFunctions.Shared.Security.IdentifierKeys Keys(string secret) => new(
        Microsoft.Extensions.Options.Options.Create(new EventFunctions.Shared.Storage.EventFunctionsOptions { IdentifierKey = secret }),
        new EventFunctions.Shared.Hosting.AppEnvironment(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()));

    [Fact]
    public void Codes_are_six_unambiguous_characters_unique_in_an_event_and_lead_back_to_the_arrival_number()
    {
        var keys = Keys(TestSettings.IdentifierKey);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (long n = 1; n <= 20_000; n++)
        {
            var code = keys.TicketCode("k7m2qxabcd", n);
            Assert.Matches("^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{6}$", code);
            Assert.True(seen.Add(code), $"code {code} given twice");
            Assert.Equal(n, keys.TicketSequence("k7m2qxabcd", code));
        }

        Assert.Equal(keys.TicketSequence("k7m2qxabcd", "AB2CDE"), keys.TicketSequence("k7m2qxabcd", " ab2-cde "));
        Assert.NotEqual(keys.TicketCode("k7m2qxabcd", 1), keys.TicketCode("otherevent", 1)); // each event its own codes
        Assert.Null(Tickets.Normalise("AB0CDE")); // 0, O, 1, I, L are not in codes
        Assert.Null(Tickets.Normalise("ABCDEFG"));
    }

    [Fact]
    public void Codes_and_row_keys_cannot_be_computed_from_public_data_without_the_identifier_key()
    {
        // The event id and the arrival numbers (1, 2, 3…) are public or guessable; the codes are not, under another key.
        var ours = Keys(TestSettings.IdentifierKey);
        var guess = Keys("someone-elses-identifier-key-0123456789abcdef");
        var codes = Enumerable.Range(1, 200).Select(n => ours.TicketCode("k7m2qxabcd", n)).ToHashSet();
        Assert.DoesNotContain(Enumerable.Range(1, 200).Select(n => guess.TicketCode("k7m2qxabcd", n)), codes.Contains);
        // Nor is the old, keyless derivation (SHA-256 of the email) the row key any more.
        var plain = "reg-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("li@example.cn"u8))[..40];
        Assert.NotEqual(plain, ours.RegistrationKey("li@example.cn"));
        Assert.NotEqual(guess.RegistrationKey("li@example.cn"), ours.RegistrationKey("li@example.cn"));
        Assert.Equal(ours.RegistrationKey("li@example.cn"), Keys(TestSettings.IdentifierKey).RegistrationKey("li@example.cn")); // stable
    }

    [Fact]
    public async Task A_confirmed_participant_sees_the_ticket_on_the_result_page_the_manage_page_and_in_the_email()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var salon = await app.CreateEventAsync(Seed.Salon());
        var (status, html) = Results.Html(await app.SignUpForm.Submit(Requests.Form($"/api/signup/{salon.Id}",
        [
            new("name", "李莹晖"), new("phone", "13812345678"), new("email", "liyinghui@example.com"),
            new("q_lunch", "yes"), new("consent", "true"), new("lang", "zh-CN"),
        ]), salon.Id, default));
        Assert.Equal(200, status);
        var row = Assert.Single(await app.RegistrationsAsync(salon.Id));
        var code = row.TicketCode!;
        Assert.Equal(app.Get<EventFunctions.Shared.Security.IdentifierKeys>().TicketCode(salon.Id, row.Sequence), code);
        Assert.Contains($"id=\"ticket-code\"", html);
        Assert.Contains($">{code}</p>", html);
        Assert.Contains("<svg", html); // the QR, inline (the page's CSP loads no images)

        var manage = Results.Html(await app.CancelRegistration.Show(Requests.Get($"/api/manage/{salon.Id}/{row.RegistrationId}?t={TestTokens.Manage(row)}"), salon.Id, row.RegistrationId, default));
        Assert.Contains($">{code}</p>", manage.Html);

        await app.DeliverQueuedAsync();
        var mail = Assert.Single(app.SendGrid!.Mails).RootElement;
        var qr = mail.GetProperty("attachments").EnumerateArray().Single(a => a.GetProperty("filename").GetString() == "ticket.png");
        Assert.Equal(("image/png", "inline", TicketInfo.EmailContentId),
            (qr.GetProperty("type").GetString(), qr.GetProperty("disposition").GetString(), qr.GetProperty("content_id").GetString()));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], Convert.FromBase64String(qr.GetProperty("content").GetString()!)[..4]);
        var content = mail.GetProperty("content").EnumerateArray().ToDictionary(c => c.GetProperty("type").GetString()!, c => c.GetProperty("value").GetString()!);
        Assert.Contains("src=\"cid:ticket-qr\"", content["text/html"]);
        Assert.Contains($">{code}</p>", content["text/html"]);
        Assert.Contains($"签到码: {code}", content["text/plain"]);
        Assert.Contains($"https://signup.example.cn/api/t/{salon.Id}/{code}", content["text/plain"]);
        Assert.Contains(mail.GetProperty("attachments").EnumerateArray(), a => a.GetProperty("filename").GetString() == "event.ics");
    }

    [Fact]
    public async Task The_outbox_email_carries_the_ticket_as_an_inline_image_and_as_text()
    {
        var outbox = Path.Combine(Path.GetTempPath(), "outbox-" + Guid.NewGuid().ToString("N"));
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false, settings: new()
        {
            ["EventFunctions:Email:Mode"] = "Outbox",
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development", // the outbox exists only there
            ["EventFunctions:Email:OutboxPath"] = outbox,
        });
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        var view = await Kit.SignUpAsync(app, lecture.Id, "Zhang Wei", "zw@example.com", null);
        await app.DeliverQueuedAsync();
        var message = await MimeMessage.LoadAsync(Assert.Single(Directory.GetFiles(outbox, "*.eml")));
        var image = message.BodyParts.OfType<MimePart>().Single(p => p.ContentId == TicketInfo.EmailContentId);
        Assert.Equal("image/png", image.ContentType.MimeType);
        Assert.Contains("cid:" + TicketInfo.EmailContentId, message.HtmlBody);
        Assert.Contains(view.TicketCode!, message.HtmlBody);
        Assert.Contains(view.TicketCode!, message.TextBody);
        Directory.Delete(outbox, recursive: true);
    }

    [Fact]
    public async Task Waitlisted_people_get_no_ticket_until_promoted_and_the_promotion_email_carries_it()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 1));
        var first = await Kit.SignUpAsync(app, lecture.Id, "甲", "a@example.cn", null);
        var (_, waitHtml) = Results.Html(await app.SignUpForm.Submit(Requests.Form($"/api/signup/{lecture.Id}",
            [new("name", "乙"), new("email", "b@example.cn"), new("consent", "true")]), lecture.Id, default));
        Assert.Contains("已登记候补", waitHtml);
        Assert.DoesNotContain("id=\"ticket\"", waitHtml);
        await app.DeliverQueuedAsync();
        var waiting = await app.RegistrationsAsync(lecture.Id) is var rows ? rows.Single(r => r.Name == "乙") : null;
        var waitMail = app.SendGrid!.Mails.Single(m => m.RootElement.GetProperty("personalizations")[0].GetProperty("custom_args").GetProperty("registrationStatus").GetString() == "Waitlisted");
        Assert.False(waitMail.RootElement.TryGetProperty("attachments", out _)); // no ticket image (and no calendar file)
        Assert.DoesNotContain("cid:", waitMail.RootElement.GetProperty("content")[1].GetProperty("value").GetString());
        var manage = Results.Html(await app.CancelRegistration.Show(Requests.Get($"/api/manage/{lecture.Id}/{waiting!.RegistrationId}?t={TestTokens.Manage(waiting)}"), lecture.Id, waiting.RegistrationId, default));
        Assert.DoesNotContain("id=\"ticket\"", manage.Html);

        var firstRow = await Kit.RowAsync(app, lecture.Id, first.RegistrationId);
        await app.CancelRegistration.Delete(Requests.Get($"/x?t={TestTokens.Manage(firstRow)}"), lecture.Id, first.RegistrationId, default);
        await app.DeliverQueuedAsync();
        var promoted = app.SendGrid.Mails.Single(m => m.RootElement.GetProperty("personalizations")[0].GetProperty("custom_args").GetProperty("registrationStatus").GetString() == "Confirmed"
            && m.RootElement.GetProperty("personalizations")[0].GetProperty("custom_args").GetProperty("registrationId").GetString() == waiting.RegistrationId);
        var code = app.Get<EventFunctions.Shared.Security.IdentifierKeys>().TicketCode(lecture.Id, waiting.Sequence);
        Assert.Contains(promoted.RootElement.GetProperty("attachments").EnumerateArray(), a => a.TryGetProperty("content_id", out var id) && id.GetString() == TicketInfo.EmailContentId);
        Assert.Contains(code, promoted.RootElement.GetProperty("content")[0].GetProperty("value").GetString());
        manage = Results.Html(await app.CancelRegistration.Show(Requests.Get($"/api/manage/{lecture.Id}/{waiting.RegistrationId}?t={TestTokens.Manage(waiting)}"), lecture.Id, waiting.RegistrationId, default));
        Assert.Contains($">{code}</p>", manage.Html);
    }

    [Fact]
    public async Task An_online_only_lecture_shows_its_link_and_no_ticket_on_the_page_in_the_email_or_in_the_API()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var online = Seed.Lecture();
        online.Remove("venue"); // the online link only: there is no door
        var lecture = await app.CreateEventAsync(online);
        var (status, html) = Results.Html(await app.SignUpForm.Submit(Requests.Form($"/api/signup/{lecture.Id}",
            [new("name", "李莹晖"), new("email", "online@example.cn"), new("consent", "true"), new("lang", "zh-CN")]), lecture.Id, default));
        Assert.Equal(200, status);
        Assert.DoesNotContain("id=\"ticket-code\"", html);
        Assert.Contains("https://video.example.cn/water", html);

        var view = await Kit.SignUpAsync(app, lecture.Id, "王磊", "online2@example.cn", null);
        Assert.Equal("Confirmed", view.Status);
        Assert.Null(view.TicketCode);

        await app.DeliverQueuedAsync();
        var mail = app.SendGrid!.Mails.First().RootElement;
        Assert.False(mail.TryGetProperty("attachments", out var attachments) && attachments.EnumerateArray().Any(a => a.TryGetProperty("content_id", out _)));
        Assert.Contains("https://video.example.cn/water", mail.GetProperty("content")[1].GetProperty("value").GetString());

        // With a hall as well, people come through a door: the ticket is there.
        var both = await app.CreateEventAsync(Seed.Lecture());
        Assert.NotNull((await Kit.SignUpAsync(app, both.Id, "甲", "hall@example.cn", null)).TicketCode);
    }

    [Fact]
    public async Task Rows_stored_before_tickets_get_their_code_from_their_arrival_number()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        var view = await Kit.SignUpAsync(app, lecture.Id, "甲", "a@example.cn", null);
        var table = await app.TableAsync();
        var row = await Kit.RowAsync(app, lecture.Id, view.RegistrationId);
        row.TicketCode = null;
        await table.UpsertEntityAsync(row, Azure.Data.Tables.TableUpdateMode.Replace); // as an older version stored it
        Assert.Null((await Kit.RowAsync(app, lecture.Id, view.RegistrationId)).TicketCode);

        Assert.IsType<CheckInOutcome.CheckedIn>(await app.Get<AttendanceService>().CheckInAsync(lecture.Id, view.TicketCode!, "door:test", default));
        Assert.Equal(view.TicketCode, app.Get<EventFunctions.Shared.Security.IdentifierKeys>().TicketOf(await Kit.RowAsync(app, lecture.Id, view.RegistrationId)));
    }
}
