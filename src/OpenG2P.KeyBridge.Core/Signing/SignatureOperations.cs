using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Operations;

namespace OpenG2P.KeyBridge.Signing;

/// <summary>Which ECDSA signature encoding raw <c>sign</c>/<c>verify</c> use.</summary>
public enum EcdsaSignatureFormat
{
    /// <summary>ASN.1 DER SEQUENCE { r, s }: what openssl, Java and Python's cryptography produce and expect. The default.</summary>
    Der,

    /// <summary>IEEE P1363 r ‖ s (64 bytes), as in JWS and PKCS#11.</summary>
    P1363,
}

/// <summary>Raw signatures and JWS: sign with the latest version, verify with the version a signature names.</summary>
public sealed class SignatureOperations(KeyRing ring, SignerSource signers)
{
    public async ValueTask<Used<(byte[] Signature, SignatureAlgorithm Algorithm)>> SignAsync(string keyName, ReadOnlyMemory<byte> data,
        SignatureAlgorithm? algorithm, EcdsaSignatureFormat format, CancellationToken ct = default)
    {
        var key = await ring.GetAsync(keyName, ct).ConfigureAwait(false);
        var alg = SignatureAlgorithms.Choose(key, algorithm);
        var version = KeyRing.LatestForUse(key);
        using var signer = signers.Acquire(key, version);
        var signature = signer.Sign(alg, data.Span);
        if (alg == SignatureAlgorithm.ES256 && format == EcdsaSignatureFormat.Der)
        {
            signature = EcdsaSignatures.ToDer(signature);
        }
        return new((signature, alg), key.Name, version.Version);
    }

    /// <summary>Verifies a raw signature with one version (default: the latest). Retired, revoked and destroyed versions are refused with their errors.</summary>
    public async ValueTask<Used<(bool Valid, SignatureAlgorithm Algorithm)>> VerifyAsync(string keyName, int? version, ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> signature,
        SignatureAlgorithm? algorithm, EcdsaSignatureFormat format, CancellationToken ct = default)
    {
        var key = await ring.GetAsync(keyName, ct).ConfigureAwait(false);
        var alg = SignatureAlgorithms.Choose(key, algorithm);
        var v = KeyRing.ForDecryption(key, version ?? key.LatestVersion);
        var ecdsaFormat = format == EcdsaSignatureFormat.Der ? DSASignatureFormat.Rfc3279DerSequence : DSASignatureFormat.IeeeP1363FixedFieldConcatenation;
        return new((SigningPublicKey.Of(key, v).Verify(alg, data.Span, signature.Span, ecdsaFormat), alg), key.Name, v.Version);
    }

    /// <summary>
    /// A compact JWS over <paramref name="payload"/> from the key's latest version. The header has alg, kid and typ
    /// (<c>JWT</c> for a JSON object payload, <c>JOSE</c> otherwise), plus x5c / x5t#S256 / x5u as asked.
    /// </summary>
    public async ValueTask<Used<(string Jws, SignatureAlgorithm Algorithm)>> JwtSignAsync(string keyName, ReadOnlyMemory<byte> payload, bool payloadIsJsonObject,
        JwtSignOptions options, CancellationToken ct = default)
    {
        var key = await ring.GetAsync(keyName, ct).ConfigureAwait(false);
        var alg = SignatureAlgorithms.Choose(key, options.Algorithm);
        var version = KeyRing.LatestForUse(key);
        var header = new JsonObject
        {
            ["alg"] = alg.ToName(),
            ["kid"] = options.KeyId?.Invoke(version) ?? KeyIds.Format(key.Name, version.Version),
            ["typ"] = options.Type ?? (payloadIsJsonObject ? "JWT" : "JOSE"),
        };
        if (options.IncludeCertificate || options.IncludeCertHash)
        {
            var certificate = version.Certificate ?? throw new KeyBridgeException(KeyBridgeError.CertificateNotFound,
                $"version {version.Version} of key '{key.Name}' has no certificate; attach one with cert.issue or cert.import");
            if (options.IncludeCertificate)
            {
                // x5c is standard base64 (RFC 7515 §4.1.6), not base64url.
                header["x5c"] = new JsonArray([.. new[] { certificate.Certificate }.Concat(certificate.Chain)
                    .Select(c => (JsonNode)JsonValue.Create(Convert.ToBase64String(c)))]);
            }
            if (options.IncludeCertHash)
            {
                header["x5t#S256"] = Base64Url.Encode(SHA256.HashData(certificate.Certificate));
            }
        }
        if (options.CertificateUrl is { } url)
        {
            header["x5u"] = url;
        }
        using var signer = signers.Acquire(key, version);
        var jws = Jws.Create(header, payload.Span, detached: !options.IncludePayload, input => signer.Sign(alg, input));
        return new((jws, alg), key.Name, version.Version);
    }

    /// <summary>
    /// Checks a compact JWS against the key version its <c>kid</c> names — never against a key or certificate
    /// carried in the token (<c>jwk</c>, <c>x5c</c>, <c>x5u</c>, <c>jku</c> are ignored). Token problems give
    /// <c>valid: false</c> with a reason; <paramref name="authorize"/> may throw (e.g. <c>forbidden</c>) for the key the kid names.
    /// A kid that is not of the form <c>&lt;key&gt;:v&lt;n&gt;</c> is passed to <paramref name="resolveKid"/> (e.g. MOSIP's key
    /// ids), which names the version or returns null.
    /// </summary>
    public async ValueTask<JwtVerification> JwtVerifyAsync(string? token, ReadOnlyMemory<byte>? detachedPayload, string? expectedKey,
        Action<string> authorize, DateTimeOffset now, TimeSpan clockSkew, CancellationToken ct = default,
        Func<string, ValueTask<(string Key, int Version)?>>? resolveKid = null)
    {
        var jws = Jws.Parse(token, out var problem);
        if (jws is null)
        {
            return JwtVerification.Invalid(JwtReasons.Malformed, problem!);
        }
        if (jws.IsDetached == (detachedPayload is null))
        {
            return JwtVerification.Invalid(JwtReasons.Malformed, jws.IsDetached
                ? "the JWS is detached (empty payload part): pass the signed content as 'payload'"
                : "the JWS carries its payload; 'payload' is only for detached JWS");
        }
        var header = JwsHeader.Read(jws.Header, out problem);
        if (header is null)
        {
            return JwtVerification.Invalid(JwtReasons.Malformed, problem!);
        }
        var kid = header.Kid;
        if (!KeyIds.TryParse(kid, out var keyName, out var versionNumber) && kid is not null && resolveKid is not null
            && await resolveKid(kid).ConfigureAwait(false) is { } resolved)
        {
            (keyName, versionNumber) = resolved;
        }
        if (versionNumber == 0 || keyName.StartsWith(KeyNames.InternalPrefix, StringComparison.Ordinal))
        {
            return JwtVerification.Invalid(JwtReasons.UnknownKid, kid is null
                ? "the JWS header has no kid; KeyBridge verifies only tokens whose kid names one of its key versions"
                : "the kid does not name a KeyBridge signing key version", kid);
        }
        if (expectedKey is not null && expectedKey != keyName)
        {
            return JwtVerification.Invalid(JwtReasons.KeyMismatch, $"the kid names key '{keyName}', not '{expectedKey}'", kid, keyName, versionNumber);
        }
        authorize(keyName);
        KeyRecord key;
        try
        {
            key = await ring.GetAsync(keyName, ct).ConfigureAwait(false);
        }
        catch (KeyBridgeException e) when (e.Error == KeyBridgeError.KeyNotFound)
        {
            return JwtVerification.Invalid(JwtReasons.UnknownKid, $"key '{keyName}' does not exist", kid);
        }
        var version = key.FindVersion(versionNumber);
        if (!key.Type.IsSigningType() || version?.PublicMaterial is null)
        {
            return JwtVerification.Invalid(JwtReasons.UnknownKid, $"key '{keyName}' has no signing version {versionNumber}", kid);
        }
        var state = key.EffectiveState(version);
        if (state != VersionState.Active)
        {
            var reason = state switch
            {
                VersionState.Revoked => JwtReasons.Revoked,
                VersionState.Retired => JwtReasons.Retired,
                VersionState.PendingDestruction => JwtReasons.PendingDestruction,
                _ => JwtReasons.Destroyed,
            };
            return JwtVerification.Invalid(reason, $"version {versionNumber} of key '{keyName}' is {state.ToName()}", kid, keyName, versionNumber);
        }
        if (!SignatureAlgorithms.TryParse(header.Alg, out var alg) || !key.Type.Allows(alg))
        {
            return JwtVerification.Invalid(JwtReasons.AlgorithmMismatch,
                $"alg '{Printable(header.Alg)}' is not an algorithm of key '{keyName}' ({key.Type.ToName()})", kid, keyName, versionNumber);
        }
        var payload = detachedPayload is { } d ? d.ToArray() : jws.Payload;
        if (!SigningPublicKey.Of(key, version).Verify(alg, jws.SigningInput(payload), jws.Signature))
        {
            return JwtVerification.Invalid(JwtReasons.BadSignature, "the signature does not verify", kid, keyName, versionNumber, alg);
        }
        return CheckClaims(payload, now, clockSkew) is { } failed
            ? JwtVerification.Invalid(failed.Reason, failed.Message, kid, keyName, versionNumber, alg)
            : new JwtVerification(true, null, null, kid, keyName, versionNumber, alg, ReadClaims(payload), payload);
    }

    /// <summary>exp and nbf (NumericDate, RFC 7519 §4.1.4-5) when the payload is a JSON object that has them.</summary>
    private static (string Reason, string Message)? CheckClaims(byte[] payload, DateTimeOffset now, TimeSpan skew)
    {
        if (ReadClaims(payload) is not { } claims)
        {
            return null;
        }
        var t = now.ToUnixTimeSeconds();
        var leeway = (long)skew.TotalSeconds;
        foreach (var (name, late) in new[] { ("exp", true), ("nbf", false) })
        {
            if (!claims.TryGetProperty(name, out var value))
            {
                continue;
            }
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var seconds) || !double.IsFinite(seconds))
            {
                return (JwtReasons.Malformed, $"the '{name}' claim is not a NumericDate");
            }
            if (late && t - leeway >= seconds)
            {
                return (JwtReasons.Expired, "the token has expired (exp)");
            }
            if (!late && t + leeway < seconds)
            {
                return (JwtReasons.NotYetValid, "the token is not valid yet (nbf)");
            }
        }
        return null;
    }

    /// <summary>The payload as a JSON object, or null when it is not one (raw bytes were signed).</summary>
    public static JsonElement? ReadClaims(ReadOnlySpan<byte> payload)
    {
        var text = payload.TrimStart(" \t\r\n"u8);
        if (text.IsEmpty || text[0] != (byte)'{')
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(text.ToArray());
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Printable(string? s) => s is null ? "" : s.Length > 20 ? s[..20] + "…" : s;
}
