using System.Text.Json;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Signing;
using StreamJsonRpc;
using static OpenG2P.KeyBridge.Server.Rpc.Methods.Params;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

/// <summary>jwt_sign, jwt_verify, sign, verify: JWS and raw signatures with ecdsa-p256, ed25519 and rsa-* keys.</summary>
public sealed class SigningMethods(RpcServices s)
{
    [JsonRpcMethod("jwt_sign")]
    [RpcAccess(Roles.Signer)]
    [RpcSummary("Sign a JSON object or base64url bytes as a compact JWS (kid always set; detached, x5c, x5t#S256, x5u on request).", typeof(JwtSignResult))]
    public async Task<object> JwtSignAsync(JwtSignParams p, RpcContext ctx)
    {
        var options = new JwtSignOptions
        {
            IncludePayload = p.IncludePayload,
            IncludeCertificate = p.IncludeCertificate,
            IncludeCertHash = p.IncludeCertHash,
            CertificateUrl = CertificateUrl(p.CertificateUrl),
            Algorithm = SignatureAlgorithms.ParseOptional(p.Algorithm, "algorithm"),
        };
        if (p.Items is { } items)
        {
            return await Batch.RunAsync(ctx, s, items, async i => (object)await JwtSignOneAsync(ctx, i.Key ?? p.Key, i.Payload, options));
        }
        return await JwtSignOneAsync(ctx, p.Key, p.Payload, options);
    }

    [JsonRpcMethod("jwt_verify")]
    [RpcAccess(Roles.Verifier, Roles.Signer)]
    [RpcSummary("Check a JWS against the key version its kid names (never a key it carries); valid, or valid: false with a reason.", typeof(JwtVerifyResult))]
    public async Task<object> JwtVerifyAsync(JwtVerifyParams p, RpcContext ctx)
    {
        var expected = p.Key is null ? null : KeyName(p.Key, ctx);
        if (p.Items is { } items)
        {
            return await Batch.RunAsync(ctx, s, items, async i => (object)await JwtVerifyOneAsync(ctx, i.Jwt, i.Payload, expected));
        }
        return await JwtVerifyOneAsync(ctx, p.Jwt, p.Payload, expected);
    }

    [JsonRpcMethod("sign")]
    [RpcAccess(Roles.Signer)]
    [RpcSummary("Raw signature over data (base64url) with the key's latest version; ECDSA as DER unless signature_format is p1363.", typeof(SignResult))]
    public async Task<object> SignAsync(SignParams p, RpcContext ctx)
    {
        var algorithm = SignatureAlgorithms.ParseOptional(p.Algorithm, "algorithm");
        var format = Format(p.SignatureFormat);
        if (p.Items is { } items)
        {
            return await Batch.RunAsync(ctx, s, items, async i => (object)await SignOneAsync(ctx, i.Key ?? p.Key, i.Data, algorithm, format));
        }
        return await SignOneAsync(ctx, p.Key, p.Data, algorithm, format);
    }

    [JsonRpcMethod("verify")]
    [RpcAccess(Roles.Verifier, Roles.Signer)]
    [RpcSummary("Check a raw signature made by sign (version or kid; default the latest version); retired or revoked versions are refused.", typeof(VerifyResult))]
    public async Task<object> VerifyAsync(VerifyParams p, RpcContext ctx)
    {
        var algorithm = SignatureAlgorithms.ParseOptional(p.Algorithm, "algorithm");
        var format = Format(p.SignatureFormat);
        if (p.Items is { } items)
        {
            return await Batch.RunAsync(ctx, s, items, async i => (object)await VerifyOneAsync(ctx, ForItem(p, i), algorithm, format));
        }
        return await VerifyOneAsync(ctx, p, algorithm, format);
    }

    [JsonRpcMethod("get_jwks")]
    [RpcAccess(Roles.Any)]
    [RpcSummary("The JWK Set of the signing keys (or of the named ones): every active version with kid, kty, alg, use, and x5c when it has a certificate.")]
    public async Task<JsonElement> GetJwksAsync(GetJwksParams p, RpcContext ctx)
    {
        // Public keys are published without authentication anyway, so no per-key grant applies here.
        if (p?.Keys is not { } names)
        {
            var snapshot = await s.Jwks.GetAsync();
            return JsonDocument.Parse(snapshot.Body).RootElement.Clone();
        }
        if (names.Count > s.Limits.MaxBatchItems)
        {
            throw new KeyBridgeException(KeyBridgeError.BatchTooLarge, $"'keys' has {names.Count} entries; the limit is {s.Limits.MaxBatchItems}");
        }
        var keys = new List<KeyRecord>();
        foreach (var name in names)
        {
            KeyNames.Validate(name, "keys");
            var key = await s.Ring.GetAsync(name!);
            SignatureAlgorithms.RequireSigningKey(key, "get_jwks");
            keys.Add(key);
        }
        return JsonSerializer.SerializeToElement(Jwks.Build(keys), Jws.Json);
    }

    private async ValueTask<JwtSignResult> JwtSignOneAsync(RpcContext ctx, string? key, JsonElement? payload, JwtSignOptions options)
    {
        var name = KeyName(key ?? s.Defaults.SigningKey, ctx);
        var (bytes, isJson) = Payload(payload, required: true)!.Value;
        var r = await s.Signatures.JwtSignAsync(name, bytes, isJson, options);
        return new JwtSignResult(r.Value.Jws, r.Key, r.Version, KeyIds.Format(r.Key, r.Version), r.Value.Algorithm.ToName());
    }

    private async ValueTask<JwtVerifyResult> JwtVerifyOneAsync(RpcContext ctx, string? jwt, JsonElement? payload, string? expectedKey)
    {
        if (jwt is null)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'jwt' is required");
        }
        var detached = Payload(payload, required: false);
        // Spelled out: a null byte[] would convert to an empty, non-null ReadOnlyMemory.
        ReadOnlyMemory<byte>? content = null;
        if (detached is { } d)
        {
            content = d.Bytes;
        }
        var r = await s.Signatures.JwtVerifyAsync(jwt, content, expectedKey, ctx.RequireKey, s.Time.GetUtcNow(),
            TimeSpan.FromSeconds(s.Signing.ClockSkewSeconds));
        var rawPayload = r.Valid && r.Claims is null && r.Payload is { } bytes ? Base64Url.Encode(bytes) : null;
        return new JwtVerifyResult(r.Valid, r.Reason, r.Message, r.Claims, rawPayload, r.Key, r.Version, r.Kid, r.Algorithm?.ToName());
    }

    private async ValueTask<SignResult> SignOneAsync(RpcContext ctx, string? key, string? data, SignatureAlgorithm? algorithm, EcdsaSignatureFormat format)
    {
        var name = KeyName(key ?? s.Defaults.SigningKey, ctx);
        var r = await s.Signatures.SignAsync(name, Base64Url.Decode(data, "data"), algorithm, format);
        var ecdsa = r.Value.Algorithm == SignatureAlgorithm.ES256;
        return new SignResult(Base64Url.Encode(r.Value.Signature), r.Key, r.Version, KeyIds.Format(r.Key, r.Version), r.Value.Algorithm.ToName(),
            ecdsa ? FormatName(format) : null);
    }

    private async ValueTask<VerifyResult> VerifyOneAsync(RpcContext ctx, VerifyParams p, SignatureAlgorithm? algorithm, EcdsaSignatureFormat format)
    {
        string? key = p.Key;
        var version = p.Version;
        if (p.Kid is not null)
        {
            if (p.Key is not null || p.Version is not null)
            {
                throw new KeyBridgeException(KeyBridgeError.InvalidParams, "give either 'kid' or 'key' and 'version', not both");
            }
            if (!KeyIds.TryParse(p.Kid, out var kidKey, out var kidVersion))
            {
                throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'kid' must have the form <key>:v<version>");
            }
            (key, version) = (kidKey, kidVersion);
        }
        if (version is < 1)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'version' must be a positive integer");
        }
        var name = KeyName(key ?? s.Defaults.SigningKey, ctx);
        var data = Base64Url.Decode(p.Data, "data");
        var signature = Base64Url.Decode(p.Signature, "signature");
        var r = await s.Signatures.VerifyAsync(name, version, data, signature, algorithm, format);
        return new VerifyResult(r.Value.Valid, r.Key, r.Version, KeyIds.Format(r.Key, r.Version), r.Value.Algorithm.ToName());
    }

    /// <summary>An item that names no version (kid, key or version) uses the top-level ones; otherwise its own, with the top-level key as default.</summary>
    private static VerifyParams ForItem(VerifyParams p, VerifyItem i) =>
        i.Kid is null && i.Key is null && i.Version is null
            ? p with { Data = i.Data, Signature = i.Signature, Items = null }
            : new VerifyParams { Key = i.Key ?? (i.Kid is null ? p.Key : null), Version = i.Version, Kid = i.Kid, Data = i.Data, Signature = i.Signature };

    /// <summary>A JSON object (serialized compactly, as signed) or base64url bytes; never empty, so a detached JWS is never ambiguous.</summary>
    internal static (byte[] Bytes, bool IsJsonObject)? Payload(JsonElement? payload, bool required)
    {
        (byte[], bool)? result = payload switch
        {
            null or { ValueKind: JsonValueKind.Null } => required
                ? throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'payload' is required: a JSON object or base64url bytes")
                : null,
            { ValueKind: JsonValueKind.Object } o => (JsonSerializer.SerializeToUtf8Bytes(o, Jws.Json), true),
            { ValueKind: JsonValueKind.String } b64 => Bytes(Base64Url.Decode(b64.GetString(), "payload")),
            _ => throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'payload' must be a JSON object or base64url bytes"),
        };
        if (result is { Item1.Length: 0 })
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'payload' must not be empty");
        }
        return result;

        // Bytes that happen to hold a JSON object (e.g. MOSIP-style dataToSign) are still a JWT.
        static (byte[], bool) Bytes(byte[] raw) => (raw, SignatureOperations.ReadClaims(raw) is not null);
    }

    private static string? CertificateUrl(string? url)
    {
        if (url is null)
        {
            return null;
        }
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? url
            : throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'certificate_url' must be an absolute https (or http) URL");
    }

    private static EcdsaSignatureFormat Format(string? name) => name switch
    {
        null or "der" => EcdsaSignatureFormat.Der,
        "p1363" => EcdsaSignatureFormat.P1363,
        _ => throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'signature_format' must be der or p1363"),
    };

    private static string FormatName(EcdsaSignatureFormat f) => f == EcdsaSignatureFormat.Der ? "der" : "p1363";
}
