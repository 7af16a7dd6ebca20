using OpenG2P.KeyBridge.Backup;

namespace OpenG2P.KeyBridge.Server.Backup;

/// <summary>What a bundle holds, as <c>backup.verify</c>, <c>backup.create</c> and the CLI report it (no secrets).</summary>
public sealed record BundleSummary(
    string BundleId,
    DateTimeOffset CreatedAt,
    string KeybridgeVersion,
    string SourceStorage,
    string KekId,
    string CeremonyId,
    int Threshold,
    int Shares,
    bool KekInShares,
    int Keys,
    int Versions,
    int Clients,
    long AuditHeadSeq,
    IReadOnlyList<BackupSectionEntry> Sections)
{
    public static BundleSummary Of(BackupHeader h) => new(h.BundleId, h.CreatedAt, h.KeybridgeVersion, h.Source.Storage, h.Source.KekId,
        h.Recovery.Id, h.Recovery.Threshold, h.Recovery.Shares, h.Recovery.Kind == RecoveryKind.BackupKeyAndKek, h.Manifest.Keys,
        h.Manifest.Versions, h.Manifest.Clients, h.Manifest.AuditHead.Seq, h.Manifest.Sections);
}

/// <summary>A checked bundle: authentic, sections intact, counts as in the manifest, and how much material was test-unwrapped.</summary>
public sealed record VerifyReport(
    bool Valid,
    BundleSummary Bundle,
    int MaterialChecked,
    int MaterialNotChecked,
    IReadOnlyDictionary<string, int> LatestVersions,
    IReadOnlyList<LedgerPointer> Ledgers);

/// <summary>A version the target holds that the bundle does not: after the restore, what it encrypted or signed is lost.</summary>
public sealed record MissingVersion(string Key, int Version);

/// <summary>The outcome (or, for a dry run, the plan) of a restore.</summary>
public sealed record RestoreReport(
    bool Restored,
    BundleSummary Bundle,
    string Kek,
    int Rewrapped,
    bool Replaced,
    IReadOnlyDictionary<string, int> LatestVersions,
    IReadOnlyList<MissingVersion> MissingVersions,
    IReadOnlyList<string> CancelledDestructions,
    IReadOnlyList<LedgerPointer> Ledgers,
    IReadOnlyList<string> Notes);
