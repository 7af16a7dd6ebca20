using System.Text;
using Microsoft.AspNetCore.Mvc;
using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Server.Audit;
using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Server.Monitoring;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Auth;

/// <summary>
/// OAuth 2.0 token endpoint (RFC 6749 §4.4, client credentials). Credentials come as form fields
/// (<c>client_id</c>, <c>client_secret</c>) or HTTP Basic; errors use RFC 6749 §5.2 bodies.
/// </summary>
[ApiController]
[Route("oauth/token")]
public sealed partial class OAuthController(IKeyStore store, TokenService tokens, AuditLog audit, KeyBridgeMetrics metrics, TimeProvider time,
    ILogger<OAuthController> logger) : ControllerBase
{
    [HttpPost]
    [Consumes("application/x-www-form-urlencoded")]
    public async Task<IActionResult> TokenAsync([FromForm(Name = "grant_type")] string? grantType,
        [FromForm(Name = "client_id")] string? clientId, [FromForm(Name = "client_secret")] string? clientSecret)
    {
        Response.Headers.CacheControl = "no-store";
        if (grantType != "client_credentials")
        {
            return OAuthError(400, "unsupported_grant_type", "only grant_type=client_credentials is supported");
        }
        if (TryBasic(out var basicId, out var basicSecret))
        {
            (clientId, clientSecret) = (basicId, basicSecret);
        }
        if (string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(clientSecret))
        {
            return OAuthError(400, "invalid_request", "client_id and client_secret are required");
        }
        var client = clientId.Length <= 200 ? await store.GetClientAsync(clientId, HttpContext.RequestAborted) : null;
        if (client is null || client.Disabled || !SecretHasher.Verify(clientSecret, client.SecretHash))
        {
            var claimed = clientId.Length <= 200 ? clientId : clientId[..200];
            LogRefused(logger, claimed);
            metrics.AuthenticationFailed("token");
            await AuditAsync(claimed, "denied", "authentication_failed");
            return OAuthError(401, "invalid_client", "unknown client, wrong secret, or disabled client");
        }
        string token;
        int expiresIn;
        try
        {
            (token, expiresIn) = await tokens.IssueAsync(client, HttpContext.RequestAborted);
        }
        catch (OpenG2P.KeyBridge.Errors.KeyBridgeException e)
        {
            // The token-signing key cannot be used (HSM or KEK unavailable, or its material does not unwrap).
            return OAuthError(503, "temporarily_unavailable", $"no token can be issued right now ({e.Error.Name})");
        }
        try
        {
            await AuditAsync(client.ClientId, "ok", null);
        }
        catch (OpenG2P.KeyBridge.Errors.KeyBridgeException)
        {
            return OAuthError(503, "temporarily_unavailable", "the token cannot be issued because its audit record cannot be written");
        }
        return Ok(new Dictionary<string, object>
        {
            ["access_token"] = token,
            ["token_type"] = "Bearer",
            ["expires_in"] = expiresIn,
        });
    }

    private async Task AuditAsync(string clientId, string outcome, string? error)
    {
        try
        {
            await audit.WriteAsync(new AuditEntry
            {
                Time = time.GetUtcNow(),
                ClientId = clientId,
                Method = "oauth.token",
                Outcome = outcome,
                ErrorName = error,
                RequestId = RequestIds.For(HttpContext),
                RemoteAddress = HttpContext.Connection.RemoteIpAddress?.ToString(),
            });
        }
        catch (OpenG2P.KeyBridge.Errors.KeyBridgeException) when (outcome != "ok")
        {
            // A refusal stands even when it cannot be recorded; an issued token is withheld (the exception propagates).
        }
    }

    private bool TryBasic(out string? id, out string? secret)
    {
        id = secret = null;
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return false;
            }
            (id, secret) = (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private ObjectResult OAuthError(int status, string error, string description)
    {
        if (status == 401)
        {
            Response.Headers.WWWAuthenticate = "Basic realm=\"keybridge\"";
        }
        return StatusCode(status, new Dictionary<string, string> { ["error"] = error, ["error_description"] = description });
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Token request refused for client {ClientId}")]
    private static partial void LogRefused(ILogger logger, string clientId);
}
