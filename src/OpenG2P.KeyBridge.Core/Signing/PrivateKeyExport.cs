using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Signing;

/// <summary>Private members of an exportable signing key, from its PKCS#8 material (only ever for key.export of an exportable key).</summary>
public static class PrivateKeyExport
{
    /// <summary>Adds the private JWK members (d; for RSA also p, q, dp, dq, qi) to a public JWK.</summary>
    public static void AddPrivateMembers(JsonObject jwk, KeyType type, byte[] pkcs8)
    {
        switch (type)
        {
            case KeyType.EcdsaP256:
                using (var ec = ECDsa.Create())
                {
                    ec.ImportPkcs8PrivateKey(pkcs8, out _);
                    var p = ec.ExportParameters(true);
                    jwk["d"] = Base64Url.Encode(p.D);
                    CryptographicOperations.ZeroMemory(p.D);
                }
                break;
            case KeyType.Ed25519:
                var seed = Ed25519Keys.DecodePkcs8(pkcs8);
                jwk["d"] = Base64Url.Encode(seed);
                CryptographicOperations.ZeroMemory(seed);
                break;
            default:
                using (var rsa = RSA.Create())
                {
                    rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                    var p = rsa.ExportParameters(true);
                    jwk["d"] = Base64Url.Encode(p.D);
                    jwk["p"] = Base64Url.Encode(p.P);
                    jwk["q"] = Base64Url.Encode(p.Q);
                    jwk["dp"] = Base64Url.Encode(p.DP);
                    jwk["dq"] = Base64Url.Encode(p.DQ);
                    jwk["qi"] = Base64Url.Encode(p.InverseQ);
                    foreach (var part in new[] { p.D, p.P, p.Q, p.DP, p.DQ, p.InverseQ })
                    {
                        CryptographicOperations.ZeroMemory(part);
                    }
                }
                break;
        }
    }
}
