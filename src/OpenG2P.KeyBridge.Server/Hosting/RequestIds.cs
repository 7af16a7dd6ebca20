using System.Security.Cryptography;
using OpenG2P.KeyBridge.Crypto;

namespace OpenG2P.KeyBridge.Server.Hosting;

/// <summary>Request ids: the client's <c>X-Request-Id</c> when it is short and plain, else a new one; echoed in the response.</summary>
public static class RequestIds
{
    public static string New() => Base64Url.Encode(RandomNumberGenerator.GetBytes(9));

    public static string For(HttpContext http)
    {
        var given = http.Request.Headers["X-Request-Id"].ToString();
        var id = given.Length is > 0 and <= 64 && given.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? given : New();
        http.Response.Headers["X-Request-Id"] = id;
        return id;
    }
}
