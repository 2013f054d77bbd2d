using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace EventFunctions.Shared.Hosting;

/// <summary>
/// Whether this process runs in Development: the host's own environment (DOTNET_/ASPNETCORE_ENVIRONMENT) or the
/// Functions host's <c>AZURE_FUNCTIONS_ENVIRONMENT</c> (Core Tools set it to Development; Azure does not). Anything
/// else, including nothing at all, is production: every development convenience (the outbox, the development
/// sign-in, the published local signing key, a localhost base URL) is then refused at start-up.
/// </summary>
public sealed class AppEnvironment(IConfiguration configuration, IHostEnvironment? host = null)
{
    public bool IsDevelopment =>
        host?.IsDevelopment() == true
        || string.Equals(configuration["AZURE_FUNCTIONS_ENVIRONMENT"], Environments.Development, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Running on App Service / Functions in Azure (the platform sets <c>WEBSITE_INSTANCE_ID</c> on every instance):
    /// the development sign-in never exists there, whatever the environment says.
    /// </summary>
    public bool OnPlatform => !string.IsNullOrEmpty(configuration["WEBSITE_INSTANCE_ID"]);

    /// <summary>
    /// The platform says its sign-in (App Service Authentication) is on: <c>WEBSITE_AUTH_ENABLED=True</c>. Only then
    /// does it put <c>X-MS-CLIENT-PRINCIPAL</c> on requests and strip one a client sent.
    /// </summary>
    public bool PlatformSignInOn => string.Equals(configuration["WEBSITE_AUTH_ENABLED"], "True", StringComparison.OrdinalIgnoreCase);

    /// <summary>The name shown in start-up messages and the health report.</summary>
    public string Name => IsDevelopment ? Environments.Development
        : configuration["AZURE_FUNCTIONS_ENVIRONMENT"] is { Length: > 0 } functions ? functions
        : host?.EnvironmentName ?? Environments.Production;
}
