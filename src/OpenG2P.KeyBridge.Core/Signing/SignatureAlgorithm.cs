using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Signing;

/// <summary>The JWA names (RFC 7518, RFC 8037) of the signature algorithms KeyBridge signs with.</summary>
public enum SignatureAlgorithm
{
    /// <summary>ECDSA P-256 with SHA-256.</summary>
    ES256,

    /// <summary>Ed25519 (pure EdDSA, RFC 8032), as used by JOSE (RFC 8037).</summary>
    EdDSA,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256.</summary>
    RS256,

    /// <summary>RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.</summary>
    PS256,
}

public static class SignatureAlgorithms
{
    public static string ToName(this SignatureAlgorithm a) => a switch
    {
        SignatureAlgorithm.ES256 => "ES256",
        SignatureAlgorithm.EdDSA => "EdDSA",
        SignatureAlgorithm.RS256 => "RS256",
        SignatureAlgorithm.PS256 => "PS256",
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    /// <summary>Exact, case-sensitive match (JWA names are case-sensitive, so "none" or "es256" never match).</summary>
    public static bool TryParse(string? name, out SignatureAlgorithm algorithm)
    {
        (var ok, algorithm) = name switch
        {
            "ES256" => (true, SignatureAlgorithm.ES256),
            "EdDSA" => (true, SignatureAlgorithm.EdDSA),
            "RS256" => (true, SignatureAlgorithm.RS256),
            "PS256" => (true, SignatureAlgorithm.PS256),
            _ => (false, default),
        };
        return ok;
    }

    public static SignatureAlgorithm? ParseOptional(string? name, string field) =>
        name is null ? null
        : TryParse(name, out var a) ? a
        : throw new KeyBridgeException(KeyBridgeError.InvalidParams, $"'{field}' must be ES256, EdDSA, RS256 or PS256");

    public static bool IsSigningType(this KeyType type) =>
        type is KeyType.EcdsaP256 or KeyType.Ed25519 or KeyType.Rsa2048 or KeyType.Rsa3072 or KeyType.Rsa4096;

    public static bool IsRsa(this KeyType type) => type is KeyType.Rsa2048 or KeyType.Rsa3072 or KeyType.Rsa4096;

    /// <summary>Whether a key of this type signs with this algorithm: RSA keys sign with RS256 and PS256, the others with one algorithm each.</summary>
    public static bool Allows(this KeyType type, SignatureAlgorithm a) => type switch
    {
        KeyType.EcdsaP256 => a == SignatureAlgorithm.ES256,
        KeyType.Ed25519 => a == SignatureAlgorithm.EdDSA,
        _ when type.IsRsa() => a is SignatureAlgorithm.RS256 or SignatureAlgorithm.PS256,
        _ => false,
    };

    /// <summary>The algorithm a key signs with when a call names none: its policy's choice, else the type's (RS256 for RSA).</summary>
    public static SignatureAlgorithm DefaultFor(KeyRecord key) => key.Policy.SigningAlgorithm ?? DefaultFor(key.Type);

    public static SignatureAlgorithm DefaultFor(KeyType type) => type switch
    {
        KeyType.EcdsaP256 => SignatureAlgorithm.ES256,
        KeyType.Ed25519 => SignatureAlgorithm.EdDSA,
        _ when type.IsRsa() => SignatureAlgorithm.RS256,
        _ => throw new KeyBridgeException(KeyBridgeError.UnsupportedOperation, $"key type '{type.ToName()}' does not sign"),
    };

    /// <summary>The requested algorithm if the key allows it, else the key's default; <c>unsupported_operation</c> when it does not fit the key.</summary>
    public static SignatureAlgorithm Choose(KeyRecord key, SignatureAlgorithm? requested)
    {
        RequireSigningKey(key, "sign");
        var a = requested ?? DefaultFor(key);
        if (!key.Type.Allows(a))
        {
            throw new KeyBridgeException(KeyBridgeError.UnsupportedOperation,
                $"key '{key.Name}' ({key.Type.ToName()}) does not sign with {a.ToName()}");
        }
        return a;
    }

    public static void RequireSigningKey(KeyRecord key, string operation)
    {
        if (!key.Type.IsSigningType())
        {
            throw new KeyBridgeException(KeyBridgeError.UnsupportedOperation,
                $"key '{key.Name}' is of type {key.Type.ToName()}, which does not support {operation}");
        }
    }
}
