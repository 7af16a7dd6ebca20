using OpenG2P.KeyBridge.Backup;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Backup;
using StreamJsonRpc;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

public sealed record BackupCreateParams
{
    /// <summary>Return the bundle in the response (base64url) instead of writing it into Backup:Directory on this node.</summary>
    public bool Inline { get; init; }
}

public sealed record BackupCreateResult(string? File, string? Bundle, long Bytes, BundleSummary Summary);

public sealed record BackupVerifyParams
{
    /// <summary>A bundle file name in Backup:Directory (no path).</summary>
    public string? File { get; init; }

    /// <summary>The bundle itself, base64url.</summary>
    public string? Bundle { get; init; }

    /// <summary>Custodians' shares: when given, the bundle is checked with them alone, exactly as a restore would open it.</summary>
    public List<string>? Shares { get; init; }
}

public sealed record RecoveryInitParams
{
    /// <summary>How many shares open a backup (2..number of custodians).</summary>
    public int Threshold { get; init; }

    /// <summary>One name per share, in order.</summary>
    public List<string>? Custodians { get; init; }

    /// <summary>Replace an earlier ceremony (its shares keep opening only the bundles made before).</summary>
    public bool Force { get; init; }
}

public sealed record ShareView(int Index, string Custodian, string Share);

public sealed record RecoveryInitResult(string CeremonyId, int Threshold, int Shares, bool KekInShares, int BackupKeyVersion, DateTimeOffset CreatedAt,
    IReadOnlyList<ShareView> Items);

public sealed record RecoveryStatusResult(bool Initialized, string? CeremonyId, int? Threshold, IReadOnlyList<string>? Custodians, bool? KekInShares,
    DateTimeOffset? CreatedAt, bool? Current, string? Reason);

/// <summary>backup.* and recovery.* (admin): bundles of the whole store, and the recovery key ceremony. Restores run from the command line.</summary>
public sealed class BackupMethods(RpcServices s)
{
    [JsonRpcMethod("backup.create")]
    [RpcAccess(Roles.Admin)]
    [RpcSummary("Write a backup bundle of the whole store (encrypted under the recovery ceremony's backup key) into Backup:Directory on this node, or return it inline.", typeof(BackupCreateResult))]
    public async Task<BackupCreateResult> CreateAsync(BackupCreateParams p, RpcContext ctx)
    {
        var (bundle, header) = await s.Backups.CreateAsync();
        ctx.NoteVersion(RecoveryCeremony.BackupKeyName, header.Recovery.BackupKeyVersion);
        ctx.ItemCount = header.Manifest.Keys;
        return p.Inline
            ? new BackupCreateResult(null, Base64Url.Encode(bundle), bundle.Length, BundleSummary.Of(header))
            : new BackupCreateResult(Path.GetFileName(s.Backups.Save(bundle, header)), null, bundle.Length, BundleSummary.Of(header));
    }

    [JsonRpcMethod("backup.verify")]
    [RpcAccess(Roles.Admin)]
    [RpcSummary("Check a bundle without restoring it: authenticity, sections, counts, and that every version's material unwraps; with shares, exactly as a restore would.", typeof(VerifyReport))]
    public async Task<VerifyReport> VerifyAsync(BackupVerifyParams p, RpcContext ctx)
    {
        if ((p.File is null) == (p.Bundle is null))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "give either 'file' or 'bundle'");
        }
        var bundle = p.File is not null ? s.Backups.Load(p.File) : Base64Url.Decode(p.Bundle, "bundle");
        var shares = p.Shares?.Select((text, i) => RecoveryShare.Parse(text, $"share {i + 1}")).ToList();
        var (report, _) = await s.Backups.VerifyAsync(bundle, shares);
        ctx.ItemCount = report.Bundle.Keys;
        return report;
    }

    [JsonRpcMethod("recovery.init")]
    [RpcAccess(Roles.Admin)]
    [RpcSummary("The recovery key ceremony: split the backup key (and a software KEK) into one share per custodian, any threshold of which open a backup. Shares are shown only here; refused a second time unless force.", typeof(RecoveryInitResult))]
    public async Task<RecoveryInitResult> InitAsync(RecoveryInitParams p, RpcContext ctx)
    {
        var (ceremony, shares) = await s.Backups.Ceremonies.InitAsync(p.Threshold, p.Custodians ?? [], p.Force);
        ctx.NoteVersion(RecoveryCeremony.BackupKeyName, ceremony.BackupKeyVersion);
        ctx.ItemCount = shares.Count;
        return new RecoveryInitResult(ceremony.Id, ceremony.Threshold, ceremony.Shares, ceremony.Kind == RecoveryKind.BackupKeyAndKek,
            ceremony.BackupKeyVersion, ceremony.CreatedAt, shares.Select(x => new ShareView(x.Index, x.Custodian, x.Encode())).ToList());
    }

    [JsonRpcMethod("recovery.status")]
    [RpcAccess(Roles.Admin, Roles.Auditor)]
    [RpcSummary("The current recovery ceremony (custodians, threshold, when) and whether its shares still match the KEK; never shares.", typeof(RecoveryStatusResult))]
    public async Task<RecoveryStatusResult> StatusAsync(EmptyParams p, RpcContext ctx)
    {
        _ = p;
        _ = ctx;
        var c = await s.Backups.Ceremonies.CurrentAsync();
        if (c is null)
        {
            return new RecoveryStatusResult(false, null, null, null, null, null, null, "no ceremony has run: run recovery.init");
        }
        var current = c.KekId == s.Ring.Kek.KekId;
        return new RecoveryStatusResult(true, c.Id, c.Threshold, c.Custodians, c.Kind == RecoveryKind.BackupKeyAndKek, c.CreatedAt, current,
            current ? null : $"the KEK changed since the ceremony (then {c.KekId}, now {s.Ring.Kek.KekId}): run recovery.init with force");
    }
}
