using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace EventFunctions.Shared;

/// <summary>One set of JSON options for the API, stored details and queue messages.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create() => Apply(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Sets these options on <paramref name="o"/>: also used for the JSON that IActionResults write.</summary>
    public static JsonSerializerOptions Apply(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.PropertyNameCaseInsensitive = true;
        // Chinese stays readable in responses; HTML-sensitive characters are still escaped.
        o.Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);
        o.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
        // {"email":"a@x","email":"b@y"}: which one counts would be a guess; refused, naming the property.
        o.AllowDuplicateProperties = false;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return o;
    }
}
