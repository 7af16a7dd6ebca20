using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Server.Auth;

/// <summary>Authenticates a request from its <c>Authorization: Bearer</c> header.</summary>
public sealed class BearerAuthenticator(TokenService tokens)
{
    public readonly record struct Result(Caller? Caller, string? Error);

    public async ValueTask<Result> AuthenticateAsync(HttpContext http)
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
