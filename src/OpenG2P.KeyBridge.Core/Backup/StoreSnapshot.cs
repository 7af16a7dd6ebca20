using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Auth;
using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Backup;

/// <summary>
/// Everything a restore brings back, read in one consistent transaction: keys with every version
/// (material as stored, i.e. wrapped by the KEK), certificates, clients (hashed secrets), settings
/// (among them the recovery ceremony), the audit chain head, and pointers to ledgers the store holds
/// beside the keys (the voucher ledger, when that table exists).
/// </summary>
public sealed record StoreSnapshot
{
    public required IReadOnlyList<KeyRecord> Keys { get; init; }

    public required IReadOnlyList<ClientRecord> Clients { get; init; }

    public required IReadOnlyList<StoreSetting> Settings { get; init; }

    /// <summary>The newest audit record's number and hash: the restored store's chain continues from it.</summary>
    public required AuditHead AuditHead { get; init; }

    public IReadOnlyList<LedgerPointer> Ledgers { get; init; } = [];

    public int VersionCount => Keys.Sum(k => k.Versions.Count);
}

public sealed record StoreSetting(string Name, string Value);

/// <summary>
/// Where a ledger table stood when the backup was taken (its row count). The ledger rows themselves
/// travel with the database backup, not in the bundle; after a restore the pointer tells the operator
/// how many entries the restored ledger should hold (see docs/backup-format.md).
/// </summary>
public sealed record LedgerPointer(string Table, long Rows);

/// <summary>What a store holds, to decide whether it is empty and to report what a restore would replace.</summary>
public sealed record StoreCounts(long Keys, long Versions, long Clients, long Settings, long AuditRecords)
{
    public bool IsEmpty => Keys == 0 && Clients == 0 && Settings == 0 && AuditRecords == 0;
}
