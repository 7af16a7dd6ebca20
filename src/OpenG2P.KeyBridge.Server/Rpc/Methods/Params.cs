using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

/// <summary>Shared parameter checks for RPC methods.</summary>
internal static class Params
{
    /// <summary>Internal keys (such as the token-signing key) are never usable through the data methods.</summary>
    public const string ReservedPrefix = KeyNames.InternalPrefix;

    /// <summary>Validates a key name and checks the caller's grant for it.</summary>
    public static string KeyName(string? name, RpcContext ctx, string field = "key")
    {
        KeyNames.Validate(name, field);
        if (name!.StartsWith(ReservedPrefix, StringComparison.Ordinal))
        {
            throw new KeyBridgeException(KeyBridgeError.Forbidden, $"key '{name}' is internal to KeyBridge");
        }
        ctx.RequireKey(name);
        return name;
    }

    /// <summary>Page size for keyset-paged listings: 1 to <paramref name="max"/>.</summary>
    public static int PageLimit(int limit, int max = 1000) =>
        limit >= 1 && limit <= max
            ? limit
            : throw new KeyBridgeException(KeyBridgeError.InvalidParams, $"'limit' must be between 1 and {max}");

    public static T Required<T>(T? value, string field) where T : class =>
        value ?? throw new KeyBridgeException(KeyBridgeError.InvalidParams, $"'{field}' is required");
}
