using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Keys;

/// <summary>How long a destruction or deletion waits before it runs (<c>Keys:DeletionWaitingPeriod</c>); zero runs it at once.</summary>
public sealed record KeyDeletionPolicy(TimeSpan WaitingPeriod)
{
    public static KeyDeletionPolicy Default { get; } = new(TimeSpan.FromDays(7));
}

/// <summary>
/// Deletion safety: destroying a version or deleting a key is scheduled for after the waiting period
/// (like the cloud KMSes' 7–30 days), refused for use meanwhile (the version is <c>pending_destruction</c>),
/// cancellable until it runs, and run by <see cref="ExecuteDueAsync"/> (a job). Nothing is destroyed
/// without <c>deletion_allowed</c>.
/// </summary>
public sealed class KeyDestruction(IKeyStore store, KeyManager keys, KeyRing ring, TimeProvider time, KeyDeletionPolicy? policy = null)
{
    private readonly TimeSpan _wait = (policy ?? KeyDeletionPolicy.Default).WaitingPeriod;

    /// <summary>Raised on this node when a destruction is scheduled, with its due time, so a job can run it on time. Handlers must not throw.</summary>
    public event Action<DateTimeOffset>? Scheduled;

    public TimeSpan WaitingPeriod => _wait;

    /// <summary>
    /// Schedules the destruction of one version (with a zero waiting period: destroys it now). The latest version
    /// cannot be destroyed (rotate first, or delete the key). Asking again keeps the first schedule.
    /// </summary>
    public async Task<KeyRecord> DestroyVersionAsync(string name, int version, CancellationToken ct = default)
    {
        if (_wait <= TimeSpan.Zero)
        {
            return await keys.DestroyVersionAsync(name, version, ct).ConfigureAwait(false);
        }
        var key = NotDeleted(await keys.GetAsync(name, ct).ConfigureAwait(false));
        RequireDeletionAllowed(key, "destruction");
        var v = key.FindVersion(version) ?? throw new KeyBridgeException(KeyBridgeError.VersionNotFound, $"key '{name}' has no version {version}");
        if (version == key.LatestVersion)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "the latest version cannot be destroyed; rotate the key first");
        }
        if (v.State == VersionState.Destroyed)
        {
            return key;
        }
        var updated = await store.ScheduleVersionDestructionAsync(name, version, time.GetUtcNow() + _wait, ct).ConfigureAwait(false);
        ring.Invalidate(name);
        Notify(updated.FindVersion(version)?.DestroyAt);
        return updated;
    }

    /// <summary>
    /// Schedules the deletion of the whole key: after the waiting period every version's material is erased and the key
    /// stays as a tombstone (its name is never reused, so old ciphertexts name a deleted key, not another one).
    /// Internal keys cannot be deleted.
    /// </summary>
    public async Task<KeyRecord> DeleteAsync(string name, CancellationToken ct = default)
    {
        var key = NotDeleted(await keys.GetAsync(name, ct).ConfigureAwait(false));
        if (name.StartsWith(KeyNames.InternalPrefix, StringComparison.Ordinal))
        {
            throw new KeyBridgeException(KeyBridgeError.DeletionNotAllowed, $"'{name}' is an internal key and cannot be deleted");
        }
        RequireDeletionAllowed(key, "deletion");
        var now = time.GetUtcNow();
        var updated = await store.ScheduleKeyDeletionAsync(name, now + _wait, ct).ConfigureAwait(false);
        if (_wait <= TimeSpan.Zero)
        {
            updated = await store.ExecuteDestructionAsync(name, null, now, ct).ConfigureAwait(false) ?? updated;
        }
        ring.Invalidate(name);
        if (_wait > TimeSpan.Zero)
        {
            Notify(updated.DeleteAt);
        }
        return updated;
    }

    /// <summary>
    /// Cancels the scheduled destruction of one version, or (no version) the key's deletion and every scheduled destruction
    /// of its versions. <c>destruction_not_pending</c> when nothing was scheduled (or it already ran).
    /// </summary>
    public async Task<KeyRecord> CancelAsync(string name, int? version, CancellationToken ct = default)
    {
        KeyNames.Validate(name);
        var (key, cancelled) = await store.CancelDestructionAsync(name, version, ct).ConfigureAwait(false);
        ring.Invalidate(name);
        if (cancelled == 0)
        {
            var what = version is { } v ? $"version {v} of key '{name}'" : $"key '{name}'";
            throw new KeyBridgeException(KeyBridgeError.DestructionNotPending,
                key.DeletedAt is not null || (version is { } n && key.FindVersion(n)?.State == VersionState.Destroyed)
                    ? $"{what} was already destroyed; a restore from a backup is the only way back"
                    : $"no destruction of {what} is scheduled");
        }
        return key;
    }

    /// <summary>
    /// Runs every destruction that is due; safe to run on several nodes at once and twice (each runs once, a cancel that
    /// came first wins). Returns what was destroyed: (key, version), version null for a whole key.
    /// </summary>
    public async Task<IReadOnlyList<(KeyRecord Key, int? Version)>> ExecuteDueAsync(CancellationToken ct = default)
    {
        var done = new List<(KeyRecord, int?)>();
        var now = time.GetUtcNow();
        while (true)
        {
            var due = await store.ListDueDestructionsAsync(now, 100, ct).ConfigureAwait(false);
            var progressed = false;
            foreach (var d in due)
            {
                var key = await store.ExecuteDestructionAsync(d.KeyName, d.Version, now, ct).ConfigureAwait(false);
                if (key is not null)
                {
                    ring.Invalidate(d.KeyName);
                    done.Add((key, d.Version));
                    progressed = true;
                }
            }
            if (due.Count < 100 || !progressed)
            {
                return done;
            }
        }
    }

    private void Notify(DateTimeOffset? due)
    {
        if (due is { } at)
        {
            Scheduled?.Invoke(at);
        }
    }

    private static void RequireDeletionAllowed(KeyRecord key, string what)
    {
        if (!key.Policy.DeletionAllowed)
        {
            throw new KeyBridgeException(KeyBridgeError.DeletionNotAllowed, $"key '{key.Name}' does not allow {what}; set deletion_allowed first");
        }
    }

    private static KeyRecord NotDeleted(KeyRecord key) =>
        key.DeletedAt is null ? key : throw new KeyBridgeException(KeyBridgeError.KeyDeleted, $"key '{key.Name}' was deleted");
}
