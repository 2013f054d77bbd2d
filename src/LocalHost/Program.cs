// EventFunctions LOCAL host — for development and tests only; production runs on Azure Functions.
// Serves the function app described by the functions.metadata and host.json in this folder.
using EventFunctions.LocalHost;

var urls = Environment.GetEnvironmentVariable("LOCALHOST_URLS") ?? "http://127.0.0.1:7071";
var app = LocalFunctionsHost.Build(new LocalHostOptions { Args = args, Urls = urls });
app.Run();
