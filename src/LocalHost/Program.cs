// EventFunctions LOCAL host — for development and tests only; production runs on Azure Functions.
// Serves the function app described by the functions.metadata and host.json in this folder.
using EventFunctions.LocalHost;
using EventFunctions.Shared.Hosting;

var urls = Environment.GetEnvironmentVariable("LOCALHOST_URLS") ?? "http://127.0.0.1:7071";
// The local.settings.json beside the app (./run.sh writes it), unless LOCALHOST_SETTINGS names another or is "none".
var settingsFile = Environment.GetEnvironmentVariable("LOCALHOST_SETTINGS") is { Length: > 0 } named
    ? (named == "none" ? null : named)
    : Path.Combine(AppContext.BaseDirectory, "local.settings.json");
try
{
    var app = LocalFunctionsHost.Build(new LocalHostOptions { Args = args, Urls = urls, LocalSettingsPath = settingsFile });
    StartupFailure.CheckSettings(app.Services);
    app.Run();
    return 0;
}
catch (Exception ex) when (StartupFailure.SettingsFailures(ex) is { } failures)
{
    // A missing or unsafe setting: one line each, and a non-zero exit, as the Functions worker does (Program.cs).
    StartupFailure.Report(failures, Console.Error);
    return StartupFailure.ExitCode;
}
