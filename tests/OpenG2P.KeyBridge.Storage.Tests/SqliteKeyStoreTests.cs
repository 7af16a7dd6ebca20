using Microsoft.Data.Sqlite;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Storage;
using static OpenG2P.KeyBridge.Storage.Tests.TestData;

namespace OpenG2P.KeyBridge.Storage.Tests;

public sealed class SqliteKeyStoreTests(SqliteStoreFixture fixture) : KeyStoreContract(fixture), IClassFixture<SqliteStoreFixture>
{
    [Fact]
    public async Task Missing_folder_is_created_and_the_file_is_private_to_its_owner()
    {
        var path = Path.Combine(fixture.Folder, Unique("nested"), "deeper", "keybridge.db");
        var store = fixture.Track(new SqliteKeyStore(path));

        await store.MigrateAsync();

        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public async Task Probing_a_missing_file_does_not_create_it_or_its_folder()
    {
        var path = Path.Combine(fixture.Folder, Unique("probe"), "keybridge.db");

        Assert.Null(await ((IBackupStore)fixture.Track(new SqliteKeyStore(path))).ProbeAsync());

        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }

    [Fact]
    public async Task Database_uses_write_ahead_logging()
    {
        var path = await fixture.NewDatabaseAsync();
        await fixture.Track(new SqliteKeyStore(path)).MigrateAsync();

        await using var c = new SqliteConnection($"Data Source={path}");
        await c.OpenAsync();
        await using var cmd = new SqliteCommand("PRAGMA journal_mode", c);

        Assert.Equal("wal", (string?)await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Unopenable_file_reports_storage_unavailable()
    {
        var blocker = Path.Combine(fixture.Folder, Unique("plain-file"));
        await File.WriteAllTextAsync(blocker, "not a folder");
        var store = fixture.Track(new SqliteKeyStore(Path.Combine(blocker, "keybridge.db")));

        Assert.False(await store.PingAsync());
        await FailsWith(KeyBridgeError.StorageUnavailable, () => store.MigrateAsync());
        await FailsWith(KeyBridgeError.StorageUnavailable, () => store.GetKeyAsync("any"));
    }

    [Fact]
    public async Task Destroyed_material_does_not_stay_in_the_database_file()
    {
        var path = await fixture.NewDatabaseAsync();
        var store = fixture.Track(new SqliteKeyStore(path));
        await store.MigrateAsync();
        var name = Unique("erase");
        // As large as a wrapped RSA private key part, so a shrunken row cannot overwrite all of it by chance.
        var doomed = Material(size: 512);
        await store.CreateKeyAsync(Key(name), doomed);
        await store.AddVersionAsync(name, _ => Material());
        await CheckpointAsync(path);
        Assert.True(ContainsAnyPart(await File.ReadAllBytesAsync(path), doomed.WrappedMaterial));

        await store.SetVersionStateAsync(name, 1, VersionState.Destroyed);
        await CheckpointAsync(path);

        Assert.False(ContainsAnyPart(await File.ReadAllBytesAsync(path), doomed.WrappedMaterial));
    }

    private static bool ContainsAnyPart(byte[] file, byte[] secret)
    {
        for (var i = 0; i + 16 <= secret.Length; i += 16)
        {
            if (file.AsSpan().IndexOf(secret.AsSpan(i, 16)) >= 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Moves everything from the WAL into the main file, so the file shows what is really kept.</summary>
    private static async Task CheckpointAsync(string path)
    {
        await using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        await c.OpenAsync();
        await using var cmd = new SqliteCommand("PRAGMA wal_checkpoint(TRUNCATE)", c);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        Assert.Equal(0L, r.GetInt64(0)); // 0: not blocked by a reader or writer
    }
}
