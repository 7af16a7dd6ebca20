using System.Security.Cryptography;
using OpenG2P.KeyBridge.Crypto;

namespace OpenG2P.KeyBridge.Server.Hosting;

/// <summary>
/// Request ids: the client's <c>X-Request-Id</c> when it is short and plain, else a new one;
/// echoed in the response, put in the logging scope, and stored in every audit record.
/// </summary>
public static class RequestIds
{
    private const string ItemKey = "keybridge.request-id";

    public static string New() => Base64Url.Encode(RandomNumberGenerator.GetBytes(9));

    public static string For(HttpContext http)
    {
        if (http.Items.TryGetValue(ItemKey, out var existing) && existing is string known)
        {
            return known;
        }
        var given = http.Request.Headers["X-Request-Id"].ToString();
        var id = given.Length is > 0 and <= 64 && given.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? given : New();
        http.Items[ItemKey] = id;
        http.Response.Headers["X-Request-Id"] = id;
        return id;
    }

    /// <summary>Middleware: every log line written while handling a request carries its id (JSON console logs show it as a scope).</summary>
    public static IApplicationBuilder UseRequestIds(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("OpenG2P.KeyBridge.Request");
        return app.Use(async (http, next) =>
        {
            using (logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = For(http) }))
            {
                await next(http);
            }
        });
    }
}
