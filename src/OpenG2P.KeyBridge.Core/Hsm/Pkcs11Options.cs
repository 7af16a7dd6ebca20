namespace OpenG2P.KeyBridge.Hsm;

/// <summary>Where the PKCS#11 token is and how to log in (the PIN comes from the environment or a file).</summary>
public sealed record Pkcs11Options
{
    public required string Library { get; init; }

    /// <summary>Token label; used unless <see cref="Slot"/> is given.</summary>
    public string? TokenLabel { get; init; }

    public ulong? Slot { get; init; }

    public required string Pin { get; init; }

    /// <summary>Sessions kept open; each operation borrows one.</summary>
    public int PoolSize { get; init; } = 4;

    /// <summary><c>CKA_LABEL</c> of the KEK object in the token.</summary>
    public string KekLabel { get; init; } = "keybridge-kek";
}
