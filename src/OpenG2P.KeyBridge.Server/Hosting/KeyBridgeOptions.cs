using System.ComponentModel.DataAnnotations;

namespace OpenG2P.KeyBridge.Server.Hosting;

/// <summary><c>Storage:*</c> — where keys, versions and clients live.</summary>
public sealed class StorageOptions
{
    /// <summary><c>sqlite</c> (embedded default) or <c>postgres</c>.</summary>
    [RegularExpression("^(sqlite|postgres)$", ErrorMessage = "Storage:Provider must be 'sqlite' or 'postgres'")]
    public string Provider { get; set; } = "sqlite";

    public string DataDirectory { get; set; } = "./data";

    public string? ConnectionString { get; set; }
}

/// <summary><c>Kek:*</c> — the master key that wraps every stored key version.</summary>
public sealed class KekOptions
{
    [RegularExpression("^(software|pkcs11)$", ErrorMessage = "Kek:Provider must be 'software' or 'pkcs11'")]
    public string Provider { get; set; } = "software";

    public SoftwareKekOptions Software { get; set; } = new();
}

public sealed class SoftwareKekOptions
{
    /// <summary>Base64 KEK from the environment (<c>Kek__Software__Key</c>); takes precedence over the file.</summary>
    public string? Key { get; set; }

    /// <summary>KEK file; default <c>&lt;DataDirectory&gt;/kek.key</c>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Create the KEK file on first start when missing (embedded mode).</summary>
    public bool CreateIfMissing { get; set; } = true;
}

/// <summary><c>Bootstrap:*</c>.</summary>
public sealed class BootstrapOptions
{
    /// <summary>Secret of the bootstrap <c>admin</c> client on first start; generated and printed once when unset.</summary>
    public string? AdminSecret { get; set; }
}

/// <summary><c>Defaults:*</c> — keys used when a call names none; created on first start.</summary>
public sealed class DefaultsOptions
{
    [Required]
    public string EncryptionKey { get; set; } = "default-encryption";

    [Required]
    public string SigningKey { get; set; } = "default-signing";

    /// <summary>Type of the default signing key when it is created (RS256 keys suit MOSIP-style verifiers).</summary>
    [RegularExpression("^(ecdsa-p256|ed25519|rsa-2048|rsa-3072|rsa-4096)$",
        ErrorMessage = "Defaults:SigningKeyType must be ecdsa-p256, ed25519, rsa-2048, rsa-3072 or rsa-4096")]
    public string SigningKeyType { get; set; } = "ecdsa-p256";
}

/// <summary><c>Signing:*</c> — JWS verification, the public JWKS, and KeyBridge's root CA.</summary>
public sealed class SigningOptions
{
    /// <summary>Leeway when jwt_verify checks exp and nbf, for clocks that disagree a little.</summary>
    [Range(0, 3600)]
    public int ClockSkewSeconds { get; set; } = 60;

    /// <summary>Cache-Control max-age of the public JWKS endpoints.</summary>
    [Range(0, 86400)]
    public int JwksMaxAgeSeconds { get; set; } = 300;

    /// <summary>Common name of the root CA certificate (the version is appended).</summary>
    [Required]
    public string RootCaName { get; set; } = "OpenG2P KeyBridge Root CA";

    [Range(1, 36500)]
    public int RootCaValidityDays { get; set; } = 3650;

    /// <summary>Lifetime of certificates from cert.issue for keys without a rotation period.</summary>
    [Range(1, 36500)]
    public int CertificateValidityDays { get; set; } = 365;
}

/// <summary><c>Auth:*</c> — KeyBridge's own OAuth2 token endpoint.</summary>
public sealed class AuthOptions
{
    [Range(1, 86400)]
    public int TokenLifetimeSeconds { get; set; } = 900;

    [Required]
    public string Issuer { get; set; } = "keybridge";

    /// <summary>How long a client's record (disabled flag, secret rotation) may be cached by a node.</summary>
    [Range(0, 300)]
    public int ClientCacheSeconds { get; set; } = 5;
}

/// <summary><c>Limits:*</c>.</summary>
public sealed class LimitsOptions
{
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Most items in one <c>items</c> array, and most requests in one JSON-RPC batch array.</summary>
    [Range(1, 1_000_000)]
    public int MaxBatchItems { get; set; } = 10_000;
}

/// <summary><c>Cache:*</c>.</summary>
public sealed class CacheOptions
{
    [Range(1, 1_000_000)]
    public int MaxKeyVersions { get; set; } = 10_000;

    /// <summary>How long key metadata is cached before re-reading it (changes made on this node apply at once).</summary>
    [Range(0, 3600)]
    public int MetadataSeconds { get; set; } = 5;
}
