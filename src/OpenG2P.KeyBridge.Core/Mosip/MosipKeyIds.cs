using System.Security.Cryptography;
using System.Text;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Mosip;

/// <summary>
/// MOSIP's <c>keyId</c> (the <c>kid</c> of its JWS and of the certificates <c>getAllCertificates</c> lists):
/// padded base64url of SHA-256 over the hex-decoded <c>uni_ident</c> of the key's <c>key_alias</c> row
/// (<c>SignatureUtil.convertHexToBase64</c>), 44 characters ending in '='.
/// </summary>
public static class MosipKeyIds
{
    public static string FromUniqueIdentifier(string uniqueIdentifier) =>
        Padded(SHA256.HashData(Convert.FromHexString(uniqueIdentifier)));

    /// <summary>
    /// The MOSIP-form kid of a version KeyBridge made itself (it has no <c>uni_ident</c>): the same 44-character
    /// form, over the version's KeyBridge kid (<c>&lt;key&gt;:v&lt;n&gt;</c>), so it is stable and names one version.
    /// </summary>
    public static string ForVersion(string keyName, int version) =>
        Padded(SHA256.HashData(Encoding.UTF8.GetBytes(KeyIds.Format(keyName, version))));

    private static string Padded(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
}
