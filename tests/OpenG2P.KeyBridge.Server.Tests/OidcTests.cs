using System.Security.Cryptography;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

public sealed class OidcFixture : IAsyncLifetime
{
    public FakeKeycloak Keycloak { get; } = new();

    public KeyBridgeProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await KeyBridgeProcess.StartAsync(new Dictionary<string, string?>
    {
        ["Bootstrap:AdminSecret"] = "oidc-admin",
        ["Auth:Oidc:Issuer"] = Keycloak.Issuer,
        ["Auth:Oidc:Audience"] = "keybridge",
        ["Auth:Oidc:RoleMap:kb-encrypt"] = "encrypter",
        ["Auth:Oidc:RoleMap:kb-audit"] = "auditor",
    });

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Keycloak.Dispose();
    }
}

public sealed class OidcTests(OidcFixture fx) : IClassFixture<OidcFixture>
{
    private async Task<(int Status, string? Error)> CallAsync(string token, string method)
    {
        using var client = new RpcClient(fx.Server.BaseAddress, token);
        var (status, body) = await client.PostRawAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":{\"text\":\"x\"}}");
        return (status, body is { } b && b.TryGetProperty("error", out var e) ? e.ErrorName() : null);
    }

    [Fact]
    public async Task Keycloak_token_with_mapped_roles_is_accepted_and_limited_to_them()
    {
        var token = fx.Keycloak.Token(["kb-encrypt", "offline_access"]);
        Assert.Equal((200, (string?)null), await CallAsync(token, "encrypt_data"));
        Assert.Equal((200, "forbidden"), await CallAsync(token, "decrypt_data"));
        Assert.Equal((200, "forbidden"), await CallAsync(fx.Keycloak.Token(["offline_access"]), "encrypt_data"));

        using var admin = await RpcClient.LoginAsync(fx.Server.BaseAddress, "admin", "oidc-admin");
        var records = await admin.ResultAsync("audit.query", new { client_id = "oidc:openg2p-registry", method = "encrypt_data" });
        Assert.True(records.GetProperty("records").GetArrayLength() >= 1);
    }

    [Fact]
    public async Task Tokens_from_elsewhere_or_out_of_date_are_refused()
    {
        Assert.Equal((401, "authentication_failed"), await CallAsync(fx.Keycloak.Token(["kb-encrypt"], issuer: "https://evil.example/realms/openg2p"), "encrypt_data"));
        Assert.Equal((401, "authentication_failed"), await CallAsync(fx.Keycloak.Token(["kb-encrypt"], audience: "another-service"), "encrypt_data"));
        Assert.Equal((401, "authentication_failed"), await CallAsync(fx.Keycloak.Token(["kb-encrypt"], lifetime: TimeSpan.FromMinutes(-5)), "encrypt_data"));
        using var stranger = RSA.Create(2048);
        Assert.Equal((401, "authentication_failed"), await CallAsync(fx.Keycloak.Token(["kb-encrypt"], signWith: stranger), "encrypt_data"));
    }

    [Fact]
    public async Task A_new_signing_key_at_the_issuer_is_fetched_on_first_sight()
    {
        Assert.Equal((200, (string?)null), await CallAsync(fx.Keycloak.Token(["kb-encrypt"]), "encrypt_data"));
        var before = fx.Keycloak.JwksRequests;
        fx.Keycloak.RotateKey();
        await Task.Delay(TimeSpan.FromSeconds(10.5)); // the refresh floor that protects the issuer from unknown-kid floods
        Assert.Equal((200, (string?)null), await CallAsync(fx.Keycloak.Token(["kb-encrypt"]), "encrypt_data"));
        Assert.True(fx.Keycloak.JwksRequests > before);
    }
}
