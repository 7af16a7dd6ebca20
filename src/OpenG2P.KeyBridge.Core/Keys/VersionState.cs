namespace OpenG2P.KeyBridge.Keys;

/// <summary>
/// Stored states are active, revoked and destroyed. <see cref="Retired"/> is derived: an active
/// version below the key's <c>min_decryption_version</c>. <see cref="PendingDestruction"/> is derived
/// too: a version whose destruction (or whose key's deletion) is scheduled; it is refused for every
/// use until the destruction runs or is cancelled, and a cancel brings back its stored state.
/// </summary>
public enum VersionState
{
    Active,
    Retired,
    Revoked,
    Destroyed,
    PendingDestruction,
}

public static class VersionStates
{
    public static string ToName(this VersionState s) => s switch
    {
        VersionState.Active => "active",
        VersionState.Retired => "retired",
        VersionState.Revoked => "revoked",
        VersionState.Destroyed => "destroyed",
        VersionState.PendingDestruction => "pending_destruction",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    public static VersionState Parse(string s) => s switch
    {
        "active" => VersionState.Active,
        "retired" => VersionState.Retired,
        "revoked" => VersionState.Revoked,
        "destroyed" => VersionState.Destroyed,
        _ => throw new FormatException($"unknown stored version state '{s}'"),
    };
}
