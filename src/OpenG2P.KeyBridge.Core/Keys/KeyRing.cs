using System.Collections.Concurrent;
using System.Text;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Kek;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Keys;

/// <summary>
/// Read side of the key model for the hot path: key metadata and unwrapped material, both cached
/// so that a data call does not touch the database. Changes made through <see cref="KeyManager"/>
/// invalidate the caches of this node at once; other nodes see them within <c>metadataTtl</c>.
/// </summary>
public sealed class KeyRing(IKeyStore store, IKekProvider kek, MaterialCache materials, TimeSpan metadataTtl)
{
    private readonly ConcurrentDictionary<string, (KeyRecord Key, long LoadedAt)> _metadata = new(StringComparer.Ordinal);
    private long _changes;

    public IKekProvider Kek => kek;

    public MaterialCache Materials => materials;

    public async ValueTask<KeyRecord> GetAsync(string name, CancellationToken ct = default)
    {
        if (_metadata.TryGetValue(name, out var cached) && Environment.TickCount64 - cached.LoadedAt < (long)metadataTtl.TotalMilliseconds)
        {
            return cached.Key;
        }
        var key = await store.GetKeyAsync(name, ct).ConfigureAwait(false)
            ?? throw new KeyBridgeException(KeyBridgeError.KeyNotFound, $"key '{name}' does not exist");
        Remember(key);
        return key;
    }

    public void Remember(KeyRecord key) => _metadata[key.Name] = (key, Environment.TickCount64);

    public void Invalidate(string name)
    {
        _metadata.TryRemove(name, out _);
        materials.Invalidate(name);
        MarkChanged();
    }

    /// <summary>Counts key changes made through this node, so derived caches (the JWKS) know when to rebuild at once.</summary>
    public long Changes => Interlocked.Read(ref _changes);

    public void MarkChanged() => Interlocked.Increment(ref _changes);

    /// <summary>The version new encryptions/signatures use; <c>no_active_version</c> when every version is revoked or destroyed.</summary>
    public static KeyVersionRecord LatestForUse(KeyRecord key)
    {
        if (key.LatestUsableVersion() is { } usable)
        {
            return usable;
        }
        if (key.DeletedAt is not null)
        {
            throw new KeyBridgeException(KeyBridgeError.KeyDeleted, $"key '{key.Name}' was deleted");
        }
        if (key.Versions.Count > 0 && key.EffectiveState(key.Versions[^1]) == VersionState.PendingDestruction)
        {
            throw new KeyBridgeException(KeyBridgeError.VersionPendingDestruction,
                $"key '{key.Name}' is scheduled for deletion; cancel it with key.cancel_destruction to use the key again");
        }
        throw new KeyBridgeException(KeyBridgeError.NoActiveVersion, $"key '{key.Name}' has no active version; rotate it");
    }

    /// <summary>A version that may decrypt/verify: refused when retired, revoked or destroyed (each with its own error).</summary>
    public static KeyVersionRecord ForDecryption(KeyRecord key, int version)
    {
        var v = key.FindVersion(version)
            ?? throw new KeyBridgeException(KeyBridgeError.VersionNotFound, $"key '{key.Name}' has no version {version}");
        return key.EffectiveState(v) switch
        {
            VersionState.Active => v,
            VersionState.Retired => throw new KeyBridgeException(KeyBridgeError.VersionRetired,
                $"version {version} of key '{key.Name}' is retired (below min_decryption_version {key.Policy.MinDecryptionVersion})"),
            VersionState.Revoked => throw new KeyBridgeException(KeyBridgeError.VersionRevoked,
                $"version {version} of key '{key.Name}' is revoked"),
            VersionState.PendingDestruction => throw new KeyBridgeException(KeyBridgeError.VersionPendingDestruction,
                $"version {version} of key '{key.Name}' is scheduled for destruction at {key.DestructionDue(v):u}; cancel it with key.cancel_destruction to use it again"),
            _ => throw new KeyBridgeException(KeyBridgeError.VersionDestroyed,
                $"version {version} of key '{key.Name}' is destroyed"),
        };
    }

    public MaterialCache.Lease Lease(KeyRecord key, KeyVersionRecord version) =>
        materials.Acquire(key.Name, version.Version, () =>
        {
            var wrapped = version.WrappedMaterial
                ?? throw new KeyBridgeException(KeyBridgeError.VersionDestroyed, $"version {version.Version} of key '{key.Name}' is destroyed");
            return kek.Unwrap(wrapped, WrapContext(key.Name, version.Version));
        });

    /// <summary>Associated data binding a wrapped blob to its key and version.</summary>
    public static byte[] WrapContext(string name, int version) => Encoding.UTF8.GetBytes($"keybridge/material/v1/{name}/{version}");
}
