using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Backup;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Kek;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Backup;

/// <summary>
/// Creating and checking backup bundles of the configured store (<c>backup.create</c>, <c>backup.verify</c> and the CLI).
/// A bundle is taken only when it is recoverable from the current ceremony's shares (plus the token in PKCS#11 mode):
/// every version wrapped by the ceremony's KEK.
/// </summary>
public sealed class BackupService(
    IBackupStore backups,
    RecoveryCeremonies ceremonies,
    KeyRing ring,
    TimeProvider time,
    IOptions<StorageOptions> storage,
    IOptions<BackupOptions> options)
{
    public RecoveryCeremonies Ceremonies => ceremonies;

    public async Task<(byte[] Bundle, BackupHeader Header)> CreateAsync(CancellationToken ct = default)
    {
        var ceremony = await ceremonies.CurrentAsync(ct) ?? throw new KeyBridgeException(KeyBridgeError.RecoveryNotInitialized,
            "no recovery ceremony has run: run recovery.init first, so that the bundle can be opened without this server");
        var kekId = ring.Kek.KekId;
        if (ceremony.KekId != kekId)
        {
            throw new KeyBridgeException(KeyBridgeError.RecoveryOutdated,
                $"the KEK changed since recovery ceremony {ceremony.Id} (then {ceremony.KekId}, now {kekId}): its shares could not open this bundle; "
                + "run recovery.init with force to give the custodians new shares");
        }
        var snapshot = await backups.ReadSnapshotAsync(ct);
        var foreign = snapshot.Keys.SelectMany(k => k.Versions.Where(v => StoredMaterial.IsKekWrapped(v) && v.KekId != kekId)).Count();
        if (foreign > 0)
        {
            throw new KeyBridgeException(KeyBridgeError.RecoveryOutdated,
                $"{foreign} key version(s) are still wrapped by a previous KEK: finish the KEK rotation (job.start_kek_rotation) before taking a backup");
        }
        var backupKey = await ceremonies.BackupKeyOfAsync(ceremony, ct);
        try
        {
            var header = new BackupHeader
            {
                BundleId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
                CreatedAt = time.GetUtcNow(),
                KeybridgeVersion = BackupHeader.CurrentKeybridgeVersion,
                Source = new BackupSource(storage.Value.Provider, kekId),
                Recovery = ceremony,
                Manifest = new BackupManifest
                {
                    Sections = [],
                    Keys = snapshot.Keys.Count,
                    Versions = snapshot.VersionCount,
                    Clients = snapshot.Clients.Count,
                    AuditHead = snapshot.AuditHead,
                },
            };
            var bundle = BackupBundle.Write(header, BackupSections.FromSnapshot(snapshot), backupKey);
            return (bundle, BackupBundle.ReadHeader(bundle));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(backupKey);
        }
    }

    /// <summary>Writes a bundle into <c>Backup:Directory</c> (created 0700), as a new file readable by this user only; returns its path.</summary>
    public string Save(byte[] bundle, BackupHeader header)
    {
        var folder = options.Value.DirectoryFor(storage.Value);
        var path = Path.Combine(folder, $"keybridge-{header.CreatedAt.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{header.BundleId[..8]}.kbbackup");
        PrivateFiles.Write(path, bundle);
        return path;
    }

    /// <summary>A bundle file in <c>Backup:Directory</c>, by file name only (no paths: callers cannot read other files).</summary>
    public byte[] Load(string fileName)
    {
        if (string.IsNullOrEmpty(fileName) || fileName != Path.GetFileName(fileName) || fileName.StartsWith('.'))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'file' must be the name of a bundle in the backup folder, without a path");
        }
        var path = Path.Combine(options.Value.DirectoryFor(storage.Value), fileName);
        return File.Exists(path) ? File.ReadAllBytes(path)
            : throw new KeyBridgeException(KeyBridgeError.InvalidParams, $"there is no bundle '{fileName}' in the backup folder");
    }

    /// <summary>
    /// Checks a bundle without restoring it: with <paramref name="shares"/> exactly as a restore would (the shares rebuild
    /// the keys), else with this store's backup key of the bundle's ceremony. Every wrapped version is test-unwrapped with
    /// the KEK from the shares, or with this node's KEK when it is the one that wrapped it.
    /// </summary>
    public async Task<(VerifyReport Report, StoreSnapshot Snapshot)> VerifyAsync(byte[] bundle, IReadOnlyList<RecoveryShare>? shares,
        CancellationToken ct = default)
    {
        var header = BackupBundle.ReadHeader(bundle);
        var secret = shares is { Count: > 0 } ? RecoveryShares.Recover(shares, header.Recovery) : await ceremonies.BackupKeyOfAsync(header.Recovery, ct);
        try
        {
            var snapshot = Open(bundle, secret.AsSpan(0, 32));
            using var recovered = secret.Length == 64 ? new SoftwareKek(secret[32..]) : null;
            var (checkedCount, notChecked) = TestUnwrap(snapshot, recovered, ring.Kek);
            return (new VerifyReport(true, BundleSummary.Of(header), checkedCount, notChecked, LatestVersions(snapshot), snapshot.Ledgers), snapshot);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Authenticates, decrypts and parses a bundle and checks its contents against the manifest.</summary>
    internal static StoreSnapshot Open(byte[] bundle, ReadOnlySpan<byte> backupKey)
    {
        var (header, sections) = BackupBundle.Open(bundle, backupKey);
        var snapshot = BackupSections.ToSnapshot(sections);
        var m = header.Manifest;
        if (snapshot.Keys.Count != m.Keys || snapshot.VersionCount != m.Versions || snapshot.Clients.Count != m.Clients
            || snapshot.AuditHead != m.AuditHead)
        {
            throw new KeyBridgeException(KeyBridgeError.BackupMalformed, $"bundle {header.BundleId} does not hold what its manifest counts");
        }
        return snapshot;
    }

    internal static IReadOnlyDictionary<string, int> LatestVersions(StoreSnapshot s) =>
        s.Keys.ToDictionary(k => k.Name, k => k.LatestVersion, StringComparer.Ordinal);

    /// <summary>Unwraps every version's material with whichever KEK wrapped it (by id); a version neither KEK can open is an error.</summary>
    private static (int Checked, int NotChecked) TestUnwrap(StoreSnapshot snapshot, IKekProvider? recovered, IKekProvider local)
    {
        int ok = 0, skipped = 0;
        foreach (var key in snapshot.Keys)
        {
            foreach (var v in key.Versions.Where(StoredMaterial.IsKekWrapped))
            {
                var kek = recovered is not null && recovered.KekId == v.KekId ? recovered : KekSet.Find(local, v.KekId);
                if (kek is null)
                {
                    skipped++;
                    continue;
                }
                try
                {
                    CryptographicOperations.ZeroMemory(kek.Unwrap(v.WrappedMaterial!, KeyRing.WrapContext(key.Name, v.Version)));
                    ok++;
                }
                catch (KeyBridgeException e) when (e.Error == KeyBridgeError.KeyMaterialCorrupt)
                {
                    throw new KeyBridgeException(KeyBridgeError.BackupKekUnavailable,
                        $"version {v.Version} of key '{key.Name}' does not unwrap under KEK {v.KekId}", e);
                }
            }
        }
        return (ok, skipped);
    }
}
