using System.Security.Cryptography;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Signing;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Keys;

/// <summary>Limits on key policies that deployments may tune (tests shorten the rotation period).</summary>
public sealed record KeyPolicyLimits(TimeSpan MinRotationPeriod)
{
    public static KeyPolicyLimits Default { get; } = new(TimeSpan.FromMinutes(1));
}

/// <summary>Write side of the key model: create, rotate, configure, revoke, destroy, export.</summary>
public sealed class KeyManager(IKeyStore store, KeyRing ring, TimeProvider time, KeyPolicyLimits? limits = null, Hsm.HsmAccess? hsm = null)
{
    private readonly KeyPolicyLimits _limits = limits ?? KeyPolicyLimits.Default;

    /// <summary>
    /// Raised on this node after a key is created or its policy changes, so schedules (scheduled
    /// rotation) follow. Handlers must not throw; the change is already stored.
    /// </summary>
    public event Action<KeyRecord>? PolicyChanged;

    public async Task<KeyRecord> CreateAsync(string name, KeyType type, KeyPolicy policy, CancellationToken ct = default)
    {
        KeyNames.Validate(name);
        if (!KeyTypes.Supported.Contains(type))
        {
            throw new KeyBridgeException(KeyBridgeError.UnsupportedOperation, $"key type '{type.ToName()}' is not available in this build");
        }
        ValidatePolicy(policy, type, latestVersion: 1);
        var now = time.GetUtcNow();
        var key = new KeyRecord { Name = name, Type = type, Policy = policy, CreatedAt = now, UpdatedAt = now, Versions = [] };
        var created = await WithNewMaterialAsync(name, type, policy, make => store.CreateKeyAsync(key, make(1), ct)).ConfigureAwait(false);
        ring.Remember(created);
        ring.MarkChanged();
        PolicyChanged?.Invoke(created);
        return created;
    }

    /// <summary>
    /// Adds a version holding existing key material (a MOSIP keystore import): PKCS#8 private key and its
    /// SubjectPublicKeyInfo, wrapped by the KEK like any other. Creates the key (default policy) with it as version 1
    /// when the key does not exist; otherwise it becomes the key's next, latest version.
    /// </summary>
    public async Task<(KeyRecord Key, KeyVersionRecord Version)> ImportVersionAsync(string name, KeyType type, byte[] pkcs8, byte[] subjectPublicKeyInfo,
        CancellationToken ct = default)
    {
        KeyNames.Validate(name);
        if (!type.IsSigningType())
        {
            throw new KeyBridgeException(KeyBridgeError.UnsupportedOperation, $"only asymmetric key material can be imported, not {type.ToName()}");
        }
        var existing = await store.GetKeyAsync(name, ct).ConfigureAwait(false);
        if (existing is null)
        {
            var now = time.GetUtcNow();
            var key = new KeyRecord { Name = name, Type = type, Policy = new KeyPolicy(), CreatedAt = now, UpdatedAt = now, Versions = [] };
            try
            {
                var created = await store.CreateKeyAsync(key,
                    new NewKeyVersion(ring.Kek.Wrap(pkcs8, KeyRing.WrapContext(name, 1)), ring.Kek.KekId, subjectPublicKeyInfo), ct).ConfigureAwait(false);
                ring.Remember(created);
                ring.MarkChanged();
                PolicyChanged?.Invoke(created);
                return (created, created.Versions[0]);
            }
            catch (KeyBridgeException e) when (e.Error == KeyBridgeError.KeyExists)
            {
                existing = await LoadAsync(name, ct).ConfigureAwait(false); // created meanwhile: append instead
            }
        }
        if (existing.Type != type)
        {
            throw new KeyBridgeException(KeyBridgeError.UnsupportedOperation,
                $"key '{name}' is of type {existing.Type.ToName()}; the imported key is {type.ToName()}");
        }
        var version = await store.AddVersionAsync(name,
            v => new NewKeyVersion(ring.Kek.Wrap(pkcs8, KeyRing.WrapContext(name, v)), ring.Kek.KekId, subjectPublicKeyInfo), ct).ConfigureAwait(false);
        ring.Invalidate(name);
        return (await LoadAsync(name, ct).ConfigureAwait(false), version);
    }

    public Task<KeyRecord> GetAsync(string name, CancellationToken ct = default) => LoadAsync(name, ct);

    public Task<IReadOnlyList<KeyRecord>> ListAsync(string? prefix, string? afterName, int limit, CancellationToken ct = default) =>
        store.ListKeysAsync(prefix, afterName, limit, ct);

    public async Task<KeyVersionRecord> RotateAsync(string name, CancellationToken ct = default)
    {
        var key = await LoadAsync(name, ct).ConfigureAwait(false);
        var version = await WithNewMaterialAsync(name, key.Type, key.Policy, make => store.AddVersionAsync(name, make, ct)).ConfigureAwait(false);
        ring.Invalidate(name);
        return version;
    }

    /// <summary>
    /// Scheduled rotation: adds a version when the key has a rotation period and its latest version is at
    /// least that old. Safe to call from several nodes at once: the store checks under the key-row lock,
    /// so a due key gains one version. Returns null when the key is not due.
    /// </summary>
    public async Task<KeyVersionRecord?> RotateIfDueAsync(string name, CancellationToken ct = default)
    {
        var key = await LoadAsync(name, ct).ConfigureAwait(false);
        if (key.Policy.RotationPeriod is not { } period)
        {
            return null;
        }
        var cutoff = time.GetUtcNow() - period;
        try
        {
            // Not due: the material made for the version is discarded (an HSM pair is destroyed again).
            var version = await WithNewMaterialAsync(name, key.Type, key.Policy, async make =>
                await store.AddVersionIfLatestOlderAsync(name, cutoff, make, ct).ConfigureAwait(false) ?? throw new NotDueException())
                .ConfigureAwait(false);
            ring.Invalidate(name);
            return version;
        }
        catch (NotDueException)
        {
            return null;
        }
    }

    public async Task<KeyRecord> ConfigureAsync(string name, Func<KeyPolicy, KeyPolicy> change, CancellationToken ct = default)
    {
        KeyNames.Validate(name);
        // Applied to the key as it is under the store's row lock, so concurrent changes do not overwrite each other.
        var updated = await store.UpdatePolicyAsync(name, key =>
        {
            var policy = change(key.Policy);
            ValidatePolicy(policy, key.Type, key.LatestVersion);
            return policy;
        }, ct).ConfigureAwait(false);
        ring.Invalidate(name);
        PolicyChanged?.Invoke(updated);
        return updated;
    }

    public async Task<KeyRecord> RevokeVersionAsync(string name, int version, CancellationToken ct = default)
    {
        var key = await LoadAsync(name, ct).ConfigureAwait(false);
        var v = key.FindVersion(version) ?? throw VersionMissing(name, version);
        if (v.State == VersionState.Destroyed)
        {
            throw new KeyBridgeException(KeyBridgeError.VersionDestroyed, $"version {version} of key '{name}' is destroyed");
        }
        var updated = await store.SetVersionStateAsync(name, version, VersionState.Revoked, ct).ConfigureAwait(false);
        ring.Invalidate(name);
        return updated;
    }

    public async Task<KeyRecord> DestroyVersionAsync(string name, int version, CancellationToken ct = default)
    {
        var key = await LoadAsync(name, ct).ConfigureAwait(false);
        if (!key.Policy.DeletionAllowed)
        {
            throw new KeyBridgeException(KeyBridgeError.DeletionNotAllowed,
                $"key '{name}' does not allow destruction; set deletion_allowed first");
        }
        _ = key.FindVersion(version) ?? throw VersionMissing(name, version);
        if (version == key.LatestVersion)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "the latest version cannot be destroyed; rotate the key first");
        }
        var updated = await store.SetVersionStateAsync(name, version, VersionState.Destroyed, ct).ConfigureAwait(false);
        ring.Invalidate(name);
        return updated;
    }

    /// <summary>
    /// Attaches (or replaces) the X.509 certificate of a signing key version. The caller has checked that the
    /// certificate carries the version's public key; revoked and destroyed versions get none.
    /// </summary>
    public async Task<KeyRecord> AttachCertificateAsync(string name, int version, VersionCertificate certificate, CancellationToken ct = default)
    {
        var key = await LoadAsync(name, ct).ConfigureAwait(false);
        SignatureAlgorithms.RequireSigningKey(key, "certificates");
        var v = key.FindVersion(version) ?? throw VersionMissing(name, version);
        if (v.State is VersionState.Revoked or VersionState.Destroyed)
        {
            throw new KeyBridgeException(v.State == VersionState.Revoked ? KeyBridgeError.VersionRevoked : KeyBridgeError.VersionDestroyed,
                $"version {version} of key '{name}' is {v.State.ToName()}");
        }
        var updated = await store.AttachCertificateAsync(name, version, certificate, ct).ConfigureAwait(false);
        ring.Invalidate(name);
        return updated;
    }

    /// <summary>Secret material of an exportable key version: raw bytes for symmetric keys, PKCS#8 for signing keys (caller must hold key-admin).</summary>
    public async Task<(KeyRecord Key, int Version, byte[] Material)> ExportSecretAsync(string name, int? version, CancellationToken ct = default)
    {
        var key = await LoadAsync(name, ct).ConfigureAwait(false);
        if (!key.Policy.Exportable)
        {
            throw new KeyBridgeException(KeyBridgeError.NotExportable, $"key '{name}' is not exportable");
        }
        var v = version is { } n ? key.FindVersion(n) ?? throw VersionMissing(name, n) : KeyRing.LatestForUse(key);
        if (v.State is VersionState.Destroyed or VersionState.Revoked)
        {
            throw new KeyBridgeException(v.State == VersionState.Revoked ? KeyBridgeError.VersionRevoked : KeyBridgeError.VersionDestroyed,
                $"version {v.Version} of key '{name}' is {v.State.ToName()}");
        }
        using var lease = ring.Lease(key, v);
        return (key, v.Version, lease.Material.ToArray());
    }

    private async Task<KeyRecord> LoadAsync(string name, CancellationToken ct)
    {
        KeyNames.Validate(name);
        return await store.GetKeyAsync(name, ct).ConfigureAwait(false)
            ?? throw new KeyBridgeException(KeyBridgeError.KeyNotFound, $"key '{name}' does not exist");
    }

    /// <summary>
    /// Material for a new version before it has a number: 32 random bytes for symmetric keys, a PKCS#8
    /// private key plus its SubjectPublicKeyInfo for signing keys (see <see cref="SoftwareSigners"/>).
    /// Wrapping waits for the version number, which the KEK binds into the wrapped blob.
    /// </summary>
    private sealed class FreshMaterial(byte[] secret, byte[]? publicKey) : IDisposable
    {
        public static FreshMaterial Generate(KeyType type)
        {
            if (type.IsSymmetric())
            {
                return new FreshMaterial(RandomNumberGenerator.GetBytes(32), null);
            }
            if (!type.IsSigningType())
            {
                throw new KeyBridgeException(KeyBridgeError.UnsupportedOperation, $"key type '{type.ToName()}' is not available in this build");
            }
            var (pkcs8, spki) = SoftwareSigners.Generate(type);
            return new FreshMaterial(pkcs8, spki);
        }

        public NewKeyVersion ForVersion(Kek.IKekProvider kek, string name, int version) =>
            new(kek.Wrap(secret, KeyRing.WrapContext(name, version)), kek.KekId, publicKey);

        public void Dispose() => CryptographicOperations.ZeroMemory(secret);
    }

    /// <summary>
    /// Makes the new version's material and hands the store a factory for it. Software keys are
    /// generated (and KEK-wrapped) before the store takes its lock — an RSA-4096 pair can take a
    /// second. HSM-resident keys are generated in the token first; if the row then cannot be
    /// written, the token objects are destroyed again, so neither side is left half-written.
    /// </summary>
    private async Task<T> WithNewMaterialAsync<T>(string name, KeyType type, KeyPolicy policy, Func<Func<int, NewKeyVersion>, Task<T>> write)
    {
        if (!policy.HsmResident)
        {
            using var fresh = FreshMaterial.Generate(type);
            return await write(v => fresh.ForVersion(ring.Kek, name, v)).ConfigureAwait(false);
        }
        var keys = (hsm ?? new Hsm.HsmAccess(null)).Require(name);
        var pair = keys.Generate(type, name);
        try
        {
            return await write(_ => new NewKeyVersion(Hsm.HsmObjectRef.Encode(pair.ObjectId), Hsm.HsmObjectRef.KekId, pair.SubjectPublicKeyInfo))
                .ConfigureAwait(false);
        }
        catch
        {
            keys.Destroy(pair.ObjectId);
            throw;
        }
    }

    private sealed class NotDueException : Exception;

    private void ValidatePolicy(KeyPolicy p, KeyType type, int latestVersion)
    {
        if (p.SigningAlgorithm is { } a && !type.Allows(a))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidPolicy,
                $"a {type.ToName()} key does not sign with {a.ToName()}" + (type.IsRsa() ? "; use RS256 or PS256" : ""));
        }
        if (p.MinDecryptionVersion < 1 || p.MinDecryptionVersion > latestVersion)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidPolicy,
                $"min_decryption_version must be between 1 and the latest version ({latestVersion})");
        }
        if (p.RotationPeriod is { } r && r < _limits.MinRotationPeriod)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidPolicy,
                $"rotation_period must be at least {(long)_limits.MinRotationPeriod.TotalSeconds} seconds");
        }
        if (p.HsmResident)
        {
            if (hsm?.Keys is null)
            {
                throw new KeyBridgeException(KeyBridgeError.InvalidPolicy, "hsm_resident keys need the PKCS#11 provider (Kek:Provider=pkcs11)");
            }
            if (!type.IsSigningType())
            {
                throw new KeyBridgeException(KeyBridgeError.InvalidPolicy, "only signing keys (ecdsa-p256, ed25519, rsa-*) can be hsm_resident");
            }
            if (p.Exportable)
            {
                throw new KeyBridgeException(KeyBridgeError.InvalidPolicy, "an hsm_resident key cannot be exportable: its private key never leaves the token");
            }
        }
        foreach (var f in p.RequiredContext)
        {
            if (string.IsNullOrWhiteSpace(f))
            {
                throw new KeyBridgeException(KeyBridgeError.InvalidPolicy, "required_context must list non-empty field names");
            }
        }
    }

    private static KeyBridgeException VersionMissing(string name, int version) =>
        new(KeyBridgeError.VersionNotFound, $"key '{name}' has no version {version}");
}
