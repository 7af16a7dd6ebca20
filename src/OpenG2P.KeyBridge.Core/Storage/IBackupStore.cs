using OpenG2P.KeyBridge.Backup;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>Reading a whole store for a backup and writing one back; both stores implement it beside <see cref="IKeyStore"/>.</summary>
public interface IBackupStore
{
    /// <summary>Everything a backup holds, read in one transaction so keys, clients and the audit head agree with each other.</summary>
    Task<StoreSnapshot> ReadSnapshotAsync(CancellationToken ct = default);

    Task<StoreCounts> CountAsync(CancellationToken ct = default);

    /// <summary>What the store holds without creating or migrating anything (a dry run); null when it has no KeyBridge tables yet.</summary>
    Task<StoreCounts?> ProbeAsync(CancellationToken ct = default);

    /// <summary>
    /// Writes <paramref name="snapshot"/> in one transaction, exactly as given (versions, states, schedules, material).
    /// Refuses with <c>restore_target_not_empty</c> when the store holds keys, clients, settings or audit records, unless
    /// <paramref name="replace"/>: then those (and the job records) are deleted first, in the same transaction — never merged.
    /// The audit chain continues from the snapshot's head: records up to it are not in this store (see <see cref="IAuditStore.GetAnchorAsync"/>).
    /// </summary>
    Task RestoreAsync(StoreSnapshot snapshot, bool replace, CancellationToken ct = default);
}
