using System.Net.WebSockets;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Server.Security;
using StreamJsonRpc;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>
/// One WebSocket connection: each text message is a JSON-RPC body (single, batch or
/// notification) handled exactly as an HTTP POST; replies are sent as text messages. Messages are
/// processed concurrently, so a slow call does not hold up the others. The connection closes when
/// the token it was opened with expires.
/// </summary>
internal sealed class WebSocketSession(
    WebSocket socket, JsonRpcDispatcher dispatcher, ClientRateLimiter rateLimiter, Caller caller, string? remote, int maxMessageBytes, ILogger logger)
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private long _sequence;

    public async Task RunAsync(CancellationToken ct)
    {
        var inFlight = new List<Task>();
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, ct);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", ct);
                        return;
                    }
                    message.Write(buffer, 0, result.Count);
                    if (message.Length > maxMessageBytes)
                    {
                        await SendAsync(JsonRpcDispatcher.Error(RequestId.Null, KeyBridgeError.PayloadTooLarge,
                            $"the message is larger than {maxMessageBytes} bytes", null), ct);
                        await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "message too large", ct);
                        return;
                    }
                }
                while (!result.EndOfMessage);

                if (DateTimeOffset.UtcNow >= caller.ExpiresAt)
                {
                    await SendAsync(JsonRpcDispatcher.Error(RequestId.Null, KeyBridgeError.AuthenticationFailed,
                        "the token this connection was opened with has expired; reconnect with a new token", null), ct);
                    await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "token expired", ct);
                    return;
                }
                if (!rateLimiter.TryAcquire(caller.ClientId))
                {
                    await SendAsync(JsonRpcDispatcher.Error(RequestId.Null, KeyBridgeError.RateLimited,
                        $"client '{caller.ClientId}' exceeded its request rate; retry after a second", null), ct);
                    continue;
                }
                var body = message.ToArray();
                var requestId = $"ws-{Interlocked.Increment(ref _sequence)}-{RequestIds.New()}";
                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(HandleAsync(body, new RequestInfo(caller, requestId, remote), ct));
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // Client went away; nothing to answer.
        }
        finally
        {
            await Task.WhenAll(inFlight).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task HandleAsync(byte[] body, RequestInfo request, CancellationToken ct)
    {
        try
        {
            var response = await dispatcher.DispatchAsync(body, request, ct);
            if (response is not null)
            {
                await SendAsync(response, ct);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            RpcErrors.ToItemError(e, request.RequestId, logger); // logs it
        }
    }

    private async Task SendAsync(byte[] payload, CancellationToken ct)
    {
        await _sendLock.WaitAsync(ct);
        try
        {
            await socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
