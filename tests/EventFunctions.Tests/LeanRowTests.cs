using Azure.Data.Tables;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>New registration rows are inserted without their empty properties, and read back the same.</summary>
[Collection(StorageCollection.Name)]
public sealed class LeanRowTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_sign_up_is_stored_without_empty_properties_and_reads_back_in_full()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 1, waitlist: true));
        var first = await app.Get<RegistrationService>().SignUpAsync(lecture.Id, new SignUpInput { Name = "王磊", Email = "wang.lei@example.cn", Consent = true }, Shared.Text.UiText.Chinese, default);
        Assert.IsType<SignUpOutcome.Registered>(first);

        var table = await app.TableAsync();
        var stored = (await app.RegistrationsAsync(lecture.Id)).Single();
        var raw = (await table.GetEntityAsync<TableEntity>(lecture.Id, stored.RowKey)).Value;

        // Nothing empty was sent: no null, no zero counter, no empty answers.
        foreach (var name in new[] { "Phone", "EmailSentVersion", "EmailSentStatus", "EmailSentUtc", "EmailClaimUntil", "EmailError", "EmailAttempts",
                     "DeliveryStatus", "DeliveryDetail", "DeliveryUpdatedUtc", "DeliveryVersion", "CheckedInUtc", "CheckedInBy", "AnswersJson", "SecurityDetailsJson" })
        {
            Assert.False(raw.ContainsKey(name), $"{name} stored although empty");
        }

        // What it has is what the ledger decided, and the typed row reads the defaults for the rest.
        Assert.Equal(RegistrationStatus.Confirmed, raw.GetString("Status"));
        Assert.Equal(1L, raw.GetInt64("Sequence"));
        Assert.Equal(1, raw.GetInt32("StateVersion"));
        Assert.True(raw.GetBoolean("EmailPending"));
        Assert.Equal(6, raw.GetString("TicketCode")!.Length);
        Assert.Equal("王磊", stored.Name);
        Assert.Equal("{}", stored.AnswersJson);
        Assert.Equal("[]", stored.SecurityDetailsJson);
        Assert.Null(stored.Phone);
        Assert.Equal(0, stored.EmailSentVersion);
        Assert.Null(stored.EmailClaimUntil);
    }

    [Fact]
    public async Task Every_property_set_survives_the_round_trip_and_only_empty_ones_are_left_out()
    {
        var table = new TableClient(azurite.ConnectionString, "lean" + Guid.NewGuid().ToString("N")[..10]);
        await table.CreateAsync();
        var at = new DateTimeOffset(2026, 11, 25, 8, 30, 0, TimeSpan.Zero);
        var full = new RegistrationEntity
        {
            PartitionKey = "ev", RowKey = "reg-full", RegistrationId = "ABCD2345", Status = RegistrationStatus.Waitlisted, Sequence = 7, StateVersion = 3,
            Name = "李娜", Email = "li.na@example.cn", Phone = "13800138000", Organisation = "北外滩街道", AnswersJson = """{"q1":"是"}""",
            SecurityDetailsJson = """["身份证"]""", Language = "en", CreatedUtc = at, ConsentUtc = at, ConsentNotice = "n1", SubmissionHash = "h", ManageToken = "t",
            EmailPending = true, EmailQueuedUtc = at, EmailSentVersion = 2, EmailSentStatus = "Confirmed", EmailSentUtc = at, EmailClaimUntil = at, EmailError = "e",
            EmailAttempts = 4, DeliveryStatus = "delivered", DeliveryDetail = "d", DeliveryUpdatedUtc = at, DeliveryVersion = 2, TicketCode = "K7M2QX",
            CheckedInUtc = at, CheckedInBy = "door",
        };
        await table.AddEntityAsync(LeanRow<RegistrationEntity>.ForInsert(full));
        var back = (await table.GetEntityAsync<RegistrationEntity>("ev", "reg-full")).Value;
        foreach (var p in typeof(RegistrationEntity).GetProperties().Where(p => p.Name is not ("Timestamp" or "ETag")))
        {
            Assert.True(Equals(p.GetValue(full), p.GetValue(back)), $"{p.Name}: {p.GetValue(full)} stored, {p.GetValue(back)} read");
        }

        var empty = new RegistrationEntity { PartitionKey = "ev", RowKey = "reg-empty" };
        var lean = LeanRow<RegistrationEntity>.ForInsert(empty);
        Assert.Equal(["PartitionKey", "RowKey"], lean.Keys.Order());
    }
}
