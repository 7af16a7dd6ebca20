using System.Data.Common;
using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>
/// Scheduled destruction of versions and deletion of keys. Every change first takes the key-row lock
/// (a no-op update, as rotations do), so a destruction, a cancel and a rotation of one key are ordered
/// and the executor never destroys something a cancel just rescued.
/// </summary>
public abstract partial class SqlKeyStore
{
    public Task<KeyRecord> ScheduleVersionDestructionAsync(string name, int version, DateTimeOffset due, CancellationToken ct = default) =>
        InTransactionAsync(async (c, tx) =>
        {
            await LockKeyAsync(c, tx, name, touch: true, ct).ConfigureAwait(false);
            // An earlier schedule stands: asking again never postpones (or advances) a destruction.
            var changed = await Db.ExecuteAsync(c, tx, """
                UPDATE key_versions SET destroy_at = COALESCE(destroy_at, @due)
                WHERE key_name = @name AND version = @version AND state <> 'destroyed'
                """, ct, ("due", Time.Write(due)), ("name", name), ("version", version)).ConfigureAwait(false);
            var key = (await ReadKeyAsync(c, tx, name, ct).ConfigureAwait(false))!;
            return changed == 0 && key.FindVersion(version) is null ? throw VersionMissing(name, version) : key;
        }, null, ct);

    public Task<KeyRecord> ScheduleKeyDeletionAsync(string name, DateTimeOffset due, CancellationToken ct = default) =>
        InTransactionAsync(async (c, tx) =>
        {
            await LockKeyAsync(c, tx, name, touch: true, ct).ConfigureAwait(false);
            await Db.ExecuteAsync(c, tx, "UPDATE keys SET delete_at = COALESCE(delete_at, @due) WHERE name = @name AND deleted_at IS NULL", ct,
                ("due", Time.Write(due)), ("name", name)).ConfigureAwait(false);
            return (await ReadKeyAsync(c, tx, name, ct).ConfigureAwait(false))!;
        }, null, ct);

    public Task<(KeyRecord Key, int Cancelled)> CancelDestructionAsync(string name, int? version, CancellationToken ct = default) =>
        InTransactionAsync(async (c, tx) =>
        {
            await LockKeyAsync(c, tx, name, touch: false, ct).ConfigureAwait(false);
            int cancelled;
            if (version is { } v)
            {
                cancelled = await Db.ExecuteAsync(c, tx, """
                    UPDATE key_versions SET destroy_at = NULL
                    WHERE key_name = @name AND version = @version AND destroy_at IS NOT NULL AND state <> 'destroyed'
                    """, ct, ("name", name), ("version", v)).ConfigureAwait(false);
            }
            else
            {
                cancelled = await Db.ExecuteAsync(c, tx, "UPDATE keys SET delete_at = NULL WHERE name = @name AND delete_at IS NOT NULL", ct,
                        ("name", name)).ConfigureAwait(false)
                    + await Db.ExecuteAsync(c, tx, """
                        UPDATE key_versions SET destroy_at = NULL WHERE key_name = @name AND destroy_at IS NOT NULL AND state <> 'destroyed'
                        """, ct, ("name", name)).ConfigureAwait(false);
            }
            if (cancelled > 0)
            {
                await Db.ExecuteAsync(c, tx, "UPDATE keys SET updated_at = @now WHERE name = @name", ct,
                    ("now", Time.Write(Now())), ("name", name)).ConfigureAwait(false);
            }
            var key = (await ReadKeyAsync(c, tx, name, ct).ConfigureAwait(false))!;
            return version is { } n && key.FindVersion(n) is null ? throw VersionMissing(name, n) : (key, cancelled);
        }, null, ct);

    public Task<IReadOnlyList<DueDestruction>> ListDueDestructionsAsync(DateTimeOffset now, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        const string sql = """
            SELECT key_name, version, destroy_at FROM key_versions WHERE destroy_at IS NOT NULL AND destroy_at <= @now AND state <> 'destroyed'
            UNION ALL
            SELECT name, NULL, delete_at FROM keys WHERE delete_at IS NOT NULL AND delete_at <= @now
            ORDER BY 3, 1 LIMIT @limit
            """;
        return RunAsync<IReadOnlyList<DueDestruction>>(async c => await Db.QueryAsync(c, null, sql,
            r => new DueDestruction(r.GetString(0), r.IsDBNull(1) ? null : r.GetInt32(1), Time.Read(r, 2)), ct,
            ("now", Time.Write(now)), ("limit", limit)).ConfigureAwait(false), null, ct);
    }

    public Task<KeyRecord?> ExecuteDestructionAsync(string name, int? version, DateTimeOffset now, CancellationToken ct = default) =>
        InTransactionAsync(async (c, tx) =>
        {
            if (!await LockKeyAsync(c, tx, name, touch: false, ct, throwWhenMissing: false).ConfigureAwait(false))
            {
                return null;
            }
            var at = Time.Write(now);
            if (version is { } v)
            {
                // Only while still scheduled and due: a cancel that committed first wins.
                if (await Db.ExecuteAsync(c, tx, $"""
                        UPDATE key_versions SET {DestroySet}
                        WHERE key_name = @name AND version = @version AND destroy_at IS NOT NULL AND destroy_at <= @now AND state <> 'destroyed'
                        """, ct, ("name", name), ("version", v), ("now", at)).ConfigureAwait(false) == 0)
                {
                    return null;
                }
            }
            else
            {
                if (await Db.ExecuteAsync(c, tx,
                        "UPDATE keys SET deleted_at = @now, delete_at = NULL WHERE name = @name AND delete_at IS NOT NULL AND delete_at <= @now", ct,
                        ("name", name), ("now", at)).ConfigureAwait(false) == 0)
                {
                    return null;
                }
                await Db.ExecuteAsync(c, tx, $"UPDATE key_versions SET {DestroySet} WHERE key_name = @name AND state <> 'destroyed'", ct,
                    ("name", name), ("now", at)).ConfigureAwait(false);
            }
            await Db.ExecuteAsync(c, tx, "UPDATE keys SET updated_at = @now WHERE name = @name", ct, ("now", at), ("name", name)).ConfigureAwait(false);
            return await ReadKeyAsync(c, tx, name, ct).ConfigureAwait(false);
        }, null, ct);

    private const string DestroySet = "state = 'destroyed', wrapped_material = NULL, destroyed_at = COALESCE(destroyed_at, @now), destroy_at = NULL";

    /// <summary>Takes the key-row lock (and with <paramref name="touch"/> sets updated_at); false or key_not_found when the key does not exist.</summary>
    private async Task<bool> LockKeyAsync(DbConnection c, DbTransaction tx, string name, bool touch, CancellationToken ct, bool throwWhenMissing = true)
    {
        var changed = touch
            ? await Db.ExecuteAsync(c, tx, "UPDATE keys SET updated_at = @now WHERE name = @name", ct, ("now", Time.Write(Now())), ("name", name))
                .ConfigureAwait(false)
            : await Db.ExecuteAsync(c, tx, "UPDATE keys SET latest_version = latest_version WHERE name = @name", ct, ("name", name))
                .ConfigureAwait(false);
        return changed > 0 || (throwWhenMissing ? throw KeyMissing(name) : false);
    }
}
