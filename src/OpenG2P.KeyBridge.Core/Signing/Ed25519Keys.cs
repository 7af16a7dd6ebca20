using System.Security.Cryptography;

namespace OpenG2P.KeyBridge.Signing;

/// <summary>The fixed RFC 8410 encodings of Ed25519 keys: PKCS#8 around the 32-byte seed, SubjectPublicKeyInfo around the 32-byte public key.</summary>
public static class Ed25519Keys
{
    public const int KeySize = 32;

    /// <summary>AlgorithmIdentifier { id-Ed25519 (1.3.101.112) }, no parameters.</summary>
    public static ReadOnlySpan<byte> AlgorithmIdentifier => [0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70];

    // SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING { OCTET STRING (32) } }
    private static ReadOnlySpan<byte> Pkcs8Prefix => [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

    // SEQUENCE { AlgorithmIdentifier, BIT STRING (0 unused bits, 32 bytes) }
    private static ReadOnlySpan<byte> SpkiPrefix => [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00];

    public static byte[] EncodePkcs8(ReadOnlySpan<byte> seed) => [.. Pkcs8Prefix, .. Check(seed)];

    public static byte[] EncodeSubjectPublicKeyInfo(ReadOnlySpan<byte> publicKey) => [.. SpkiPrefix, .. Check(publicKey)];

    public static byte[] DecodePkcs8(ReadOnlySpan<byte> pkcs8) =>
        pkcs8.Length == Pkcs8Prefix.Length + KeySize && pkcs8.StartsWith(Pkcs8Prefix)
            ? pkcs8[Pkcs8Prefix.Length..].ToArray()
            : throw new CryptographicException("not an RFC 8410 Ed25519 private key");

    public static bool TryDecodeSubjectPublicKeyInfo(ReadOnlySpan<byte> spki, out byte[] publicKey)
    {
        var ok = spki.Length == SpkiPrefix.Length + KeySize && spki.StartsWith(SpkiPrefix);
        publicKey = ok ? spki[SpkiPrefix.Length..].ToArray() : [];
        return ok;
    }

    private static ReadOnlySpan<byte> Check(ReadOnlySpan<byte> key) =>
        key.Length == KeySize ? key : throw new ArgumentException("Ed25519 keys are 32 bytes");
}
