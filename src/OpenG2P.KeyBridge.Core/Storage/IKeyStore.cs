using OpenG2P.KeyBridge.Auth;
using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>
/// Durable store for keys, versions and clients. Two implementations (SQLite, PostgreSQL) pass
/// one contract test suite. Implementations translate connection failures into
/// <c>storage_unavailable</c> and uniqueness conflicts into the documented error names.
/// </summary>
public interface IKeyStore
{
    /// <summary>Applies pending schema migrations (idempotent; safe with several nodes starting at once).</summary>
    Task MigrateAsync(CancellationToken ct = default);

    Task<bool> PingAsync(CancellationToken ct = default);

    Task<KeyRecord?> GetKeyAsync(string name, CancellationToken ct = default);

    /// <summary>Keys ordered by name, after <paramref name="afterName"/> (exclusive), at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<KeyRecord>> ListKeysAsync(string? prefix, string? afterName, int limit, CancellationToken ct = default);

    /// <summary>Creates the key with version 1. Throws <c>key_exists</c> when the name is taken.</summary>
    Task<KeyRecord> CreateKeyAsync(KeyRecord key, NewKeyVersion firstVersion, CancellationToken ct = default);

    /// <summary>
    /// Atomically appends the next version: the store picks the number (latest + 1) under a lock and
    /// asks <paramref name="makeVersion"/> for its material, so concurrent calls (also from other nodes)
    /// get consecutive numbers and none is lost.
    /// </summary>
    Task<KeyVersionRecord> AddVersionAsync(string name, Func<int, NewKeyVersion> makeVersion, CancellationToken ct = default);

    /// <summary>
    /// Scheduled rotation: like <see cref="AddVersionAsync"/>, but only when the latest version was created
    /// at or before <paramref name="createdAtOrBefore"/>; the check runs under the key-row lock, so when
    /// several nodes find the same key due, exactly one adds a version. Returns null when not due.
    /// </summary>
    Task<KeyVersionRecord?> AddVersionIfLatestOlderAsync(string name, DateTimeOffset createdAtOrBefore, Func<int, NewKeyVersion> makeVersion,
        CancellationToken ct = default);

    /// <summary>
    /// Changes a key's policy under the key-row lock: <paramref name="change"/> sees the current key
    /// (and may throw to refuse), so concurrent changes never overwrite each other.
    /// </summary>
    Task<KeyRecord> UpdatePolicyAsync(string name, Func<KeyRecord, KeyPolicy> change, CancellationToken ct = default);

    Task<KeyRecord> UpdatePolicyAsync(string name, KeyPolicy policy, CancellationToken ct = default) =>
        UpdatePolicyAsync(name, _ => policy, ct);

    /// <summary>Sets a version's stored state; destroying also erases its wrapped material.</summary>
    Task<KeyRecord> SetVersionStateAsync(string name, int version, VersionState state, CancellationToken ct = default);

    /// <summary>Replaces the wrapped material of one version (KEK rotation), if it is still wrapped by <paramref name="expectedKekId"/>.</summary>
    Task<bool> RewrapVersionAsync(string name, int version, string expectedKekId, byte[] wrapped, string kekId, CancellationToken ct = default);

    /// <summary>
    /// Versions holding material wrapped by any KEK other than <paramref name="kekId"/> (KEK rotation), ordered by
    /// key name then version, after (<paramref name="afterName"/>, <paramref name="afterVersion"/>) exclusive.
    /// </summary>
    Task<IReadOnlyList<WrappedVersion>> ListVersionsNotWrappedByAsync(string kekId, string? afterName, int afterVersion, int limit,
        CancellationToken ct = default);

    /// <summary>How many versions <see cref="ListVersionsNotWrappedByAsync"/> would list in all.</summary>
    Task<long> CountVersionsNotWrappedByAsync(string kekId, CancellationToken ct = default);

    /// <summary>
    /// Attaches the X.509 certificate of one key version, replacing any earlier one; it is then read with the key
    /// (<see cref="KeyVersionRecord.Certificate"/>). Throws <c>key_not_found</c> / <c>version_not_found</c>.
    /// </summary>
    Task<KeyRecord> AttachCertificateAsync(string name, int version, VersionCertificate certificate, CancellationToken ct = default);

    /// <summary>The certificate attached to one key version; null when it has none (or the key or version does not exist).</summary>
    Task<VersionCertificate?> GetCertificateAsync(string name, int version, CancellationToken ct = default);

    /// <summary>
    /// Schedules the destruction of one version for <paramref name="due"/>; a version already scheduled keeps its time, a
    /// destroyed one is left as it is. Throws <c>key_not_found</c> / <c>version_not_found</c>.
    /// </summary>
    Task<KeyRecord> ScheduleVersionDestructionAsync(string name, int version, DateTimeOffset due, CancellationToken ct = default);

    /// <summary>Schedules the deletion of the whole key for <paramref name="due"/> (an earlier schedule stands). Throws <c>key_not_found</c>.</summary>
    Task<KeyRecord> ScheduleKeyDeletionAsync(string name, DateTimeOffset due, CancellationToken ct = default);

    /// <summary>
    /// Cancels the scheduled destruction of one version, or (<paramref name="version"/> null) the key's deletion and every
    /// scheduled destruction of its versions. Returns the key and how many schedules were cleared (0: nothing was pending).
    /// </summary>
    Task<(KeyRecord Key, int Cancelled)> CancelDestructionAsync(string name, int? version, CancellationToken ct = default);

    /// <summary>Destructions due at <paramref name="now"/>, earliest first; <see cref="DueDestruction.Version"/> is null for a key deletion.</summary>
    Task<IReadOnlyList<DueDestruction>> ListDueDestructionsAsync(DateTimeOffset now, int limit, CancellationToken ct = default);

    /// <summary>
    /// Runs one destruction if it is still scheduled and due at <paramref name="now"/> (a cancel that committed first wins):
    /// erases the version's material, or every version's and marks the key deleted. Null when nothing was due.
    /// </summary>
    Task<KeyRecord?> ExecuteDestructionAsync(string name, int? version, DateTimeOffset now, CancellationToken ct = default);

    Task<ClientRecord?> GetClientAsync(string clientId, CancellationToken ct = default);

    /// <summary>Throws <c>client_exists</c> when the id is taken.</summary>
    Task CreateClientAsync(ClientRecord client, CancellationToken ct = default);

    Task UpdateClientAsync(ClientRecord client, CancellationToken ct = default);

    Task<IReadOnlyList<ClientRecord>> ListClientsAsync(string? afterId, int limit, CancellationToken ct = default);

    /// <summary>Reads a small named setting (e.g. the bootstrap marker); null when unset.</summary>
    Task<string?> GetSettingAsync(string name, CancellationToken ct = default);

    /// <summary>Sets a setting only if it is unset; returns whether this call set it.</summary>
    Task<bool> TrySetSettingAsync(string name, string value, CancellationToken ct = default);

    /// <summary>Sets a setting, replacing any earlier value.</summary>
    Task SetSettingAsync(string name, string value, CancellationToken ct = default);
}

/// <summary>One stored version's wrapped material and the KEK that wrapped it (null when unknown).</summary>
public sealed record WrappedVersion(string KeyName, int Version, string? KekId, byte[] WrappedMaterial);

/// <summary>A scheduled destruction: of one version, or (<see cref="Version"/> null) the deletion of the whole key.</summary>
public sealed record DueDestruction(string KeyName, int? Version, DateTimeOffset DueAt);

/// <summary>Material for a new version, already wrapped by the KEK.</summary>
public sealed record NewKeyVersion(byte[] WrappedMaterial, string KekId, byte[]? PublicMaterial = null);
