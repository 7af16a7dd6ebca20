using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Hsm;

/// <summary>Key pairs generated and kept inside the token (<c>hsm_resident</c> signing keys).</summary>
public interface IHsmKeys
{
    /// <summary>Generates a non-extractable key pair; returns its object id and public key (SubjectPublicKeyInfo DER).</summary>
    HsmKeyPair Generate(KeyType type, string keyName);

    /// <summary>Deletes both halves of a key pair (used when the version's row could not be written).</summary>
    void Destroy(byte[] objectId);

    ISigner Signer(KeyType type, byte[] objectId);
}

public sealed record HsmKeyPair(byte[] ObjectId, byte[] SubjectPublicKeyInfo);

/// <summary>
/// How an HSM-resident version is recorded in place of wrapped material: 0x20 ‖ CKA_ID. The private
/// key never leaves the token; the row only names it.
/// </summary>
public static class HsmObjectRef
{
    public const string KekId = "hsm-object";
    private const byte Marker = 0x20;

    public static byte[] Encode(byte[] objectId) => [Marker, .. objectId];

    public static bool IsReference(byte[]? stored) => stored is { Length: > 1 } && stored[0] == Marker;

    public static byte[] Decode(KeyRecord key, KeyVersionRecord version) =>
        IsReference(version.WrappedMaterial)
            ? version.WrappedMaterial![1..]
            : throw new KeyBridgeException(KeyBridgeError.KeyMaterialCorrupt,
                $"version {version.Version} of HSM-resident key '{key.Name}' does not name a token object");
}

/// <summary>Whether this node has a PKCS#11 token for HSM-resident keys (null <see cref="Keys"/> when it has not).</summary>
public sealed class HsmAccess(IHsmKeys? keys)
{
    public IHsmKeys? Keys { get; } = keys;

    public IHsmKeys Require(string keyName) => Keys
        ?? throw new KeyBridgeException(KeyBridgeError.HsmUnavailable,
            $"key '{keyName}' is HSM-resident but this node has no PKCS#11 token (Kek:Provider=pkcs11)");
}
