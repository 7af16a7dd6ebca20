using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Hsm;

/// <summary>
/// Signing key pairs inside the PKCS#11 token: generated with C_GenerateKeyPair (private half
/// sensitive, non-extractable), found by CKA_ID, used with C_Sign. ECDSA signs the SHA-256
/// digest with CKM_ECDSA (r ‖ s, as JWS wants); RSA uses CKM_SHA256_RSA_PKCS or
/// CKM_SHA256_RSA_PKCS_PSS; Ed25519 uses CKM_EDDSA where the token offers it.
/// </summary>
public sealed class Pkcs11KeyPairs(Pkcs11Token token) : IHsmKeys
{
    private static readonly byte[] P256Oid = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
    private static readonly byte[] Ed25519Oid = [0x06, 0x03, 0x2B, 0x65, 0x70];

    // PKCS#11 v3.0 mechanisms the wrapper's enum predates.
    private const CKM CkmEcEdwardsKeyPairGen = (CKM)0x00001055;
    private const CKM CkmEddsa = (CKM)0x00001057;

    public HsmKeyPair Generate(KeyType type, string keyName)
    {
        var id = RandomNumberGenerator.GetBytes(16);
        var label = "keybridge:" + keyName;
        return token.Run(session =>
        {
            var f = token.Factories.ObjectAttributeFactory;
            List<IObjectAttribute> pub = [f.Create(CKA.CKA_TOKEN, true), f.Create(CKA.CKA_VERIFY, true), f.Create(CKA.CKA_LABEL, label), f.Create(CKA.CKA_ID, id)];
            List<IObjectAttribute> priv =
            [
                f.Create(CKA.CKA_TOKEN, true), f.Create(CKA.CKA_PRIVATE, true), f.Create(CKA.CKA_SIGN, true),
                f.Create(CKA.CKA_SENSITIVE, true), f.Create(CKA.CKA_EXTRACTABLE, false), f.Create(CKA.CKA_LABEL, label), f.Create(CKA.CKA_ID, id),
            ];
            CKM mechanism;
            switch (type)
            {
                case KeyType.EcdsaP256:
                    mechanism = CKM.CKM_EC_KEY_PAIR_GEN;
                    pub.Add(f.Create(CKA.CKA_EC_PARAMS, P256Oid));
                    break;
                case KeyType.Ed25519:
                    mechanism = CkmEcEdwardsKeyPairGen;
                    pub.Add(f.Create(CKA.CKA_EC_PARAMS, Ed25519Oid));
                    break;
                case KeyType.Rsa2048 or KeyType.Rsa3072 or KeyType.Rsa4096:
                    mechanism = CKM.CKM_RSA_PKCS_KEY_PAIR_GEN;
                    pub.Add(f.Create(CKA.CKA_MODULUS_BITS, (ulong)(type == KeyType.Rsa2048 ? 2048 : type == KeyType.Rsa3072 ? 3072 : 4096)));
                    pub.Add(f.Create(CKA.CKA_PUBLIC_EXPONENT, new byte[] { 1, 0, 1 }));
                    break;
                default:
                    throw new KeyBridgeException(KeyBridgeError.InvalidPolicy, $"{type.ToName()} keys cannot be HSM-resident");
            }
            try
            {
                session.GenerateKeyPair(token.Factories.MechanismFactory.Create(mechanism), pub, priv, out var publicKey, out _);
                return new HsmKeyPair(id, PublicKeyInfo(session, publicKey, type));
            }
            catch (Pkcs11Exception e) when (e.RV is CKR.CKR_MECHANISM_INVALID or CKR.CKR_ATTRIBUTE_VALUE_INVALID or CKR.CKR_DOMAIN_PARAMS_INVALID
                                                or CKR.CKR_TEMPLATE_INCONSISTENT or CKR.CKR_CURVE_NOT_SUPPORTED)
            {
                throw new KeyBridgeException(KeyBridgeError.UnsupportedByHsm, $"the token cannot generate {type.ToName()} keys ({e.RV})", e);
            }
        });
    }

    public void Destroy(byte[] objectId) => token.Run(session =>
    {
        foreach (var handle in session.FindAllObjects([token.Factories.ObjectAttributeFactory.Create(CKA.CKA_ID, objectId)]))
        {
            session.DestroyObject(handle);
        }
        return 0;
    });

    public ISigner Signer(KeyType type, byte[] objectId) => new Pkcs11Signer(token, type, objectId);

    private byte[] PublicKeyInfo(ISession session, IObjectHandle publicKey, KeyType type)
    {
        if (type is KeyType.EcdsaP256 or KeyType.Ed25519)
        {
            var point = UnwrapOctetString(session.GetAttributeValue(publicKey, [CKA.CKA_EC_POINT])[0].GetValueAsByteArray());
            if (type == KeyType.Ed25519)
            {
                return [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00, .. point];
            }
            using var ec = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = point[1..33], Y = point[33..65] } });
            return ec.ExportSubjectPublicKeyInfo();
        }
        var attributes = session.GetAttributeValue(publicKey, [CKA.CKA_MODULUS, CKA.CKA_PUBLIC_EXPONENT]);
        using var rsa = RSA.Create(new RSAParameters { Modulus = attributes[0].GetValueAsByteArray(), Exponent = attributes[1].GetValueAsByteArray() });
        return rsa.ExportSubjectPublicKeyInfo();
    }

    /// <summary>CKA_EC_POINT is a DER OCTET STRING holding the point; some tokens return the bare point.</summary>
    private static byte[] UnwrapOctetString(byte[] value)
    {
        if (value.Length > 2 && value[0] == 0x04)
        {
            var (length, header) = value[1] < 0x80 ? (value[1], 2) : value[1] == 0x81 ? (value[2], 3) : (-1, 0);
            if (length == value.Length - header)
            {
                return value[header..];
            }
        }
        return value;
    }

    private sealed class Pkcs11Signer(Pkcs11Token token, KeyType type, byte[] objectId) : ISigner
    {
        private (IObjectHandle Handle, long Generation)? _key;

        public KeyType KeyType => type;

        public byte[] Sign(SignatureAlgorithm algorithm, ReadOnlySpan<byte> data)
        {
            var message = data.ToArray();
            return token.Run(session =>
            {
                var handle = Handle(session);
                var m = token.Factories.MechanismFactory;
                return algorithm switch
                {
                    SignatureAlgorithm.ES256 => session.Sign(m.Create(CKM.CKM_ECDSA), handle, SHA256.HashData(message)),
                    SignatureAlgorithm.EdDSA => session.Sign(m.Create(CkmEddsa), handle, message),
                    SignatureAlgorithm.RS256 => session.Sign(m.Create(CKM.CKM_SHA256_RSA_PKCS), handle, message),
                    SignatureAlgorithm.PS256 => session.Sign(m.Create(CKM.CKM_SHA256_RSA_PKCS_PSS,
                        token.Factories.MechanismParamsFactory.CreateCkRsaPkcsPssParams((ulong)CKM.CKM_SHA256, (ulong)CKG.CKG_MGF1_SHA256, 32)), handle, message),
                    _ => throw new KeyBridgeException(KeyBridgeError.UnsupportedOperation, $"{algorithm} is not available for HSM keys"),
                };
            });
        }

        private IObjectHandle Handle(ISession session)
        {
            if (_key is { } k && k.Generation == token.Generation)
            {
                return k.Handle;
            }
            var f = token.Factories.ObjectAttributeFactory;
            var found = session.FindAllObjects([f.Create(CKA.CKA_CLASS, CKO.CKO_PRIVATE_KEY), f.Create(CKA.CKA_ID, objectId)]);
            var handle = found.Count == 1 ? found[0] : throw new KeyBridgeException(KeyBridgeError.HsmUnavailable,
                "the token no longer holds this key version's private key");
            _key = (handle, token.Generation);
            return handle;
        }

        public void Dispose()
        {
        }
    }
}
