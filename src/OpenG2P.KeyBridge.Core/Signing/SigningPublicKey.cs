using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using Org.BouncyCastle.Crypto.Parameters;

namespace OpenG2P.KeyBridge.Signing;

/// <summary>
/// The public half of a signing key version, from its stored SubjectPublicKeyInfo. Verifying needs
/// nothing else, so it works the same for software and HSM-resident keys.
/// </summary>
public sealed class SigningPublicKey
{
    private SigningPublicKey(KeyType type, byte[] spki)
    {
        Type = type;
        SubjectPublicKeyInfo = spki;
    }

    public KeyType Type { get; }

    /// <summary>DER SubjectPublicKeyInfo (RFC 5280), as stored in <see cref="KeyVersionRecord.PublicMaterial"/>.</summary>
    public byte[] SubjectPublicKeyInfo { get; }

    public static SigningPublicKey Of(KeyRecord key, KeyVersionRecord version) =>
        new(key.Type, version.PublicMaterial
            ?? throw new KeyBridgeException(KeyBridgeError.KeyMaterialCorrupt, $"version {version.Version} of key '{key.Name}' has no public key"));

    public static SigningPublicKey FromSubjectPublicKeyInfo(KeyType type, byte[] spki) => new(type, spki);

    /// <summary>
    /// True when <paramref name="signature"/> is valid for <paramref name="data"/>. ECDSA signatures are read in
    /// <paramref name="ecdsaFormat"/> (P1363 by default, as in JWS). Malformed signatures are simply invalid.
    /// </summary>
    public bool Verify(SignatureAlgorithm algorithm, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature,
        DSASignatureFormat ecdsaFormat = DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
    {
        if (!Type.Allows(algorithm))
        {
            return false;
        }
        try
        {
            if (Type == KeyType.Ed25519 && signature.Length != Ed25519PrivateKeyParameters.SignatureSize)
            {
                return false;
            }
            var pool = VerifierPool.For(SubjectPublicKeyInfo);
            var verifier = pool.Rent(Type, SubjectPublicKeyInfo);
            try
            {
                return verifier switch
                {
                    ECDsa ec => ec.VerifyData(data, signature, HashAlgorithmName.SHA256, ecdsaFormat),
                    Ed25519PublicKeyParameters ed => ed.Verify(Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Algorithm.Ed25519, null, data, signature),
                    RSA rsa => rsa.VerifyData(data, signature, HashAlgorithmName.SHA256,
                        algorithm == SignatureAlgorithm.PS256 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
                    _ => false,
                };
            }
            finally
            {
                pool.Return(verifier);
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>The public JWK members (RFC 7517/7518/8037): kty and the key's coordinates; the caller adds kid, alg, use, x5c.</summary>
    public JsonObject ToJwk()
    {
        switch (Type)
        {
            case KeyType.EcdsaP256:
                using (var ec = ECDsa.Create())
                {
                    ec.ImportSubjectPublicKeyInfo(SubjectPublicKeyInfo, out _);
                    var q = ec.ExportParameters(false).Q;
                    return new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64Url.Encode(q.X), ["y"] = Base64Url.Encode(q.Y) };
                }
            case KeyType.Ed25519:
                if (!Ed25519Keys.TryDecodeSubjectPublicKeyInfo(SubjectPublicKeyInfo, out var raw))
                {
                    throw new KeyBridgeException(KeyBridgeError.KeyMaterialCorrupt, "a stored Ed25519 public key does not decode");
                }
                return new JsonObject { ["kty"] = "OKP", ["crv"] = "Ed25519", ["x"] = Base64Url.Encode(raw) };
            default:
                using (var rsa = RSA.Create())
                {
                    rsa.ImportSubjectPublicKeyInfo(SubjectPublicKeyInfo, out _);
                    var p = rsa.ExportParameters(false);
                    return new JsonObject { ["kty"] = "RSA", ["n"] = Base64Url.Encode(p.Modulus), ["e"] = Base64Url.Encode(p.Exponent) };
                }
        }
    }

    /// <summary>PEM "PUBLIC KEY" (SubjectPublicKeyInfo), readable by openssl and every crypto library.</summary>
    public string ToPem() => PemEncoding.WriteString("PUBLIC KEY", SubjectPublicKeyInfo) + "\n";
}

/// <summary>
/// Imported public keys, reused across verifications: importing a SubjectPublicKeyInfo (point
/// decoding and validation) costs several times the verification itself. Pools hang off the stored
/// public key bytes of a cached key version, so they go away with it; a pool keeps a few instances
/// because the platform's key objects are not documented as safe for concurrent use.
/// </summary>
internal sealed class VerifierPool
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<byte[], VerifierPool> Pools = new();
    private readonly System.Collections.Concurrent.ConcurrentBag<object> _free = [];

    public static VerifierPool For(byte[] spki) => Pools.GetValue(spki, _ => new VerifierPool());

    public object Rent(KeyType type, byte[] spki)
    {
        if (_free.TryTake(out var v))
        {
            return v;
        }
        switch (type)
        {
            case KeyType.EcdsaP256:
                var ec = ECDsa.Create();
                ec.ImportSubjectPublicKeyInfo(spki, out _);
                return ec;
            case KeyType.Ed25519:
                return Ed25519Keys.TryDecodeSubjectPublicKeyInfo(spki, out var raw)
                    ? new Ed25519PublicKeyParameters(raw)
                    : throw new CryptographicException("not an Ed25519 public key");
            default:
                var rsa = RSA.Create();
                rsa.ImportSubjectPublicKeyInfo(spki, out _);
                return rsa;
        }
    }

    public void Return(object verifier)
    {
        if (_free.Count < 16)
        {
            _free.Add(verifier);
        }
        else
        {
            (verifier as IDisposable)?.Dispose();
        }
    }
}
