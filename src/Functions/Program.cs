using EventFunctions.Shared;
using EventFunctions.Functions;
using EventFunctions.Shared.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

builder.ConfigureFunctionsWebApplication();

builder.AddEventFunctions();
builder.AddEventFunctionsTelemetry();

try
{
    var host = builder.Build();
    StartupFailure.CheckSettings(host.Services);
    host.Run();
    return 0;
}
catch (Exception ex) when (StartupFailure.SettingsFailures(ex) is { } failures)
{
    // A missing or unsafe setting stops the worker with one line per problem (the Functions host logs the worker's
    // standard error), never a silent fallback to a development behaviour.
    StartupFailure.Report(failures, Console.Error);
    return StartupFailure.ExitCode;
}
