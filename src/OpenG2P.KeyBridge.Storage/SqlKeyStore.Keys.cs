using System.Data.Common;
using System.Globalization;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Storage;

public abstract partial class SqlKeyStore
{
    private const string OneKey = "SELECT * FROM keys WHERE name = @name";

    public Task<KeyRecord?> GetKeyAsync(string name, CancellationToken ct = default) =>
        RunAsync(c => ReadKeyAsync(c, null, name, ct), null, ct);

    public Task<IReadOnlyList<KeyRecord>> ListKeysAsync(string? prefix, string? afterName, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        // The range test lets an index seek to the prefix; substr() is the exact, wildcard-free filter.
        var where = new List<string>();
        var parameters = new List<(string, object?)> { ("limit", limit) };
        if (!string.IsNullOrEmpty(prefix))
        {
            where.Add("name >= @prefix AND substr(name, 1, length(@prefix)) = @prefix");
            parameters.Add(("prefix", prefix));
        }
        if (afterName is not null)
        {
            where.Add("name > @after");
            parameters.Add(("after", afterName));
        }
        var filter = where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);
        var page = $"SELECT * FROM keys{filter} ORDER BY name LIMIT @limit";
        return RunAsync<IReadOnlyList<KeyRecord>>(
            async c => await KeyRows.QueryAsync(c, null, page, Time, ct, [.. parameters]).ConfigureAwait(false), null, ct);
    }

    public Task<KeyRecord> CreateKeyAsync(KeyRecord key, NewKeyVersion firstVersion, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(firstVersion);
        var p = key.Policy;
        return InTransactionAsync(async (c, tx) =>
        {
            await Db.ExecuteAsync(c, tx, """
                INSERT INTO keys (name, type, rotation_period_ms, exportable, deletion_allowed, min_decryption_version,
                                  hsm_resident, required_context, signing_algorithm, latest_version, created_at, updated_at)
                VALUES (@name, @type, @rotation, @exportable, @deletable, @min, @hsm, @context, @algorithm, 1, @created, @updated)
                """, ct,
                ("algorithm", p.SigningAlgorithm?.ToName()),
                ("name", key.Name), ("type", key.Type.ToName()), ("rotation", RotationMs(p)), ("exportable", p.Exportable),
                ("deletable", p.DeletionAllowed), ("min", p.MinDecryptionVersion), ("hsm", p.HsmResident),
                ("context", JsonLists.Write(p.RequiredContext)), ("created", Time.Write(key.CreatedAt)),
                ("updated", Time.Write(key.UpdatedAt == default ? key.CreatedAt : key.UpdatedAt))).ConfigureAwait(false);
            await InsertVersionAsync(c, tx, key.Name, 1, key.CreatedAt, firstVersion, ct).ConfigureAwait(false);
            return (await ReadKeyAsync(c, tx, key.Name, ct).ConfigureAwait(false))!;
        }, () => new KeyBridgeException(KeyBridgeError.KeyExists, $"key '{key.Name}' already exists"), ct);
    }

    public Task<KeyVersionRecord> AddVersionAsync(string name, Func<int, NewKeyVersion> makeVersion, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(makeVersion);
        return InTransactionAsync(async (c, tx) =>
        {
            var now = Now();
            // Incrementing the counter locks the key row until commit (SQLite: the whole database,
            // from BEGIN IMMEDIATE), so concurrent callers queue here and each one reads the number
            // its predecessor committed: consecutive versions, no duplicates, none lost.
            // A deleted key (a tombstone) never gains a version: that would bring it back to life under the same name.
            var latest = await Db.ScalarAsync(c, tx,
                "UPDATE keys SET latest_version = latest_version + 1, updated_at = @now WHERE name = @name AND deleted_at IS NULL RETURNING latest_version",
                ct, ("now", Time.Write(now)), ("name", name)).ConfigureAwait(false) ?? throw await MissingOrDeletedAsync(c, tx, name, ct).ConfigureAwait(false);
            var version = Convert.ToInt32(latest, CultureInfo.InvariantCulture);
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

    public Task<KeyRecord> UpdatePolicyAsync(string name, Func<KeyRecord, KeyPolicy> change, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return InTransactionAsync(async (c, tx) =>
        {
            // The no-op update locks the key row (SQLite: BEGIN IMMEDIATE already holds the write lock),
            // so concurrent policy changes and rotations apply one after another, each to the latest state.
            if (await Db.ExecuteAsync(c, tx, "UPDATE keys SET updated_at = updated_at WHERE name = @name", ct, ("name", name)).ConfigureAwait(false) == 0)
            {
                throw KeyMissing(name);
            }
            var policy = change((await ReadKeyAsync(c, tx, name, ct).ConfigureAwait(false))!);
            var changed = await Db.ExecuteAsync(c, tx, """
                UPDATE keys SET rotation_period_ms = @rotation, exportable = @exportable, deletion_allowed = @deletable,
                                min_decryption_version = @min, hsm_resident = @hsm, required_context = @context,
                                signing_algorithm = @algorithm, updated_at = @now
                WHERE name = @name
                """, ct,
                ("algorithm", policy.SigningAlgorithm?.ToName()),
                ("rotation", RotationMs(policy)), ("exportable", policy.Exportable), ("deletable", policy.DeletionAllowed),
                ("min", policy.MinDecryptionVersion), ("hsm", policy.HsmResident), ("context", JsonLists.Write(policy.RequiredContext)),
                ("now", Time.Write(Now())), ("name", name)).ConfigureAwait(false);
            if (changed == 0)
            {
                throw KeyMissing(name);
            }
            return (await ReadKeyAsync(c, tx, name, ct).ConfigureAwait(false))!;
        }, null, ct);
    }

    public Task<KeyRecord> SetVersionStateAsync(string name, int version, VersionState state, CancellationToken ct = default)
    {
        var set = state switch
        {
            VersionState.Active => "state = 'active'",
            VersionState.Revoked => "state = 'revoked', revoked_at = COALESCE(revoked_at, @now)",
            // Destroying drops the only copy of the wrapped material; metadata stays for audit.
            VersionState.Destroyed => "state = 'destroyed', wrapped_material = NULL, destroyed_at = COALESCE(destroyed_at, @now), destroy_at = NULL",
            _ => throw new KeyBridgeException(KeyBridgeError.InvalidParams,
                $"'{state.ToName()}' is derived from min_decryption_version and cannot be stored"),
        };
        return InTransactionAsync(async (c, tx) =>
        {
            var now = Time.Write(Now());
            // Touching the key row first takes its lock, ordering this change with rotations.
            if (await Db.ExecuteAsync(c, tx, "UPDATE keys SET updated_at = @now WHERE name = @name", ct,
                    ("now", now), ("name", name)).ConfigureAwait(false) == 0)
            {
                throw KeyMissing(name);
            }
            if (await Db.ExecuteAsync(c, tx, $"UPDATE key_versions SET {set} WHERE key_name = @name AND version = @version", ct,
                    ("now", now), ("name", name), ("version", version)).ConfigureAwait(false) == 0)
            {
                throw VersionMissing(name, version);
            }
            return (await ReadKeyAsync(c, tx, name, ct).ConfigureAwait(false))!;
        }, null, ct);
    }

    public Task<bool> RewrapVersionAsync(string name, int version, string expectedKekId, byte[] wrapped, string kekId,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(expectedKekId);
        ArgumentNullException.ThrowIfNull(wrapped);
        ArgumentNullException.ThrowIfNull(kekId);
        return RunAsync(async c =>
        {
            // Compare-and-set on kek_id: a concurrent rewrap or a destroy wins and this call reports false.
            var changed = await Db.ExecuteAsync(c, null, """
                UPDATE key_versions SET wrapped_material = @wrapped, kek_id = @kek
                WHERE key_name = @name AND version = @version AND kek_id = @expected AND wrapped_material IS NOT NULL
                """, ct,
                ("wrapped", wrapped), ("kek", kekId), ("name", name), ("version", version), ("expected", expectedKekId))
                .ConfigureAwait(false);
            if (changed == 1)
            {
                return true;
            }
            var key = await ReadKeyAsync(c, null, name, ct).ConfigureAwait(false) ?? throw KeyMissing(name);
            return key.FindVersion(version) is null ? throw VersionMissing(name, version) : false;
        }, null, ct);
    }

    private async Task<KeyBridgeException> MissingOrDeletedAsync(DbConnection c, DbTransaction tx, string name, CancellationToken ct) =>
        await Db.ScalarAsync(c, tx, "SELECT 1 FROM keys WHERE name = @name", ct, ("name", name)).ConfigureAwait(false) is null
            ? KeyMissing(name)
            : new KeyBridgeException(KeyBridgeError.KeyDeleted, $"key '{name}' was deleted");

    private async Task<KeyRecord?> ReadKeyAsync(DbConnection c, DbTransaction? tx, string name, CancellationToken ct)
    {
        var keys = await KeyRows.QueryAsync(c, tx, OneKey, Time, ct, ("name", name)).ConfigureAwait(false);
        return keys.Count == 0 ? null : keys[0];
    }

    private Task<int> InsertVersionAsync(DbConnection c, DbTransaction tx, string name, int version, DateTimeOffset createdAt,
        NewKeyVersion material, CancellationToken ct) =>
        Db.ExecuteAsync(c, tx, """
            INSERT INTO key_versions (key_name, version, state, created_at, wrapped_material, kek_id, public_material)
            VALUES (@name, @version, 'active', @created, @wrapped, @kek, @public)
            """, ct,
            ("name", name), ("version", version), ("created", Time.Write(createdAt)), ("wrapped", material.WrappedMaterial),
            ("kek", material.KekId), ("public", material.PublicMaterial));

    private static long? RotationMs(KeyPolicy p) => p.RotationPeriod is { } r ? (long)r.TotalMilliseconds : null;
}
