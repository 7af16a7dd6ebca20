using System.Net;
using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Jobs.Dashboard;

/// <summary>
/// The browser way into the dashboard: <c>GET /hangfire/login</c> shows a form for a client id and
/// secret; <c>POST /hangfire/login</c> checks them like <c>/oauth/token</c>, requires <c>admin</c> or
/// <c>job-operator</c>, and stores an access token in an HttpOnly, SameSite=Strict cookie scoped to
/// <c>/hangfire</c>; <c>POST /hangfire/logout</c> clears it. Browsers without the cookie are sent here.
/// </summary>
public static class DashboardLogin
{
    public const string Path = "/hangfire/login";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(Path, (HttpContext http) => Form(http, null, StatusCodes.Status200OK));
        app.MapPost(Path, SignInAsync).DisableAntiforgery();
        app.MapPost("/hangfire/logout", (HttpContext http) =>
        {
            http.Response.Cookies.Delete(DashboardAccess.CookieName, CookieOptions(http, null));
            return Results.Redirect(Path);
        }).DisableAntiforgery();
    }

    /// <summary>Sends browsers (HTML GETs) without a valid credential to the sign-in form instead of a bare 401.</summary>
    public static IApplicationBuilder UseDashboardSignInRedirect(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            var path = http.Request.Path;
            if (HttpMethods.IsGet(http.Request.Method) && path.StartsWithSegments("/hangfire") && !path.StartsWithSegments(Path)
                && http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
                && await http.RequestServices.GetRequiredService<DashboardAccess>().AuthenticateAsync(http) is null)
            {
                http.Response.Redirect(Path);
                return;
            }
            await next(http);
        });

    private static async Task<IResult> SignInAsync(HttpContext http, IKeyStore store, TokenService tokens, IOptions<AuthOptions> auth,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(DashboardLogin));
        http.Response.Headers.CacheControl = "no-store";
        if (!http.Request.HasFormContentType)
        {
            return Form(http, "Send the form.", StatusCodes.Status400BadRequest);
        }
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var clientId = form["client_id"].ToString();
        var secret = form["client_secret"].ToString();
        var client = clientId.Length is > 0 and <= 200 && secret.Length > 0 ? await store.GetClientAsync(clientId, http.RequestAborted) : null;
        if (client is null || client.Disabled || !SecretHasher.Verify(secret, client.SecretHash)
            || !(client.Roles.Contains(Roles.Admin) || client.Roles.Contains(Roles.JobOperator)))
        {
            JobsLog.DashboardLoginRefused(logger, clientId.Length <= 200 ? clientId : clientId[..200]);
            return Form(http, "Unknown client, wrong secret, or a client without the admin or job-operator role.", StatusCodes.Status401Unauthorized);
        }
        var (token, expiresIn) = await tokens.IssueAsync(client, http.RequestAborted);
        http.Response.Cookies.Append(DashboardAccess.CookieName, token, CookieOptions(http, TimeSpan.FromSeconds(expiresIn)));
        JobsLog.DashboardLogin(logger, client.ClientId);
        return Results.Redirect("/hangfire");
    }

    private static CookieOptions CookieOptions(HttpContext http, TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = "/hangfire",
        MaxAge = maxAge,
    };

    private static IResult Form(HttpContext http, string? error, int status)
    {
        http.Response.Headers.CacheControl = "no-store";
        var message = error is null ? "" : $"<p class=\"error\">{WebUtility.HtmlEncode(error)}</p>";
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>KeyBridge jobs — sign in</title>
            <style>body{font-family:sans-serif;max-width:24em;margin:4em auto}label,input,button{display:block;width:100%;margin:.4em 0}.error{color:#b00}</style>
            </head><body>
            <h1>KeyBridge jobs</h1>
            <p>Sign in with a client that has the <code>admin</code> or <code>job-operator</code> role.</p>
            {{message}}
            <form method="post" action="{{Path}}">
            <label for="client_id">Client id</label><input id="client_id" name="client_id" autocomplete="username" required>
            <label for="client_secret">Client secret</label><input id="client_secret" name="client_secret" type="password" autocomplete="current-password" required>
            <button type="submit">Sign in</button>
            </form></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
