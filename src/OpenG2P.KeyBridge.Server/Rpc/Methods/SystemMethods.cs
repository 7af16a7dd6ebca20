using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Auth;
using StreamJsonRpc;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

/// <summary>rpc.discover and random_bytes.</summary>
public sealed class SystemMethods(RpcServices s)
{
    public const int MaxRandomBytes = 1024;

    [JsonRpcMethod("rpc.discover")]
    [RpcAccess(Roles.Any)]
    [RpcSummary("The OpenRPC document describing every method, its parameters, result and allowed roles.")]
    public Task<JsonObject> DiscoverAsync(EmptyParams p, RpcContext ctx)
    {
        _ = p;
        _ = ctx;
        return Task.FromResult(OpenRpcDocument.Build(s.Catalog));
    }

    [JsonRpcMethod("random_bytes")]
    [RpcAccess(Roles.Any)]
    [RpcSummary("Cryptographically secure random bytes (length ≤ 1024), base64url.", typeof(RandomBytesResult))]
    public Task<RandomBytesResult> RandomBytesAsync(RandomBytesParams p, RpcContext ctx)
    {
        var length = p.Length;
        if (length is < 1 or > MaxRandomBytes)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, $"'length' must be between 1 and {MaxRandomBytes}");
        }
        return Task.FromResult(new RandomBytesResult(Base64Url.Encode(RandomNumberGenerator.GetBytes(length))));
    }
}

public sealed record EmptyParams;
