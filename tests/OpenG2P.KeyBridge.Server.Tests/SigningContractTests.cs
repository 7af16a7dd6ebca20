using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>jwt_sign / jwt_verify / sign / verify / JWKS over real HTTP; run against SQLite and PostgreSQL alike.</summary>
public abstract class SigningContractTests(ServerFixture fx)
{
    private RpcClient Admin => fx.Admin;

    private async Task<string> CreateKeyAsync(string type, object? extra = null)
    {
        var name = ServerFixture.UniqueName("sig");
        var p = JsonSerializer.SerializeToNode(extra ?? new { })!.AsObject();
        p["name"] = name;
        p["type"] = type;
        await Admin.ResultAsync("key.create", p);
        return name;
    }

    private async Task<JsonElement> VerifyAsync(string jwt, object? extra = null)
    {
        var p = JsonSerializer.SerializeToNode(extra ?? new { })!.AsObject();
        p["jwt"] = jwt;
        return await Admin.ResultAsync("jwt_verify", p);
    }

    private async Task AssertInvalidAsync(string reason, string jwt, object? extra = null)
    {
        var r = await VerifyAsync(jwt, extra);
        Assert.False(r.GetProperty("valid").GetBoolean(), $"expected {reason}, got valid: {r}");
        Assert.Equal(reason, r.Str("reason"));
        Assert.False(r.TryGetProperty("claims", out _), "claims of an invalid token must not be returned");
    }

    [Fact]
    public async Task Jwt_sign_sets_alg_kid_and_typ_and_jwt_verify_returns_the_claims()
    {
        var key = await CreateKeyAsync("ecdsa-p256");
        var signed = await Admin.ResultAsync("jwt_sign", new { key, payload = new { sub = "beneficiary-7", amount = "12.50", names = new[] { "Ñandú" } } });
        var header = Jose.Header(signed.Str("jwt"));

        Assert.Equal("ES256", header.Str("alg"));
        Assert.Equal($"{key}:v1", header.Str("kid"));
        Assert.Equal("JWT", header.Str("typ"));
        Assert.Equal($"{key}:v1", signed.Str("kid"));
        Assert.Equal(1, signed.Int("version"));
        Assert.False(header.TryGetProperty("x5c", out _));
        var verified = await VerifyAsync(signed.Str("jwt"));
        Assert.True(verified.GetProperty("valid").GetBoolean(), verified.ToString());
        Assert.Equal("Ñandú", verified.GetProperty("claims").GetProperty("names")[0].GetString());
        Assert.Equal((key, 1, $"{key}:v1", "ES256"), (verified.Str("key"), verified.Int("version"), verified.Str("kid"), verified.Str("algorithm")));

        var raw = await Admin.ResultAsync("jwt_sign", new { key, payload = Jose.B64(new byte[] { 0, 1, 2, 250 }) });
        Assert.Equal("JOSE", Jose.Header(raw.Str("jwt")).Str("typ"));
        var rawVerified = await VerifyAsync(raw.Str("jwt"));
        Assert.True(rawVerified.GetProperty("valid").GetBoolean());
        Assert.Equal("AAEC-g", rawVerified.Str("payload"));
        Assert.False(rawVerified.TryGetProperty("claims", out _));
    }

    [Fact]
    public async Task Default_signing_key_signs_when_no_key_is_named()
    {
        var signed = await Admin.ResultAsync("jwt_sign", new { payload = new { sub = "x" } });
        Assert.Equal("default-signing", signed.Str("key"));
        Assert.True((await VerifyAsync(signed.Str("jwt"))).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Detached_jws_has_an_empty_payload_part_and_needs_the_content_to_verify()
    {
        var key = await CreateKeyAsync("ed25519");
        var content = Jose.B64(SHA256.HashData("proof"u8).Concat(SHA256.HashData("credential"u8)).ToArray());
        var jwt = (await Admin.ResultAsync("jwt_sign", new { key, payload = content, include_payload = false })).Str("jwt");

        Assert.Equal("", jwt.Split('.')[1]);
        Assert.True((await VerifyAsync(jwt, new { payload = content })).GetProperty("valid").GetBoolean());
        await AssertInvalidAsync("malformed", jwt);
        var other = Jose.B64(new byte[64]);
        await AssertInvalidAsync("bad_signature", jwt, new { payload = other });

        var detachedObject = (await Admin.ResultAsync("jwt_sign", new { key, payload = new { a = 1, b = "two" }, include_payload = false })).Str("jwt");
        var r = await VerifyAsync(detachedObject, new { payload = new { a = 1, b = "two" } });
        Assert.True(r.GetProperty("valid").GetBoolean(), r.ToString());
        Assert.Equal("two", r.GetProperty("claims").Str("b"));
        await AssertInvalidAsync("bad_signature", detachedObject, new { payload = new { a = 2, b = "two" } });
    }

    [Fact]
    public async Task Tokens_signed_before_a_rotation_still_verify_and_new_ones_name_the_new_version()
    {
        var key = await CreateKeyAsync("ecdsa-p256");
        var before = (await Admin.ResultAsync("jwt_sign", new { key, payload = new { n = 1 } })).Str("jwt");
        await Admin.ResultAsync("key.rotate", new { name = key });
        var after = await Admin.ResultAsync("jwt_sign", new { key, payload = new { n = 2 } });

        Assert.Equal($"{key}:v2", Jose.Header(after.Str("jwt")).Str("kid"));
        var old = await VerifyAsync(before);
        Assert.True(old.GetProperty("valid").GetBoolean());
        Assert.Equal(1, old.Int("version"));
        Assert.Equal(2, (await VerifyAsync(after.Str("jwt"))).Int("version"));
    }

    [Fact]
    public async Task Jwt_verify_rejects_tampered_tokens_with_the_right_reason()
    {
        var key = await CreateKeyAsync("ecdsa-p256");
        var other = await CreateKeyAsync("ecdsa-p256");
        var jwt = (await Admin.ResultAsync("jwt_sign", new { key, payload = new { sub = "beneficiary-7", amount = 100 } })).Str("jwt");
        var parts = jwt.Split('.');

        await AssertInvalidAsync("bad_signature", Jose.FlipBit(jwt, 2));
        await AssertInvalidAsync("bad_signature", Jose.FlipBit(jwt, 1, byteIndex: 3, bit: 1));
        await AssertInvalidAsync("bad_signature", parts[0] + "." + Jose.B64("""{"sub":"beneficiary-7","amount":100000}""") + "." + parts[2]);

        // The kid of another (real) key: the signature does not verify under it.
        var otherKid = Jose.B64($$"""{"alg":"ES256","kid":"{{other}}:v1","typ":"JWT"}""") + "." + parts[1] + "." + parts[2];
        await AssertInvalidAsync("bad_signature", otherKid);
        var unknownKid = Jose.B64("""{"alg":"ES256","kid":"no-such-key:v1","typ":"JWT"}""") + "." + parts[1] + "." + parts[2];
        await AssertInvalidAsync("unknown_kid", unknownKid);
        await AssertInvalidAsync("unknown_kid", Jose.B64($$"""{"alg":"ES256","kid":"{{key}}:v9"}""") + "." + parts[1] + "." + parts[2]);
        await AssertInvalidAsync("unknown_kid", Jose.B64("""{"alg":"ES256"}""") + "." + parts[1] + "." + parts[2]);
        await AssertInvalidAsync("unknown_kid", Jose.B64("""{"alg":"HS256","kid":"keybridge.token-signing:v1"}""") + "." + parts[1] + "." + parts[2]);
        await AssertInvalidAsync("key_mismatch", jwt, new { key = other });

        // alg "none": no signature at all.
        await AssertInvalidAsync("algorithm_mismatch", Jose.B64($$"""{"alg":"none","kid":"{{key}}:v1"}""") + "." + parts[1] + ".");
        await AssertInvalidAsync("algorithm_mismatch", Jose.B64($$"""{"alg":"none","kid":"{{key}}:v1"}""") + "." + parts[1] + "." + parts[2]);
        await AssertInvalidAsync("algorithm_mismatch", Jose.B64($$"""{"alg":"RS256","kid":"{{key}}:v1"}""") + "." + parts[1] + "." + parts[2]);

        await AssertInvalidAsync("malformed", "not-a-jwt");
        await AssertInvalidAsync("malformed", parts[0] + "." + parts[1]);
        await AssertInvalidAsync("malformed", parts[0] + "=." + parts[1] + "." + parts[2]);
        await AssertInvalidAsync("malformed", Jose.B64("[1,2]") + "." + parts[1] + "." + parts[2]);
        await AssertInvalidAsync("malformed", Jose.B64($$"""{"alg":"ES256","kid":"{{key}}:v1","kid":"{{other}}:v1"}""") + "." + parts[1] + "." + parts[2]);
        await AssertInvalidAsync("malformed", Jose.B64($$"""{"alg":"ES256","kid":"{{key}}:v1","crit":["exp"]}""") + "." + parts[1] + "." + parts[2]);
    }

    [Fact]
    public async Task Algorithm_confusion_with_the_rsa_public_key_as_hmac_secret_is_rejected()
    {
        var key = await CreateKeyAsync("rsa-2048");
        var pem = (await Admin.ResultAsync("key.export", new { name = key, format = "pem" })).Str("key");
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", pem);

        // The classic attack: HS256 "signed" with the public key, which a naive verifier would use as the HMAC secret.
        var forged = Jose.Make(new { alg = "HS256", kid = $"{key}:v1", typ = "JWT" }, """{"sub":"admin"}""",
            input => HMACSHA256.HashData(Encoding.ASCII.GetBytes(pem), input));

        await AssertInvalidAsync("algorithm_mismatch", forged);
    }

    [Fact]
    public async Task A_self_signed_token_carrying_its_own_certificate_or_key_is_not_trusted()
    {
        var key = await CreateKeyAsync("ecdsa-p256");
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=" + key, attacker, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var q = attacker.ExportParameters(false).Q;
        var jwk = new { kty = "EC", crv = "P-256", x = Jose.B64(q.X!), y = Jose.B64(q.Y!) };
        byte[] Sign(byte[] input) => attacker.SignData(input, HashAlgorithmName.SHA256);

        var withKid = Jose.Make(new { alg = "ES256", kid = $"{key}:v1", x5c = new[] { Convert.ToBase64String(cert.RawData) }, jwk },
            """{"sub":"attacker"}""", Sign);
        var withoutKid = Jose.Make(new { alg = "ES256", x5c = new[] { Convert.ToBase64String(cert.RawData) }, jwk }, """{"sub":"attacker"}""", Sign);
        var withX5u = Jose.Make(new { alg = "ES256", kid = "attacker:v1", x5u = "https://attacker.example/cert.pem", jku = "https://attacker.example/jwks" },
            """{"sub":"attacker"}""", Sign);

        await AssertInvalidAsync("bad_signature", withKid);
        await AssertInvalidAsync("unknown_kid", withoutKid);
        await AssertInvalidAsync("unknown_kid", withX5u);
    }

    [Fact]
    public async Task Expired_and_not_yet_valid_tokens_are_rejected_after_their_signature_is_checked()
    {
        var key = await CreateKeyAsync("ed25519");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var expired = (await Admin.ResultAsync("jwt_sign", new { key, payload = new { sub = "x", exp = now - 3600 } })).Str("jwt");
        var early = (await Admin.ResultAsync("jwt_sign", new { key, payload = new { sub = "x", nbf = now + 3600 } })).Str("jwt");
        var current = (await Admin.ResultAsync("jwt_sign", new { key, payload = new { sub = "x", nbf = now - 10, exp = now + 3600 } })).Str("jwt");
        var badExp = (await Admin.ResultAsync("jwt_sign", new { key, payload = new { sub = "x", exp = "tomorrow" } })).Str("jwt");

        await AssertInvalidAsync("expired", expired);
        await AssertInvalidAsync("not_yet_valid", early);
        await AssertInvalidAsync("malformed", badExp);
        Assert.True((await VerifyAsync(current)).GetProperty("valid").GetBoolean());
        // A forged "expired" token is a bad signature first: expiry is only reported for genuine tokens.
        await AssertInvalidAsync("bad_signature", Jose.FlipBit(expired, 2));
    }

    [Fact]
    public async Task Revoked_and_retired_versions_no_longer_verify()
    {
        var key = await CreateKeyAsync("ecdsa-p256");
        var v1 = (await Admin.ResultAsync("jwt_sign", new { key, payload = new { n = 1 } })).Str("jwt");
        await Admin.ResultAsync("key.rotate", new { name = key });
        var v2 = (await Admin.ResultAsync("jwt_sign", new { key, payload = new { n = 2 } })).Str("jwt");
        await Admin.ResultAsync("key.rotate", new { name = key });
        var v3 = (await Admin.ResultAsync("jwt_sign", new { key, payload = new { n = 3 } })).Str("jwt");

        await Admin.ResultAsync("key.revoke_version", new { name = key, version = 2 });
        await Admin.ResultAsync("key.configure", new { name = key, min_decryption_version = 2 });

        await AssertInvalidAsync("retired", v1);
        await AssertInvalidAsync("revoked", v2);
        Assert.True((await VerifyAsync(v3)).GetProperty("valid").GetBoolean());

        await Admin.ResultAsync("key.revoke_version", new { name = key, version = 3 });
        Assert.Equal("no_active_version", (await Admin.ErrorAsync("jwt_sign", new { key, payload = new { n = 4 } })).ErrorName());
    }

    [Fact]
    public async Task Raw_signatures_verify_by_version_or_kid_in_der_and_p1363()
    {
        var key = await CreateKeyAsync("ecdsa-p256");
        var data = Jose.B64("payment-file-2026-03.csv");
        var der = await Admin.ResultAsync("sign", new { key, data });
        var p1363 = await Admin.ResultAsync("sign", new { key, data, signature_format = "p1363" });

        Assert.Equal("der", der.Str("signature_format"));
        Assert.Equal(0x30, Jose.Unb64(der.Str("signature"))[0]);
        Assert.Equal(64, Jose.Unb64(p1363.Str("signature")).Length);
        await Admin.ResultAsync("key.rotate", new { name = key });

        Assert.True((await Admin.ResultAsync("verify", new { kid = der.Str("kid"), data, signature = der.Str("signature") })).GetProperty("valid").GetBoolean());
        Assert.True((await Admin.ResultAsync("verify", new { key, version = 1, data, signature = p1363.Str("signature"), signature_format = "p1363" }))
            .GetProperty("valid").GetBoolean());
        Assert.False((await Admin.ResultAsync("verify", new { key, version = 1, data, signature = p1363.Str("signature") })).GetProperty("valid").GetBoolean());
        Assert.False((await Admin.ResultAsync("verify", new { key, data, signature = der.Str("signature") })).GetProperty("valid").GetBoolean());
        Assert.False((await Admin.ResultAsync("verify", new { kid = der.Str("kid"), data = Jose.B64("other"), signature = der.Str("signature") }))
            .GetProperty("valid").GetBoolean());

        await Admin.ResultAsync("key.revoke_version", new { name = key, version = 1 });
        Assert.Equal("version_revoked", (await Admin.ErrorAsync("verify", new { kid = der.Str("kid"), data, signature = der.Str("signature") })).ErrorName());
    }

    [Fact]
    public async Task Rsa_keys_sign_with_their_default_algorithm_or_the_one_asked_for()
    {
        var rs = await CreateKeyAsync("rsa-2048");
        var ps = await CreateKeyAsync("rsa-2048", new { algorithm = "PS256" });

        Assert.Equal("RS256", Jose.Header((await Admin.ResultAsync("jwt_sign", new { key = rs, payload = new { a = 1 } })).Str("jwt")).Str("alg"));
        Assert.Equal("PS256", Jose.Header((await Admin.ResultAsync("jwt_sign", new { key = ps, payload = new { a = 1 } })).Str("jwt")).Str("alg"));
        var perCall = (await Admin.ResultAsync("jwt_sign", new { key = rs, payload = new { a = 1 }, algorithm = "PS256" })).Str("jwt");
        Assert.Equal("PS256", Jose.Header(perCall).Str("alg"));
        Assert.True((await VerifyAsync(perCall)).GetProperty("valid").GetBoolean());
        var sig = await Admin.ResultAsync("sign", new { key = ps, data = "AAEC" });
        Assert.Equal("PS256", sig.Str("algorithm"));
        Assert.False(sig.TryGetProperty("signature_format", out _));
        Assert.Equal("PS256", (await Admin.ResultAsync("key.get", new { name = ps })).GetProperty("policy").Str("algorithm"));

        var configured = await Admin.ResultAsync("key.configure", new { name = ps, algorithm = "RS256" });
        Assert.Equal("RS256", configured.GetProperty("policy").Str("algorithm"));
    }

    [Fact]
    public async Task Batches_keep_order_and_one_failing_item_does_not_fail_the_others()
    {
        var key = await CreateKeyAsync("ecdsa-p256");
        var other = await CreateKeyAsync("ed25519");
        var signed = (await Admin.ResultAsync("jwt_sign", new
        {
            key,
            items = new object[] { new { payload = new { i = 0 } }, new { payload = 42 }, new { key = other, payload = new { i = 2 } } },
        })).GetProperty("items");

        Assert.Equal(3, signed.GetArrayLength());
        Assert.Equal("invalid_params", signed[1].GetProperty("error").ErrorName());
        Assert.Equal("EdDSA", Jose.Header(signed[2].Str("jwt")).Str("alg"));
        var verified = (await Admin.ResultAsync("jwt_verify", new
        {
            items = new object[] { new { jwt = signed[0].Str("jwt") }, new { jwt = "x.y" }, new { jwt = signed[2].Str("jwt") } },
        })).GetProperty("items");
        Assert.Equal(0, verified[0].GetProperty("claims").Int("i"));
        Assert.Equal("malformed", verified[1].Str("reason"));
        Assert.Equal(2, verified[2].GetProperty("claims").Int("i"));

        var sigs = (await Admin.ResultAsync("sign", new { key, items = new object[] { new { data = "AA" }, new { data = "!!" } } })).GetProperty("items");
        Assert.Equal("invalid_base64", sigs[1].GetProperty("error").ErrorName());
        var checks = (await Admin.ResultAsync("verify", new { key, items = new object[] { new { data = "AA", signature = sigs[0].Str("signature") } } }))
            .GetProperty("items");
        Assert.True(checks[0].GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Signing_errors_have_their_names()
    {
        var aes = ServerFixture.UniqueName("aes");
        await Admin.ResultAsync("key.create", new { name = aes, type = "aes-256-gcm" });
        var ec = await CreateKeyAsync("ecdsa-p256");

        Assert.Equal("unsupported_operation", (await Admin.ErrorAsync("jwt_sign", new { key = aes, payload = new { a = 1 } })).ErrorName());
        Assert.Equal("unsupported_operation", (await Admin.ErrorAsync("sign", new { key = aes, data = "AA" })).ErrorName());
        Assert.Equal("unsupported_operation", (await Admin.ErrorAsync("jwt_sign", new { key = ec, payload = new { a = 1 }, algorithm = "PS256" })).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("jwt_sign", new { key = ec, payload = new { a = 1 }, algorithm = "none" })).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("jwt_sign", new { key = ec, payload = new[] { 1 } })).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("jwt_sign", new { key = ec, payload = "" })).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("jwt_sign", new { key = ec })).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("jwt_sign", new { key = ec, payload = new { a = 1 }, certificate_url = "ftp://x/y" })).ErrorName());
        Assert.Equal("certificate_not_found", (await Admin.ErrorAsync("jwt_sign", new { key = ec, payload = new { a = 1 }, include_certificate = true })).ErrorName());
        Assert.Equal("certificate_not_found", (await Admin.ErrorAsync("jwt_sign", new { key = ec, payload = new { a = 1 }, include_cert_hash = true })).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("sign", new { key = ec, data = "AA", signature_format = "raw" })).ErrorName());
        Assert.Equal("invalid_policy", (await Admin.ErrorAsync("key.create", new { name = ServerFixture.UniqueName(), type = "ecdsa-p256", algorithm = "RS256" })).ErrorName());
        Assert.Equal("invalid_policy", (await Admin.ErrorAsync("key.create", new { name = ServerFixture.UniqueName(), type = "aes-256-gcm", algorithm = "ES256" })).ErrorName());
        Assert.Equal("forbidden", (await Admin.ErrorAsync("jwt_sign", new { key = "keybridge.root-ca", payload = new { a = 1 } })).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("jwt_verify", new { })).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("verify", new { kid = $"{ec}:v1", version = 1, data = "AA", signature = "AA" })).ErrorName());
    }

    [Fact]
    public async Task Jwks_endpoint_is_public_cacheable_and_lists_only_usable_versions()
    {
        var key = await CreateKeyAsync("ecdsa-p256");
        await Admin.ResultAsync("key.rotate", new { name = key });
        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };

        using var first = await http.GetAsync(".well-known/jwks.json");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("application/json", first.Content.Headers.ContentType!.MediaType);
        Assert.True(first.Headers.CacheControl!.Public);
        Assert.True(first.Headers.CacheControl.MaxAge > TimeSpan.Zero);
        var etag = first.Headers.ETag!;
        var body = await first.Content.ReadAsStringAsync();
        var kids = Kids(body);
        Assert.Contains($"{key}:v1", kids);
        Assert.Contains($"{key}:v2", kids);
        Assert.DoesNotContain(kids, k => k.StartsWith("keybridge.", StringComparison.Ordinal));
        var jwk = JsonDocument.Parse(body).RootElement.GetProperty("keys").EnumerateArray().First(k => k.Str("kid") == $"{key}:v2");
        Assert.Equal(("EC", "P-256", "ES256", "sig"), (jwk.Str("kty"), jwk.Str("crv"), jwk.Str("alg"), jwk.Str("use")));
        Assert.False(jwk.TryGetProperty("d", out _));

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "api/v1/security/.well-known/jwks.json");
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await http.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag);

        Assert.Equal(body, await http.GetStringAsync("api/v1/security/.well-known/jwks.json"));
        await Admin.ResultAsync("key.revoke_version", new { name = key, version = 1 });
        using var changed = new HttpRequestMessage(HttpMethod.Get, ".well-known/jwks.json");
        changed.Headers.IfNoneMatch.Add(etag);
        using var fresh = await http.SendAsync(changed);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.NotEqual(etag, fresh.Headers.ETag);
        var freshKids = Kids(await fresh.Content.ReadAsStringAsync());
        Assert.DoesNotContain($"{key}:v1", freshKids);
        Assert.Contains($"{key}:v2", freshKids);

        var rpc = await Admin.ResultAsync("get_jwks", new { keys = new[] { key } });
        Assert.Equal([$"{key}:v2"], rpc.GetProperty("keys").EnumerateArray().Select(k => k.Str("kid")));
        Assert.Contains($"{key}:v2", (await Admin.ResultAsync("get_jwks")).GetProperty("keys").EnumerateArray().Select(k => k.Str("kid")));
        Assert.Equal("key_not_found", (await Admin.ErrorAsync("get_jwks", new { keys = new[] { "no-such-key-here" } })).ErrorName());
    }

    [Fact]
    public async Task Key_export_gives_public_keys_and_private_parts_only_for_exportable_keys()
    {
        var locked = await CreateKeyAsync("ed25519");
        var open = await CreateKeyAsync("ecdsa-p256", new { exportable = true });

        var jwk = (await Admin.ResultAsync("key.export", new { name = locked })).GetProperty("key");
        Assert.Equal(("OKP", "Ed25519", $"{locked}:v1"), (jwk.Str("kty"), jwk.Str("crv"), jwk.Str("kid")));
        Assert.False(jwk.TryGetProperty("d", out _));
        Assert.Equal("not_exportable", (await Admin.ErrorAsync("key.export", new { name = locked, @private = true })).ErrorName());
        Assert.Equal("certificate_not_found", (await Admin.ErrorAsync("key.export", new { name = locked, format = "certificate" })).ErrorName());

        var privateJwk = (await Admin.ResultAsync("key.export", new { name = open, @private = true })).GetProperty("key");
        Assert.Equal(32, Jose.Unb64(privateJwk.Str("d")).Length);
        var pem = (await Admin.ResultAsync("key.export", new { name = open, format = "pem", @private = true })).Str("key");
        using var ec = ECDsa.Create();
        ec.ImportFromPem(pem);
        var signature = ec.SignData("x"u8.ToArray(), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        Assert.True((await Admin.ResultAsync("verify", new { key = open, data = Jose.B64("x"), signature = Jose.B64(signature) })).GetProperty("valid").GetBoolean());

        var root = await Admin.ResultAsync("key.export", new { name = "keybridge.root-ca", format = "certificate" });
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", root.Str("key"));
        Assert.Equal("forbidden", (await Admin.ErrorAsync("key.export", new { name = "keybridge.root-ca", @private = true })).ErrorName());
    }

    private static List<string> Kids(string jwks) =>
        JsonDocument.Parse(jwks).RootElement.GetProperty("keys").EnumerateArray().Select(k => k.Str("kid")).ToList();
}

public sealed class SqliteSigningTests(SqliteServerFixture fx) : SigningContractTests(fx), IClassFixture<SqliteServerFixture>;

public sealed class PostgresSigningTests(PostgresServerFixture fx) : SigningContractTests(fx), IClassFixture<PostgresServerFixture>;
