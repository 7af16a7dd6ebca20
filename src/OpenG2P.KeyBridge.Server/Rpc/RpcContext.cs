using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Auth;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>Who is calling and from where: one per HTTP request or WebSocket message.</summary>
public sealed class RpcContext(Caller caller, string requestId, string? remoteAddress)
{
    public Caller Caller { get; } = caller;

    public string RequestId { get; } = requestId;

    public string? RemoteAddress { get; } = remoteAddress;

    /// <summary>Per-key grant check: throws <c>forbidden</c> when the client's grants do not cover the key.</summary>
    public void RequireKey(string keyName)
    {
        if (!Caller.MayUseKey(keyName))
        {
            throw new KeyBridgeException(KeyBridgeError.Forbidden, $"client '{Caller.ClientId}' is not granted key '{keyName}'");
        }
    }
}
