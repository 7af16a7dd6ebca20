using System.Security.Cryptography;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace OpenG2P.KeyBridge.Signing;

/// <summary>
/// Signing keys held in software: generated here, stored as PKCS#8 <c>PrivateKeyInfo</c> DER
/// wrapped by the KEK, with the public key as <c>SubjectPublicKeyInfo</c> DER beside it.
/// ECDSA and RSA use .NET (OpenSSL); Ed25519 uses BouncyCastle, which .NET lacks.
/// </summary>
public static class SoftwareSigners
{
    /// <summary>A new key pair: PKCS#8 private key (secret: the caller wipes it) and SubjectPublicKeyInfo.</summary>
    public static (byte[] Pkcs8, byte[] SubjectPublicKeyInfo) Generate(KeyType type)
    {
        switch (type)
        {
            case KeyType.EcdsaP256:
                using (var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                {
                    return (ec.ExportPkcs8PrivateKey(), ec.ExportSubjectPublicKeyInfo());
                }
            case KeyType.Ed25519:
                var ed = new Ed25519PrivateKeyParameters(new SecureRandom());
                var seed = ed.GetEncoded();
                try
                {
                    return (Ed25519Keys.EncodePkcs8(seed), Ed25519Keys.EncodeSubjectPublicKeyInfo(ed.GeneratePublicKey().GetEncoded()));
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(seed);
                }
            case KeyType.Rsa2048 or KeyType.Rsa3072 or KeyType.Rsa4096:
                using (var rsa = RSA.Create(RsaBits(type)))
                {
                    return (rsa.ExportPkcs8PrivateKey(), rsa.ExportSubjectPublicKeyInfo());
                }
            default:
                throw new KeyBridgeException(KeyBridgeError.UnsupportedOperation, $"key type '{type.ToName()}' does not sign");
        }
    }

    /// <summary>A signer over an unwrapped PKCS#8 key; <c>key_material_corrupt</c> when the bytes do not decode as the key type.</summary>
    public static ISigner Load(KeyType type, ReadOnlySpan<byte> pkcs8)
    {
        try
        {
            switch (type)
            {
                case KeyType.EcdsaP256:
                    var ec = ECDsa.Create();
                    ec.ImportPkcs8PrivateKey(pkcs8, out _);
                    return new EcdsaSigner(ec);
                case KeyType.Ed25519:
                    return new Ed25519Signer(new Ed25519PrivateKeyParameters(Ed25519Keys.DecodePkcs8(pkcs8)));
                case KeyType.Rsa2048 or KeyType.Rsa3072 or KeyType.Rsa4096:
                    var rsa = RSA.Create();
                    rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                    return new RsaSigner(type, rsa);
            }
        }
        catch (CryptographicException e)
        {
            throw new KeyBridgeException(KeyBridgeError.KeyMaterialCorrupt, $"stored {type.ToName()} key material does not decode", e);
        }
        throw new KeyBridgeException(KeyBridgeError.UnsupportedOperation, $"key type '{type.ToName()}' does not sign");
    }

    public static int RsaBits(KeyType type) => type switch
    {
        KeyType.Rsa2048 => 2048,
        KeyType.Rsa3072 => 3072,
        KeyType.Rsa4096 => 4096,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static void Require(KeyType type, SignatureAlgorithm a)
    {
        if (!type.Allows(a))
        {
            throw new KeyBridgeException(KeyBridgeError.UnsupportedOperation, $"a {type.ToName()} key does not sign with {a.ToName()}");
        }
    }

    private sealed class EcdsaSigner(ECDsa key) : ISigner
    {
        public KeyType KeyType => KeyType.EcdsaP256;

        public byte[] Sign(SignatureAlgorithm algorithm, ReadOnlySpan<byte> data)
        {
            Require(KeyType, algorithm);
            return key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        public void Dispose() => key.Dispose();
    }

    private sealed class RsaSigner(KeyType type, RSA key) : ISigner
    {
        public KeyType KeyType => type;

        public byte[] Sign(SignatureAlgorithm algorithm, ReadOnlySpan<byte> data)
        {
            Require(KeyType, algorithm);
            // RSASignaturePadding.Pss uses MGF1 with the same hash and a salt as long as the hash (32 bytes), as PS256 requires.
            var padding = algorithm == SignatureAlgorithm.PS256 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
            return key.SignData(data, HashAlgorithmName.SHA256, padding);
        }

        public void Dispose() => key.Dispose();
    }

    private sealed class Ed25519Signer(Ed25519PrivateKeyParameters key) : ISigner
    {
        public KeyType KeyType => KeyType.Ed25519;

        public byte[] Sign(SignatureAlgorithm algorithm, ReadOnlySpan<byte> data)
        {
            Require(KeyType, algorithm);
            var signature = new byte[Ed25519PrivateKeyParameters.SignatureSize];
            key.Sign(Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Algorithm.Ed25519, null, data, signature);
            return signature;
        }

        // BouncyCastle keeps the seed in a private array it does not expose for wiping; dropping the reference is all we can do.
        public void Dispose()
        {
        }
    }
}
