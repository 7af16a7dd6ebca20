using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;
using static OpenG2P.KeyBridge.Server.Tests.IndependentSigningTests;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>Certificates and CSRs checked with the openssl command line: KeyBridge's root, an external CA, refusals.</summary>
public sealed class CertificateTests(SqliteServerFixture fx) : IClassFixture<SqliteServerFixture>
{
    private RpcClient Admin => fx.Admin;

    private static async Task<(int Code, string Output)> OpensslAsync(params string[] args)
    {
        var (code, stdout, stderr) = await Repo.RunAsync("openssl", args);
        return (code, stdout + "\n" + stderr);
    }

    [Theory]
    [InlineData("ecdsa-p256")]
    [InlineData("ed25519")]
    [InlineData("rsa-2048")]
    public async Task Openssl_accepts_an_issued_certificate_against_the_keybridge_root(string type)
    {
        var key = ServerFixture.UniqueName("issue");
        await Admin.ResultAsync("key.create", new { name = key, type, rotation_period = "30d" });
        var dir = TempDir();
        var issued = await Admin.ResultAsync("cert.issue", new { name = key, subject = "CN=Voucher signing, O=OpenG2P" });
        var root = (await Admin.ResultAsync("key.export", new { name = "keybridge.root-ca", format = "certificate" })).Str("key");
        await File.WriteAllTextAsync(Path.Combine(dir, "root.pem"), root);
        await File.WriteAllTextAsync(Path.Combine(dir, "leaf.pem"), issued.Str("certificate"));

        var verify = await OpensslAsync("verify", "-CAfile", Path.Combine(dir, "root.pem"), Path.Combine(dir, "leaf.pem"));
        Assert.True(verify.Code == 0, verify.Output);
        Assert.Contains("leaf.pem: OK", verify.Output);
        Assert.Equal(root, issued.GetProperty("chain")[0].GetString());

        var text = (await OpensslAsync("x509", "-in", Path.Combine(dir, "leaf.pem"), "-noout", "-text")).Output;
        Assert.Contains("CA:FALSE", text);
        Assert.Contains("Digital Signature, Non Repudiation", text);
        Assert.Contains("Subject: O = OpenG2P, CN = Voucher signing", text);
        var serial = (await OpensslAsync("x509", "-in", Path.Combine(dir, "leaf.pem"), "-noout", "-serial")).Output.Trim().Split('=')[1];
        Assert.True(serial.Length >= 16 && int.Parse(serial[..1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) < 8, $"serial {serial} is not positive");
        // Two rotation periods: the version signs for one, and its signatures are verified for about another.
        var notAfter = issued.GetProperty("not_after").GetDateTimeOffset();
        Assert.InRange(notAfter, DateTimeOffset.UtcNow.AddDays(59), DateTimeOffset.UtcNow.AddDays(61));
        var rootText = (await OpensslAsync("x509", "-in", Path.Combine(dir, "root.pem"), "-noout", "-text")).Output;
        Assert.Contains("CA:TRUE", rootText);
        Assert.Contains("Certificate Sign, CRL Sign", rootText);

        // The check can fail: a root made by openssl did not issue this certificate.
        await OpensslAsync("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", Path.Combine(dir, "fake.key"),
            "-out", Path.Combine(dir, "fake.pem"), "-subj", "/CN=OpenG2P KeyBridge Root CA v1", "-days", "30");
        Assert.NotEqual(0, (await OpensslAsync("verify", "-CAfile", Path.Combine(dir, "fake.pem"), Path.Combine(dir, "leaf.pem"))).Code);
    }

    [Theory]
    [InlineData("ecdsa-p256")]
    [InlineData("ed25519")]
    [InlineData("rsa-2048")]
    public async Task A_csr_signed_by_an_openssl_ca_imports_and_a_certificate_for_another_key_is_refused(string type)
    {
        var key = ServerFixture.UniqueName("csr");
        await Admin.ResultAsync("key.create", new { name = key, type });
        var dir = TempDir();
        string P(string f) => Path.Combine(dir, f);
        var csr = await Admin.ResultAsync("cert.create_csr", new { name = key, subject = "CN=Registry signing, O=OpenG2P, C=KE" });
        Assert.Equal($"{key}:v1", csr.Str("kid"));
        await File.WriteAllTextAsync(P("key.csr"), csr.Str("csr"));

        var check = await OpensslAsync("req", "-in", P("key.csr"), "-verify", "-noout", "-subject");
        Assert.True(check.Code == 0, check.Output);
        Assert.Contains("verify OK", check.Output);
        Assert.Contains("CN = Registry signing", check.Output);

        var ca = await OpensslAsync("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", P("ca.key"),
            "-out", P("ca.pem"), "-subj", "/CN=External Test CA", "-days", "30");
        Assert.True(ca.Code == 0, ca.Output);
        var signed = await OpensslAsync("x509", "-req", "-in", P("key.csr"), "-CA", P("ca.pem"), "-CAkey", P("ca.key"), "-CAcreateserial",
            "-out", P("signed.pem"), "-days", "20");
        Assert.True(signed.Code == 0, signed.Output);
        var chainPem = await File.ReadAllTextAsync(P("signed.pem")) + await File.ReadAllTextAsync(P("ca.pem"));

        var imported = await Admin.ResultAsync("cert.import", new { name = key, certificate = chainPem });
        Assert.Equal("CN=External Test CA", imported.Str("issuer"));
        Assert.Equal(1, imported.GetProperty("chain").GetArrayLength());
        var exported = (await Admin.ResultAsync("key.export", new { name = key, format = "certificate" })).Str("key");
        Assert.Equal(PemDer(await File.ReadAllTextAsync(P("signed.pem"))), PemDer(exported.Split("-----END CERTIFICATE-----")[0]));
        var header = Jose.Header((await Admin.ResultAsync("jwt_sign", new { key, payload = new { a = 1 }, include_certificate = true })).Str("jwt"));
        Assert.Equal(2, header.GetProperty("x5c").GetArrayLength());
        Assert.Equal(Convert.ToBase64String(PemDer(await File.ReadAllTextAsync(P("ca.pem")))), header.GetProperty("x5c")[1].GetString());

        // A certificate from the same CA for a key openssl made: right format, wrong public key.
        var other = await OpensslAsync("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", P("other.key"),
            "-subj", "/CN=Registry signing", "-out", P("other.csr"));
        Assert.True(other.Code == 0, other.Output);
        Assert.Equal(0, (await OpensslAsync("x509", "-req", "-in", P("other.csr"), "-CA", P("ca.pem"), "-CAkey", P("ca.key"), "-CAcreateserial",
            "-out", P("other.pem"), "-days", "20")).Code);
        Assert.Equal("certificate_mismatch",
            (await Admin.ErrorAsync("cert.import", new { name = key, certificate = await File.ReadAllTextAsync(P("other.pem")) })).ErrorName());

        // The version's own certificate does not fit the next version either.
        await Admin.ResultAsync("key.rotate", new { name = key });
        Assert.Equal("certificate_mismatch", (await Admin.ErrorAsync("cert.import", new { name = key, certificate = chainPem })).ErrorName());
        Assert.Equal("certificate_mismatch", (await Admin.ErrorAsync("cert.import", new { name = key, version = 2, certificate = chainPem })).ErrorName());
        await Admin.ResultAsync("cert.import", new { name = key, version = 1, certificate = chainPem });
    }

    [Fact]
    public async Task Import_refuses_what_is_not_a_certificate_and_an_expired_one()
    {
        var key = ServerFixture.UniqueName("bad");
        await Admin.ResultAsync("key.create", new { name = key, type = "ecdsa-p256" });
        Assert.Equal("certificate_malformed", (await Admin.ErrorAsync("cert.import", new { name = key, certificate = "hello" })).ErrorName());
        Assert.Equal("certificate_malformed", (await Admin.ErrorAsync("cert.import", new
        {
            name = key, certificate = "-----BEGIN CERTIFICATE-----\nAAECAwQ=\n-----END CERTIFICATE-----\n",
        })).ErrorName());
        var csr = (await Admin.ResultAsync("cert.create_csr", new { name = key })).Str("csr");
        Assert.Equal("certificate_malformed", (await Admin.ErrorAsync("cert.import", new { name = key, certificate = csr })).ErrorName());

        // An expired certificate for the right public key, from a throwaway CA.
        var pem = (await Admin.ResultAsync("key.export", new { name = key, format = "pem" })).Str("key");
        using var ec = ECDsa.Create();
        ec.ImportFromPem(pem);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Old CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(30));
        using var expired = new CertificateRequest($"CN={key}", ec, HashAlgorithmName.SHA256)
            .Create(ca, DateTimeOffset.UtcNow.AddDays(-20), DateTimeOffset.UtcNow.AddDays(-10), [1, 2, 3]);
        Assert.Equal("certificate_expired", (await Admin.ErrorAsync("cert.import", new { name = key, certificate = expired.ExportCertificatePem() })).ErrorName());

        Assert.Equal("unsupported_operation", (await Admin.ErrorAsync("cert.issue", new { name = "default-encryption" })).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("cert.issue", new { name = key, subject = "not a DN" })).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("cert.issue", new { name = key, validity_days = 0 })).ErrorName());
        Assert.Equal("version_not_found", (await Admin.ErrorAsync("cert.issue", new { name = key, version = 5 })).ErrorName());
        Assert.Equal("forbidden", (await Admin.ErrorAsync("cert.issue", new { name = "keybridge.root-ca" })).ErrorName());
    }

    [Fact]
    public async Task The_default_signing_key_starts_with_a_certificate_from_the_root()
    {
        var dir = TempDir();
        await File.WriteAllTextAsync(Path.Combine(dir, "root.pem"),
            (await Admin.ResultAsync("key.export", new { name = "keybridge.root-ca", format = "certificate" })).Str("key"));
        var chain = (await Admin.ResultAsync("key.export", new { name = "default-signing", format = "certificate" })).Str("key");
        await File.WriteAllTextAsync(Path.Combine(dir, "leaf.pem"), chain);

        var verify = await OpensslAsync("verify", "-CAfile", Path.Combine(dir, "root.pem"), Path.Combine(dir, "leaf.pem"));
        Assert.True(verify.Code == 0, verify.Output);
        var jwt = (await Admin.ResultAsync("jwt_sign", new { payload = new { a = 1 }, include_certificate = true, include_cert_hash = true })).Str("jwt");
        Assert.Equal(2, Jose.Header(jwt).GetProperty("x5c").GetArrayLength());
    }
}
