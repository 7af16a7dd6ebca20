using System.Buffers;
using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Server.Monitoring;
using OpenG2P.KeyBridge.Server.Security;
using StreamJsonRpc;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary><c>/jsonrpc</c>: JSON-RPC 2.0 over HTTP POST, and over WebSocket for long-lived clients.</summary>
public static partial class JsonRpcEndpoint
{
    public static IEndpointRouteBuilder MapJsonRpc(this IEndpointRouteBuilder app)
    {
        app.MapPost("/jsonrpc", HandlePostAsync);
        app.MapGet("/jsonrpc", HandleWebSocketAsync);
        return app;
    }

    private static async Task HandlePostAsync(HttpContext http, JsonRpcDispatcher dispatcher, BearerAuthenticator auth, ClientRateLimiter rateLimiter,
        KeyBridgeMetrics metrics, IOptions<LimitsOptions> limits)
    {
        var requestId = RequestIds.For(http);
        var caller = await auth.AuthenticateAsync(http, requestId);
        if (caller.Error is { } authError)
        {
            await WriteAsync(http, caller.FailureOrDefault.HttpStatus,
                JsonRpcDispatcher.Error(RequestId.Null, caller.FailureOrDefault, authError, requestId));
            return;
        }
        if (!rateLimiter.TryAcquire(caller.Caller!.ClientId))
        {
            metrics.RateLimited();
            http.Response.Headers.RetryAfter = "1";
            await WriteAsync(http, StatusCodes.Status429TooManyRequests, JsonRpcDispatcher.Error(RequestId.Null, KeyBridgeError.RateLimited,
                $"client '{caller.Caller.ClientId}' exceeded its request rate; retry after a second", requestId));
            return;
        }
        var body = await ReadBodyAsync(http.Request, limits.Value.MaxRequestBytes, http.RequestAborted);
        if (body is null)
        {
            await WriteAsync(http, StatusCodes.Status413PayloadTooLarge,
                JsonRpcDispatcher.Error(RequestId.Null, KeyBridgeError.PayloadTooLarge,
                    $"the request body is larger than {limits.Value.MaxRequestBytes} bytes", requestId));
            return;
        }
        var request = new RequestInfo(caller.Caller!, requestId, http.Connection.RemoteIpAddress?.ToString());
        var response = await dispatcher.DispatchAsync(body.Value, request, http.RequestAborted);
        if (response is null)
        {
            http.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        await WriteAsync(http, StatusCodes.Status200OK, response);
    }

    private static async Task HandleWebSocketAsync(HttpContext http, JsonRpcDispatcher dispatcher, BearerAuthenticator auth, ClientRateLimiter rateLimiter,
        IOptions<LimitsOptions> limits, ILogger<JsonRpcDispatcher> logger)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            http.Response.Headers.Allow = "POST";
            return;
        }
        var requestId = RequestIds.For(http);
        var caller = await auth.AuthenticateAsync(http, requestId);
        if (caller.Error is { } authError)
        {
            await WriteAsync(http, caller.FailureOrDefault.HttpStatus,
                JsonRpcDispatcher.Error(RequestId.Null, caller.FailureOrDefault, authError, requestId));
            return;
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        await new WebSocketSession(socket, dispatcher, rateLimiter, caller.Caller!, http.Connection.RemoteIpAddress?.ToString(),
            limits.Value.MaxRequestBytes, logger).RunAsync(http.RequestAborted);
    }

    /// <summary>Reads the body up to <paramref name="limit"/> bytes; null when it is larger.</summary>
    internal static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }
        var initial = request.ContentLength is { } n ? (int)n : 4096;
        var buffer = new byte[Math.Max(initial, 1)];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= limit + 1)
                {
                    return null;
                }
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, limit + 1));
            }
            var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0)
            {
                return length > limit ? null : buffer.AsMemory(0, length);
            }
            length += read;
            if (length > limit)
            {
                return null;
            }
        }
    }

    internal static async Task WriteAsync(HttpContext http, int status, byte[] body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body, http.RequestAborted);
    }
}
