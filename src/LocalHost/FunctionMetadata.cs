using System.Text.Json;
using System.Text.Json.Serialization;

namespace EventFunctions.LocalHost;

/// <summary>One entry of the functions.metadata file the Worker SDK generates (the same file the Functions host reads).</summary>
public sealed record FunctionMetadata
{
    public required string Name { get; init; }
    public required string ScriptFile { get; init; }
    public required string EntryPoint { get; init; }
    public required IReadOnlyList<BindingEntry> Bindings { get; init; }

    [JsonIgnore]
    public BindingEntry Trigger => Bindings.Single(b => b.Direction.Equals("In", StringComparison.OrdinalIgnoreCase) && b.Type.EndsWith("Trigger", StringComparison.Ordinal));

    public static IReadOnlyList<FunctionMetadata> Load(string path)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        return JsonSerializer.Deserialize<List<FunctionMetadata>>(File.ReadAllText(path), options)
            ?? throw new InvalidDataException($"{path} holds no functions.");
    }
}

public sealed record BindingEntry
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public string Direction { get; init; } = "In";
    public string? AuthLevel { get; init; }
    public IReadOnlyList<string>? Methods { get; init; }
    public string? Route { get; init; }
    public string? QueueName { get; init; }
    public string? Connection { get; init; }
    public string? Schedule { get; init; }
    public bool? RunOnStartup { get; init; }
}

/// <summary>What this host can serve. Anything else in the metadata stops it at start, with the function named.</summary>
public static class Supported
{
    public const string Http = "httpTrigger";
    public const string Queue = "queueTrigger";
    public const string Timer = "timerTrigger";

    public static readonly IReadOnlySet<string> Triggers = new HashSet<string> { Http, Queue, Timer };

    /// <summary>Output bindings: only an HTTP function's return value.</summary>
    public static bool IsSupportedOutput(FunctionMetadata f, BindingEntry b) =>
        b.Type == "http" && b.Direction.Equals("Out", StringComparison.OrdinalIgnoreCase) && f.Trigger.Type == Http;

    public static void Check(IReadOnlyList<FunctionMetadata> functions)
    {
        var problems = new List<string>();
        foreach (var f in functions)
        {
            var triggers = f.Bindings.Where(b => b.Type.EndsWith("Trigger", StringComparison.Ordinal)).ToList();
            if (triggers.Count != 1)
            {
                problems.Add($"{f.Name}: expected one trigger, found {triggers.Count}");
                continue;
            }

            if (!Triggers.Contains(triggers[0].Type))
            {
                problems.Add($"{f.Name}: trigger '{triggers[0].Type}' is not supported (supported: {string.Join(", ", Triggers)})");
            }

            foreach (var b in f.Bindings.Where(b => !b.Type.EndsWith("Trigger", StringComparison.Ordinal)))
            {
                if (!IsSupportedOutput(f, b)) problems.Add($"{f.Name}: binding '{b.Type}' ({b.Direction}) is not supported");
            }
        }

        if (problems.Count > 0)
        {
            throw new NotSupportedException(
                "This local host cannot serve the app as its functions.metadata describes it; use Azure Functions Core Tools (`func start`) instead.\n  "
                + string.Join("\n  ", problems));
        }
    }
}
