using System.Text.Json;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

// Parameters and results of the signing methods. Property names are snake_case on the wire.
// Top-level key (and, for jwt_sign, the header flags) apply to every item.

public sealed record JwtSignItem
{
    public string? Key { get; init; }

    /// <summary>A JSON object (the claims), or a base64url string of raw bytes.</summary>
    public JsonElement? Payload { get; init; }
}

public sealed record JwtSignParams
{
    public string? Key { get; init; }

    public JsonElement? Payload { get; init; }

    /// <summary>RSA keys: RS256 or PS256; default is the key's algorithm.</summary>
    public string? Algorithm { get; init; }

    public bool IncludePayload { get; init; } = true;

    public bool IncludeCertificate { get; init; }

    public bool IncludeCertHash { get; init; }

    public string? CertificateUrl { get; init; }

    public List<JwtSignItem?>? Items { get; init; }
}

public sealed record JwtSignResult(string Jwt, string Key, int Version, string Kid, string Algorithm);

public sealed record JwtVerifyItem
{
    public string? Jwt { get; init; }

    /// <summary>The content of a detached JWS: a JSON object or base64url bytes, as given to jwt_sign.</summary>
    public JsonElement? Payload { get; init; }
}

public sealed record JwtVerifyParams
{
    public string? Jwt { get; init; }

    public JsonElement? Payload { get; init; }

    /// <summary>Optional: the key the token must belong to.</summary>
    public string? Key { get; init; }

    public List<JwtVerifyItem?>? Items { get; init; }
}

/// <summary>jwt_verify's answer: claims for a valid JSON payload, payload (base64url) for a valid non-JSON one, reason when invalid.</summary>
public sealed record JwtVerifyResult(
    bool Valid, string? Reason, string? Message, JsonElement? Claims, string? Payload, string? Key, int? Version, string? Kid, string? Algorithm);

public sealed record SignItem
{
    public string? Key { get; init; }

    public string? Data { get; init; }
}

public sealed record SignParams
{
    public string? Key { get; init; }

    /// <summary>The bytes to sign, base64url (the whole message; it is hashed as the algorithm requires).</summary>
    public string? Data { get; init; }

    public string? Algorithm { get; init; }

    /// <summary>ECDSA keys: <c>der</c> (default) or <c>p1363</c>; ignored for other key types.</summary>
    public string? SignatureFormat { get; init; }

    public List<SignItem?>? Items { get; init; }
}

public sealed record SignResult(string Signature, string Key, int Version, string Kid, string Algorithm, string? SignatureFormat);

public sealed record VerifyItem
{
    public string? Key { get; init; }

    public int? Version { get; init; }

    public string? Kid { get; init; }

    public string? Data { get; init; }

    public string? Signature { get; init; }
}

public sealed record VerifyParams
{
    public string? Key { get; init; }

    /// <summary>The version that signed; default the latest. Or give <c>kid</c> (from sign) instead of key and version.</summary>
    public int? Version { get; init; }

    public string? Kid { get; init; }

    public string? Data { get; init; }

    public string? Signature { get; init; }

    public string? Algorithm { get; init; }

    public string? SignatureFormat { get; init; }

    public List<VerifyItem?>? Items { get; init; }
}

public sealed record VerifyResult(bool Valid, string Key, int Version, string Kid, string Algorithm);

public sealed record GetJwksParams
{
    /// <summary>Key names; default every signing key.</summary>
    public List<string?>? Keys { get; init; }
}

public sealed record CertIssueParams
{
    public string? Name { get; init; }

    public int? Version { get; init; }

    /// <summary>Distinguished name, e.g. "CN=Voucher signing, O=OpenG2P"; default CN=&lt;kid&gt;.</summary>
    public string? Subject { get; init; }

    public int? ValidityDays { get; init; }
}

public sealed record CertCsrParams
{
    public string? Name { get; init; }

    public int? Version { get; init; }

    public string? Subject { get; init; }
}

public sealed record CertImportParams
{
    public string? Name { get; init; }

    public int? Version { get; init; }

    /// <summary>PEM: the certificate, optionally followed by its issuer chain (nearest issuer first).</summary>
    public string? Certificate { get; init; }
}

public sealed record CertificateResult(
    string Key, int Version, string Kid, string Certificate, IReadOnlyList<string> Chain, string Subject, string Issuer, string Serial,
    DateTimeOffset NotBefore, DateTimeOffset NotAfter);

public sealed record CsrResult(string Key, int Version, string Kid, string Csr);
