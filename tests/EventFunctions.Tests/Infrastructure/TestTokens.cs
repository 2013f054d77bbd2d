using EventFunctions.Shared.Hosting;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Security;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace EventFunctions.Tests.Infrastructure;

/// <summary>A registration's manage-link secret as its emails carry it (derived with the test settings' identifier key).</summary>
public static class TestTokens
{
    private static readonly IdentifierKeys Ids = new(
        Options.Create(new EventFunctionsOptions { IdentifierKey = TestSettings.IdentifierKey }), new AppEnvironment(new ConfigurationBuilder().Build()));

    public static string Manage(RegistrationEntity row) => Ids.ManageToken(row);
}
