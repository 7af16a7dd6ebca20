using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Auth;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Server.Hosting;

namespace OpenG2P.KeyBridge.Server.Auth;

/// <summary>
/// Issues and validates KeyBridge's own access tokens: compact JWTs (HS256) signed with the
/// stored, rotatable key <c>keybridge.token-signing</c>, so tokens survive restarts and are
/// accepted by every node sharing the store. The <c>kid</c> names the key version.
/// </summary>
public sealed class TokenService(KeyRing ring, ClientDirectory clients, IOptions<AuthOptions> options, TimeProvider time)
{
    public const string SigningKeyName = "keybridge.token-signing";
    private const string KidPrefix = SigningKeyName + ":v";
    private static readonly JsonSerializerOptions JwtJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Private claim: the client's "tokens valid after" mark when the token was issued.</summary>
    private const string GenerationClaim = "kb_gen";

    public string Issuer => options.Value.Issuer;

    public async Task<(string Token, int ExpiresIn)> IssueAsync(ClientRecord client, CancellationToken ct)
    {
        var clientId = client.ClientId;
        var key = await ring.GetAsync(SigningKeyName, ct);
        var version = KeyRing.LatestForUse(key);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var lifetime = options.Value.TokenLifetimeSeconds;
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["alg"] = "HS256", ["typ"] = "at+jwt", ["kid"] = KidPrefix + version.Version.ToString(CultureInfo.InvariantCulture),
        }, JwtJson);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = options.Value.Issuer, ["sub"] = clientId, ["client_id"] = clientId,
            ["iat"] = now, ["nbf"] = now, ["exp"] = now + lifetime, ["jti"] = Base64Url.Encode(RandomNumberGenerator.GetBytes(12)),
            [GenerationClaim] = Generation(client),
        }, JwtJson);
        var signingInput = Base64Url.Encode(header) + "." + Base64Url.Encode(payload);
        var signature = Sign(key, version, signingInput);
        return (signingInput + "." + Base64Url.Encode(signature), lifetime);
    }

    /// <summary>
    /// Tokens whose signature and claims were checked recently, so a client sending the same token
    /// on every call is not re-parsed and re-MACed each time. Only the token's own content is
    /// cached: expiry, the client record (disabled, secret rotated) and the signing key version's
    /// state are checked on every call, and any key change made through this node drops the cache.
    /// </summary>
    private readonly ConcurrentDictionary<string, CheckedToken> _checked = new(StringComparer.Ordinal);
    private long _checkedChanges = -1;

    private sealed record CheckedToken(string ClientId, long Exp, long Generation, int Version, long CheckedAt)
    {
        /// <summary>The caller last built for this token, with the client record it came from (reused while that record is current).</summary>
        public BuiltCaller? Built { get; set; }
    }

    private sealed record BuiltCaller(ClientRecord Client, Caller Caller);

    private const int MaxCheckedTokens = 10_000;

    /// <summary>Whether <paramref name="token"/> was issued by this KeyBridge and validated recently (its issuer need not be parsed again).</summary>
    public bool IsKnown(string token) => _checked.ContainsKey(token);

    /// <summary>Validates a bearer token and returns the caller; throws <c>authentication_failed</c> with a reason that reveals nothing secret.</summary>
    public async ValueTask<Caller> ValidateAsync(string token, CancellationToken ct)
    {
        var changes = ring.Changes;
        if (Interlocked.Exchange(ref _checkedChanges, changes) != changes)
        {
            _checked.Clear();
        }
        var ttl = Math.Max(0, options.Value.ClientCacheSeconds) * 1000L;
        if (_checked.TryGetValue(token, out var known) && Environment.TickCount64 - known.CheckedAt < ttl)
        {
            var cachedKey = await ring.GetAsync(SigningKeyName, ct);
            if (cachedKey.FindVersion(known.Version) is { } kv && cachedKey.EffectiveState(kv) == VersionState.Active)
            {
                return await CallerAsync(known.ClientId, known.Exp, known.Generation, known, ct);
            }
            _checked.TryRemove(token, out _);
        }
        var parts = token.Split('.');
        if (parts.Length != 3
            || !Base64Url.TryDecodeCanonical(parts[0], out var headerBytes)
            || !Base64Url.TryDecodeCanonical(parts[1], out var payloadBytes)
            || !Base64Url.TryDecodeCanonical(parts[2], out var signature))
        {
            throw Fail("the bearer token is not a well-formed JWT");
        }
        int version;
        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            var root = header.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "HS256"
                || !root.TryGetProperty("kid", out var kid) || kid.ValueKind != JsonValueKind.String
                || kid.GetString() is not { } kidText || !kidText.StartsWith(KidPrefix, StringComparison.Ordinal)
                || !int.TryParse(kidText.AsSpan(KidPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out version))
            {
                throw Fail("the bearer token was not issued by this KeyBridge");
            }
        }
        catch (JsonException)
        {
            throw Fail("the bearer token is not a well-formed JWT");
        }

        var key = await ring.GetAsync(SigningKeyName, ct);
        KeyVersionRecord v;
        try
        {
            v = KeyRing.ForDecryption(key, version);
        }
        catch (KeyBridgeException)
        {
            throw Fail("the bearer token's signing key version is unknown or no longer accepted");
        }
        var expected = Sign(key, v, parts[0] + "." + parts[1]);
        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            throw Fail("the bearer token's signature is invalid");
        }

        string clientId;
        long exp, generation;
        try
        {
            using var payload = JsonDocument.Parse(payloadBytes);
            var p = payload.RootElement;
            clientId = p.GetProperty("sub").GetString() ?? throw Fail("the bearer token has no subject");
            exp = p.GetProperty("exp").GetInt64();
            generation = p.GetProperty(GenerationClaim).GetInt64();
            if (p.GetProperty("iss").GetString() != options.Value.Issuer)
            {
                throw Fail("the bearer token has another issuer");
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Fail("the bearer token's claims are malformed");
        }
        CheckedToken? entry = null;
        if (ttl > 0)
        {
            if (_checked.Count >= MaxCheckedTokens)
            {
                _checked.Clear();
            }
            _checked[token] = entry = new CheckedToken(clientId, exp, generation, version, Environment.TickCount64);
        }
        return await CallerAsync(clientId, exp, generation, entry, ct);
    }

    private async ValueTask<Caller> CallerAsync(string clientId, long exp, long generation, CheckedToken? entry, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (exp <= now)
        {
            throw Fail("the bearer token has expired");
        }
        var client = await clients.GetAsync(clientId, ct);
        if (client is null || client.Disabled)
        {
            throw Fail("the client is unknown or disabled");
        }
        if (generation != Generation(client))
        {
            // Rotating the secret or disabling the client moves its mark: every earlier token stops working.
            throw Fail("the bearer token was issued before the client's secret was rotated or the client was disabled");
        }
        if (entry?.Built is { } built && ReferenceEquals(built.Client, client))
        {
            return built.Caller;
        }
        var caller = new Caller(client.ClientId, new HashSet<string>(client.Roles, StringComparer.Ordinal), client.Keys,
            DateTimeOffset.FromUnixTimeSeconds(exp));
        if (entry is not null)
        {
            entry.Built = new BuiltCaller(client, caller);
        }
        return caller;
    }

    private static long Generation(ClientRecord client) => client.TokensValidAfter?.ToUnixTimeMilliseconds() ?? 0;

    private byte[] Sign(KeyRecord key, KeyVersionRecord version, string signingInput)
    {
        using var lease = ring.Lease(key, version);
        return HMACSHA256.HashData(lease.Material, Encoding.ASCII.GetBytes(signingInput));
    }

    private static KeyBridgeException Fail(string reason) => new(KeyBridgeError.AuthenticationFailed, reason);
}
