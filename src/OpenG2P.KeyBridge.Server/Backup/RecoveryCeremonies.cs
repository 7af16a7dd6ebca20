using System.Security.Cryptography;
using System.Text;
using OpenG2P.KeyBridge.Backup;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Kek;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Backup;

/// <summary>
/// The recovery key ceremony: a fresh version of the internal backup key, split with the software KEK
/// (when the KEK is software) into one share per custodian, any <c>threshold</c> of which rebuild both.
/// The shares are returned once and never stored; the store keeps only the ceremony's public record.
/// </summary>
public sealed class RecoveryCeremonies(IKeyStore store, KeyManager keys, KeyRing ring, TimeProvider time)
{
    public async Task<RecoveryCeremony?> CurrentAsync(CancellationToken ct = default) =>
        await store.GetSettingAsync(RecoveryCeremony.SettingName, ct) is { } json ? RecoveryCeremony.FromJson(json) : null;

    public async Task<(RecoveryCeremony Ceremony, IReadOnlyList<RecoveryShare> Shares)> InitAsync(int threshold, IReadOnlyList<string> custodians,
        bool force, CancellationToken ct = default)
    {
        Validate(threshold, custodians);
        var existing = await CurrentAsync(ct);
        if (existing is not null && !force)
        {
            throw AlreadyInitialized(existing);
        }
        var (kind, kekBytes, kekId) = KekForRecovery(ring.Kek);
        byte[]? backupKey = null;
        byte[]? secret = null;
        try
        {
            var version = await NewBackupKeyVersionAsync(ct);
            backupKey = await UnwrapBackupKeyAsync(version, ct);
            secret = RecoveryCeremony.SecretOf(backupKey, kekBytes);
            var (ceremony, shares) = RecoveryShares.Create(secret, kind, threshold, custodians, version,
                RecoveryCeremony.KeyIdOf(backupKey), kekId, time.GetUtcNow());
            if (existing is null)
            {
                // Two first ceremonies at once: one record wins, the other call is refused (its key version stays unused).
                if (!await store.TrySetSettingAsync(RecoveryCeremony.SettingName, ceremony.ToJson(), ct) && !force)
                {
                    throw AlreadyInitialized(await CurrentAsync(ct) ?? ceremony);
                }
                if (force)
                {
                    await store.SetSettingAsync(RecoveryCeremony.SettingName, ceremony.ToJson(), ct);
                }
            }
            else
            {
                await store.SetSettingAsync(RecoveryCeremony.SettingName, ceremony.ToJson(), ct);
            }
            return (ceremony, shares);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kekBytes);
            CryptographicOperations.ZeroMemory(backupKey);
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>
    /// The backup key a bundle of one of this KeyBridge's ceremonies was made with, from the store (for backup.create and for
    /// backup.verify without shares). <c>share_ceremony_mismatch</c> when this store does not hold it.
    /// </summary>
    public async Task<byte[]> BackupKeyOfAsync(RecoveryCeremony ceremony, CancellationToken ct = default)
    {
        var key = await store.GetKeyAsync(RecoveryCeremony.BackupKeyName, ct);
        var version = key?.FindVersion(ceremony.BackupKeyVersion);
        if (version?.WrappedMaterial is null)
        {
            throw NotHeld(ceremony);
        }
        var material = ring.Kek.Unwrap(version.WrappedMaterial, KeyRing.WrapContext(RecoveryCeremony.BackupKeyName, version.Version));
        if (RecoveryCeremony.KeyIdOf(material) != ceremony.BackupKeyId)
        {
            CryptographicOperations.ZeroMemory(material);
            throw NotHeld(ceremony);
        }
        return material;
    }

    /// <summary>What the shares carry besides the backup key: the software KEK (its bytes), or nothing for a KEK inside a token.</summary>
    internal static (RecoveryKind Kind, byte[] Kek, string KekId) KekForRecovery(IKekProvider kek)
    {
        var current = kek is KekSet set ? set.Current : kek;
        return current is SoftwareKek software
            ? (RecoveryKind.BackupKeyAndKek, software.ExportForRecovery(), software.KekId)
            : (RecoveryKind.BackupKey, [], current.KekId);
    }

    private async Task<int> NewBackupKeyVersionAsync(CancellationToken ct)
    {
        if (await store.GetKeyAsync(RecoveryCeremony.BackupKeyName, ct) is null)
        {
            try
            {
                return (await keys.CreateAsync(RecoveryCeremony.BackupKeyName, KeyType.Aes256Gcm, new KeyPolicy(), ct)).LatestVersion;
            }
            catch (KeyBridgeException e) when (e.Error == KeyBridgeError.KeyExists)
            {
                // Created meanwhile by a concurrent ceremony: take a version of our own below.
            }
        }
        // Every ceremony gets a key version of its own, so the shares of an earlier ceremony never open later bundles.
        return (await keys.RotateAsync(RecoveryCeremony.BackupKeyName, ct)).Version;
    }

    private async Task<byte[]> UnwrapBackupKeyAsync(int version, CancellationToken ct)
    {
        var key = await store.GetKeyAsync(RecoveryCeremony.BackupKeyName, ct);
        var v = key?.FindVersion(version)?.WrappedMaterial ?? throw new KeyBridgeException(KeyBridgeError.KeyNotFound, "the backup key disappeared");
        return ring.Kek.Unwrap(v, KeyRing.WrapContext(RecoveryCeremony.BackupKeyName, version));
    }

    private static void Validate(int threshold, IReadOnlyList<string> custodians)
    {
        if (custodians.Count < 2 || custodians.Count > RecoveryShares.MaxCustodians)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, $"'custodians' must name 2 to {RecoveryShares.MaxCustodians} people");
        }
        if (custodians.Any(c => string.IsNullOrWhiteSpace(c) || c != c.Trim() || Encoding.UTF8.GetByteCount(c) > RecoveryShare.MaxCustodianBytes
                || c.Any(char.IsControl)))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams,
                $"each custodian must be a name of 1 to {RecoveryShare.MaxCustodianBytes} bytes without surrounding spaces or control characters");
        }
        if (custodians.Distinct(StringComparer.OrdinalIgnoreCase).Count() != custodians.Count)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "each custodian must be named once (shares are labelled by name)");
        }
        if (threshold < 2 || threshold > custodians.Count)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams,
                $"'threshold' must be between 2 and the number of custodians ({custodians.Count}); one share alone must never be enough");
        }
    }

    private static KeyBridgeException AlreadyInitialized(RecoveryCeremony c) =>
        new(KeyBridgeError.RecoveryAlreadyInitialized,
            $"recovery ceremony {c.Id} ({c.Threshold} of {c.Shares}, {c.CreatedAt:u}) already produced shares; pass force to replace it "
            + "(its shares then open only the bundles made before)");

    private static KeyBridgeException NotHeld(RecoveryCeremony c) =>
        new(KeyBridgeError.ShareCeremonyMismatch,
            $"this KeyBridge does not hold the backup key of recovery ceremony {c.Id}; check the bundle with that ceremony's shares");
}
