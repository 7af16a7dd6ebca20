using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>Signing keys generated inside the SoftHSM2 token: they sign with C_Sign and never leave it.</summary>
public sealed class HsmSigningFixture : IAsyncLifetime
{
    public SoftHsm Hsm { get; private set; } = null!;

    public KeyBridgeProcess Server { get; private set; } = null!;

    public RpcClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Hsm = await SoftHsm.CreateAsync();
        var settings = Hsm.Settings();
        settings["Bootstrap:AdminSecret"] = "hsm-sign-admin";
        Server = await KeyBridgeProcess.StartAsync(settings);
        Admin = await RpcClient.LoginAsync(Server.BaseAddress, "admin", "hsm-sign-admin");
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await Server.DisposeAsync();
        Hsm.Dispose();
    }
}

public sealed class HsmSigningTests(HsmSigningFixture fx) : IClassFixture<HsmSigningFixture>
{
    private static readonly string Checker = Repo.PathOf("tests", "python", "kb_jwks_verify.py");

    [Theory]
    [InlineData("ecdsa-p256", "ES256")]
    [InlineData("ed25519", "EdDSA")]
    [InlineData("rsa-2048", "RS256")]
    [InlineData("rsa-2048", "PS256")]
    public async Task Hsm_resident_keys_sign_tokens_that_verify_from_the_jwks(string type, string alg)
    {
        var key = ServerFixture.UniqueName("hsmsig");
        var created = await fx.Admin.ResultAsync("key.create", new { name = key, type, hsm_resident = true });
        Assert.True(created.GetProperty("policy").GetProperty("hsm_resident").GetBoolean());
        foreach (var round in new[] { 1, 2 })
        {
            var jwt = (await fx.Admin.ResultAsync("jwt_sign", new { key, payload = new { sub = "registrant-7", round }, algorithm = type.StartsWith("rsa", StringComparison.Ordinal) ? alg : null })).Str("jwt");
            var verified = await fx.Admin.ResultAsync("jwt_verify", new { jwt });
            Assert.True(verified.GetProperty("valid").GetBoolean(), verified.ToString());
            var (code, _, stderr) = await Repo.RunAsync(Repo.Python, Checker, fx.Server.BaseAddress + ".well-known/jwks.json", alg, jwt);
            Assert.True(code == 0, $"{alg}: {stderr}");
            await fx.Admin.ResultAsync("key.rotate", new { name = key });
        }
        Assert.Equal("not_exportable", (await fx.Admin.ErrorAsync("key.export", new { name = key, format = "pem", @private = true })).ErrorName());

        var privateKeys = PrivateKeys(await fx.Hsm.ListObjectsAsync(), key);
        Assert.Equal(3, privateKeys.Count); // versions 1, 2 and 3
        Assert.All(privateKeys, o => Assert.Contains("never extractable", o));
    }

    [Fact]
    public async Task A_version_that_cannot_be_stored_leaves_no_object_in_the_token()
    {
        var key = ServerFixture.UniqueName("hsmdup");
        await fx.Admin.ResultAsync("key.create", new { name = key, type = "ecdsa-p256", hsm_resident = true });
        Assert.Equal("key_exists", (await fx.Admin.ErrorAsync("key.create", new { name = key, type = "ecdsa-p256", hsm_resident = true })).ErrorName());
        Assert.Single(PrivateKeys(await fx.Hsm.ListObjectsAsync(), key));
    }

    /// <summary>The private-key objects pkcs11-tool lists for one key (each object is a header line and its indented attributes).</summary>
    private static List<string> PrivateKeys(string listing, string key) =>
        System.Text.RegularExpressions.Regex.Split(listing, @"\n(?=\S)")
            .Where(o => o.StartsWith("Private Key Object", StringComparison.Ordinal)
                && o.Split('\n').Any(l => l.Trim() == $"label:      keybridge:{key}"))
            .ToList();

    [Fact]
    public async Task Only_signing_keys_can_be_hsm_resident_and_never_exportable()
    {
        Assert.Equal("invalid_policy", (await fx.Admin.ErrorAsync("key.create", new { name = ServerFixture.UniqueName(), type = "aes-256-gcm", hsm_resident = true })).ErrorName());
        Assert.Equal("invalid_policy", (await fx.Admin.ErrorAsync("key.create", new { name = ServerFixture.UniqueName(), type = "ecdsa-p256", hsm_resident = true, exportable = true })).ErrorName());
    }
}

public sealed class SoftwareKekHsmPolicyTests(SqliteServerFixture fx) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task Hsm_resident_keys_need_the_pkcs11_provider()
    {
        var error = await fx.Admin.ErrorAsync("key.create", new { name = ServerFixture.UniqueName(), type = "ecdsa-p256", hsm_resident = true });
        Assert.Equal("invalid_policy", error.ErrorName());
        Assert.Contains("pkcs11", error.Str("message"));
    }
}
