using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Audit;

/// <summary>The outcome of walking the chain: valid, or the first record that is not what was written.</summary>
public sealed record AuditVerification(bool Valid, long Checked, long HeadSeq, long? FirstBadSeq, string? Reason);

/// <summary>
/// Recomputes the chain from the first record (or, after a restore, from the restored head): a changed record fails its HMAC, an inserted,
/// deleted or reordered one breaks the numbering or the link to its predecessor, and records
/// removed from the end no longer match the stored head.
/// </summary>
public sealed class AuditVerifier(IAuditStore store, KeyRing ring)
{
    public async Task<AuditVerification> VerifyAsync(CancellationToken ct = default)
    {
        var chainKey = await ring.GetAsync(AuditLog.ChainKeyName, ct);
        var materials = new Dictionary<int, byte[]>();
        try
        {
            // After a restore the chain continues from the restored bundle's head (the anchor); records up to it are in the old log.
            var anchor = await store.GetAnchorAsync(ct);
            long expected = anchor.Seq + 1, after = anchor.Seq, checkedCount = 0;
            var prev = anchor.Hash;
            while (true)
            {
                var page = await store.ReadAsync(after, 1000, ct);
                if (page.Count == 0)
                {
                    break;
                }
                foreach (var r in page)
                {
                    if (r.Seq != expected)
                    {
                        return Bad(checkedCount, Math.Min(r.Seq, expected),
                            r.Seq > expected ? $"record {expected} is missing (deleted)" : $"record {r.Seq} is out of order");
                    }
                    if (r.PrevHash != prev)
                    {
                        return Bad(checkedCount, r.Seq, "the link to the previous record is broken (a record was inserted, deleted or reordered)");
                    }
                    if (!materials.TryGetValue(r.ChainKeyVersion, out var material))
                    {
                        var version = chainKey.FindVersion(r.ChainKeyVersion);
                        if (version is null || version.WrappedMaterial is null)
                        {
                            return Bad(checkedCount, r.Seq, $"the chain key version {r.ChainKeyVersion} named by the record does not exist");
                        }
                        using var lease = ring.Lease(chainKey, version);
                        material = materials[r.ChainKeyVersion] = lease.Material.ToArray();
                    }
                    if (AuditChain.Link(material, r.Seq, r.PrevHash, r.Entry) != r.Hash)
                    {
                        return Bad(checkedCount, r.Seq, "the record's content was changed");
                    }
                    prev = r.Hash;
                    expected++;
                    checkedCount++;
                }
                after = page[^1].Seq;
            }
            var head = await store.GetHeadAsync(ct);
            if (head.Seq != expected - 1 || head.Hash != prev)
            {
                return Bad(checkedCount, expected, $"the log ends at record {expected - 1} but the head says {head.Seq}: records were removed from the end");
            }
            return new AuditVerification(true, checkedCount, head.Seq, null, null);
        }
        finally
        {
            foreach (var m in materials.Values)
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(m);
            }
        }
    }

    private static AuditVerification Bad(long checkedCount, long seq, string reason) => new(false, checkedCount, 0, seq, reason);
}
