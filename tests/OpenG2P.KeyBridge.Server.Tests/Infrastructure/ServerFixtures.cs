using Npgsql;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Tests.Infrastructure;

/// <summary>One real server per test class, with a known bootstrap admin secret.</summary>
public abstract class ServerFixture : IAsyncLifetime
{
    public string AdminSecret { get; } = "test-admin-" + Guid.NewGuid().ToString("N");

    public KeyBridgeProcess Server { get; private set; } = null!;

    public RpcClient Admin { get; private set; } = null!;

    public abstract string Provider { get; }

    /// <summary>The server's own store, opened from the test (for what the API cannot do yet, e.g. creating clients).</summary>
    public abstract IKeyStore OpenStore();

    protected virtual Task<Dictionary<string, string?>> SettingsAsync() =>
        Task.FromResult(new Dictionary<string, string?>());

    public async Task InitializeAsync()
    {
        var settings = await SettingsAsync();
        settings["Bootstrap:AdminSecret"] = AdminSecret;
        Server = await KeyBridgeProcess.StartAsync(settings);
        Admin = await RpcClient.LoginAsync(Server.BaseAddress, "admin", AdminSecret);
    }

    public async Task DisposeAsync()
    {
        Admin?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>A key name unique to one test, so tests never clean up after each other.</summary>
    public static string UniqueName(string prefix = "t") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 100)];
}

public class SqliteServerFixture : ServerFixture
{
    public override string Provider => "sqlite";

    public override IKeyStore OpenStore() => new SqliteKeyStore(Path.Combine(Server.DataDirectory, "keybridge.db"));
}

public class PostgresServerFixture : ServerFixture
{
    public override IKeyStore OpenStore() => new PostgresKeyStore(ConnectionString);

    public override string Provider => "postgres";

    public string ConnectionString { get; private set; } = "";

    protected override async Task<Dictionary<string, string?>> SettingsAsync()
    {
        ConnectionString = await TestDatabases.CreateAsync();
        return new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = ConnectionString,
            ["Kek:AllowSoftwareInProduction"] = "true",
        };
    }
}

/// <summary>Fresh, uniquely named databases in the test PostgreSQL cluster (KEYBRIDGE_TEST_PG).</summary>
public static class TestDatabases
{
    public static string BaseConnectionString =>
        Environment.GetEnvironmentVariable("KEYBRIDGE_TEST_PG") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "KEYBRIDGE_TEST_PG is not set: run the tests through the README's test command (scripts/test.sh), which starts PostgreSQL");

    public static async Task<string> CreateAsync()
    {
        var name = "kb_" + Guid.NewGuid().ToString("N")[..16];
        await using (var conn = new NpgsqlConnection(BaseConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(BaseConnectionString) { Database = name }.ConnectionString;
    }
}
