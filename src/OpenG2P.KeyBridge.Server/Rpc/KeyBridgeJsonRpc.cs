using Microsoft.Extensions.Logging;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>StreamJsonRpc's <see cref="JsonRpc"/> with KeyBridge's error contract.</summary>
internal sealed class KeyBridgeJsonRpc(IJsonRpcMessageHandler handler, RpcContext context, ILogger logger) : JsonRpc(handler)
{
    protected override JsonRpcError.ErrorDetail CreateErrorDetails(JsonRpcRequest request, Exception exception) =>
        RpcErrors.ToDetail(exception, context.RequestId, logger);
}
