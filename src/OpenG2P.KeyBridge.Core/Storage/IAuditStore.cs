using OpenG2P.KeyBridge.Audit;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>Append-only audit records, chained; implemented by both key stores.</summary>
public interface IAuditStore
{
    /// <summary>
    /// Appends the entries in one transaction: locks the chain head, numbers each entry, asks
    /// <paramref name="link"/> for its hash given (seq, previous hash, entry), inserts, moves the head.
    /// Returns when the records are committed.
    /// </summary>
    Task<IReadOnlyList<AuditRecord>> AppendAsync(IReadOnlyList<AuditEntry> entries, Func<long, string, AuditEntry, (string Hash, int KeyVersion)> link,
        CancellationToken ct = default);

    Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken ct = default);

    /// <summary>Records with seq greater than <paramref name="afterSeq"/>, ascending, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AuditRecord>> ReadAsync(long afterSeq, int limit, CancellationToken ct = default);

    Task<AuditHead> GetHeadAsync(CancellationToken ct = default);

    /// <summary>
    /// Where this store's chain starts: (0, "") normally; after a restore, the restored bundle's head — records up to
    /// it are not in this store, and the first record here links to its hash.
    /// </summary>
    Task<AuditHead> GetAnchorAsync(CancellationToken ct = default);
}
