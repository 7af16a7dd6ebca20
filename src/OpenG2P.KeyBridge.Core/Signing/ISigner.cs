using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Signing;

/// <summary>
/// The private half of one signing key version, wherever it lives. Software signers hold the
/// key unwrapped in process memory (<see cref="SoftwareSigners"/>); an HSM-resident key would be
/// an implementation holding a PKCS#11 object handle and calling <c>C_Sign</c> — callers cannot
/// tell the difference. <see cref="SignerSource"/> decides which one a version gets.
/// An instance is used by one thread at a time (instances are pooled per version).
/// </summary>
public interface ISigner : IDisposable
{
    KeyType KeyType { get; }

    /// <summary>Signs <paramref name="data"/> (the whole message, not a digest). ECDSA signatures come as IEEE P1363 (r ‖ s),
    /// the form JWS and PKCS#11's <c>CKM_ECDSA</c> use; <see cref="EcdsaSignatures"/> converts to DER.</summary>
    byte[] Sign(SignatureAlgorithm algorithm, ReadOnlySpan<byte> data);
}
