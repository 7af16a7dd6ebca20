using Npgsql;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Storage.Tests;

/// <summary>
/// Needs a running server named by <c>KEYBRIDGE_TEST_PG</c>; every database it makes has a unique
/// name, so test classes and runs never see each other's data.
/// </summary>
public sealed class PostgresStoreFixture : StoreFixture
{
    public const string Variable = "KEYBRIDGE_TEST_PG";

    private readonly List<string> _databases = [];

    /// <summary>The server from the environment; missing means failing tests, not skipped ones.</summary>
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                $"{Variable} is not set, so the PostgreSQL contract tests cannot run. Start a throwaway server with " +
                "eval \"$(scripts/test-postgres.sh start)\" or point " + Variable + " at a PostgreSQL 15+ connection string " +
                "whose user may create databases.");

    public override async Task<string> NewDatabaseAsync()
    {
        var server = ServerConnectionString;
        var name = $"kb_test_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await cmd.ExecuteNonQueryAsync();
        }
        lock (_databases)
        {
            _databases.Add(name);
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public override IKeyStore OpenStore(string location) => new PostgresKeyStore(location);

    public override async Task ExecuteAsync(string location, string sql)
    {
        await using var c = new NpgsqlConnection(location);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    protected override async Task CleanUpAsync()
    {
        if (_databases.Count == 0)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(ServerConnectionString);
        await admin.OpenAsync();
        foreach (var name in _databases)
        {
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
            await cmd.ExecuteNonQueryAsync();
        }
    }
}
