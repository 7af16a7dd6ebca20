using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>
/// Golden request/response pairs for every <c>/v1/keymanager</c> endpoint, from the references (MOSIP's DTOs and
/// envelope): field names, encodings, time formats, defaults, error codes and statuses.
/// </summary>
public sealed partial class MosipEndpointTests(SqliteServerFixture fx) : IClassFixture<SqliteServerFixture>
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex MosipTime();

    [GeneratedRegex(@"^[A-Za-z0-9_-]{43}=$")]
    private static partial Regex MosipKid();

    private async Task<MosipClient> ClientAsync(params string[] roles) => MosipClient.For(await fx.Admin.CreateClientAsync(roles));

    private static object CryptoRequest(string data, string? salt, string? aad, string app = "REGISTRATION", string reference = "ENCRYPT") =>
        new { applicationId = app, referenceId = reference, timeStamp = MosipClient.Now(), data, salt, aad };

    private static void AssertEnvelope(JsonElement body, string? id)
    {
        Assert.Equal(["id", "version", "responsetime", "metadata", "response", "errors"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(id, body.GetProperty("id").GetString());
        Assert.Matches(MosipTime(), body.GetProperty("responsetime").GetString()!);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("metadata").ValueKind);
    }

    [Fact]
    public async Task Encrypt_returns_padded_base64url_data_that_decrypt_takes_back_with_the_same_aad()
    {
        using var mosip = await ClientAsync("encrypter", "decrypter");
        var (salt, aad) = (B64.Url(RandomNumberGenerator.GetBytes(32)), B64.Url(RandomNumberGenerator.GetBytes(32)));
        var plaintext = JsonSerializer.Serialize(new { name = "Amina Yusuf", birth_place = "Kisumu" });

        var (status, body) = await mosip.PostAsync("encrypt", CryptoRequest(B64.Url(plaintext), salt, aad));

        Assert.Equal(200, status);
        AssertEnvelope(body, "string");
        Assert.Equal("string", body.GetProperty("version").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("errors").ValueKind);
        var data = body.GetProperty("response").GetProperty("data").GetString()!;
        Assert.Equal(["data"], body.GetProperty("response").EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, data.Length % 4); // MOSIP's URL-safe base64 keeps its padding
        Assert.DoesNotContain('+', data);
        Assert.StartsWith("kb:", Encoding.ASCII.GetString(B64.Bytes(data)));

        var decrypted = await mosip.ResponseAsync("decrypt", CryptoRequest(data.TrimEnd('='), salt, aad));
        Assert.Equal(plaintext, B64.Text(decrypted.GetProperty("data").GetString()!));
        // Standard base64 input is read too, as MOSIP does.
        var standard = Convert.ToBase64String(B64.Bytes(data));
        Assert.Equal(plaintext, B64.Text((await mosip.ResponseAsync("decrypt", CryptoRequest(standard, salt, aad))).GetProperty("data").GetString()!));
        // Another aad does not authenticate (KER-FSE-004); the salt is not bound (KeyBridge draws its own nonce).
        Assert.Equal("KER-FSE-004", await mosip.ErrorCodeAsync("decrypt", CryptoRequest(data, salt, B64.Url(RandomNumberGenerator.GetBytes(32)))));
        Assert.Equal(plaintext, B64.Text((await mosip.ResponseAsync("decrypt", CryptoRequest(data, null, aad))).GetProperty("data").GetString()!));
    }

    [Fact]
    public async Task Crypto_requests_are_validated_with_mosips_error_codes()
    {
        using var mosip = await ClientAsync("encrypter", "decrypter");
        var data = B64.Url("x");

        Assert.Equal("KER-CRY-004", await mosip.ErrorCodeAsync("encrypt", new { referenceId = "ENCRYPT", timeStamp = MosipClient.Now(), data }));
        Assert.Equal("KER-CRY-004", await mosip.ErrorCodeAsync("encrypt", new { applicationId = "REGISTRATION", referenceId = "ENCRYPT", data }));
        Assert.Equal("KER-CRY-007", await mosip.ErrorCodeAsync("encrypt", new { applicationId = "REGISTRATION", referenceId = "ENCRYPT", timeStamp = "yesterday", data }));
        Assert.Equal("KER-CRY-004", await mosip.ErrorCodeAsync("encrypt", CryptoRequest("", null, null)));
        Assert.Equal("KER-CRY-003", await mosip.ErrorCodeAsync("encrypt", CryptoRequest("not base64!", null, null)));
        Assert.Equal("KER-CRY-011", await mosip.ErrorCodeAsync("encrypt", CryptoRequest(data, null, null, reference: "")));
        Assert.Equal("KER-CRY-011", await mosip.ErrorCodeAsync("encrypt", CryptoRequest(data, null, null, "KERNEL", "SIGN")));
        Assert.Equal("KER-KMS-002", await mosip.ErrorCodeAsync("encrypt", CryptoRequest(data, null, null, app: "NO_SUCH_APP")));
        Assert.Equal("KER-KMS-010", await mosip.ErrorCodeAsync("encrypt", CryptoRequest(data, null, null, reference: "NO_SUCH_REF")));
        Assert.Equal("KER-CRY-003", await mosip.ErrorCodeAsync("decrypt", CryptoRequest(B64.Url(RandomNumberGenerator.GetBytes(100)), null, null)));
        var (status, body) = await mosip.PostAsync("decrypt", new { applicationId = "REGISTRATION" });
        Assert.Equal((200, "KER-CRY-004"), (status, body.GetProperty("errors")[0].GetProperty("errorCode").GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("errors")[0].GetProperty("message").GetString()));
    }

    [Fact]
    public async Task JwtSign_honours_mosips_flags_and_defaults_and_its_kid_is_a_listed_keyId()
    {
        using var mosip = await ClientAsync("signer", "verifier");
        var claims = B64.Url(JsonSerializer.Serialize(new { voucher = "V-1", amount = "12.50" }));

        var attached = await mosip.ResponseAsync("jwtSign", new { dataToSign = claims, applicationId = "ID_REPO", referenceId = "", includePayload = true });
        var detached = (await mosip.ResponseAsync("jwtSign", new { dataToSign = claims, applicationId = "ID_REPO", referenceId = "" })).GetProperty("jwtSignedData").GetString()!;
        var full = (await mosip.ResponseAsync("jwtSign", new
        {
            dataToSign = claims, applicationId = "ID_REPO", referenceId = "", includePayload = true, includeCertificate = true, includeCertHash = true,
            certificateUrl = "https://keys.example.org/id_repo.pem",
        })).GetProperty("jwtSignedData").GetString()!;

        Assert.Equal(["jwtSignedData", "timestamp"], attached.EnumerateObject().Select(p => p.Name));
        Assert.Matches(MosipTime(), attached.GetProperty("timestamp").GetString()!);
        var token = attached.GetProperty("jwtSignedData").GetString()!;
        var header = Jose.Header(token);
        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        var kid = header.GetProperty("kid").GetString()!;
        Assert.Matches(MosipKid(), kid);
        Assert.False(header.TryGetProperty("x5c", out _));
        Assert.Equal("", detached.Split('.')[1]); // includePayload defaults to false: a detached JWS
        var fullHeader = Jose.Header(full);
        using var leaf = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(fullHeader.GetProperty("x5c")[0].GetString()!));
        Assert.Equal(B64.Url(SHA256.HashData(leaf.RawData)), fullHeader.GetProperty("x5t#S256").GetString());
        Assert.Equal("https://keys.example.org/id_repo.pem", fullHeader.GetProperty("x5u").GetString());

        var certificates = (await mosip.GetResponseAsync("getAllCertificates?applicationId=ID_REPO")).GetProperty("allCertificates");
        var listed = certificates.EnumerateArray().Single(c => c.GetProperty("keyId").GetString() == kid);
        using var listedCert = X509Certificate2.CreateFromPem(listed.GetProperty("certificateData").GetString());
        Assert.Equal(leaf.RawData, listedCert.RawData);
        // Non-JSON bytes are signed too (OpenG2P's credential issuer signs raw digests).
        Assert.Equal(3, (await mosip.ResponseAsync("jwtSign", new { dataToSign = B64.Url(RandomNumberGenerator.GetBytes(64)), applicationId = "ID_REPO" }))
            .GetProperty("jwtSignedData").GetString()!.Split('.').Length);
        Assert.Equal("KER-JWS-102", await mosip.ErrorCodeAsync("jwtSign", new { applicationId = "ID_REPO" }));
        Assert.Equal("KER-JWS-102", await mosip.ErrorCodeAsync("jwtSign", new { dataToSign = claims, certificateUrl = "ftp://x" }));
    }

    [Fact]
    public async Task An_unknown_application_id_signs_with_kernel_sign_as_mosip_does()
    {
        using var mosip = await ClientAsync("signer");
        var token = (await mosip.ResponseAsync("jwtSign", new { dataToSign = B64.Url("{\"a\":1}"), applicationId = "NOT_CONFIGURED", includePayload = true }))
            .GetProperty("jwtSignedData").GetString()!;
        var kernel = (await mosip.GetResponseAsync("getAllCertificates?applicationId=KERNEL&referenceId=SIGN")).GetProperty("allCertificates");

        Assert.Contains(kernel.EnumerateArray(), c => c.GetProperty("keyId").GetString() == Jose.Header(token).GetProperty("kid").GetString());
    }

    [Fact]
    public async Task JwtVerify_finds_the_version_by_kid_and_never_trusts_an_embedded_certificate()
    {
        using var mosip = await ClientAsync("signer", "verifier");
        var claims = B64.Url(JsonSerializer.Serialize(new { voucher = "V-2" }));
        var token = (await mosip.ResponseAsync("jwtSign", new { dataToSign = claims, applicationId = "ID_REPO", includePayload = true })).GetProperty("jwtSignedData").GetString()!;
        var detached = (await mosip.ResponseAsync("jwtSign", new { dataToSign = claims, applicationId = "ID_REPO" })).GetProperty("jwtSignedData").GetString()!;

        var valid = await mosip.ResponseAsync("jwtVerify", new { jwtSignatureData = token, applicationId = "ID_REPO", referenceId = "", validateTrust = false });
        Assert.Equal(["signatureValid", "message", "trustValid"], valid.EnumerateObject().Select(p => p.Name));
        Assert.True(valid.GetProperty("signatureValid").GetBoolean());
        Assert.Equal("Validation Successful", valid.GetProperty("message").GetString());
        Assert.Equal("TRUST_NOT_VERIFIED", valid.GetProperty("trustValid").GetString());
        Assert.True((await mosip.ResponseAsync("jwtVerify", new { jwtSignatureData = detached, actualData = claims, applicationId = "ID_REPO" }))
            .GetProperty("signatureValid").GetBoolean());
        Assert.Equal("TRUST_NOT_VERIFIED_NO_DOMAIN",
            (await mosip.ResponseAsync("jwtVerify", new { jwtSignatureData = token, validateTrust = true })).GetProperty("trustValid").GetString());

        var tampered = token[..token.LastIndexOf('.')] + "." + B64.Url(RandomNumberGenerator.GetBytes(256));
        var failed = await mosip.ResponseAsync("jwtVerify", new { jwtSignatureData = tampered, applicationId = "ID_REPO" });
        Assert.False(failed.GetProperty("signatureValid").GetBoolean());
        Assert.Equal("Validation Failed", failed.GetProperty("message").GetString());

        // A token signed by an attacker's key, carrying that key's self-signed certificate in x5c: MOSIP would accept it.
        using var attacker = RSA.Create(2048);
        var request = new CertificateRequest("CN=ID_REPO", attacker, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var forged = Jose.Make(new Dictionary<string, object> { ["alg"] = "RS256", ["x5c"] = new[] { Convert.ToBase64String(selfSigned.RawData) },
            ["kid"] = Jose.Header(token).GetProperty("kid").GetString()! }, "{\"voucher\":\"V-2\"}", d => attacker.SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.False((await mosip.ResponseAsync("jwtVerify", new { jwtSignatureData = forged, applicationId = "ID_REPO" })).GetProperty("signatureValid").GetBoolean());
        var noKid = Jose.Make(new Dictionary<string, object> { ["alg"] = "RS256", ["x5c"] = new[] { Convert.ToBase64String(selfSigned.RawData) } },
            "{\"voucher\":\"V-2\"}", d => attacker.SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.False((await mosip.ResponseAsync("jwtVerify", new { jwtSignatureData = noKid, applicationId = "ID_REPO" })).GetProperty("signatureValid").GetBoolean());
        Assert.Equal("KER-JWS-106", await mosip.ErrorCodeAsync("jwtVerify", new { jwtSignatureData = "not-a-jws" }));
        Assert.Equal("KER-JWS-102", await mosip.ErrorCodeAsync("jwtVerify", new { applicationId = "ID_REPO" }));
    }

    [Fact]
    public async Task GetAllCertificates_and_getCertificate_have_mosips_fields_and_formats()
    {
        using var mosip = await ClientAsync("verifier");

        var (status, body) = await mosip.GetAsync("getAllCertificates?applicationId=REGISTRATION");
        Assert.Equal(200, status);
        AssertEnvelope(body, null);
        var all = body.GetProperty("response").GetProperty("allCertificates");
        var first = all[0];
        Assert.Equal(["certificateData", "issuedAt", "expiryAt", "keyId"], first.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----\n", first.GetProperty("certificateData").GetString());
        Assert.Matches(MosipTime(), first.GetProperty("issuedAt").GetString()!);
        Assert.Matches(MosipTime(), first.GetProperty("expiryAt").GetString()!);
        Assert.Matches(MosipKid(), first.GetProperty("keyId").GetString()!);

        var current = await mosip.GetResponseAsync("getCertificate?applicationId=REGISTRATION&referenceId=");
        Assert.Equal(["certificate", "certSignRequest", "issuedAt", "expiryAt", "timestamp"], current.EnumerateObject().Select(p => p.Name));
        Assert.Equal(first.GetProperty("certificateData").GetString(), current.GetProperty("certificate").GetString());
        Assert.Equal(JsonValueKind.Null, current.GetProperty("certSignRequest").ValueKind);
        // A data id (REGISTRATION/ENCRYPT) encrypts with an AES key: no certificates until MOSIP keys are imported.
        Assert.Empty((await mosip.GetResponseAsync("getAllCertificates?applicationId=REGISTRATION&referenceId=ENCRYPT")).GetProperty("allCertificates").EnumerateArray());
        Assert.Equal("KER-KMS-002", (await mosip.GetAsync("getAllCertificates?applicationId=UNKNOWN_APP")).Body.GetProperty("errors")[0].GetProperty("errorCode").GetString());
        Assert.Equal("KER-KMS-005", (await mosip.GetAsync("getAllCertificates")).Body.GetProperty("errors")[0].GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task GenerateMasterKey_generateCSR_and_uploadCertificate_manage_a_master_keys_certificate()
    {
        using var admin = await ClientAsync("key-admin");
        var app = "APP_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

        var created = await admin.ResponseAsync("generateMasterKey/CERTIFICATE", new { applicationId = app, referenceId = "", force = false, commonName = "Registry Master", organization = "OpenG2P", country = "KE" });
        Assert.Equal(["certificate", "certSignRequest", "issuedAt", "expiryAt", "timestamp"], created.EnumerateObject().Select(p => p.Name));
        using var cert = X509Certificate2.CreateFromPem(created.GetProperty("certificate").GetString());
        Assert.Contains("CN=Registry Master", cert.Subject);
        Assert.Contains("C=KE", cert.Subject);
        var again = await admin.ResponseAsync("generateMasterKey/CERTIFICATE", new { applicationId = app, force = false });
        Assert.Equal(created.GetProperty("certificate").GetString(), again.GetProperty("certificate").GetString());
        var forced = await admin.ResponseAsync("generateMasterKey/CERTIFICATE", new { applicationId = app, force = true });
        Assert.NotEqual(created.GetProperty("certificate").GetString(), forced.GetProperty("certificate").GetString());
        var csr = await admin.ResponseAsync("generateMasterKey/CSR", new { applicationId = app });
        Assert.Equal(JsonValueKind.Null, csr.GetProperty("certificate").ValueKind);
        Assert.StartsWith("-----BEGIN CERTIFICATE REQUEST-----", csr.GetProperty("certSignRequest").GetString());
        Assert.Equal("KER-KMS-005", await admin.ErrorCodeAsync("generateMasterKey/PFX", new { applicationId = app }));
        Assert.Equal("KER-KMS-010", await admin.ErrorCodeAsync("generateMasterKey/CERTIFICATE", new { applicationId = app, referenceId = "ENCRYPT" }));

        // generateCSR → an external CA (openssl) signs it → uploadCertificate attaches it.
        var generated = await admin.ResponseAsync("generateCSR", new { applicationId = app, referenceId = "", commonName = "External CA'd" });
        Assert.Equal(["certSignRequest", "issuedAt", "expiryAt", "timestamp"], generated.EnumerateObject().Select(p => p.Name));
        var signedPem = await ExternalCaSignAsync(generated.GetProperty("certSignRequest").GetString()!);
        var uploaded = await admin.ResponseAsync("uploadCertificate", new { applicationId = app, referenceId = "", certificateData = signedPem });
        Assert.Equal(["status", "timestamp"], uploaded.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Upload Success", uploaded.GetProperty("status").GetString());
        using var verifier = await ClientAsync("verifier");
        using var now = X509Certificate2.CreateFromPem((await verifier.GetResponseAsync($"getCertificate?applicationId={app}")).GetProperty("certificate").GetString());
        using var signed = X509Certificate2.CreateFromPem(signedPem);
        Assert.Equal(signed.RawData, now.RawData);
        Assert.Equal("KER-KMS-014", await admin.ErrorCodeAsync("uploadCertificate", new { applicationId = app, certificateData = created.GetProperty("certificate").GetString() }));
        Assert.Equal("KER-KMS-013", await admin.ErrorCodeAsync("uploadCertificate", new { applicationId = app, certificateData = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" }));
    }

    [Fact]
    public async Task GenerateSymmetricKey_and_revokeKey_answer_mosips_statuses()
    {
        using var admin = await ClientAsync("key-admin", "signer", "verifier");
        var reference = "REF" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

        Assert.Equal("Generation Success", (await admin.ResponseAsync("generateSymmetricKey", new { applicationId = "OPENG2P", referenceId = reference, force = false })).GetProperty("status").GetString());
        Assert.Equal("Key Exists.", (await admin.ResponseAsync("generateSymmetricKey", new { applicationId = "OPENG2P", referenceId = reference, force = false })).GetProperty("status").GetString());
        Assert.Equal("Generation Success", (await admin.ResponseAsync("generateSymmetricKey", new { applicationId = "OPENG2P", referenceId = reference, force = true })).GetProperty("status").GetString());
        Assert.Equal("KER-KMS-005", await admin.ErrorCodeAsync("generateSymmetricKey", new { applicationId = "OPENG2P" }));

        var app = "REVOKE_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await admin.ResponseAsync("generateMasterKey/CERTIFICATE", new { applicationId = app });
        var token = (await admin.ResponseAsync("jwtSign", new { dataToSign = B64.Url("{\"v\":1}"), applicationId = app, includePayload = true })).GetProperty("jwtSignedData").GetString()!;
        var (status, body) = await admin.PostAsync("revokeKey", new { applicationId = app, referenceId = "", disableAutoGen = false }, HttpMethod.Put);
        Assert.Equal(200, status);
        Assert.Equal("Key Revoked", body.GetProperty("response").GetProperty("status").GetString());
        Assert.Matches(MosipTime(), body.GetProperty("response").GetProperty("timestamp").GetString()!);
        // MOSIP's revoke: the old key stops signing but its signatures still verify, and both certificates stay listed.
        var after = (await admin.ResponseAsync("jwtSign", new { dataToSign = B64.Url("{\"v\":2}"), applicationId = app, includePayload = true })).GetProperty("jwtSignedData").GetString()!;
        Assert.NotEqual(Jose.Header(token).GetProperty("kid").GetString(), Jose.Header(after).GetProperty("kid").GetString());
        Assert.True((await admin.ResponseAsync("jwtVerify", new { jwtSignatureData = token, applicationId = app })).GetProperty("signatureValid").GetBoolean());
        Assert.Equal(2, (await admin.GetResponseAsync($"getAllCertificates?applicationId={app}")).GetProperty("allCertificates").GetArrayLength());
        var (kernelStatus, kernel) = await admin.PostAsync("revokeKey", new { applicationId = "KERNEL", referenceId = "SIGN" }, HttpMethod.Put);
        Assert.Equal((200, "KER-KMS-021"), (kernelStatus, kernel.GetProperty("errors")[0].GetProperty("errorCode").GetString()));
    }

    [Fact]
    public async Task Tokens_come_from_a_cookie_or_a_bearer_header_and_roles_map_onto_mosip_operations()
    {
        var verifier = await fx.Admin.CreateClientAsync(["verifier"]);
        using var anonymous = new MosipClient(new Uri(fx.Server.BaseAddress, "/"), null);
        using var bearer = MosipClient.For(verifier, bearer: true);
        using var cookie = MosipClient.For(verifier);

        var (status, body) = await anonymous.GetAsync("getAllCertificates?applicationId=ID_REPO");
        Assert.Equal(401, status);
        Assert.Equal("KER-ATH-401", body.GetProperty("errors")[0].GetProperty("errorCode").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("response").ValueKind);
        Assert.Equal(401, (await new MosipClient(new Uri(fx.Server.BaseAddress, "/"), "not-a-token").GetAsync("getAllCertificates?applicationId=ID_REPO")).Status);
        Assert.Equal(200, (await bearer.GetAsync("getAllCertificates?applicationId=ID_REPO")).Status);
        Assert.Equal(200, (await cookie.GetAsync("getAllCertificates?applicationId=ID_REPO")).Status);
        foreach (var (path, request) in new (string, object)[]
        {
            ("encrypt", CryptoRequest(B64.Url("x"), null, null)), ("decrypt", CryptoRequest(B64.Url("x"), null, null)),
            ("jwtSign", new { dataToSign = B64.Url("{}") }), ("generateMasterKey/CERTIFICATE", new { applicationId = "ID_REPO" }),
            ("generateCSR", new { applicationId = "ID_REPO" }), ("uploadCertificate", new { applicationId = "ID_REPO", certificateData = "x" }),
            ("generateSymmetricKey", new { applicationId = "OPENG2P", referenceId = "ENCRYPT" }),
        })
        {
            var (denied, error) = await cookie.PostAsync(path, request);
            Assert.True(denied == 403, $"{path}: HTTP {denied}");
            Assert.Equal("KER-ATH-403", error.GetProperty("errors")[0].GetProperty("errorCode").GetString());
        }
        // The JSON-RPC API keeps to the Authorization header: the cookie alone is not accepted there.
        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };
        using var rpc = new HttpRequestMessage(HttpMethod.Post, "jsonrpc") { Content = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rpc.discover\"}") };
        rpc.Headers.Add("Cookie", "Authorization=" + verifier.Token);
        Assert.Equal(401, (int)(await http.SendAsync(rpc)).StatusCode);
    }

    [Fact]
    public async Task Every_mosip_call_is_audited_with_its_key_versions_and_counted()
    {
        var encrypter = await fx.Admin.CreateClientAsync(["encrypter"]);
        using var mosip = MosipClient.For(encrypter);
        await mosip.ResponseAsync("encrypt", CryptoRequest(B64.Url("audited"), null, null));
        await mosip.PostAsync("jwtSign", new { dataToSign = B64.Url("{}") });

        var records = (await fx.Admin.ResultAsync("audit.query", new { client_id = encrypter.ClientId })).GetProperty("records").EnumerateArray().ToList();
        var encrypt = records.Single(r => r.Str("method") == "mosip.encrypt");
        Assert.Equal("ok", encrypt.Str("outcome"));
        Assert.Equal("mosip.registration.encrypt.aes:1", encrypt.Str("versions"));
        var denied = records.Single(r => r.Str("method") == "mosip.jwtSign");
        Assert.Equal(("denied", "forbidden"), (denied.Str("outcome"), denied.Str("error_name")));
        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };
        var metrics = await http.GetStringAsync("metrics");
        Assert.Contains("keybridge_rpc_requests_total{method=\"mosip.encrypt\",outcome=\"ok\"}", metrics);
        Assert.Contains("keybridge_key_operations_total{key=\"mosip.registration.encrypt.aes\",method=\"mosip.encrypt\",outcome=\"ok\"}", metrics);
    }

    /// <summary>Signs a PKCS#10 request with a throwaway CA made by openssl, as an external CA would.</summary>
    private static async Task<string> ExternalCaSignAsync(string csrPem)
    {
        var dir = Directory.CreateTempSubdirectory("kb-ca-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "req.csr"), csrPem);
        var (code, _, err) = await Repo.RunAsync("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=External CA", "-days", "400",
            "-keyout", Path.Combine(dir, "ca.key"), "-out", Path.Combine(dir, "ca.pem"));
        Assert.True(code == 0, err);
        (code, _, err) = await Repo.RunAsync("openssl", "x509", "-req", "-in", Path.Combine(dir, "req.csr"), "-CA", Path.Combine(dir, "ca.pem"),
            "-CAkey", Path.Combine(dir, "ca.key"), "-CAcreateserial", "-days", "365", "-out", Path.Combine(dir, "cert.pem"));
        Assert.True(code == 0, err);
        return await File.ReadAllTextAsync(Path.Combine(dir, "cert.pem"));
    }
}
