using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace OpenG2P.KeyBridge.Server.Tests.Infrastructure;

/// <summary>
/// A mocked Keycloak realm on WireMock.Net: the discovery document and the JWKS as Keycloak
/// serves them, and tokens shaped like Keycloak's (realm_access.roles, azp, aud).
/// </summary>
public sealed class FakeKeycloak : IDisposable
{
    private readonly WireMockServer _server = WireMockServer.Start();
    private readonly List<(string Kid, RSA Key)> _keys = [];

    public FakeKeycloak()
    {
        Issuer = _server.Url + "/realms/openg2p";
        _server.Given(Request.Create().WithPath("/realms/openg2p/.well-known/openid-configuration").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["issuer"] = Issuer,
                ["jwks_uri"] = Issuer + "/protocol/openid-connect/certs",
                ["token_endpoint"] = Issuer + "/protocol/openid-connect/token",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            })));
        RotateKey();
    }

    public string Issuer { get; }

    public int JwksRequests => _server.LogEntries.Count(e => e.RequestMessage.Path.EndsWith("/certs", StringComparison.Ordinal));

    /// <summary>Adds a new signing key (as Keycloak does on key rotation) and republishes the JWKS.</summary>
    public void RotateKey()
    {
        _keys.Add(("kc-" + Guid.NewGuid().ToString("N")[..8], RSA.Create(2048)));
        var jwks = _keys.Select(k =>
        {
            var p = k.Key.ExportParameters(false);
            return new Dictionary<string, object>
            {
                ["kid"] = k.Kid, ["kty"] = "RSA", ["alg"] = "RS256", ["use"] = "sig",
                ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent),
            };
        }).ToList();
        _server.Given(Request.Create().WithPath("/realms/openg2p/protocol/openid-connect/certs").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json")
                .WithBody(JsonSerializer.Serialize(new Dictionary<string, object> { ["keys"] = jwks })));
    }

    public string Token(string[] realmRoles, string audience = "keybridge", string? issuer = null, TimeSpan? lifetime = null, RSA? signWith = null)
    {
        var (kid, key) = _keys[^1];
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            IssuedAt = now.AddMinutes(-1),
            NotBefore = now.AddMinutes(-1),
            Expires = now + (lifetime ?? TimeSpan.FromMinutes(5)),
            Claims = new Dictionary<string, object>
            {
                ["azp"] = "openg2p-registry",
                ["realm_access"] = new Dictionary<string, object> { ["roles"] = realmRoles },
                ["typ"] = "Bearer",
            },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(signWith ?? key) { KeyId = kid }, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
        foreach (var (_, k) in _keys)
        {
            k.Dispose();
        }
    }
}
