using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Hosting;

/// <summary>
/// What a host prints when the settings stop the app (see the validators in SettingsValidators.cs): a first line
/// saying why it will not start, then one line per problem, on standard error, where the Functions host and a
/// terminal both show it. The caller then exits non-zero.
/// </summary>
public static class StartupFailure
{
    public const int ExitCode = 78; // EX_CONFIG: a configuration error

    /// <summary>The settings' failures inside <paramref name="exception"/> (itself, or wrapped by the host), or null when it is something else.</summary>
    public static IReadOnlyList<string>? SettingsFailures(Exception exception) => exception switch
    {
        OptionsValidationException o => o.Failures.ToList(),
        AggregateException a when a.InnerExceptions.All(e => e is OptionsValidationException) =>
            a.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures).ToList(),
        _ => null,
    };

    /// <summary>
    /// Reads the settings once, before the host starts (ValidateOnStart checks them too, but the host would first
    /// log the failure with a stack trace): throws <see cref="OptionsValidationException"/> with every problem.
    /// </summary>
    public static void CheckSettings(IServiceProvider services) =>
        _ = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<IOptions<Storage.EventFunctionsOptions>>(services).Value;

    public static void Report(IReadOnlyList<string> failures, TextWriter output)
    {
        output.WriteLine($"EventFunctions will not start: {failures.Count} setting(s) missing or unsafe.");
        foreach (var line in failures) output.WriteLine("  setting error: " + line);
        output.Flush();
    }
}
