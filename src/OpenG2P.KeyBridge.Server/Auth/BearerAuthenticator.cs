using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Audit;
using OpenG2P.KeyBridge.Server.Monitoring;

namespace OpenG2P.KeyBridge.Server.Auth;

/// <summary>
/// Authenticates a request from its <c>Authorization: Bearer</c> header (or, for the MOSIP-compatible
/// endpoints only, from the <c>Authorization</c> cookie MOSIP clients send); every refusal is audited and counted.
/// </summary>
public sealed class BearerAuthenticator(TokenService tokens, OidcTokenValidator oidc, AuditLog audit, KeyBridgeMetrics metrics, TimeProvider time)
{
    /// <summary>The caller, or why not: <see cref="Failure"/> is <c>authentication_failed</c>, or an infrastructure error (HSM, storage) that kept the token from being checked.</summary>
    public readonly record struct Result(Caller? Caller, string? Error, KeyBridgeError? Failure = null)
    {
        public KeyBridgeError FailureOrDefault => Failure ?? KeyBridgeError.AuthenticationFailed;
    }

    /// <param name="acceptCookie">
    /// Also take the token from a <c>Cookie: Authorization=&lt;token&gt;</c> header, as OpenG2P's MOSIP keymanager client
    /// sends it. Only the <c>/v1/keymanager</c> surface passes true: a cookie travels with every browser request, so
    /// the JSON-RPC API keeps to the header.
    /// </param>
    public async ValueTask<Result> AuthenticateAsync(HttpContext http, string requestId, bool acceptCookie = false)
    {
        var result = await ValidateAsync(http, acceptCookie);
        if (result.Error is not null && result.Failure is null)
        {
            metrics.AuthenticationFailed("bearer");
            try
            {
                await audit.WriteAsync(new AuditEntry
                {
                    Time = time.GetUtcNow(),
                    Method = "authenticate",
                    Outcome = "denied",
                    ErrorName = KeyBridgeError.AuthenticationFailed.Name,
                    RequestId = requestId,
                    RemoteAddress = http.Connection.RemoteIpAddress?.ToString(),
                });
            }
            catch (KeyBridgeException)
            {
                // The refusal stands either way; the audit writer has logged its failure.
            }
        }
        return result;
    }

    private static string? UnverifiedIssuer(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || !OpenG2P.KeyBridge.Crypto.Base64Url.TryDecodeCanonical(parts[1], out var payload))
        {
            return null;
        }
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(payload);
            return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && doc.RootElement.TryGetProperty("iss", out var iss) && iss.ValueKind == System.Text.Json.JsonValueKind.String
                ? iss.GetString()
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private async ValueTask<Result> ValidateAsync(HttpContext http, bool acceptCookie)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header) && acceptCookie && http.Request.Cookies["Authorization"] is { Length: > 0 } cookie)
        {
            header = cookie.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? cookie : "Bearer " + cookie;
        }
        if (string.IsNullOrEmpty(header))
        {
            return new(null, acceptCookie
                ? "an 'Authorization: Bearer <token>' header or an 'Authorization' cookie is required; get a token from POST /oauth/token"
                : "an 'Authorization: Bearer <token>' header is required; get a token from POST /oauth/token");
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return new(null, "the Authorization header must use the Bearer scheme");
        }
        var token = header[7..].Trim();
        try
        {
            if (tokens.IsKnown(token))
            {
                // Checked recently as one of KeyBridge's own tokens: no need to parse its issuer again.
                return new(await tokens.ValidateAsync(token, http.RequestAborted), null);
            }
            // Route by the (still unverified) issuer: KeyBridge's own tokens, or the configured OIDC issuer's.
            var issuer = UnverifiedIssuer(token);
            if (oidc.Options.Enabled && issuer == oidc.Options.Issuer)
            {
                return new(await oidc.ValidateAsync(token, http.RequestAborted), null);
            }
            if (issuer is not null && issuer != tokens.Issuer)
            {
                return new(null, "the bearer token comes from an issuer this KeyBridge does not trust");
            }
            return new(await tokens.ValidateAsync(token, http.RequestAborted), null);
        }
        catch (KeyBridgeException e) when (e.Error == KeyBridgeError.AuthenticationFailed)
        {
            return new(null, e.Message);
        }
        catch (KeyBridgeException e)
        {
            return new(null, "the token cannot be checked right now: " + e.Message, e.Error);
        }
    }
}
