using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Server.Signing;

/// <summary>
/// The public JWK Set, without authentication, at the standard path and at the path OpenG2P's verifiers
/// already use. Cacheable: Cache-Control max-age, a strong ETag, and 304 for a matching If-None-Match.
/// </summary>
[ApiController]
public sealed class JwksController(JwksCache jwks, IOptions<SigningOptions> options) : ControllerBase
{
    [HttpGet("/.well-known/jwks.json")]
    [HttpGet("/api/v1/security/.well-known/jwks.json")]
    public async Task<IActionResult> GetAsync()
    {
        JwksCache.Snapshot snapshot;
        try
        {
            snapshot = await jwks.GetAsync(HttpContext.RequestAborted);
        }
        catch (KeyBridgeException e)
        {
            return Problem(statusCode: e.Error.HttpStatus, title: e.Error.Name, detail: e.Message);
        }
        Response.Headers.CacheControl = $"public, max-age={options.Value.JwksMaxAgeSeconds}";
        Response.Headers.ETag = snapshot.ETag;
        // Public keys for anyone, including verifiers running in a browser.
        Response.Headers.AccessControlAllowOrigin = "*";
        if (Matches(Request.GetTypedHeaders().IfNoneMatch, snapshot.ETag))
        {
            return StatusCode(StatusCodes.Status304NotModified);
        }
        return File(snapshot.Body, "application/json");
    }

    // RFC 9110 §13.1.2: weak comparison, "*" matches any current representation.
    private static bool Matches(IList<EntityTagHeaderValue> ifNoneMatch, string etag) =>
        ifNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Tag.Equals(etag, StringComparison.Ordinal));
}
