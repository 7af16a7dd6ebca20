using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Keys;

public enum KeyType
{
    Aes256Gcm,
    HmacSha256,
    EcdsaP256,
    Ed25519,
    Rsa2048,
    Rsa3072,
    Rsa4096,
}

public static class KeyTypes
{
    private static readonly Dictionary<string, KeyType> ByName = new(StringComparer.Ordinal)
    {
        ["aes-256-gcm"] = KeyType.Aes256Gcm,
        ["hmac-sha256"] = KeyType.HmacSha256,
        ["ecdsa-p256"] = KeyType.EcdsaP256,
        ["ed25519"] = KeyType.Ed25519,
        ["rsa-2048"] = KeyType.Rsa2048,
        ["rsa-3072"] = KeyType.Rsa3072,
        ["rsa-4096"] = KeyType.Rsa4096,
    };

    /// <summary>Types this build can create.</summary>
    public static IReadOnlySet<KeyType> Supported { get; } = new HashSet<KeyType>
    {
        KeyType.Aes256Gcm, KeyType.HmacSha256, KeyType.EcdsaP256, KeyType.Ed25519, KeyType.Rsa2048, KeyType.Rsa3072, KeyType.Rsa4096,
    };

    public static string ToName(this KeyType type) => type switch
    {
        KeyType.Aes256Gcm => "aes-256-gcm",
        KeyType.HmacSha256 => "hmac-sha256",
        KeyType.EcdsaP256 => "ecdsa-p256",
        KeyType.Ed25519 => "ed25519",
        KeyType.Rsa2048 => "rsa-2048",
        KeyType.Rsa3072 => "rsa-3072",
        KeyType.Rsa4096 => "rsa-4096",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static KeyType Parse(string? name) =>
        name is not null && ByName.TryGetValue(name, out var t)
            ? t
            : throw new KeyBridgeException(KeyBridgeError.InvalidParams,
                $"unknown key type; expected one of {string.Join(", ", ByName.Keys)}");

    public static bool IsSymmetric(this KeyType type) => type is KeyType.Aes256Gcm or KeyType.HmacSha256;
}
