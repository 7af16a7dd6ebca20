namespace OpenG2P.KeyBridge.Signing;

/// <summary>How <c>jwt_sign</c> shapes a JWS; the defaults give an attached JWS with only alg, typ and kid.</summary>
public sealed record JwtSignOptions
{
    /// <summary>False gives a detached JWS (RFC 7515 appendix F): empty payload segment, same signature.</summary>
    public bool IncludePayload { get; init; } = true;

    /// <summary>Adds <c>x5c</c>: the version's certificate and its chain (the version must have a certificate).</summary>
    public bool IncludeCertificate { get; init; }

    /// <summary>Adds <c>x5t#S256</c>: the SHA-256 thumbprint of the version's certificate.</summary>
    public bool IncludeCertHash { get; init; }

    /// <summary>Adds <c>x5u</c> with this absolute http(s) URL.</summary>
    public string? CertificateUrl { get; init; }

    /// <summary>RSA keys: RS256 or PS256 for this call; null uses the key's default.</summary>
    public SignatureAlgorithm? Algorithm { get; init; }

    /// <summary>
    /// The <c>typ</c> header instead of <c>JWT</c>/<c>JOSE</c> (explicit typing, RFC 8725 §3.11): vouchers use
    /// <c>voucher+jwt</c>. Not offered by <c>jwt_sign</c>, so no other call can make a token of such a type.
    /// </summary>
    public string? Type { get; init; }

    /// <summary>
    /// The <c>kid</c> of the signing version when it must differ from <c>&lt;key&gt;:v&lt;n&gt;</c> (the MOSIP-compatible
    /// endpoints put MOSIP's key ids there, so existing JWKS consumers keep matching); null for KeyBridge's own.
    /// </summary>
    public Func<Keys.KeyVersionRecord, string>? KeyId { get; init; }
}
