using Microsoft.Data.Sqlite;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Storage.Tests;

/// <summary>A temporary folder per test class; each database is a new file in it.</summary>
public sealed class SqliteStoreFixture : StoreFixture
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("keybridge-sqlite-").FullName;

    public override Task<string> NewDatabaseAsync() =>
        Task.FromResult(Path.Combine(Folder, $"db-{Guid.NewGuid():N}", "keybridge.db"));

    public override IKeyStore OpenStore(string location) => new SqliteKeyStore(location);

    public override async Task ExecuteAsync(string location, string sql)
    {
        await using var c = new SqliteConnection($"Data Source={location}");
        await c.OpenAsync();
        await using var cmd = new SqliteCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    protected override Task CleanUpAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}
