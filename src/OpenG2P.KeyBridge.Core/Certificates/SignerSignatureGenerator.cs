using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Certificates;

/// <summary>
/// Lets .NET's <see cref="CertificateRequest"/> sign certificates and CSRs with any <see cref="ISigner"/>:
/// ECDSA (ecdsa-with-SHA256), RSA (sha256WithRSAEncryption) and Ed25519 (id-Ed25519), the last of which
/// .NET cannot sign with itself. The signer may be software or, later, an HSM object.
/// </summary>
internal sealed class SignerSignatureGenerator(ISigner signer, SigningPublicKey publicKey) : X509SignatureGenerator
{
    // DER AlgorithmIdentifiers (RFC 5758 §3.2, RFC 4055 §5 with NULL parameters, RFC 8410 §3).
    private static readonly byte[] EcdsaWithSha256 = [0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02];
    private static readonly byte[] Sha256WithRsa = [0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B, 0x05, 0x00];

    public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) => signer.KeyType switch
    {
        KeyType.EcdsaP256 => EcdsaWithSha256,
        KeyType.Ed25519 => Ed25519Keys.AlgorithmIdentifier.ToArray(),
        _ => Sha256WithRsa,
    };

    public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) => signer.KeyType switch
    {
        // X.509 carries ECDSA signatures as DER; signers give P1363.
        KeyType.EcdsaP256 => EcdsaSignatures.ToDer(signer.Sign(SignatureAlgorithm.ES256, data)),
        KeyType.Ed25519 => signer.Sign(SignatureAlgorithm.EdDSA, data),
        // PKCS#1 v1.5 rather than PSS: what every certificate consumer accepts.
        _ => signer.Sign(SignatureAlgorithm.RS256, data),
    };

    protected override PublicKey BuildPublicKey() => PublicKey.CreateFromSubjectPublicKeyInfo(publicKey.SubjectPublicKeyInfo, out _);
}
