using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Audit;
using OpenG2P.KeyBridge.Server.Monitoring;

namespace OpenG2P.KeyBridge.Server.Auth;

/// <summary>
/// Authenticates a request from its <c>Authorization: Bearer</c> header; every refusal is
/// audited and counted.
/// </summary>
public sealed class BearerAuthenticator(TokenService tokens, OidcTokenValidator oidc, AuditLog audit, KeyBridgeMetrics metrics, TimeProvider time)
{
    public readonly record struct Result(Caller? Caller, string? Error);

    public async ValueTask<Result> AuthenticateAsync(HttpContext http, string requestId)
    {
        var result = await ValidateAsync(http);
        if (result.Error is not null)
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

    private async ValueTask<Result> ValidateAsync(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return new(null, "an 'Authorization: Bearer <token>' header is required; get a token from POST /oauth/token");
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
    }
}
