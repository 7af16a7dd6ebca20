using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Signing;

/// <summary>JWK Sets (RFC 7517 §5) of signing key versions, for the public JWKS endpoint and <c>get_jwks</c>.</summary>
public static class Jwks
{
    /// <summary>
    /// Every version of the given signing keys that still verifies — active, so not retired, revoked or destroyed —
    /// newest first within a key. Internal keys (the root CA, token signing) are left out.
    /// </summary>
    public static JsonObject Build(IEnumerable<KeyRecord> keys, IReadOnlyDictionary<(string Key, int Version), string>? aliases = null)
    {
        var list = new JsonArray();
        foreach (var key in keys.Where(k => k.Type.IsSigningType() && !k.Name.StartsWith(KeyNames.InternalPrefix, StringComparison.Ordinal)))
        {
            foreach (var v in key.Versions.Reverse().Where(v => key.EffectiveState(v) == VersionState.Active && v.PublicMaterial is not null))
            {
                var jwk = ToJwk(key, v);
                list.Add(jwk);
                // The same public key under a second kid (MOSIP's key ids), so tokens carrying that kid find it too.
                if (aliases is not null && aliases.TryGetValue((key.Name, v.Version), out var alias))
                {
                    var copy = (JsonObject)jwk.DeepClone();
                    copy["kid"] = alias;
                    list.Add(copy);
                }
            }
        }
        return new JsonObject { ["keys"] = list };
    }

    /// <summary>The public JWK of one version: key members, then kid, alg (the key's default algorithm), use, and x5c / x5t#S256 when it has a certificate.</summary>
    public static JsonObject ToJwk(KeyRecord key, KeyVersionRecord version)
    {
        var jwk = SigningPublicKey.Of(key, version).ToJwk();
        jwk["kid"] = KeyIds.Format(key.Name, version.Version);
        jwk["alg"] = SignatureAlgorithms.DefaultFor(key).ToName();
        jwk["use"] = "sig";
        if (version.Certificate is { } c)
        {
            jwk["x5c"] = new JsonArray([.. new[] { c.Certificate }.Concat(c.Chain).Select(d => (JsonNode)JsonValue.Create(Convert.ToBase64String(d)))]);
            jwk["x5t#S256"] = Base64Url.Encode(SHA256.HashData(c.Certificate));
        }
        return jwk;
    }
}
