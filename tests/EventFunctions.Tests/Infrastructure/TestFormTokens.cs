using EventFunctions.Shared.Security;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Options;

namespace EventFunctions.Tests.Infrastructure;

/// <summary>
/// A sign-up form's token as the page would have carried it, served a minute ago (signed with the test settings' key),
/// for tests and the benchmark that post the form without loading it first. FormTokenTests check the token itself.
/// </summary>
public static class TestFormTokens
{
    private static readonly Signer Signer = new(Options.Create(new EventFunctionsOptions { SigningKey = TestSettings.SigningKey }), TimeProvider.System);

    public static string For(string eventId, TimeSpan? servedAgo = null) =>
        new FormTokens(Signer, new Backdated(servedAgo ?? TimeSpan.FromMinutes(1))).Issue(eventId);

    private sealed class Backdated(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow() - by;
    }
}
