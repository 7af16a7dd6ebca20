using System.Security.Claims;
using Hangfire.Dashboard;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Auth;

namespace OpenG2P.KeyBridge.Server.Jobs.Dashboard;

/// <summary>
/// Who may see <c>/hangfire</c>: a client with <c>admin</c> or <c>job-operator</c>, proved by the same
/// access token as the API — in an <c>Authorization: Bearer</c> header (scripts) or in the
/// HttpOnly, SameSite=Strict cookie that <c>/hangfire/login</c> sets (browsers).
/// </summary>
public sealed class DashboardAccess(TokenService tokens) : IDashboardAsyncAuthorizationFilter
{
    public const string CookieName = "keybridge_dashboard";

    public async Task<bool> AuthorizeAsync(DashboardContext context)
    {
        var http = ((AspNetCoreDashboardContext)context).HttpContext;
        var caller = await AuthenticateAsync(http);
        if (caller is null)
        {
            return false; // 401
        }
        // Authenticated but without the role: let Hangfire answer 403 rather than 401.
        http.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, caller.ClientId)], "keybridge"));
        return IsAllowed(caller);
    }

    public static bool IsAllowed(Caller caller) => caller.HasRole(Roles.Admin) || caller.HasRole(Roles.JobOperator);

    /// <summary>The caller behind the request's bearer header or dashboard cookie; null when neither holds a valid token.</summary>
    public async Task<Caller?> AuthenticateAsync(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim()
            : http.Request.Cookies.TryGetValue(CookieName, out var cookie) ? cookie : null;
        if (string.IsNullOrEmpty(token) || token.Length > 4096)
        {
            return null;
        }
        try
        {
            return await tokens.ValidateAsync(token, http.RequestAborted);
        }
        catch (KeyBridgeException e) when (e.Error == KeyBridgeError.AuthenticationFailed)
        {
            return null;
        }
    }
}
