using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>
/// What KeyBridge signs is checked by code nobody here wrote: PyJWT and jwcrypto, given nothing but
/// the public JWKS URL (tests/python/kb_jwks_verify.py), and the openssl command line for raw signatures.
/// </summary>
public sealed class IndependentSigningTests(SqliteServerFixture fx) : IClassFixture<SqliteServerFixture>
{
    private static readonly string Checker = Repo.PathOf("tests", "python", "kb_jwks_verify.py");

    private RpcClient Admin => fx.Admin;

    private string JwksUrl => new Uri(fx.Server.BaseAddress, ".well-known/jwks.json").ToString();

    private Task<(int Code, string Out, string Err)> PythonVerifyAsync(string alg, string jwt, string? detached = null, string? url = null) =>
        detached is null
            ? Repo.RunAsync(Repo.Python, Checker, url ?? JwksUrl, alg, jwt)
            : Repo.RunAsync(Repo.Python, Checker, url ?? JwksUrl, alg, jwt, detached);

    [Theory]
    [InlineData("ecdsa-p256", null, "ES256")]
    [InlineData("ed25519", null, "EdDSA")]
    [InlineData("rsa-2048", null, "RS256")]
    [InlineData("rsa-2048", "PS256", "PS256")]
    public async Task PyJWT_and_jwcrypto_verify_tokens_from_the_jwks_alone_before_and_after_rotation(string type, string? keyAlgorithm, string alg)
    {
        var key = ServerFixture.UniqueName("indep");
        await Admin.ResultAsync("key.create", keyAlgorithm is null ? new { name = key, type } : new { name = key, type, algorithm = keyAlgorithm });
        var claims = new { sub = "beneficiary-7", program = "cash-transfer", amount = "12.50", currency = "KES", note = "Ñandú — 名" };
        var before = (await Admin.ResultAsync("jwt_sign", new { key, payload = claims })).Str("jwt");

        var first = await PythonVerifyAsync(alg, before);
        Assert.True(first.Code == 0, first.Err);
        Assert.Equal("Ñandú — 名", JsonDocument.Parse(Jose.Unb64(first.Out)).RootElement.Str("note"));

        await Admin.ResultAsync("key.rotate", new { name = key });
        var after = (await Admin.ResultAsync("jwt_sign", new { key, payload = claims })).Str("jwt");
        Assert.Equal($"{key}:v2", Jose.Header(after).Str("kid"));
        Assert.Equal(alg, Jose.Header(after).Str("alg"));

        var old = await PythonVerifyAsync(alg, before, url: new Uri(fx.Server.BaseAddress, "api/v1/security/.well-known/jwks.json").ToString());
        Assert.True(old.Code == 0, old.Err);
        var fresh = await PythonVerifyAsync(alg, after);
        Assert.True(fresh.Code == 0, fresh.Err);

        // The checker can fail: a flipped signature bit, or a version no longer published.
        Assert.Equal(1, (await PythonVerifyAsync(alg, Jose.FlipBit(after, 2))).Code);
        await Admin.ResultAsync("key.revoke_version", new { name = key, version = 1 });
        Assert.Equal(2, (await PythonVerifyAsync(alg, before)).Code);
    }

    [Fact]
    public async Task A_detached_jws_over_raw_bytes_verifies_with_PyJWT_and_jwcrypto()
    {
        var key = ServerFixture.UniqueName("detached");
        await Admin.ResultAsync("key.create", new { name = key, type = "ed25519" });
        // Like OpenG2P's credential signing: 64 raw bytes (two SHA-256 digests), detached.
        var content = Jose.B64(SHA256.HashData("proof"u8).Concat(SHA256.HashData("credential"u8)).ToArray());
        var jwt = (await Admin.ResultAsync("jwt_sign", new { key, payload = content, include_payload = false })).Str("jwt");

        var r = await PythonVerifyAsync("EdDSA", jwt, content);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(content, r.Out);
        Assert.Equal(1, (await PythonVerifyAsync("EdDSA", jwt, Jose.B64(new byte[64]))).Code);
    }

    [Fact]
    public async Task Certificate_headers_carry_the_issued_certificate_and_verifiers_still_use_the_jwks()
    {
        var key = ServerFixture.UniqueName("x5c");
        await Admin.ResultAsync("key.create", new { name = key, type = "rsa-2048" });
        var issued = await Admin.ResultAsync("cert.issue", new { name = key });
        var jwt = (await Admin.ResultAsync("jwt_sign", new
        {
            key, payload = new { sub = "x" }, include_certificate = true, include_cert_hash = true,
            certificate_url = "https://keybridge.example.org/certs/voucher.pem",
        })).Str("jwt");
        var header = Jose.Header(jwt);

        var der = PemDer(issued.Str("certificate"));
        Assert.Equal(Convert.ToBase64String(der), header.GetProperty("x5c")[0].GetString());
        Assert.Equal(Convert.ToBase64String(PemDer(issued.GetProperty("chain")[0].GetString()!)), header.GetProperty("x5c")[1].GetString());
        Assert.Equal(Jose.B64(SHA256.HashData(der)), header.Str("x5t#S256"));
        Assert.Equal("https://keybridge.example.org/certs/voucher.pem", header.Str("x5u"));
        var r = await PythonVerifyAsync("RS256", jwt);
        Assert.True(r.Code == 0, r.Err);
        var published = JsonDocument.Parse(await new HttpClient().GetStringAsync(JwksUrl)).RootElement.GetProperty("keys")
            .EnumerateArray().Single(k => k.Str("kid") == $"{key}:v1");
        Assert.Equal(Convert.ToBase64String(der), published.GetProperty("x5c")[0].GetString());
    }

    [Theory]
    [InlineData("ecdsa-p256", null)]
    [InlineData("ed25519", null)]
    [InlineData("rsa-2048", "PS256")]
    [InlineData("rsa-3072", "RS256")]
    [InlineData("rsa-4096", "PS256")]
    public async Task Openssl_verifies_raw_signatures_with_the_exported_public_key(string type, string? algorithm)
    {
        var key = ServerFixture.UniqueName("raw");
        await Admin.ResultAsync("key.create", new { name = key, type });
        var dir = TempDir();
        var data = Encoding.UTF8.GetBytes("payment-file-2026-03.csv\n1,KES,12.50\n");
        await File.WriteAllBytesAsync(Path.Combine(dir, "data.bin"), data);
        var signed = await Admin.ResultAsync("sign", algorithm is null ? new { key, data = Jose.B64(data) } : new { key, data = Jose.B64(data), algorithm });
        await File.WriteAllBytesAsync(Path.Combine(dir, "sig.bin"), Jose.Unb64(signed.Str("signature")));
        await File.WriteAllTextAsync(Path.Combine(dir, "pub.pem"), (await Admin.ResultAsync("key.export", new { name = key, format = "pem" })).Str("key"));
        await File.WriteAllBytesAsync(Path.Combine(dir, "other.bin"), [.. data, (byte)'!']);

        Task<(int Code, string Out, string Err)> Check(string file) => type == "ed25519"
            ? Repo.RunAsync("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", Path.Combine(dir, "pub.pem"), "-rawin",
                "-in", Path.Combine(dir, file), "-sigfile", Path.Combine(dir, "sig.bin"))
            : Repo.RunAsync("openssl", ["dgst", "-sha256", "-verify", Path.Combine(dir, "pub.pem"), "-signature", Path.Combine(dir, "sig.bin"),
                .. algorithm == "PS256" ? new[] { "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32" } : [],
                Path.Combine(dir, file)]);

        var ok = await Check("data.bin");
        Assert.True(ok.Code == 0, ok.Out + ok.Err);
        Assert.Contains("Verified", ok.Out + ok.Err, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(0, (await Check("other.bin")).Code);
    }

    internal static byte[] PemDer(string pem) =>
        Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)).Select(l => l.Trim())));

    internal static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "kb-sign-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
