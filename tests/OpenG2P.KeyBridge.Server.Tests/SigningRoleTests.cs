using OpenG2P.KeyBridge.Auth;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>Who may sign, verify, read the JWKS and manage certificates; per-key grants apply to the key a kid names.</summary>
public sealed class SigningRoleTests(SqliteServerFixture fx) : IClassFixture<SqliteServerFixture>
{
    /// <summary>A client written straight into the server's database (client management is not an RPC surface yet).</summary>
    private async Task<RpcClient> ClientAsync(string[] roles, string[]? keys = null)
    {
        var id = ServerFixture.UniqueName("client");
        var secret = SecretHasher.NewSecret();
        var store = new SqliteKeyStore(Path.Combine(fx.Server.DataDirectory, "keybridge.db"));
        await store.CreateClientAsync(new ClientRecord
        {
            ClientId = id, SecretHash = SecretHasher.Hash(secret), Roles = roles, Keys = keys ?? [],
            CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
        });
        return await RpcClient.LoginAsync(fx.Server.BaseAddress, id, secret);
    }

    [Fact]
    public async Task Signers_sign_and_verify_verifiers_only_verify_and_certificates_need_key_admin()
    {
        var key = ServerFixture.UniqueName("roles");
        await fx.Admin.ResultAsync("key.create", new { name = key, type = "ecdsa-p256" });
        using var signer = await ClientAsync([Roles.Signer]);
        using var verifier = await ClientAsync([Roles.Verifier]);
        using var keyAdmin = await ClientAsync([Roles.KeyAdmin]);
        using var auditor = await ClientAsync([Roles.Auditor]);

        var jwt = (await signer.ResultAsync("jwt_sign", new { key, payload = new { a = 1 } })).Str("jwt");
        var sig = (await signer.ResultAsync("sign", new { key, data = "AQID" })).Str("signature");
        Assert.True((await signer.ResultAsync("jwt_verify", new { jwt })).GetProperty("valid").GetBoolean());
        Assert.True((await verifier.ResultAsync("jwt_verify", new { jwt })).GetProperty("valid").GetBoolean());
        Assert.True((await verifier.ResultAsync("verify", new { key, data = "AQID", signature = sig })).GetProperty("valid").GetBoolean());
        Assert.Equal("forbidden", (await verifier.ErrorAsync("jwt_sign", new { key, payload = new { a = 1 } })).ErrorName());
        Assert.Equal("forbidden", (await verifier.ErrorAsync("sign", new { key, data = "AQID" })).ErrorName());
        Assert.Equal("forbidden", (await signer.ErrorAsync("cert.issue", new { name = key })).ErrorName());
        Assert.Equal("forbidden", (await signer.ErrorAsync("cert.create_csr", new { name = key })).ErrorName());
        Assert.Equal("forbidden", (await signer.ErrorAsync("cert.import", new { name = key, certificate = "x" })).ErrorName());
        Assert.Equal("forbidden", (await keyAdmin.ErrorAsync("jwt_sign", new { key, payload = new { a = 1 } })).ErrorName());
        await keyAdmin.ResultAsync("cert.issue", new { name = key });
        await keyAdmin.ResultAsync("cert.create_csr", new { name = key });
        Assert.Equal("forbidden", (await auditor.ErrorAsync("jwt_verify", new { jwt })).ErrorName());
        Assert.Contains($"{key}:v1", (await auditor.ResultAsync("get_jwks")).GetProperty("keys").EnumerateArray().Select(k => k.Str("kid")));
    }

    [Fact]
    public async Task Key_grants_limit_signing_and_apply_to_the_key_a_token_names()
    {
        var prefix = "granted-" + Guid.NewGuid().ToString("N")[..8];
        var mine = prefix + "-a";
        var other = ServerFixture.UniqueName("other");
        await fx.Admin.ResultAsync("key.create", new { name = mine, type = "ed25519" });
        await fx.Admin.ResultAsync("key.create", new { name = other, type = "ed25519" });
        using var limited = await ClientAsync([Roles.Signer], [prefix + "*"]);
        var foreign = (await fx.Admin.ResultAsync("jwt_sign", new { key = other, payload = new { a = 1 } })).Str("jwt");

        Assert.True((await limited.ResultAsync("jwt_verify", new { jwt = (await limited.ResultAsync("jwt_sign", new { key = mine, payload = new { a = 1 } })).Str("jwt") }))
            .GetProperty("valid").GetBoolean());
        Assert.Equal("forbidden", (await limited.ErrorAsync("jwt_sign", new { key = other, payload = new { a = 1 } })).ErrorName());
        Assert.Equal("forbidden", (await limited.ErrorAsync("jwt_verify", new { jwt = foreign })).ErrorName());
        Assert.Equal("forbidden", (await limited.ErrorAsync("jwt_sign", new { payload = new { a = 1 } })).ErrorName());
    }
}
