using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;

namespace EventFunctions.Chaos;

/// <summary>The clients: sign-ups, cancels and capacity raises against both instances, each answer classified.</summary>
public sealed class Load(HttpClient http, string eventId, JsonObject definition, IReadOnlyList<AppInstance> instances, Ledger ledger, Func<string, string?> manageTokenOf)
{
    public const string Unavailable = "urn:eventfunctions:unavailable";
    public const string OutcomeUnknown = "urn:eventfunctions:outcome-unknown";

    private static readonly string RunTag = Guid.NewGuid().ToString("N")[..8];
    private int _disconnectBudget;
    private long _emailCounter;

    /// <summary>The fault scheduler asks for the next <paramref name="count"/> requests to be cut off by their client.</summary>
    public void DisconnectNext(int count) => Interlocked.Add(ref _disconnectBudget, count);

    public async Task RunClientAsync(int client, CancellationToken stop, CancellationToken abort)
    {
        var random = new Random(unchecked(Environment.TickCount * 31 + client));
        while (!stop.IsCancellationRequested)
        {
            var instance = instances[random.Next(instances.Count)];
            var roll = random.NextDouble();
            try
            {
                if (roll < 0.70) await SignUpAsync(instance, random, abort);
                else if (roll < 0.95) await CancelAsync(instance, random, abort);
                else await RaiseCapacityAsync(instance, random, abort);
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private sealed record Answer(HttpStatusCode Status, string? Type, JsonNode? Body, string Raw);

    /// <summary>Sends one request; null when the outcome is unknown to the client (cut off, timed out, connection lost).</summary>
    private async Task<Answer?> SendAsync(Func<HttpRequestMessage> make, string what, Random random, CancellationToken abort)
    {
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(abort);
        var disconnect = Interlocked.Decrement(ref _disconnectBudget) >= 0;
        if (!disconnect) Interlocked.Increment(ref _disconnectBudget);
        else cut.CancelAfter(TimeSpan.FromMilliseconds(random.Next(5, 201)));

        ledger.Operation();
        using var request = make();
        try
        {
            using var response = await http.SendAsync(request, cut.Token);
            var raw = await response.Content.ReadAsStringAsync(cut.Token);
            JsonNode? body = null;
            try
            {
                body = raw.Length > 0 ? JsonNode.Parse(raw) : null;
            }
            catch (JsonException)
            {
            }

            var type = body is JsonObject o && o["type"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
            ledger.Answer($"{what} {(int)response.StatusCode}{(type is null ? "" : " " + type)}");
            return new Answer(response.StatusCode, type, body, raw);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (disconnect)
        {
            ledger.Disconnect();
            ledger.Answer($"{what} client-disconnected");
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            ledger.Transport();
            ledger.Answer($"{what} {(ex is OperationCanceledException ? "timeout" : "transport-error")}");
            await Task.Delay(200, abort); // an instance that is down refuses at once: do not spin on it
            return null;
        }
    }

    private static bool IsOtherServerError(Answer a) => (int)a.Status >= 500 && !((int)a.Status == 503 && a.Type is Unavailable or OutcomeUnknown);

    private static string Sample(string what, Answer a) =>
        $"{what} {(int)a.Status} type={a.Type ?? "-"} body={(a.Raw.Length > 160 ? a.Raw[..160] + "…" : a.Raw)}";

    private async Task SignUpAsync(AppInstance instance, Random random, CancellationToken abort)
    {
        var n = Interlocked.Increment(ref _emailCounter);
        var email = $"p{n}.{RunTag}@chaos.example.cn";
        var body = JsonSerializer.Serialize(new
        {
            name = $"参与者{n}",
            email,
            consent = true,
            language = n % 3 == 0 ? "en" : "zh-CN",
        });
        var answer = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"{instance.BaseUrl}/api/events/{eventId}/registrations")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        }, "signup", random, abort);

        if (answer is null)
        {
            ledger.Unknown();
            return;
        }

        switch ((int)answer.Status)
        {
            case 200 or 201:
                var id = answer.Body?["registrationId"]?.GetValue<string>();
                if (id is null)
                {
                    ledger.Error500(Sample("signup (no registrationId)", answer));
                    return;
                }

                ledger.SignUpAcked(id, email);
                return;
            case 503 when answer.Type == Unavailable:
                ledger.SignUpNotSaved(email);
                return;
            case 503 when answer.Type == OutcomeUnknown:
                ledger.Unknown();
                return;
            default:
                if (IsOtherServerError(answer))
                {
                    ledger.Error500(Sample("signup", answer));
                    ledger.Unknown(); // a 500 says nothing about whether it was saved
                }
                else
                {
                    ledger.SignUpRefused(); // 409 full / closed, 400, 404: a clear "no"
                    // Every email is fresh: "already registered" means an earlier attempt of this very request was stored.
                    if (answer.Type != "urn:eventfunctions:event-full") ledger.Refusal(Sample($"signup {email}", answer));
                }

                return;
        }
    }

    private async Task CancelAsync(AppInstance instance, Random random, CancellationToken abort)
    {
        var id = ledger.TakeCancellable(random);
        if (id is null)
        {
            await SignUpAsync(instance, random, abort);
            return;
        }

        // The cancel link's secret, from the participant's email (nothing in the table gives it away).
        var token = manageTokenOf(id);
        if (token is null)
        {
            ledger.Answer("cancel skipped (no email yet)");
            return; // nothing was sent; it stays an acknowledged registration
        }

        var answer = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete,
            $"{instance.BaseUrl}/api/events/{eventId}/registrations/{id}?t={Uri.EscapeDataString(token)}"), "cancel", random, abort);
        if (answer is null)
        {
            ledger.CancelOutcome(id, CancelResult.Unknown);
            return;
        }

        switch ((int)answer.Status)
        {
            case 204 or 200:
                ledger.CancelOutcome(id, CancelResult.Removed);
                return;
            case 404:
                ledger.CancelOutcome(id, CancelResult.NotFound);
                return;
            case 503 when answer.Type == Unavailable:
                ledger.CancelOutcome(id, CancelResult.NotRemoved);
                return;
            default:
                if (IsOtherServerError(answer)) ledger.Error500(Sample("cancel", answer));
                ledger.CancelOutcome(id, CancelResult.Unknown);
                return;
        }
    }

    private async Task RaiseCapacityAsync(AppInstance instance, Random random, CancellationToken abort)
    {
        var read = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"{instance.BaseUrl}/api/events/{eventId}"), "get-event", random, abort);
        if (read is null) return;
        if (IsOtherServerError(read))
        {
            ledger.Error500(Sample("get-event", read));
            return;
        }

        if (read.Status != HttpStatusCode.OK || read.Body?["capacity"] is not JsonValue capacity) return;
        var update = (JsonObject)definition.DeepClone();
        update["capacity"] = capacity.GetValue<int>() + random.Next(1, 6);
        var json = update.ToJsonString();
        var put = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, $"{instance.BaseUrl}/api/events/{eventId}")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        }, "raise-capacity", random, abort);
        if (put is null) return;
        if (put.Status == HttpStatusCode.OK) ledger.CapacityRaised();
        else if (IsOtherServerError(put)) ledger.Error500(Sample("raise-capacity", put));
        else if ((int)put.Status != 503) ledger.Refusal(Sample($"raise-capacity to {update["capacity"]}", put));
    }
}
