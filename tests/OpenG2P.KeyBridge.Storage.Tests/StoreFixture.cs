using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Storage.Tests;

/// <summary>
/// One migrated database per test class, reached through two store instances (separate pools,
/// like two nodes). Tests use unique names instead of cleaning up.
/// </summary>
public abstract class StoreFixture : IAsyncLifetime
{
    private readonly List<IKeyStore> _opened = [];

    public IKeyStore Store { get; private set; } = null!;

    /// <summary>A second instance on the same database, standing in for another node or process.</summary>
    public IKeyStore OtherNode { get; private set; } = null!;

    /// <summary>Creates a new, unmigrated database and returns how to reach it (a file path or a connection string).</summary>
    public abstract Task<string> NewDatabaseAsync();

    public abstract IKeyStore OpenStore(string location);

    /// <summary>Runs raw SQL on a database, for what the store itself never does (e.g. a table another feature owns).</summary>
    public abstract Task ExecuteAsync(string location, string sql);

    /// <summary>Store instances on a new database that nothing has migrated yet.</summary>
    public async Task<IKeyStore[]> OpenFreshDatabaseAsync(int instances)
    {
        var location = await NewDatabaseAsync();
        return Enumerable.Range(0, instances).Select(_ => Track(OpenStore(location))).ToArray();
    }

    public IKeyStore Track(IKeyStore store)
    {
        lock (_opened)
        {
            _opened.Add(store);
        }
        return store;
    }

    public async Task InitializeAsync()
    {
        var stores = await OpenFreshDatabaseAsync(2);
        (Store, OtherNode) = (stores[0], stores[1]);
        await Store.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var store in _opened)
        {
            if (store is IAsyncDisposable d)
            {
                await d.DisposeAsync();
            }
        }
        await CleanUpAsync();
    }

    protected abstract Task CleanUpAsync();
}
