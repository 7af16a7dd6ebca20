namespace OpenG2P.KeyBridge.Keys;

/// <summary>A named key: its type, policy and every version (material stays wrapped).</summary>
public sealed record KeyRecord
{
    public required string Name { get; init; }

    public required KeyType Type { get; init; }

    public required KeyPolicy Policy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public required IReadOnlyList<KeyVersionRecord> Versions { get; init; }

    /// <summary>When the scheduled deletion of the whole key runs (<c>key.delete</c>); null when none is scheduled.</summary>
    public DateTimeOffset? DeleteAt { get; init; }

    /// <summary>When the key was deleted: every version's material is erased and the name stays reserved.</summary>
    public DateTimeOffset? DeletedAt { get; init; }

    public int LatestVersion => Versions.Count == 0 ? 0 : Versions[^1].Version;

    public KeyVersionRecord? FindVersion(int version)
    {
        // Versions are contiguous from 1 and sorted, so this is an index lookup.
        var i = version - 1;
        return i >= 0 && i < Versions.Count && Versions[i].Version == version
            ? Versions[i]
            : Versions.FirstOrDefault(v => v.Version == version);
    }

    /// <summary>
    /// The state callers see: a version whose destruction (or whose key's deletion) is scheduled is
    /// pending destruction; active versions below min_decryption_version are retired.
    /// </summary>
    public VersionState EffectiveState(KeyVersionRecord v) =>
        v.State == VersionState.Destroyed ? VersionState.Destroyed
        : v.DestroyAt is not null || DeleteAt is not null ? VersionState.PendingDestruction
        : v.State == VersionState.Active && v.Version < Policy.MinDecryptionVersion ? VersionState.Retired
        : v.State;

    /// <summary>When <paramref name="v"/> will be destroyed, if that is scheduled (its own destruction or the key's deletion, whichever is first).</summary>
    public DateTimeOffset? DestructionDue(KeyVersionRecord v) =>
        v.State == VersionState.Destroyed ? null
        : v.DestroyAt is { } a && DeleteAt is { } b ? (a < b ? a : b)
        : v.DestroyAt ?? DeleteAt;

    /// <summary>
    /// The version new encryptions and signatures use: always the latest one. When it is revoked
    /// there is none (the key must be rotated) — falling back to an older version would quietly
    /// undo a rotation.
    /// </summary>
    public KeyVersionRecord? LatestUsableVersion() =>
        Versions.Count > 0 && EffectiveState(Versions[^1]) == VersionState.Active ? Versions[^1] : null;
}

public sealed record KeyVersionRecord
{
    public required int Version { get; init; }

    /// <summary>Stored state: active, revoked or destroyed.</summary>
    public required VersionState State { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Key material wrapped by the KEK; null once destroyed.</summary>
    public byte[]? WrappedMaterial { get; init; }

    /// <summary>Which KEK wrapped the material, so a KEK rotation can find what is left to rewrap.</summary>
    public string? KekId { get; init; }

    /// <summary>Public part for asymmetric keys (not secret), null for symmetric keys.</summary>
    public byte[]? PublicMaterial { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public DateTimeOffset? DestroyedAt { get; init; }

    /// <summary>When the scheduled destruction of this version runs; null when none is scheduled.</summary>
    public DateTimeOffset? DestroyAt { get; init; }

    /// <summary>The X.509 certificate attached to a signing key version, if any (public data).</summary>
    public VersionCertificate? Certificate { get; init; }
}
