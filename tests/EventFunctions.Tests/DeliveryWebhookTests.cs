using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using EventFunctions.Functions.Delivery;
using EventFunctions.Shared;
using EventFunctions.Shared.Delivery;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Registrations;
using EventFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Results = EventFunctions.Tests.Infrastructure.Results;

namespace EventFunctions.Tests;

/// <summary>
/// SendGrid's Signed Event Webhook against Azurite: requests signed as SendGrid signs them (ECDSA P-256 over the
/// timestamp header followed by the body, DER, base64) with a key made here and verified by the app through
/// SendGrid's own validator; the events carry the custom_args the real sender put on the real email.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class DeliveryWebhookTests(AzuriteFixture azurite) : IDisposable
{
    private readonly ECDsa _sendGridKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _markersTable = "d" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose() => _sendGridKey.Dispose();

    /// <summary>The verification key as SendGrid's settings page shows it: base64 of the DER public key.</summary>
    private string PublicKey => Convert.ToBase64String(_sendGridKey.ExportSubjectPublicKeyInfo());

    private Dictionary<string, string?> Settings(string? publicKey = "") => new()
    {
        ["EventFunctions:Email:WebhookPublicKey"] = publicKey == "" ? PublicKey : publicKey,
        ["EventFunctions:Email:DeliveryEventsTable"] = _markersTable,
    };

    private Task<TestApp> StartAsync(string? publicKey = "", bool development = false)
    {
        var settings = Settings(publicKey);
        if (development) settings["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development";
        return TestApp.StartAsync(azurite.ConnectionString, settings: settings);
    }

    /// <summary>One person signed up and their confirmation sent through the fake SendGrid: the custom_args it carried.</summary>
    private static async Task<(string EventId, string RegistrationId, Dictionary<string, string> Args)> SignUpAndSendAsync(TestApp app, string email = "liyinghui@example.com")
    {
        var lecture = await app.CreateEventAsync(Seed.Lecture());
        var signUp = Results.Object<RegistrationView>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person("李莹晖", email, null)), lecture.Id, default));
        await app.DeliverQueuedAsync();
        return (lecture.Id, signUp.Value.RegistrationId, SentArgs(app, signUp.Value.RegistrationId).Last());
    }

    private static List<Dictionary<string, string>> SentArgs(TestApp app, string registrationId) => app.SendGrid!.Mails
        .Select(m => m.RootElement.GetProperty("personalizations")[0].GetProperty("custom_args"))
        .Where(a => a.GetProperty("registrationId").GetString() == registrationId)
        .Select(a => a.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!))
        .OrderBy(a => int.Parse(a["version"]))
        .ToList();

    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddMinutes(-30);

    /// <summary>An event as SendGrid posts it: its own fields, and our custom_args as top-level properties.</summary>
    private static Dictionary<string, object?> Event(Dictionary<string, string> args, string kind, int second, Dictionary<string, object?>? extra = null, string? sgEventId = null)
    {
        var e = new Dictionary<string, object?>
        {
            ["email"] = "liyinghui@example.com",
            ["timestamp"] = T0.AddSeconds(second).ToUnixTimeSeconds(),
            ["smtp-id"] = "<14c5d75ce93.dfd.64b469@ismtpd-555>",
            ["event"] = kind,
            ["category"] = "confirmation",
            ["sg_event_id"] = sgEventId ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)),
            ["sg_message_id"] = "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
        };
        foreach (var (k, v) in args) e[k] = v;
        foreach (var (k, v) in extra ?? []) e[k] = v; // SendGrid's own fields (a bounce's "status") win over our args
        return e;
    }

    private static string Body(params Dictionary<string, object?>[] events) => JsonSerializer.Serialize(events);

    private string Sign(string timestamp, string body) =>
        Convert.ToBase64String(_sendGridKey.SignData(Encoding.UTF8.GetBytes(timestamp + body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    private HttpRequest Signed(string body, DateTimeOffset? at = null, string? signedBody = null, string? signature = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString();
        var request = Requests.Raw("POST", "/api/sendgrid/events", body, "application/json");
        request.Headers[DeliveryWebhook.SignatureHeader] = signature ?? Sign(timestamp, signedBody ?? body);
        request.Headers[DeliveryWebhook.TimestampHeader] = timestamp;
        return request;
    }

    private static SendGridEvents Function(TestApp app) => new(app.Get<DeliveryWebhook>());

    private static async Task<DeliveryOutcome> PostOk(TestApp app, HttpRequest request)
    {
        var result = await Function(app).Run(request, default);
        var ok = Assert.IsType<OkObjectResult>(result);
        return Assert.IsType<DeliveryOutcome>(ok.Value);
    }

    private static async Task<RegistrationEntity> RowAsync(TestApp app, string eventId) => Assert.Single(await app.RegistrationsAsync(eventId));

    private async Task<int> MarkerCountAsync(TestApp app)
    {
        var markers = app.Get<TableServiceClient>().GetTableClient(_markersTable);
        var n = 0;
        try
        {
            await foreach (var _ in markers.QueryAsync<TableEntity>()) n++;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Not created yet: nothing was ever recorded.
        }

        return n;
    }

    [Fact]
    public async Task A_valid_batch_is_recorded_on_the_registration_it_came_from()
    {
        await using var app = await StartAsync();
        var (eventId, registrationId, args) = await SignUpAndSendAsync(app);
        Assert.Equal(new[] { "eventId", "registrationId", "registrationStatus", "version" }, args.Keys.Order());

        var body = Body(
            Event(args, "processed", 0),
            Event(args, "delivered", 2, new() { ["response"] = "250 OK", ["tls"] = 1 }),
            Event(args, "open", 60, new() { ["useragent"] = "Mozilla/5.0", ["ip"] = "203.0.113.9" }));
        var outcome = await PostOk(app, Signed(body));

        Assert.Equal(new DeliveryOutcome(Recorded: 2, Duplicates: 0, UnknownRegistrations: 0, Ignored: 1, NotOurs: 0), outcome);
        var row = await RowAsync(app, eventId);
        Assert.Equal(registrationId, row.RegistrationId);
        Assert.Equal(DeliveryStates.Delivered, row.DeliveryStatus);
        Assert.Equal(1, row.DeliveryVersion);
        Assert.Equal(T0.AddSeconds(2).ToUnixTimeSeconds(), row.DeliveryUpdatedUtc!.Value.ToUnixTimeSeconds()); // SendGrid's time, not ours
        Assert.Equal("", row.DeliveryDetail);
        Assert.Equal("已送达", DeliveryText.Describe(row, "zh-CN"));
        Assert.Equal("Delivered", DeliveryText.Describe(row, "en"));
        // The sender's and the ledger's columns are untouched.
        Assert.Equal(1, row.EmailSentVersion);
        Assert.False(row.EmailPending);
        Assert.Equal("liyinghui@example.com", row.Email);
        Assert.Equal(2, await MarkerCountAsync(app));
    }

    [Fact]
    public async Task A_bounce_is_recorded_with_its_reason_and_the_address_in_it_masked()
    {
        await using var app = await StartAsync();
        var (eventId, _, args) = await SignUpAndSendAsync(app);
        var reason = "550 5.1.1 <liyinghui@example.com>: Recipient address rejected: User unknown in virtual mailbox table" + new string('.', 300);
        var body = Body(
            Event(args, "processed", 0),
            Event(args, "bounce", 5, new() { ["status"] = "5.1.1", ["type"] = "bounce", ["reason"] = reason, ["bounce_classification"] = "Invalid Address" }));
        await PostOk(app, Signed(body));

        var row = await RowAsync(app, eventId);
        Assert.Equal(DeliveryStates.Bounced, row.DeliveryStatus);
        Assert.StartsWith("5.1.1 550 5.1.1 <li***@example.com>: Recipient address rejected", row.DeliveryDetail);
        Assert.DoesNotContain("liyinghui@", row.DeliveryDetail);
        Assert.True(row.DeliveryDetail!.Length <= DeliveryEventParser.MaxDetailLength, $"{row.DeliveryDetail.Length} characters");
        Assert.StartsWith("退信：5.1.1 550", DeliveryText.Describe(row, "zh-CN"));
        Assert.StartsWith("Bounced: 5.1.1", DeliveryText.Describe(row, "en"));
        Assert.True(DeliveryText.Classify(row).NeedsAttention);
    }

    [Fact]
    public async Task A_drop_and_a_deferral_are_recorded_with_their_reasons()
    {
        await using var app = await StartAsync();
        var (eventId, _, args) = await SignUpAndSendAsync(app);
        await PostOk(app, Signed(Body(Event(args, "deferred", 1, new() { ["response"] = "421 4.7.0 Try again later", ["attempt"] = "2" }))));
        var row = await RowAsync(app, eventId);
        Assert.Equal(DeliveryStates.Deferred, row.DeliveryStatus);
        Assert.Equal("Delayed, retrying: 421 4.7.0 Try again later (attempt 2)", DeliveryText.Describe(row, "en"));

        await PostOk(app, Signed(Body(Event(args, "dropped", 2, new() { ["reason"] = "Bounced Address" }))));
        row = await RowAsync(app, eventId);
        Assert.Equal(DeliveryStates.Dropped, row.DeliveryStatus);
        Assert.Equal("未投递：Bounced Address", DeliveryText.Describe(row, "zh-CN"));
    }

    [Fact]
    public async Task A_request_without_a_signature_is_refused_and_nothing_is_recorded()
    {
        await using var app = await StartAsync();
        var (eventId, _, args) = await SignUpAndSendAsync(app);
        var request = Requests.Raw("POST", "/api/sendgrid/events", Body(Event(args, "delivered", 1)), "application/json");

        var (status, problem) = Results.Object<ProblemDetails>(await Function(app).Run(request, default));
        Assert.Equal(401, status);
        Assert.Contains(DeliveryWebhook.SignatureHeader, problem.Detail);
        Assert.Null((await RowAsync(app, eventId)).DeliveryStatus);
    }

    [Fact]
    public async Task A_request_signed_with_another_key_is_refused_and_nothing_is_recorded()
    {
        await using var app = await StartAsync();
        var (eventId, _, args) = await SignUpAndSendAsync(app);
        var body = Body(Event(args, "delivered", 1));
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString();
        var forged = Convert.ToBase64String(other.SignData(Encoding.UTF8.GetBytes(timestamp + body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

        Assert.Equal(403, Results.Object<ProblemDetails>(await Function(app).Run(Signed(body, signature: forged), default)).Status);
        Assert.Equal(403, Results.Object<ProblemDetails>(await Function(app).Run(Signed(body, signature: "bm90IGEgc2lnbmF0dXJl"), default)).Status); // not DER
        Assert.Equal(403, Results.Object<ProblemDetails>(await Function(app).Run(Signed(body, signature: "%%%"), default)).Status); // not base64
        Assert.Null((await RowAsync(app, eventId)).DeliveryStatus);
        Assert.Equal(0, await MarkerCountAsync(app));
    }

    [Fact]
    public async Task A_tampered_body_is_refused_and_nothing_is_recorded()
    {
        await using var app = await StartAsync();
        var (eventId, _, args) = await SignUpAndSendAsync(app);
        var genuine = Body(Event(args, "bounce", 1, new() { ["status"] = "5.1.1", ["reason"] = "550 User unknown" }));
        var tampered = genuine.Replace("\"bounce\"", "\"delivered\"");
        Assert.NotEqual(genuine, tampered);

        Assert.Equal(403, Results.Object<ProblemDetails>(await Function(app).Run(Signed(tampered, signedBody: genuine), default)).Status);
        Assert.Null((await RowAsync(app, eventId)).DeliveryStatus);

        // The signature covers the timestamp too: the same body under another timestamp is refused.
        var request = Signed(genuine);
        request.Headers[DeliveryWebhook.TimestampHeader] = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1).ToString();
        Assert.Equal(403, Results.Object<ProblemDetails>(await Function(app).Run(request, default)).Status);
        Assert.Null((await RowAsync(app, eventId)).DeliveryStatus);
    }

    [Fact]
    public async Task A_signed_request_older_than_the_tolerance_is_refused_a_recent_one_accepted()
    {
        await using var app = await StartAsync();
        var (eventId, _, args) = await SignUpAndSendAsync(app);
        var body = Body(Event(args, "delivered", 1));

        var old = Results.Object<ProblemDetails>(await Function(app).Run(Signed(body, at: DateTimeOffset.UtcNow.AddMinutes(-11)), default));
        Assert.Equal(401, old.Status);
        Assert.Equal("Timestamp out of range", old.Value.Title);
        Assert.Equal(401, Results.Object<ProblemDetails>(await Function(app).Run(Signed(body, at: DateTimeOffset.UtcNow.AddMinutes(11)), default)).Status);
        var unreadable = Signed(body);
        unreadable.Headers[DeliveryWebhook.TimestampHeader] = "yesterday";
        Assert.Equal(401, Results.Object<ProblemDetails>(await Function(app).Run(unreadable, default)).Status);
        Assert.Null((await RowAsync(app, eventId)).DeliveryStatus);

        // Within the tolerance (a SendGrid post that queued for a while): accepted.
        Assert.Equal(1, (await PostOk(app, Signed(body, at: DateTimeOffset.UtcNow.AddMinutes(-9)))).Recorded);
        Assert.Equal(DeliveryStates.Delivered, (await RowAsync(app, eventId)).DeliveryStatus);
    }

    [Fact]
    public async Task Without_a_verification_key_every_request_is_refused()
    {
        // Outside Development the app does not start without the key (StartupSettingsTests); in Development it runs
        // and refuses every delivery event rather than accept unsigned ones.
        await using var app = await StartAsync(publicKey: null, development: true);
        var (eventId, _, args) = await SignUpAndSendAsync(app);
        var (status, problem) = Results.Object<ProblemDetails>(await Function(app).Run(Signed(Body(Event(args, "delivered", 1))), default));
        Assert.Equal(403, status);
        Assert.Equal("The event webhook is not configured", problem.Title);
        Assert.Null((await RowAsync(app, eventId)).DeliveryStatus);

        // An unreadable key stops the app at start-up, in any environment.
        await using var garbled = await StartAsync(publicKey: "not a key", development: true);
        var refused = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => garbled.Options);
        Assert.Contains(refused.Failures, f => f.StartsWith("EventFunctions__Email__WebhookPublicKey:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413()
    {
        await using var app = await StartAsync();
        var (_, _, args) = await SignUpAndSendAsync(app);
        var big = Body(Event(args, "deferred", 1, new() { ["response"] = new string('x', DeliveryWebhook.MaxBodyBytes) }));
        Assert.Equal(413, Results.Object<ProblemDetails>(await Function(app).Run(Signed(big), default)).Status);

        var unsized = Signed(big);
        unsized.ContentLength = null; // chunked: counted while read
        Assert.Equal(413, Results.Object<ProblemDetails>(await Function(app).Run(unsized, default)).Status);
    }

    [Fact]
    public async Task A_signed_body_that_is_not_an_array_of_events_is_400()
    {
        await using var app = await StartAsync();
        foreach (var body in new[] { "{\"event\":\"delivered\"}", "[1,2]", "[{\"event\":", "" })
        {
            Assert.Equal(400, Results.Object<ProblemDetails>(await Function(app).Run(Signed(body), default)).Status);
        }
    }

    [Fact]
    public async Task A_replayed_batch_is_recorded_once()
    {
        await using var app = await StartAsync();
        var (eventId, _, args) = await SignUpAndSendAsync(app);
        var body = Body(Event(args, "processed", 0), Event(args, "delivered", 3));
        Assert.Equal(2, (await PostOk(app, Signed(body))).Recorded);
        var first = await RowAsync(app, eventId);

        // SendGrid's retry of the same batch (signed afresh), and the same batch twice at once on two instances.
        var again = await PostOk(app, Signed(body));
        Assert.Equal(new DeliveryOutcome(0, 2, 0, 0, 0), again);
        Assert.Equal(first.ETag, (await RowAsync(app, eventId)).ETag); // not written again

        var copy = Event(args, "bounce", 9, new() { ["status"] = "5.0.0", ["reason"] = "550 mailbox full" });
        var both = await Task.WhenAll(PostOk(app, Signed(Body(copy, copy))), PostOk(app, Signed(Body(copy))));
        // Each copy is either recorded or recognised; two instances may both record it at once, to the same effect.
        Assert.Equal(3, both.Sum(o => o.Recorded + o.Duplicates));
        Assert.InRange(both.Sum(o => o.Recorded), 1, 2);
        Assert.Equal(DeliveryStates.Bounced, (await RowAsync(app, eventId)).DeliveryStatus);
        Assert.Equal(3, await MarkerCountAsync(app)); // processed, delivered, bounce: one marker each
        Assert.Equal(1, (await PostOk(app, Signed(Body(copy)))).Duplicates);
    }

    [Fact]
    public async Task Events_out_of_order_never_replace_a_newer_state()
    {
        await using var app = await StartAsync();
        var (eventId, _, args) = await SignUpAndSendAsync(app);

        await PostOk(app, Signed(Body(Event(args, "delivered", 20))));
        await PostOk(app, Signed(Body(Event(args, "deferred", 10, new() { ["response"] = "421 try later" }))));  // earlier, arriving late
        await PostOk(app, Signed(Body(Event(args, "processed", 1))));
        var row = await RowAsync(app, eventId);
        Assert.Equal(DeliveryStates.Delivered, row.DeliveryStatus);
        Assert.Equal(T0.AddSeconds(20).ToUnixTimeSeconds(), row.DeliveryUpdatedUtc!.Value.ToUnixTimeSeconds());

        // A "deferred" stamped later than the delivery (clock skew between SendGrid's servers) still does not undo it.
        await PostOk(app, Signed(Body(Event(args, "deferred", 30, new() { ["response"] = "421 try later" }))));
        Assert.Equal(DeliveryStates.Delivered, (await RowAsync(app, eventId)).DeliveryStatus);

        // A later bounce does (an asynchronous bounce after the receiving server first accepted it).
        await PostOk(app, Signed(Body(Event(args, "bounce", 40, new() { ["status"] = "5.0.0", ["reason"] = "550 mailbox disabled" }))));
        Assert.Equal(DeliveryStates.Bounced, (await RowAsync(app, eventId)).DeliveryStatus);

        // In one batch, in any order: the same end.
        await using var app2 = await StartAsync();
        var (eventId2, _, args2) = await SignUpAndSendAsync(app2);
        await PostOk(app2, Signed(Body(Event(args2, "delivered", 20), Event(args2, "deferred", 10), Event(args2, "processed", 1))));
        Assert.Equal(DeliveryStates.Delivered, (await RowAsync(app2, eventId2)).DeliveryStatus);
    }

    [Fact]
    public async Task An_event_for_an_older_email_does_not_mark_the_newer_one()
    {
        await using var app = await StartAsync();
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 1));
        var first = Results.Object<RegistrationView>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person("王芳", "wangfang@example.com", null)), lecture.Id, default)).Value;
        var waiting = Results.Object<RegistrationView>(await app.RegisterForEvent.Run(Requests.Json("POST", "/x", Seed.Person("李莹晖", "liyinghui@example.com", null)), lecture.Id, default)).Value;
        Assert.Equal(RegistrationStatus.Waitlisted, waiting.Status);
        await app.DeliverQueuedAsync();
        var waitlistEmail = Assert.Single(SentArgs(app, waiting.RegistrationId));
        await PostOk(app, Signed(Body(Event(waitlistEmail, "delivered", 1))));
        Assert.Equal("已送达", DeliveryText.Describe(await Row(waiting.RegistrationId), "zh-CN"));

        // The first person cancels; the waiting one is promoted (state version 2) and owed a new email.
        var token = TestTokens.Manage(await Row(first.RegistrationId));
        Assert.IsType<NoContentResult>(await app.CancelRegistration.Delete(Requests.Json("DELETE", $"/x?t={token}", null), lecture.Id, first.RegistrationId, default));
        var promoted = await Row(waiting.RegistrationId);
        Assert.Equal(2, promoted.StateVersion);
        Assert.Equal(DeliveryStates.Delivered, promoted.DeliveryStatus); // the ledger's write kept the delivery columns
        Assert.Equal("Sending", DeliveryText.Describe(promoted, "en")); // the waitlist email's delivery says nothing of this one

        await app.DeliverQueuedAsync();
        var confirmation = SentArgs(app, waiting.RegistrationId).Last();
        Assert.Equal("2", confirmation["version"]);
        Assert.Equal("Sent", DeliveryText.Describe(await Row(waiting.RegistrationId), "en"));

        // The new email is deferred; then the old email's late events arrive (a "delivered" stamped after the deferral).
        await PostOk(app, Signed(Body(Event(confirmation, "deferred", 10, new() { ["response"] = "421 greylisted" }))));
        await PostOk(app, Signed(Body(Event(waitlistEmail, "delivered", 50), Event(waitlistEmail, "bounce", 60, new() { ["status"] = "5.0.0", ["reason"] = "x" }))));
        var row = await Row(waiting.RegistrationId);
        Assert.Equal((DeliveryStates.Deferred, 2), (row.DeliveryStatus, row.DeliveryVersion));
        Assert.Equal("投递延迟，重试中：421 greylisted", DeliveryText.Describe(row, "zh-CN"));

        await PostOk(app, Signed(Body(Event(confirmation, "delivered", 70))));
        Assert.Equal("Delivered", DeliveryText.Describe(await Row(waiting.RegistrationId), "en"));

        async Task<RegistrationEntity> Row(string registrationId) => (await app.RegistrationsAsync(lecture.Id)).Single(r => r.RegistrationId == registrationId);
    }

    [Fact]
    public async Task Events_for_an_unknown_or_cancelled_registration_are_acknowledged_and_dropped()
    {
        await using var app = await StartAsync();
        var (eventId, registrationId, args) = await SignUpAndSendAsync(app);
        var token = TestTokens.Manage(await RowAsync(app, eventId));
        Assert.IsType<NoContentResult>(await app.CancelRegistration.Delete(Requests.Json("DELETE", $"/x?t={token}", null), eventId, registrationId, default));

        var unknown = new Dictionary<string, string>(args) { ["registrationId"] = "ZZZZ2345" };
        var otherEvent = new Dictionary<string, string>(args) { ["eventId"] = "abcdefghjk" };
        var notOurs = new Dictionary<string, string>(); // another system's email, or SendGrid's test event
        var outcome = await PostOk(app, Signed(Body(
            Event(args, "delivered", 1), Event(unknown, "delivered", 1), Event(otherEvent, "bounce", 1), Event(notOurs, "delivered", 1),
            Event(new() { ["eventId"] = "x'; drop", ["registrationId"] = "../../..", ["version"] = "1" }, "delivered", 1))));

        Assert.Equal(new DeliveryOutcome(Recorded: 0, Duplicates: 0, UnknownRegistrations: 3, Ignored: 0, NotOurs: 2), outcome);
        Assert.Empty(await app.RegistrationsAsync(eventId)); // nothing brought back to life
        Assert.Equal(0, await MarkerCountAsync(app));
    }

    [Fact]
    public async Task Storage_down_is_503_with_retry_after_and_the_retry_records_the_batch()
    {
        await using var app = await StartAsync();
        var (eventId, _, args) = await SignUpAndSendAsync(app);
        var body = Body(Event(args, "delivered", 1));

        var dead = azurite.ConnectionString.Replace($"127.0.0.1:{azurite.TablePort}", $"127.0.0.1:{AzuriteFixture.FreePort()}");
        await using var down = await TestApp.StartAsync(dead, settings: new(Settings()) { ["EventFunctions:TableName"] = app.TableName });
        var request = Signed(body);
        var (status, problem) = Results.Object<ProblemDetails>(await Function(down).Run(request, default));
        Assert.Equal(503, status);
        Assert.Equal(Problems.OutcomeUnknown, problem.Type);
        Assert.Equal(HttpIO.RetryAfterSeconds.ToString(), request.HttpContext.Response.Headers.RetryAfter.ToString());

        Assert.Equal(1, (await PostOk(app, Signed(body))).Recorded); // SendGrid's retry
        Assert.Equal(DeliveryStates.Delivered, (await RowAsync(app, eventId)).DeliveryStatus);
    }

    [Fact]
    public async Task A_fault_between_the_row_and_the_marker_is_completed_by_the_retry_never_lost_as_a_duplicate()
    {
        await using var app = await StartAsync();
        var (eventId, _, args) = await SignUpAndSendAsync(app);
        var body = Body(Event(args, "bounce", 1, new() { ["status"] = "5.1.1", ["reason"] = "550 User unknown" }));

        // Storage fails the marker's write, after the registration row took the event.
        // (Markers are written as one transaction, a POST to $batch: in this webhook, only they are.)
        var fault = new FaultPolicy(r => r.Method == RequestMethod.Post && (r.Uri.Path.EndsWith("/" + _markersTable) || r.Uri.Path.EndsWith("/$batch")));
        await using (var faulty = FaultyApp(app, fault))
        {
            var request = Signed(body);
            Assert.Equal(503, Results.Object<ProblemDetails>(await faulty.GetRequiredService<DeliveryWebhook>().ReceiveAsync(request, default)).Status);
            Assert.True(fault.Failed > 0);
        }

        Assert.Equal(DeliveryStates.Bounced, (await RowAsync(app, eventId)).DeliveryStatus);
        Assert.Equal(0, await MarkerCountAsync(app));
        Assert.Equal(1, (await PostOk(app, Signed(body))).Recorded); // the retry is not taken for a duplicate
        Assert.Equal(1, await MarkerCountAsync(app));
        Assert.Equal(1, (await PostOk(app, Signed(body))).Duplicates);
    }

    [Fact]
    public async Task A_fault_writing_the_row_records_nothing_and_the_retry_records_it()
    {
        await using var app = await StartAsync();
        var (eventId, _, args) = await SignUpAndSendAsync(app);
        var body = Body(Event(args, "delivered", 1));

        var fault = new FaultPolicy(r => r.Method == RequestMethod.Patch || r.Method.Method == "MERGE");
        await using (var faulty = FaultyApp(app, fault))
        {
            var request = Signed(body);
            Assert.Equal(503, Results.Object<ProblemDetails>(await faulty.GetRequiredService<DeliveryWebhook>().ReceiveAsync(request, default)).Status);
            Assert.True(fault.Failed > 0);
        }

        Assert.Null((await RowAsync(app, eventId)).DeliveryStatus);
        Assert.Equal(0, await MarkerCountAsync(app));
        Assert.Equal(1, (await PostOk(app, Signed(body))).Recorded);
        Assert.Equal(DeliveryStates.Delivered, (await RowAsync(app, eventId)).DeliveryStatus);
    }

    [Fact]
    public async Task A_write_to_the_row_between_our_read_and_our_merge_is_neither_lost_nor_overwritten_with_older_news()
    {
        await using var app = await StartAsync();
        var (eventId, _, args) = await SignUpAndSendAsync(app);
        var table = await app.TableAsync();
        var rowKey = (await RowAsync(app, eventId)).RowKey;

        // Just before the webhook's merge goes out, another instance records a later bounce (and the sender a note).
        var intercept = new InterceptPolicy(r => r.Method == RequestMethod.Patch || r.Method.Method == "MERGE", async () =>
            await table.UpdateEntityAsync(new TableEntity(eventId, rowKey)
            {
                [nameof(RegistrationEntity.DeliveryStatus)] = DeliveryStates.Bounced,
                [nameof(RegistrationEntity.DeliveryDetail)] = "5.0.0 550 mailbox disabled",
                [nameof(RegistrationEntity.DeliveryUpdatedUtc)] = T0.AddSeconds(90),
                [nameof(RegistrationEntity.DeliveryVersion)] = 1,
                [nameof(RegistrationEntity.EmailError)] = "written meanwhile",
            }, ETag.All, TableUpdateMode.Merge));
        await using (var other = FaultyApp(app, intercept))
        {
            var result = await other.GetRequiredService<DeliveryWebhook>().ReceiveAsync(Signed(Body(Event(args, "delivered", 5))), default);
            Assert.Equal(1, Assert.IsType<DeliveryOutcome>(Assert.IsType<OkObjectResult>(result).Value).Recorded);
        }

        Assert.Equal(1, intercept.Intercepted); // one merge, refused; none after reading the newer state
        var row = await RowAsync(app, eventId);
        Assert.Equal(DeliveryStates.Bounced, row.DeliveryStatus); // the later event stays: our merge was refused (412) and judged again
        Assert.Equal("written meanwhile", row.EmailError);

        // And when what was written meanwhile is older, ours goes on top of it, keeping the other columns.
        var intercept2 = new InterceptPolicy(r => r.Method == RequestMethod.Patch || r.Method.Method == "MERGE", async () =>
            await table.UpdateEntityAsync(new TableEntity(eventId, rowKey) { [nameof(RegistrationEntity.EmailError)] = "" }, ETag.All, TableUpdateMode.Merge));
        await using (var other = FaultyApp(app, intercept2))
        {
            await other.GetRequiredService<DeliveryWebhook>().ReceiveAsync(Signed(Body(Event(args, "bounce", 100, new() { ["status"] = "5.0.0", ["reason"] = "later" }))), default);
        }

        Assert.Equal(2, intercept2.Intercepted); // refused (412), read again, merged again
        row = await RowAsync(app, eventId);
        Assert.Equal(("5.0.0 later", ""), (row.DeliveryDetail, row.EmailError));
    }

    [Fact]
    public async Task Markers_are_purged_after_the_retention_and_recent_ones_kept()
    {
        await using var app = await StartAsync();
        var (_, _, args) = await SignUpAndSendAsync(app);
        var old = Event(args, "processed", 0);
        old["timestamp"] = DateTimeOffset.UtcNow.AddDays(-8).ToUnixTimeSeconds();
        var recent = Event(args, "delivered", 1);
        await PostOk(app, Signed(Body(old, recent)));
        Assert.Equal(2, await MarkerCountAsync(app));

        await new PurgeDeliveryEvents(app.Get<DeliveryRecorder>()).Run(null!, default);
        Assert.Equal(1, await MarkerCountAsync(app));
        Assert.Equal(1, (await PostOk(app, Signed(Body(recent)))).Duplicates);
    }

    /// <summary>The same service graph as the app's, on the same tables, with storage failing the requests <paramref name="fault"/> picks.</summary>
    private ServiceProvider FaultyApp(TestApp app, HttpPipelinePolicy fault)
    {
        var values = new Dictionary<string, string?>(TestSettings.Production(app.SendGrid?.BaseUrl ?? "http://127.0.0.1:9"))
        {
            ["EventFunctions:Email:WebhookPublicKey"] = PublicKey,
            ["EventFunctions:Email:DeliveryEventsTable"] = _markersTable,
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["EventFunctions:TableName"] = app.TableName,
            ["EventFunctions:ConfirmationQueue"] = app.QueueName,
        };
        var services = new ServiceCollection().AddEventFunctions(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddAzureClients(clients => clients.ConfigureDefaults(o => o.AddPolicy(fault, HttpPipelinePosition.PerCall)));
        return services.BuildServiceProvider();
    }

    /// <summary>Storage answering 503 to chosen requests (before they are sent), as Azure Storage does when it is overloaded.</summary>
    private sealed class FaultPolicy(Func<Request, bool> picks) : HttpPipelinePolicy
    {
        public int Failed;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (picks(message.Request))
            {
                Interlocked.Increment(ref Failed);
                throw new RequestFailedException(503, "Injected: the server is busy.");
            }

            return ProcessNextAsync(message, pipeline);
        }
    }

    /// <summary>Runs <paramref name="before"/> ahead of the first request it picks (another writer getting in first), then lets it go.</summary>
    private sealed class InterceptPolicy(Func<Request, bool> picks, Func<Task> before) : HttpPipelinePolicy
    {
        public int Intercepted;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (picks(message.Request) && Interlocked.Increment(ref Intercepted) == 1) await before();
            await ProcessNextAsync(message, pipeline);
        }
    }
}
