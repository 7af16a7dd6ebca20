using System.Data.Common;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>
/// The SQL shared by the SQLite and PostgreSQL stores. Subclasses supply connections, write
/// transactions, migrations, the timestamp encoding and the classification of provider errors.
/// </summary>
public abstract partial class SqlKeyStore : IKeyStore, IAuditStore
{
    private readonly TimeProvider _time;

    private protected SqlKeyStore(TimeProvider? time) => _time = time ?? TimeProvider.System;

    /// <summary>Shown to operators, e.g. "PostgreSQL".</summary>
    private protected abstract string ProviderName { get; }

    private protected abstract TimeCodec Time { get; }

    private protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken ct);

    /// <summary>Starts a write transaction; SQLite overrides this to take the database write lock up front.</summary>
    private protected virtual async Task<DbTransaction> BeginWriteAsync(DbConnection c, CancellationToken ct) =>
        await c.BeginTransactionAsync(ct).ConfigureAwait(false);

    /// <summary>
    /// Bulk inserts as multi-row INSERT statements (a round trip per thousand rows). SQLite is in-process, so it
    /// prefers one prepared statement per row, and its parameter binding slows down with thousands of parameters.
    /// </summary>
    private protected virtual bool MultiRowInserts => true;

    /// <summary>Classifies provider exceptions only, so a failure of a caller's callback is never mistaken for a storage one.</summary>
    private protected abstract StoreFailure Classify(Exception ex);

    public abstract Task MigrateAsync(CancellationToken ct = default);

    public async Task<bool> PingAsync(CancellationToken ct = default)
    {
        try
        {
            return await RunAsync(async c => await Db.ScalarAsync(c, null, "SELECT 1", ct).ConfigureAwait(false) is not null, null, ct)
                .ConfigureAwait(false);
        }
        catch (KeyBridgeException e) when (e.Error == KeyBridgeError.StorageUnavailable)
        {
            return false;
        }
    }

    /// <summary>The current time at the precision both databases keep (microseconds).</summary>
    private protected DateTimeOffset Now()
    {
        var now = _time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % 10));
    }

    /// <summary>Runs <paramref name="work"/> on a fresh connection and maps provider failures to documented errors.</summary>
    private protected async Task<T> RunAsync<T>(Func<DbConnection, Task<T>> work, Func<KeyBridgeException>? onConflict, CancellationToken ct)
    {
        try
        {
            var c = await OpenConnectionAsync(ct).ConfigureAwait(false);
            await using (c.ConfigureAwait(false))
            {
                return await work(c).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (Translate(ex, onConflict) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>Runs <paramref name="work"/> (on a connection the caller manages) and maps provider failures to documented errors.</summary>
    private protected async Task<T> TranslateAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, null) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>Like <see cref="RunAsync{T}"/> inside one write transaction, committed when <paramref name="work"/> returns.</summary>
    private protected Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, Func<KeyBridgeException>? onConflict,
        CancellationToken ct) =>
        RunAsync(async c =>
        {
            var tx = await BeginWriteAsync(c, ct).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                var result = await work(c, tx).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return result;
            }
        }, onConflict, ct);

    private KeyBridgeException? Translate(Exception ex, Func<KeyBridgeException>? onConflict)
    {
        if (ex is KeyBridgeException or OperationCanceledException)
        {
            return null;
        }
        return Classify(ex) switch
        {
            StoreFailure.Conflict when onConflict is not null => onConflict(),
            StoreFailure.Unavailable => Unavailable(ex),
            _ => null,
        };
    }

    // The provider's exception stays as the inner exception for logs; the message names no host,
    // path or credential because callers may see it.
    private protected KeyBridgeException Unavailable(Exception inner) =>
        new(KeyBridgeError.StorageUnavailable,
            $"the {ProviderName} key store is unavailable; check that the database is reachable and writable", inner);

    private static KeyBridgeException KeyMissing(string name) =>
        new(KeyBridgeError.KeyNotFound, $"key '{name}' does not exist");

    private static KeyBridgeException VersionMissing(string name, int version) =>
        new(KeyBridgeError.VersionNotFound, $"key '{name}' has no version {version}");
}
