using System.Data.Common;
using Npgsql;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>
/// The production and cluster key store. Several nodes may share the database: rotations lock the
/// key row, and migrations run under a transaction-scoped advisory lock.
/// </summary>
public sealed class PostgresKeyStore : SqlKeyStore, IAsyncDisposable, IDisposable
{
    /// <summary>Advisory lock id held while migrating ("KeyBrdg" in ASCII), so concurrent nodes migrate one at a time.</summary>
    internal const long MigrationLockId = 0x4B_65_79_42_72_64_67;

    private const string CreateMigrationsTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;

    /// <summary>Creates (and owns) one data source, i.e. one connection pool, for this store.</summary>
    public PostgresKeyStore(string connectionString, TimeProvider? time = null)
        : this(NpgsqlDataSource.Create(connectionString), ownsDataSource: true, time)
    {
    }

    /// <summary>Uses the application's data source; the caller disposes it.</summary>
    public PostgresKeyStore(NpgsqlDataSource dataSource, TimeProvider? time = null)
        : this(dataSource, ownsDataSource: false, time)
    {
    }

    private PostgresKeyStore(NpgsqlDataSource dataSource, bool ownsDataSource, TimeProvider? time) : base(time)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
    }

    private protected override string ProviderName => "PostgreSQL";

    private protected override TimeCodec Time => TimeCodec.Native;

    public override Task MigrateAsync(CancellationToken ct = default) =>
        InTransactionAsync(async (c, tx) =>
        {
            // Released at commit or rollback; a second node waits here, then finds nothing to do.
            await Db.ExecuteAsync(c, tx, "SELECT pg_advisory_xact_lock(@lock)", ct, ("lock", MigrationLockId)).ConfigureAwait(false);
            return await MigrationRunner.ApplyAsync(c, tx, MigrationRunner.Load("Postgres"), CreateMigrationsTable,
                Time.Write(Now()), ct).ConfigureAwait(false);
        }, null, ct);

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct) =>
        await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);

    private protected override async Task<DbTransaction> BeginSnapshotAsync(DbConnection c, CancellationToken ct) =>
        await c.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);

    private protected override async Task<bool> TableExistsAsync(DbConnection c, DbTransaction? tx, string table, CancellationToken ct) =>
        await Db.ScalarAsync(c, tx, "SELECT to_regclass(@name)::text", ct, ("name", table)).ConfigureAwait(false) is not null;

    private protected override StoreFailure Classify(Exception ex) => ex switch
    {
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } => StoreFailure.Conflict,
        PostgresException pg => IsUnavailable(pg.SqlState) ? StoreFailure.Unavailable : StoreFailure.Other,
        // Not a server error: Npgsql wraps socket, TLS, timeout and pool-exhaustion failures in NpgsqlException.
        NpgsqlException => StoreFailure.Unavailable,
        _ => StoreFailure.Other,
    };

    // Connection exceptions (08), authentication (28), missing database, insufficient resources (53)
    // and server shutdown or start-up (57P01-57P03).
    private static bool IsUnavailable(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState.StartsWith("28", StringComparison.Ordinal)
        || sqlState.StartsWith("53", StringComparison.Ordinal)
        || sqlState is PostgresErrorCodes.InvalidCatalogName or PostgresErrorCodes.AdminShutdown
            or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow;

    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }
}
