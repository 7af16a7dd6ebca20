using System.Security.Cryptography;
using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Backup;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Kek;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Backup;

/// <summary>A bundle opened with M shares: authentic, parsed, and the KEK the shares carried (software mode).</summary>
public sealed class OpenedBundle(BackupHeader header, StoreSnapshot snapshot, SoftwareKek? recoveredKek, byte[]? recoveredKekBytes) : IDisposable
{
    public BackupHeader Header { get; } = header;

    public StoreSnapshot Snapshot { get; } = snapshot;

    /// <summary>The software KEK rebuilt from the shares; null for a bundle made with a KEK inside a token.</summary>
    public SoftwareKek? RecoveredKek { get; } = recoveredKek;

    /// <summary>Its bytes, for installing it as the target's KEK file.</summary>
    public ReadOnlySpan<byte> RecoveredKekBytes => recoveredKekBytes;

    public void Dispose()
    {
        RecoveredKek?.Dispose();
        CryptographicOperations.ZeroMemory(recoveredKekBytes);
    }
}

/// <summary>
/// Restoring a bundle into a store: everything is checked first (shares, authenticity, the target), material is rewrapped
/// when the target's KEK is another one, then one transaction writes it all — or nothing changes.
/// </summary>
public static class BackupRestorer
{
    /// <summary>Rebuilds the keys from the shares and opens the bundle; every failure here leaves everything as it was.</summary>
    public static OpenedBundle Open(byte[] bundle, IReadOnlyList<RecoveryShare> shares)
    {
        var header = BackupBundle.ReadHeader(bundle);
        var secret = RecoveryShares.Recover(shares, header.Recovery);
        try
        {
            var snapshot = BackupService.Open(bundle, secret.AsSpan(0, 32));
            if (secret.Length == 32)
            {
                return new OpenedBundle(header, snapshot, null, null);
            }
            var kekBytes = secret[32..];
            var kek = new SoftwareKek(kekBytes);
            if (kek.KekId != header.Recovery.KekId)
            {
                kek.Dispose();
                throw new KeyBridgeException(KeyBridgeError.ShareInvalid, $"the shares rebuild another KEK than ceremony {header.Recovery.Id} recorded");
            }
            return new OpenedBundle(header, snapshot, kek, kekBytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>
    /// Writes the opened bundle into <paramref name="backups"/> (or, with <paramref name="dryRun"/>, only reports what would happen).
    /// Refuses a store that is not empty unless <paramref name="replace"/>. Scheduled destructions in the bundle are cancelled:
    /// a restore is how a destroyed key comes back, and must not destroy it again.
    /// </summary>
    public static async Task<RestoreReport> RestoreAsync(OpenedBundle opened, IBackupStore backups, IKeyStore store, IAuditStore audit,
        IKekProvider target, bool replace, bool dryRun, TimeProvider time, CancellationToken ct)
    {
        var notes = new List<string>();
        // Rewrapping first: a bundle whose material the target cannot open is refused before the store is touched.
        var (snapshot, rewrapped) = Rewrap(opened, target);
        // A dry run writes nothing at all: not even the schema of a new database.
        StoreCounts counts;
        if (dryRun)
        {
            counts = await backups.ProbeAsync(ct) ?? new StoreCounts(0, 0, 0, 0, 0);
        }
        else
        {
            await store.MigrateAsync(ct);
            counts = await backups.CountAsync(ct);
        }
        var missing = counts.IsEmpty ? [] : MissingVersions(await backups.ReadSnapshotAsync(ct), opened.Snapshot);
        if (!counts.IsEmpty && !replace && !dryRun)
        {
            throw new KeyBridgeException(KeyBridgeError.RestoreTargetNotEmpty,
                $"the target store is not empty ({counts.Keys} keys, {counts.Clients} clients, {counts.AuditRecords} audit records); restore into an "
                + "empty store, or pass --force to replace its contents"
                + (missing.Count == 0 ? "" : $"; {missing.Count} key version(s) it holds are not in the bundle and would be lost: "
                    + string.Join(", ", missing.Take(20).Select(m => $"{m.Key}:v{m.Version}")) + (missing.Count > 20 ? ", …" : "")));
        }
        if (!counts.IsEmpty)
        {
            notes.Add(replace ? "the target store's keys, clients, settings, jobs and audit log are replaced" : "the target store is not empty: a restore needs --force");
        }
        var (cleared, cancelled) = CancelSchedules(snapshot);
        notes.Add($"ciphertexts and signatures made with a later key version than the bundle's (taken {opened.Header.CreatedAt:u}) cannot be decrypted or verified after the restore");
        if (snapshot.Ledgers.Count > 0)
        {
            notes.Add("ledgers are not in the bundle: " + string.Join(", ", snapshot.Ledgers.Select(l => $"{l.Table} held {l.Rows} rows"))
                + " when it was taken; restore them from the database backup");
        }
        var kek = rewrapped == 0 ? $"kept: the material is wrapped by the target's KEK {target.KekId}" : $"rewrapped {rewrapped} version(s) under {target.KekId}";
        var report = new RestoreReport(!dryRun && (counts.IsEmpty || replace), BundleSummary.Of(opened.Header), kek, rewrapped, !counts.IsEmpty && replace,
            BackupService.LatestVersions(snapshot), missing, cancelled, snapshot.Ledgers, notes);
        if (!report.Restored)
        {
            return report;
        }
        await backups.RestoreAsync(cleared, replace, ct);
        await DirectAudit.WriteAsync(store, audit, target, new AuditEntry
        {
            Time = time.GetUtcNow(),
            ClientId = DirectAudit.Operator,
            Method = "backup.restore",
            Outcome = "ok",
            RequestId = opened.Header.BundleId,
            ItemCount = snapshot.Keys.Count,
        }, ct);
        return report;
    }

    /// <summary>Versions the target holds (with material) that the bundle lacks: its newer versions and keys it does not have.</summary>
    internal static IReadOnlyList<MissingVersion> MissingVersions(StoreSnapshot target, StoreSnapshot bundle)
    {
        var latest = bundle.Keys.ToDictionary(k => k.Name, k => k.LatestVersion, StringComparer.Ordinal);
        return target.Keys
            .SelectMany(k => k.Versions.Where(v => v.WrappedMaterial is not null && v.Version > latest.GetValueOrDefault(k.Name))
                .Select(v => new MissingVersion(k.Name, v.Version)))
            .ToList();
    }

    /// <summary>Material wrapped by another KEK than the target's is unwrapped (with the KEK from the shares, or one the target has) and wrapped again.</summary>
    private static (StoreSnapshot Snapshot, int Rewrapped) Rewrap(OpenedBundle opened, IKekProvider target)
    {
        var rewrapped = 0;
        var keys = new List<KeyRecord>();
        foreach (var key in opened.Snapshot.Keys)
        {
            var versions = new List<KeyVersionRecord>();
            foreach (var v in key.Versions)
            {
                if (!StoredMaterial.IsKekWrapped(v) || v.KekId == target.KekId)
                {
                    versions.Add(v);
                    continue;
                }
                var aad = KeyRing.WrapContext(key.Name, v.Version);
                var material = Unwrap(key.Name, v, aad, opened.RecoveredKek, target);
                try
                {
                    versions.Add(v with { WrappedMaterial = target.Wrap(material, aad), KekId = target.KekId });
                    rewrapped++;
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(material);
                }
            }
            keys.Add(key with { Versions = versions });
        }
        return (opened.Snapshot with { Keys = keys }, rewrapped);
    }

    private static byte[] Unwrap(string name, KeyVersionRecord v, byte[] aad, SoftwareKek? recovered, IKekProvider target)
    {
        // By id first; then the target's own KEK, which opens material from a cloned or restored token whose serial changed.
        var candidates = new[] { recovered?.KekId == v.KekId ? recovered : null, KekSet.Find(target, v.KekId), target }
            .Where(k => k is not null).Distinct().ToList();
        foreach (var kek in candidates)
        {
            try
            {
                return kek!.Unwrap(v.WrappedMaterial!, aad);
            }
            catch (KeyBridgeException e) when (e.Error == KeyBridgeError.KeyMaterialCorrupt)
            {
            }
        }
        throw new KeyBridgeException(KeyBridgeError.BackupKekUnavailable,
            $"version {v.Version} of key '{name}' is wrapped by KEK {v.KekId}, which neither the shares nor the target's configuration provide"
            + (v.KekId?.StartsWith("pkcs11:", StringComparison.Ordinal) == true ? " (restore the token, or its backup, that holds that KEK)" : ""));
    }

    private static (StoreSnapshot Snapshot, IReadOnlyList<string> Cancelled) CancelSchedules(StoreSnapshot s)
    {
        var cancelled = new List<string>();
        var keys = s.Keys.Select(k =>
        {
            if (k.DeleteAt is not null)
            {
                cancelled.Add(k.Name);
            }
            cancelled.AddRange(k.Versions.Where(v => v.DestroyAt is not null && v.State != VersionState.Destroyed).Select(v => $"{k.Name}:v{v.Version}"));
            return k with { DeleteAt = null, Versions = k.Versions.Select(v => v with { DestroyAt = null }).ToList() };
        }).ToList();
        return (s with { Keys = keys }, cancelled);
    }
}
