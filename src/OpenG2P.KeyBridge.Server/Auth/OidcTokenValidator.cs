using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Hosting;

namespace OpenG2P.KeyBridge.Server.Auth;

/// <summary>
/// Validates access tokens from an external OpenID Connect issuer: signature against the
/// issuer's JWKS (fetched, cached, refreshed when a token names an unknown <c>kid</c>), issuer,
/// audience and lifetime; roles come from a configured claim and are mapped to KeyBridge roles.
/// </summary>
public sealed partial class OidcTokenValidator(IOptions<AuthOptions> options, IHttpClientFactory http, TimeProvider time, ILogger<OidcTokenValidator> logger)
{
    private static readonly TimeSpan RefreshFloor = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private JsonWebKeySet? _keys;
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;

    public OidcOptions Options => options.Value.Oidc;

    public async ValueTask<Caller> ValidateAsync(string token, CancellationToken ct)
    {
        var o = Options;
        var kid = ReadKid(token);
        var keys = await KeysAsync(force: false, ct);
        if (kid is not null && !keys.Keys.Any(k => k.Kid == kid))
        {
            keys = await KeysAsync(force: true, ct);
        }
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = o.Issuer,
            ValidateAudience = !string.IsNullOrEmpty(o.Audience),
            ValidAudience = o.Audience,
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (nbf, exp, _, _) => exp is { } e && e.ToUniversalTime() > time.GetUtcNow().UtcDateTime.AddSeconds(-30)
                && (nbf is not { } n || n.ToUniversalTime() <= time.GetUtcNow().UtcDateTime.AddSeconds(30)),
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            // The exception type names the check that failed (signature, lifetime, audience...) and holds no secret.
            throw Fail($"the token from {o.Issuer} is not valid ({result.Exception?.GetType().Name ?? "invalid"})");
        }
        var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload)).RootElement;
        var roles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var external in ReadRoles(payload, o.RolesClaim))
        {
            // One external role may grant several KeyBridge roles, comma-separated (e.g. MOSIP's KEYMANAGER_ADMIN).
            if (o.RoleMap.TryGetValue(external, out var mapped))
            {
                roles.UnionWith(mapped.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(Roles.All.Contains));
            }
        }
        var clientId = new[] { o.ClientIdClaim, "client_id", "azp", "sub" }
            .Select(c => payload.TryGetProperty(c, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null)
            .FirstOrDefault(v => !string.IsNullOrEmpty(v)) ?? "unknown";
        return new Caller("oidc:" + clientId, roles, [], new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
    }

    private static IEnumerable<string> ReadRoles(JsonElement payload, string path)
    {
        var node = payload;
        foreach (var part in path.Split('.'))
        {
            if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(part, out node))
            {
                return [];
            }
        }
        return node.ValueKind == JsonValueKind.Array
            ? node.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!)
            : [];
    }

    private static string? ReadKid(string token)
    {
        try
        {
            return new JsonWebToken(token).Kid;
        }
        catch (ArgumentException)
        {
            throw Fail("the bearer token is not a well-formed JWT");
        }
    }

    private async Task<JsonWebKeySet> KeysAsync(bool force, CancellationToken ct)
    {
        if (_keys is { } cached && (!force || time.GetUtcNow() - _fetchedAt < RefreshFloor))
        {
            return cached;
        }
        await _refresh.WaitAsync(ct);
        try
        {
            if (_keys is { } again && (!force || time.GetUtcNow() - _fetchedAt < RefreshFloor))
            {
                return again;
            }
            var client = http.CreateClient("oidc");
            var url = Options.JwksUrl;
            if (string.IsNullOrEmpty(url))
            {
                using var discovery = JsonDocument.Parse(await client.GetStringAsync(Options.Issuer!.TrimEnd('/') + "/.well-known/openid-configuration", ct));
                url = discovery.RootElement.GetProperty("jwks_uri").GetString();
            }
            _keys = new JsonWebKeySet(await client.GetStringAsync(url, ct));
            _fetchedAt = time.GetUtcNow();
            LogFetched(logger, _keys.Keys.Count);
            return _keys;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or ArgumentException or TaskCanceledException)
        {
            LogFetchFailed(logger, e);
            if (_keys is { } stale)
            {
                return stale;
            }
            throw Fail("the identity provider's keys cannot be fetched right now");
        }
        finally
        {
            _refresh.Release();
        }
    }

    private static KeyBridgeException Fail(string reason) => new(KeyBridgeError.AuthenticationFailed, reason);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Fetched {Count} signing keys from the OIDC issuer")]
    private static partial void LogFetched(ILogger logger, int count);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Fetching the OIDC issuer's keys failed")]
    private static partial void LogFetchFailed(ILogger logger, Exception exception);
}
