namespace OpenG2P.KeyBridge.Keys;

/// <summary>Per-key policy. Defaults are the safe ones: not exportable, not deletable.</summary>
public sealed record KeyPolicy
{
    /// <summary>Automatic rotation period; null means manual rotation only.</summary>
    public TimeSpan? RotationPeriod { get; init; }

    public bool Exportable { get; init; }

    public bool DeletionAllowed { get; init; }

    /// <summary>Versions below this number are retired: refused for decrypt and verify.</summary>
    public int MinDecryptionVersion { get; init; } = 1;

    public bool HsmResident { get; init; }

    /// <summary>Context fields every encrypt/decrypt call must supply, e.g. model and field.</summary>
    public IReadOnlyList<string> RequiredContext { get; init; } = [];

    /// <summary>Signing keys: the algorithm used when a call names none (RSA keys: RS256 or PS256); null means the type's default.</summary>
    public Signing.SignatureAlgorithm? SigningAlgorithm { get; init; }
}
