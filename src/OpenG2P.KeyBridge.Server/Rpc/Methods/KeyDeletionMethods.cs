using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Server.Auth;
using StreamJsonRpc;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

public sealed record KeyCancelDestructionParams
{
    public string? Name { get; init; }

    /// <summary>The version whose destruction to cancel; absent: the key's deletion and every scheduled destruction of its versions.</summary>
    public int? Version { get; init; }
}

/// <summary>key.delete and key.cancel_destruction: deletion with a waiting period, like the cloud KMSes' scheduled deletion.</summary>
public sealed class KeyDeletionMethods(RpcServices s)
{
    [JsonRpcMethod("key.delete")]
    [RpcAccess(Roles.KeyAdmin)]
    [RpcSummary("Schedule the deletion of a whole key after Keys:DeletionWaitingPeriod: every version is refused meanwhile (pending_destruction), then its material is erased and the key kept as a tombstone. Needs deletion_allowed.", typeof(KeyView))]
    public async Task<KeyView> DeleteAsync(KeyNameParams p, RpcContext ctx)
    {
        var name = Managed(ctx, p.Name);
        return KeyView.From(await s.Destruction.DeleteAsync(name));
    }

    [JsonRpcMethod("key.cancel_destruction")]
    [RpcAccess(Roles.KeyAdmin)]
    [RpcSummary("Cancel a scheduled destruction (of one version) or deletion (no version: the key and all its versions) before it runs; the versions get their earlier state back.", typeof(KeyView))]
    public async Task<KeyView> CancelDestructionAsync(KeyCancelDestructionParams p, RpcContext ctx)
    {
        var name = Managed(ctx, p.Name);
        if (p.Version is <= 0)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'version' must be a positive integer");
        }
        if (p.Version is { } v)
        {
            ctx.NoteVersion(name, v);
        }
        return KeyView.From(await s.Destruction.CancelAsync(name, p.Version));
    }

    private static string Managed(RpcContext ctx, string? name)
    {
        KeyNames.Validate(name, "name");
        ctx.RequireKey(name!);
        return name!;
    }
}
