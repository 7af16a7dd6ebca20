using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Operations;
using OpenG2P.KeyBridge.Server.Auth;
using StreamJsonRpc;
using static OpenG2P.KeyBridge.Server.Rpc.Methods.Params;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

/// <summary>hmac, verify_hmac and blind_index on hmac-sha256 keys.</summary>
public sealed class MacMethods(RpcServices s)
{
    [JsonRpcMethod("hmac")]
    [RpcAccess(Roles.Encrypter, Roles.Signer)]
    [RpcSummary("HMAC-SHA256 of data (base64url) under the key's latest version: kb:v<version>:<base64url>.", typeof(MacResult))]
    public async Task<object> HmacAsync(MacParams p, RpcContext ctx)
    {
        var key = KeyName(p.Key, ctx);
        if (p.Items is { } items)
        {
            return await Batch.RunAsync(ctx, s, items, async i => (object)await MacOneAsync(ctx, key, i.Data));
        }
        return await MacOneAsync(ctx, key, p.Data);
    }

    [JsonRpcMethod("verify_hmac")]
    [RpcAccess(Roles.Encrypter, Roles.Verifier)]
    [RpcSummary("Check a MAC made by hmac; retired or revoked versions are refused.", typeof(VerifyMacResult))]
    public async Task<object> VerifyHmacAsync(MacParams p, RpcContext ctx)
    {
        var key = KeyName(p.Key, ctx);
        if (p.Items is { } items)
        {
            return await Batch.RunAsync(ctx, s, items, async i => (object)await VerifyOneAsync(ctx, key, i.Data, i.Mac));
        }
        return await VerifyOneAsync(ctx, key, p.Data, p.Mac);
    }

    [JsonRpcMethod("blind_index")]
    [RpcAccess(Roles.Encrypter)]
    [RpcSummary("Deterministic tokens for exact-match search on encrypted fields (value or values, optional normalize).", typeof(BlindIndexResult))]
    public async Task<BlindIndexResult> BlindIndexAsync(BlindIndexParams p, RpcContext ctx)
    {
        var key = KeyName(p.Key, ctx);
        var normalization = p.Normalize switch
        {
            null or "none" => BlindIndexNormalization.None,
            "casefold" => BlindIndexNormalization.Casefold,
            "digits" => BlindIndexNormalization.Digits,
            "trim" => BlindIndexNormalization.Trim,
            _ => throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'normalize' must be none, casefold, digits or trim"),
        };
        if ((p.Value is null) == (p.Values is null))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "give exactly one of 'value' or 'values'");
        }
        if (p.Values is { Count: var n } && n > s.Limits.MaxBatchItems)
        {
            throw new KeyBridgeException(KeyBridgeError.BatchTooLarge, $"'values' has {n} entries; the limit is {s.Limits.MaxBatchItems}");
        }
        var values = p.Value is not null ? [p.Value] : p.Values!.Select((v, i) =>
            v ?? throw new KeyBridgeException(KeyBridgeError.InvalidParams, $"values[{i}] must be a string")).ToList();
        var r = await s.Macs.BlindIndexAsync(key, values, normalization);
        ctx.ItemCount = values.Count;
        ctx.NoteVersion(r.Key, r.Version);
        return p.Value is not null
            ? new BlindIndexResult(r.Value[0], null, r.Key, r.Version)
            : new BlindIndexResult(null, r.Value, r.Key, r.Version);
    }

    private async ValueTask<MacResult> MacOneAsync(RpcContext ctx, string key, string? data)
    {
        var r = await s.Macs.MacAsync(key, Base64Url.Decode(data, "data"));
        return new MacResult(ctx.Note(r), r.Key, r.Version);
    }

    private async ValueTask<VerifyMacResult> VerifyOneAsync(RpcContext ctx, string key, string? data, string? mac)
    {
        var r = await s.Macs.VerifyAsync(key, Base64Url.Decode(data, "data"), mac);
        return new VerifyMacResult(ctx.Note(r), r.Key, r.Version);
    }
}
