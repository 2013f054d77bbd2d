using System.Text.Json;
using EventFunctions.Functions;
using EventFunctions.Shared.Http;
using EventFunctions.Tests.Infrastructure;
using Microsoft.OpenApi.Readers;

namespace EventFunctions.Tests;

/// <summary>The OpenAPI document describes exactly the JSON API the function app serves (read back with the OpenAPI library).</summary>
[Collection(StorageCollection.Name)]
public sealed class OpenApiTests(AzuriteFixture azurite)
{
    /// <summary>HTML pages, the console, door pages and the webhook are not the JSON API.</summary>
    private static readonly string[] NotJsonApi = ["console", "signup/", "manage/", "door/", "t/", "unit/", "calendar", "feedback/", "series/", "lottery/", Routes.SendGridEvents];

    /// <summary>(path under /api, method) of every JSON API function in functions.metadata.</summary>
    private static HashSet<(string, string)> FromMetadata()
    {
        var path = Path.Combine(Path.GetDirectoryName(typeof(EventFunctions.Functions.TelemetryExtensions).Assembly.Location)!, "functions.metadata");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var set = new HashSet<(string, string)>();
        foreach (var f in doc.RootElement.EnumerateArray())
        {
            foreach (var b in f.GetProperty("bindings").EnumerateArray())
            {
                if (b.GetProperty("type").GetString() != "httpTrigger") continue;
                var route = b.GetProperty("route").GetString()!;
                if (NotJsonApi.Any(p => route.StartsWith(p, StringComparison.Ordinal))) continue;
                foreach (var m in b.GetProperty("methods").EnumerateArray()) set.Add(("/" + route, m.GetString()!.ToLowerInvariant()));
            }
        }

        return set;
    }

    [Fact]
    public async Task The_served_document_is_valid_OpenAPI_3_and_matches_the_functions_metadata()
    {
        await using var host = await RunningHost.StartAsync(azurite);
        var json = await host.Http.GetStringAsync("/api/openapi.json");
        var document = new OpenApiStringReader().Read(json, out var diagnostic);
        Assert.Empty(diagnostic.Errors);
        Assert.Equal(Microsoft.OpenApi.OpenApiSpecVersion.OpenApi3_0, diagnostic.SpecificationVersion);
        Assert.Equal(TestSettings.PublicBaseUrl + "/api", Assert.Single(document.Servers).Url);

        var described = document.Paths.SelectMany(p => p.Value.Operations.Keys.Select(op => (p.Key, op.ToString().ToLowerInvariant()))).ToHashSet();
        var served = FromMetadata();
        Assert.True(served.SetEquals(described),
            $"served but not described: {string.Join(", ", served.Except(described))}; described but not served: {string.Join(", ", described.Except(served))}");

        // Every operation's id is its function's name, and the organisers' routes name the function key.
        foreach (var (route, item) in document.Paths)
        {
            foreach (var (_, operation) in item.Operations)
            {
                Assert.False(string.IsNullOrEmpty(operation.OperationId), route);
                var organiser = route.StartsWith("/events", StringComparison.Ordinal) && !route.Contains("/registrations", StringComparison.Ordinal);
                Assert.Equal(organiser, operation.Security.Any(s => s.Keys.Any(k => k.Reference.Id == "functionKey")));
            }
        }
    }
}
