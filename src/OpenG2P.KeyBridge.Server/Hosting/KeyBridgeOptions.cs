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

    public Pkcs11KekOptions Pkcs11 { get; set; } = new();

    /// <summary>Allow the software KEK with PostgreSQL storage (production); refused by default.</summary>
    public bool AllowSoftwareInProduction { get; set; }
}

/// <summary><c>Kek:Pkcs11:*</c> — the token holding the KEK.</summary>
public sealed class Pkcs11KekOptions
{
    /// <summary>Path of the PKCS#11 module, e.g. <c>/usr/lib/softhsm/libsofthsm2.so</c>.</summary>
    public string? Library { get; set; }

    public string? TokenLabel { get; set; }

    /// <summary>Slot id; instead of the label.</summary>
    public ulong? Slot { get; set; }

    /// <summary>User PIN — from the environment (<c>Kek__Pkcs11__Pin</c>) or <see cref="PinFile"/>, never committed configuration.</summary>
    public string? Pin { get; set; }

    public string? PinFile { get; set; }

    [Range(1, 1024)]
    public int PoolSize { get; set; } = 4;

    public string KekLabel { get; set; } = "keybridge-kek";

    /// <summary>Labels of earlier KEKs in the same token, kept until a KEK rotation has rewrapped everything.</summary>
    public List<string> PreviousKekLabels { get; set; } = [];
}

public sealed class SoftwareKekOptions
{
    /// <summary>Base64 KEK from the environment (<c>Kek__Software__Key</c>); takes precedence over the file.</summary>
    public string? Key { get; set; }

    /// <summary>KEK file; default <c>&lt;DataDirectory&gt;/kek.key</c>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Create the KEK file on first start when missing (embedded mode).</summary>
    public bool CreateIfMissing { get; set; } = true;

    /// <summary>
    /// Earlier KEKs (base64, <c>Kek__Software__PreviousKeys__0</c>, <c>__1</c>, …) during a KEK rotation: material
    /// they wrapped keeps unwrapping until <c>job.start_kek_rotation</c> has rewrapped it under <see cref="Key"/>.
    /// </summary>
    public List<string> PreviousKeys { get; set; } = [];
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

    /// <summary>An external OpenID Connect issuer (e.g. Keycloak) whose access tokens are accepted too.</summary>
    public OidcOptions Oidc { get; set; } = new();
}

/// <summary><c>Auth:Oidc:*</c>. Off unless <see cref="Issuer"/> is set.</summary>
public sealed class OidcOptions
{
    /// <summary>Exact <c>iss</c> of accepted tokens, e.g. <c>https://keycloak.example/realms/openg2p</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>Required <c>aud</c>; unset accepts any audience (not recommended).</summary>
    public string? Audience { get; set; }

    /// <summary>JWKS URL; default: <c>jwks_uri</c> from the issuer's <c>/.well-known/openid-configuration</c>.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>Dotted path of the claim holding role names: <c>realm_access.roles</c> (Keycloak realm roles), <c>resource_access.&lt;client&gt;.roles</c>, or <c>roles</c>.</summary>
    public string RolesClaim { get; set; } = "realm_access.roles";

    /// <summary>Claims tried in order for the caller's id in the audit log.</summary>
    public string ClientIdClaim { get; set; } = "azp";

    /// <summary>External role name → KeyBridge role, or several comma-separated (e.g. <c>KEYMANAGER_ADMIN</c> → <c>encrypter,decrypter,signer,verifier</c>). Unmapped external roles are ignored.</summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.Ordinal);

    public bool Enabled => !string.IsNullOrWhiteSpace(Issuer);
}

/// <summary><c>Limits:*</c>.</summary>
public sealed class LimitsOptions
{
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Most items in one <c>items</c> array, and most requests in one JSON-RPC batch array.</summary>
    [Range(1, 1_000_000)]
    public int MaxBatchItems { get; set; } = 10_000;

    /// <summary>Sustained requests per second per client (HTTP requests and WebSocket messages); 0 turns the limit off.</summary>
    [Range(0, 1_000_000)]
    public int RequestsPerSecondPerClient { get; set; }

    /// <summary>Requests a client may make at once above the sustained rate; default twice the rate.</summary>
    [Range(0, 10_000_000)]
    public int BurstPerClient { get; set; }
}

/// <summary><c>Anomaly:*</c> — unusual decryption rates.</summary>
public sealed class AnomalyOptions
{
    /// <summary>Decrypted items per client per minute above which an alert is raised; 0 turns it off.</summary>
    [Range(0, int.MaxValue)]
    public int DecryptionsPerMinute { get; set; }

    /// <summary>Decrypted items per client and key per minute above which an alert is raised; 0 turns it off.</summary>
    [Range(0, int.MaxValue)]
    public int DecryptionsPerMinutePerKey { get; set; }

    /// <summary>Also disable the client when it crosses a threshold, until an admin re-enables it.</summary>
    public bool SuspendClient { get; set; }
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

/// <summary><c>Audit:*</c>.</summary>
public sealed class AuditOptions
{
    /// <summary>
    /// Embedded (SQLite) mode: <c>normal</c> commits audit groups without an fsync (WAL mode: a
    /// committed record survives a killed process, not a power loss); <c>full</c> fsyncs each group commit.
    /// </summary>
    [RegularExpression("^(normal|full)$", ErrorMessage = "Audit:SqliteSynchronous must be 'normal' or 'full'")]
    public string SqliteSynchronous { get; set; } = "normal";
}
