using System.Net;
using System.Net.Sockets;
using Npgsql;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Storage;
using static OpenG2P.KeyBridge.Storage.Tests.TestData;

namespace OpenG2P.KeyBridge.Storage.Tests;

public sealed class PostgresKeyStoreTests(PostgresStoreFixture fixture) : KeyStoreContract(fixture), IClassFixture<PostgresStoreFixture>
{
    private const string Password = "s3cret-that-must-not-leak";

    [Fact]
    public async Task Unreachable_server_reports_storage_unavailable_without_the_password()
    {
        var cs = $"Host=127.0.0.1;Port={ClosedPort()};Username=keybridge;Password={Password};Database=keybridge;Timeout=3";
        var store = fixture.Track(new PostgresKeyStore(cs));

        Assert.False(await store.PingAsync());
        var e = await FailsWith(KeyBridgeError.StorageUnavailable, () => store.GetKeyAsync("any"));
        await FailsWith(KeyBridgeError.StorageUnavailable, () => store.MigrateAsync());

        Assert.DoesNotContain(Password, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_database_reports_storage_unavailable()
    {
        var cs = new NpgsqlConnectionStringBuilder(PostgresStoreFixture.ServerConnectionString)
        {
            Database = Unique("kb_absent").Replace('-', '_'),
            Password = Password,
        }.ConnectionString;
        var store = fixture.Track(new PostgresKeyStore(cs));

        var e = await FailsWith(KeyBridgeError.StorageUnavailable, () => store.GetSettingAsync("any"));

        Assert.DoesNotContain(Password, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migration_waits_while_another_node_holds_the_migration_lock()
    {
        var cs = await fixture.NewDatabaseAsync();
        var store = fixture.Track(new PostgresKeyStore(cs));
        await using var other = new NpgsqlConnection(cs);
        await other.OpenAsync();
        await using var tx = await other.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@id)", other, tx))
        {
            take.Parameters.AddWithValue("id", 0x4B_65_79_42_72_64_67L);
            await take.ExecuteNonQueryAsync();
        }

        var migrating = store.MigrateAsync();
        await Task.Delay(500);
        Assert.False(migrating.IsCompleted);

        await tx.CommitAsync();
        await migrating.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await store.TrySetSettingAsync("migrated", "yes"));
    }

    private static int ClosedPort()
    {
        // Bind to learn a free port, then release it: nothing listens there afterwards.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
