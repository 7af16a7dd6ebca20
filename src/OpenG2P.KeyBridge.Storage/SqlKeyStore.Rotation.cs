using System.Globalization;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>Scheduled rotation and KEK rotation support.</summary>
public abstract partial class SqlKeyStore
{
    public Task<KeyVersionRecord?> AddVersionIfLatestOlderAsync(string name, DateTimeOffset createdAtOrBefore,
        Func<int, NewKeyVersion> makeVersion, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(makeVersion);
        return InTransactionAsync(async (c, tx) =>
        {
            // A no-op update takes the key-row lock (SQLite: the write lock is already ours). Only then is the
            // latest version read, in a new statement: on PostgreSQL that statement sees what a rotation that
            // held the lock before us committed, so two nodes finding the key due add one version, not two.
            var latest = await Db.ScalarAsync(c, tx,
                "UPDATE keys SET latest_version = latest_version WHERE name = @name AND deleted_at IS NULL RETURNING latest_version", ct,
                ("name", name)).ConfigureAwait(false);
            if (latest is null)
            {
                // A deleted key is never due; a missing one is an error.
                return (await MissingOrDeletedAsync(c, tx, name, ct).ConfigureAwait(false)).Error == KeyBridgeError.KeyDeleted
                    ? null
                    : throw KeyMissing(name);
            }
            var latestVersion = Convert.ToInt32(latest, CultureInfo.InvariantCulture);
            var created = await Db.QueryAsync(c, tx, "SELECT created_at FROM key_versions WHERE key_name = @name AND version = @version",
                r => Time.Read(r, 0), ct, ("name", name), ("version", latestVersion)).ConfigureAwait(false);
            if (created.Count == 1 && created[0] > createdAtOrBefore)
            {
                return null;
            }
            var now = Now();
            var version = latestVersion + 1;
            await Db.ExecuteAsync(c, tx, "UPDATE keys SET latest_version = @version, updated_at = @now WHERE name = @name", ct,
                ("version", version), ("now", Time.Write(now)), ("name", name)).ConfigureAwait(false);
            var material = makeVersion(version);
            await InsertVersionAsync(c, tx, name, version, now, material, ct).ConfigureAwait(false);
            return new KeyVersionRecord
            {
                Version = version,
                State = VersionState.Active,
                CreatedAt = now,
                WrappedMaterial = material.WrappedMaterial,
                KekId = material.KekId,
                PublicMaterial = material.PublicMaterial,
            };
        }, null, ct);
    }

    public Task<IReadOnlyList<WrappedVersion>> ListVersionsNotWrappedByAsync(string kekId, string? afterName, int afterVersion, int limit,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(kekId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var after = afterName is null ? "" : " AND (key_name > @after OR (key_name = @after AND version > @after_version))";
        var sql = $"""
            SELECT key_name, version, kek_id, wrapped_material FROM key_versions
            WHERE wrapped_material IS NOT NULL AND (kek_id IS NULL OR kek_id <> @kek){after}
            ORDER BY key_name, version LIMIT @limit
            """;
        (string, object?)[] parameters = afterName is null
            ? [("kek", kekId), ("limit", limit)]
            : [("kek", kekId), ("after", afterName), ("after_version", afterVersion), ("limit", limit)];
        return RunAsync<IReadOnlyList<WrappedVersion>>(async c => await Db.QueryAsync(c, null, sql,
            r => new WrappedVersion(r.GetString(0), r.GetInt32(1), r.GetNullable<string>(2), r.GetFieldValue<byte[]>(3)), ct,
            parameters).ConfigureAwait(false), null, ct);
    }

    public Task<long> CountVersionsNotWrappedByAsync(string kekId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(kekId);
        return RunAsync(async c => Convert.ToInt64(await Db.ScalarAsync(c, null,
            "SELECT COUNT(*) FROM key_versions WHERE wrapped_material IS NOT NULL AND (kek_id IS NULL OR kek_id <> @kek)", ct,
            ("kek", kekId)).ConfigureAwait(false), CultureInfo.InvariantCulture), null, ct);
    }
}
