using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Audit;
using OpenG2P.KeyBridge.Server.Monitoring;

namespace OpenG2P.KeyBridge.Server.Auth;

/// <summary>
/// Authenticates a request from its <c>Authorization: Bearer</c> header; every refusal is
/// audited and counted.
/// </summary>
public sealed class BearerAuthenticator(TokenService tokens, AuditLog audit, KeyBridgeMetrics metrics, TimeProvider time)
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
        try
        {
            return new(await tokens.ValidateAsync(header[7..].Trim(), http.RequestAborted), null);
        }
        catch (KeyBridgeException e) when (e.Error == KeyBridgeError.AuthenticationFailed)
        {
            return new(null, e.Message);
        }
    }
}
