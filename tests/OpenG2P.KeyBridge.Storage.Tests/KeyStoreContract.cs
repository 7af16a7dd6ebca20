using OpenG2P.KeyBridge.Storage;
using static OpenG2P.KeyBridge.Storage.Tests.TestData;

namespace OpenG2P.KeyBridge.Storage.Tests;

/// <summary>
/// The behaviour every <see cref="IKeyStore"/> must have. Each subclass runs all of it against one
/// provider; the tests live in the partial files beside this one, grouped by area.
/// </summary>
public abstract partial class KeyStoreContract(StoreFixture fixture)
{
    protected StoreFixture Fixture { get; } = fixture;

    protected IKeyStore Store => Fixture.Store;

    [Fact]
    public async Task Ping_reports_a_reachable_database()
    {
        Assert.True(await Store.PingAsync());
    }

    [Fact]
    public async Task Migrating_again_is_harmless()
    {
        var name = Unique("migrate");
        await Store.CreateKeyAsync(Key(name), Material());

        await Store.MigrateAsync();
        await Fixture.OtherNode.MigrateAsync();

        Assert.NotNull(await Store.GetKeyAsync(name));
    }

    [Fact]
    public async Task Concurrent_migrations_of_a_new_database_are_safe()
    {
        var nodes = await Fixture.OpenFreshDatabaseAsync(4);

        await Task.WhenAll(nodes.Select(n => Task.Run(() => n.MigrateAsync())));
        await Task.WhenAll(nodes.Select(n => n.MigrateAsync()));

        var name = Unique("fresh");
        await nodes[0].CreateKeyAsync(Key(name), Material());
        Assert.Equal(2, (await nodes[3].AddVersionAsync(name, _ => Material())).Version);
    }
}
