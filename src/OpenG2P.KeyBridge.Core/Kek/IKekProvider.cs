namespace OpenG2P.KeyBridge.Kek;

/// <summary>
/// The master key (KEK) that wraps every stored key version. Implementations: a software KEK
/// (file or environment) and a PKCS#11 token. The associated data binds a wrapped blob to the
/// key name and version it belongs to, so rows cannot be swapped in the database.
/// </summary>
public interface IKekProvider
{
    /// <summary>Stable identifier of this KEK, stored beside every blob it wraps.</summary>
    string KekId { get; }

    byte[] Wrap(ReadOnlySpan<byte> material, ReadOnlySpan<byte> associatedData);

    /// <summary>Throws <c>key_material_corrupt</c> when the blob does not authenticate, <c>kek_unavailable</c>/<c>hsm_unavailable</c> when the KEK cannot be reached.</summary>
    byte[] Unwrap(ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> associatedData);

    bool IsHealthy();
}
