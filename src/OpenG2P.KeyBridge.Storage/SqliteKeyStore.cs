using System.Data.Common;
using Microsoft.Data.Sqlite;
using OpenG2P.KeyBridge.Audit;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>
/// The embedded key store: one SQLite file in WAL mode. Every write runs in a <c>BEGIN IMMEDIATE</c>
/// transaction, so writers from any connection or process are serialised by the database lock.
/// </summary>
public sealed class SqliteKeyStore : SqlKeyStore, IDisposable
{
    private const string CreateMigrationsTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)
        """;

    // Per connection: wait up to 5 s for the write lock, enforce foreign keys, and overwrite
    // deleted content (destroyed key material) instead of leaving it in free pages.
    private const string ConnectionPragmas = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;";

    private readonly string _path;
    private readonly string _connectionString;
    private volatile bool _fileReady;

    /// <param name="path">The database file, e.g. <c>&lt;DataDirectory&gt;/keybridge.db</c>; its folder is created if missing.</param>
    public SqliteKeyStore(string path, TimeProvider? time = null) : base(time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
    }

    /// <summary>
    /// SQLite's <c>synchronous</c> setting for audit appends only (key and client writes always use
    /// FULL). In WAL mode NORMAL skips the fsync of each commit: a committed record survives the
    /// process being killed, but not a power loss or OS crash. FULL costs one fsync per group commit.
    /// </summary>
    public SqliteSynchronous AuditSynchronous { get; init; } = SqliteSynchronous.Full;

    private protected override string ProviderName => "SQLite";

    private protected override TimeCodec Time => TimeCodec.IsoText;

    private protected override bool MultiRowInserts => false;

    private readonly SemaphoreSlim _auditGate = new(1, 1);
    private SqliteConnection? _auditConnection;
    private SqliteCommand? _auditInsert;

    /// <summary>
    /// Audit groups go through one dedicated (unpooled) connection with its settings applied once and
    /// its INSERT prepared once: a group commit then costs its statements and the WAL write, not a
    /// connection set-up. A failed connection is dropped and the next group opens a fresh one.
    /// </summary>
    private protected override async Task<IReadOnlyList<AuditRecord>> AppendCoreAsync(IReadOnlyList<AuditEntry> entries,
        Func<long, string, AuditEntry, (string Hash, int KeyVersion)> link, CancellationToken ct)
    {
        await _auditGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await TranslateAsync(async () =>
            {
                try
                {
                    var c = _auditConnection ??= await OpenAuditConnectionAsync(ct).ConfigureAwait(false);
                    return await AppendOnAsync(c, entries, link, ct).ConfigureAwait(false);
                }
                catch
                {
                    CloseAuditConnection();
                    throw;
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            _auditGate.Release();
        }
    }

    private async Task<SqliteConnection> OpenAuditConnectionAsync(CancellationToken ct)
    {
        EnsureFile();
        var c = new SqliteConnection(new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString());
        try
        {
            await c.OpenAsync(ct).ConfigureAwait(false);
            await Db.ExecuteAsync(c, null, ConnectionPragmas, ct).ConfigureAwait(false);
            if (AuditSynchronous == SqliteSynchronous.Normal)
            {
                await Db.ExecuteAsync(c, null, "PRAGMA synchronous = NORMAL", ct).ConfigureAwait(false);
            }
            return c;
        }
        catch
        {
            await c.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void CloseAuditConnection()
    {
        _auditInsert?.Dispose();
        _auditInsert = null;
        _auditConnection?.Dispose();
        _auditConnection = null;
    }

    /// <summary>Closes the audit writer's connection (the DI container calls this at shutdown).</summary>
    public void Dispose()
    {
        _auditGate.Wait();
        try
        {
            CloseAuditConnection();
        }
        finally
        {
            _auditGate.Release();
        }
    }

    /// <summary>One prepared single-row INSERT run per record: SQLite has no round trips to save, and one
    /// statement with 14 parameters per row costs more to prepare and bind than it saves. On the audit
    /// connection the prepared statement is kept for the next group.</summary>
    private protected override async Task InsertAuditAsync(DbConnection c, DbTransaction tx, IReadOnlyList<AuditRecord> records, CancellationToken ct)
    {
        var cmd = ReferenceEquals(c, _auditConnection) && _auditInsert is { } kept ? kept : NewAuditInsert((SqliteConnection)c);
        try
        {
            cmd.Transaction = (SqliteTransaction)tx;
            foreach (var record in records)
            {
                var values = AuditValues(record);
                for (var i = 0; i < values.Length; i++)
                {
                    cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
                }
                await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }
        finally
        {
            if (ReferenceEquals(c, _auditConnection))
            {
                _auditInsert = cmd;
            }
            else
            {
                await cmd.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static SqliteCommand NewAuditInsert(SqliteConnection c)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = $"INSERT INTO audit_log ({AuditColumns}) VALUES ($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
        for (var i = 0; i < 14; i++)
        {
            cmd.Parameters.Add(new SqliteParameter("$" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), DBNull.Value));
        }
        return cmd;
    }

    public override Task MigrateAsync(CancellationToken ct = default) =>
        RunAsync(async c =>
        {
            // journal_mode is stored in the file and cannot change inside a transaction.
            await Db.ExecuteAsync(c, null, "PRAGMA journal_mode = WAL", ct).ConfigureAwait(false);
            var tx = await BeginWriteAsync(c, ct).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                var ran = await MigrationRunner.ApplyAsync(c, tx, MigrationRunner.Load("Sqlite"), CreateMigrationsTable,
                    Time.Write(Now()), ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return ran;
            }
        }, null, ct);

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct)
    {
        EnsureFile();
        var c = new SqliteConnection(_connectionString);
        try
        {
            await c.OpenAsync(ct).ConfigureAwait(false);
            await Db.ExecuteAsync(c, null, ConnectionPragmas, ct).ConfigureAwait(false);
            return c;
        }
        catch
        {
            await c.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // Microsoft.Data.Sqlite's BeginTransaction() is deferred=false, i.e. BEGIN IMMEDIATE: the write
    // lock is taken up front, so a transaction never fails half-way with SQLITE_BUSY on upgrade.
    private protected override Task<DbTransaction> BeginWriteAsync(DbConnection c, CancellationToken ct) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)c).BeginTransaction(deferred: false));

    // Deferred: a read transaction; in WAL mode it sees one snapshot from its first read on, without blocking writers.
    private protected override Task<DbTransaction> BeginSnapshotAsync(DbConnection c, CancellationToken ct) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)c).BeginTransaction(deferred: true));

    private protected override async Task<bool> TableExistsAsync(DbConnection c, DbTransaction? tx, string table, CancellationToken ct) =>
        await Db.ScalarAsync(c, tx, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = @name", ct, ("name", table))
            .ConfigureAwait(false) is not null;

    // Opening would create the file: a missing file is simply no schema.
    private protected override async Task<bool> SchemaExistsAsync(CancellationToken ct) => File.Exists(_path) && await base.SchemaExistsAsync(ct).ConfigureAwait(false);

    private protected override StoreFailure Classify(Exception ex) => ex switch
    {
        // SQLITE_CONSTRAINT with SQLITE_CONSTRAINT_PRIMARYKEY (1555) or SQLITE_CONSTRAINT_UNIQUE (2067).
        SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 1555 or 2067 } => StoreFailure.Conflict,
        // PERM, BUSY, LOCKED, READONLY, IOERR, CORRUPT, FULL, CANTOPEN, NOTADB.
        SqliteException { SqliteErrorCode: 3 or 5 or 6 or 8 or 10 or 11 or 13 or 14 or 26 } => StoreFailure.Unavailable,
        _ => StoreFailure.Other,
    };

    /// <summary>Creates the folder, and the file readable by this user only (SQLite gives its WAL files the same mode).</summary>
    private void EnsureFile()
    {
        if (_fileReady)
        {
            return;
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            if (!File.Exists(_path))
            {
                var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }
                using (new FileStream(_path, options))
                {
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unavailable(e);
        }
        _fileReady = true;
    }
}

/// <summary>SQLite's <c>PRAGMA synchronous</c> levels KeyBridge offers for audit appends.</summary>
public enum SqliteSynchronous
{
    Full,
    Normal,
}
