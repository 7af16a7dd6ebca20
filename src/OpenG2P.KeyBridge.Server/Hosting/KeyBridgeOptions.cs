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
