namespace EventFunctions.Tests.Infrastructure;

/// <summary>
/// A real Azurite (Table and Queue endpoints) started once for the whole test run: in memory, on 127.0.0.1,
/// on free ports. Installed by `npm ci` at the repository root (test.sh does it).
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private readonly AzuriteProcess _azurite = new();

    public int TablePort => _azurite.TablePort;
    public int QueuePort => _azurite.QueuePort;
    public string ConnectionString => _azurite.ConnectionString;

    public Task InitializeAsync() => _azurite.StartAsync();

    public Task DisposeAsync()
    {
        _azurite.Dispose();
        return Task.CompletedTask;
    }

    public static int FreePort() => AzuriteProcess.FreePort();
}

[CollectionDefinition(Name)]
public sealed class StorageCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "storage";
}
