using System.Security.Cryptography;
using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Kek;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Server.Audit;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Backup;

/// <summary>
/// Audit records written by the command line (no server, so no <see cref="AuditLog"/> writer): the same chain,
/// extended in one transaction under the chain key, so <c>audit.verify</c> sees them like any other record.
/// </summary>
internal static class DirectAudit
{
    public static async Task WriteAsync(IKeyStore store, IAuditStore audit, IKekProvider kek, AuditEntry entry, CancellationToken ct)
    {
        var key = await store.GetKeyAsync(AuditLog.ChainKeyName, ct);
        if (key is null)
        {
            // A store no server has initialised yet has no chain key; its chain starts at the first start.
            return;
        }
        var version = KeyRing.LatestForUse(key);
        var material = kek.Unwrap(version.WrappedMaterial!, KeyRing.WrapContext(key.Name, version.Version));
        try
        {
            await audit.AppendAsync([entry], (seq, prev, e) => (AuditChain.Link(material, seq, prev, e), version.Version), ct);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    /// <summary>Who ran the command: the operating-system user, so the audit log says which operator restored or backed up.</summary>
    public static string Operator => "cli:" + Environment.UserName;
}
