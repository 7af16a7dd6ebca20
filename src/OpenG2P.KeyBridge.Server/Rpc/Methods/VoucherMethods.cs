using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Vouchers;
using OpenG2P.KeyBridge.Signing;
using OpenG2P.KeyBridge.Vouchers;
using StreamJsonRpc;
using static OpenG2P.KeyBridge.Server.Rpc.Methods.Params;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

/// <summary>voucher.*: issue signed vouchers (with QR images), verify them, redeem each exactly once, revoke, inspect the ledger.</summary>
public sealed class VoucherMethods(RpcServices s)
{
    [JsonRpcMethod("voucher.issue")]
    [RpcAccess(Roles.VoucherIssuer)]
    [RpcSummary("Sign vouchers (compact JWS, ES256 or EdDSA) and record them in the ledger; idempotency_key returns the same voucher again; qr: png or svg.", typeof(VoucherIssueResult))]
    public async Task<object> IssueAsync(VoucherIssueParams p, RpcContext ctx)
    {
        var qr = VoucherQr.Style(p.Qr, p.QrErrorCorrection, s.VoucherOptions);
        if (p.Items is not { } items)
        {
            var one = (await s.Vouchers.IssueAsync([Request(p, null, ctx)], ctx.Caller.ClientId, ctx.RequireKey))[0];
            return one.Error is { } error ? throw error : Issued(one, qr, ctx);
        }
        if (p.IdempotencyKey is not null)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "with 'items', give each item its own 'idempotency_key'");
        }
        if (items.Count > s.Limits.MaxBatchItems)
        {
            throw new KeyBridgeException(KeyBridgeError.BatchTooLarge, $"'items' has {items.Count} entries; the limit is {s.Limits.MaxBatchItems}");
        }
        ctx.ItemCount = items.Count;
        // Validate every item, then sign and record the valid ones together: the ledger takes them in batched inserts.
        var output = new object[items.Count];
        var requests = new List<VoucherRequest>(items.Count);
        var slots = new int[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            try
            {
                var item = items[i] ?? throw new KeyBridgeException(KeyBridgeError.InvalidParams, $"items[{i}] must be an object");
                requests.Add(Request(p, item, ctx));
                slots[i] = requests.Count - 1;
            }
            catch (KeyBridgeException e)
            {
                output[i] = Failed(e, ctx);
                slots[i] = -1;
            }
        }
        var results = await s.Vouchers.IssueAsync(requests, ctx.Caller.ClientId, ctx.RequireKey);
        for (var i = 0; i < items.Count; i++)
        {
            if (slots[i] >= 0)
            {
                var r = results[slots[i]];
                output[i] = r.Error is { } e ? Failed(e, ctx) : Issued(r, qr, ctx);
            }
        }
        return new BatchResult(output);
    }

    [JsonRpcMethod("voucher.verify")]
    [RpcAccess(Roles.VoucherRedeemer, Roles.VoucherIssuer, Roles.Verifier)]
    [RpcSummary("Check a voucher token: signature by kid (across rotations), voucher shape, ledger entry, revocation, redemption and validity window.", typeof(VoucherVerifyResult))]
    public async Task<object> VerifyAsync(VoucherVerifyParams p, RpcContext ctx)
    {
        if (p.Items is { } items)
        {
            return await Batch.RunAsync(ctx, s, items, async i => (object)await VerifyOneAsync(i.Token, ctx));
        }
        return await VerifyOneAsync(p.Token, ctx);
    }

    [JsonRpcMethod("voucher.redeem")]
    [RpcAccess(Roles.VoucherRedeemer)]
    [RpcSummary("Redeem a voucher (token or voucher_id) exactly once, decided by the database; later attempts get voucher_already_redeemed with when and by whom.", typeof(VoucherView))]
    public async Task<VoucherView> RedeemAsync(VoucherRedeemParams p, RpcContext ctx)
    {
        if ((p.Token is null) == (p.VoucherId is null))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "give either 'token' or 'voucher_id'");
        }
        var redeemer = VoucherFields.ReferenceOptional(p.Redeemer, "redeemer");
        try
        {
            var v = await s.Vouchers.RedeemAsync(p.Token, p.VoucherId, ctx.Caller.ClientId, redeemer, ctx.RequireKey, found => ctx.NoteVersion(found.KeyName, found.KeyVersion));
            s.Metrics.Voucher("redeemed");
            return VoucherView.Of(v, s.Vouchers.Now());
        }
        catch (KeyBridgeException e) when (e.Error == KeyBridgeError.VoucherAlreadyRedeemed)
        {
            // Attempts to spend a voucher twice are worth watching.
            s.Metrics.Voucher("already_redeemed");
            throw;
        }
    }

    [JsonRpcMethod("voucher.revoke")]
    [RpcAccess(Roles.VoucherIssuer)]
    [RpcSummary("Revoke an issued voucher so that it can no longer be redeemed (a redeemed one cannot be revoked; revoking twice changes nothing).", typeof(VoucherView))]
    public async Task<VoucherView> RevokeAsync(VoucherRevokeParams p, RpcContext ctx)
    {
        var id = Required(p.VoucherId, "voucher_id");
        var v = await s.Vouchers.RevokeAsync(id, ctx.Caller.ClientId, VoucherFields.Note(p.Reason, "reason"), ctx.RequireKey,
            found => ctx.NoteVersion(found.KeyName, found.KeyVersion));
        s.Metrics.Voucher("revoked");
        return VoucherView.Of(v, s.Vouchers.Now());
    }

    [JsonRpcMethod("voucher.get")]
    [RpcAccess(Roles.VoucherIssuer, Roles.VoucherRedeemer, Roles.Auditor)]
    [RpcSummary("A voucher's ledger entry (never its token): effective state, issue, redemption and revocation details.", typeof(VoucherView))]
    public async Task<VoucherView> GetAsync(VoucherGetParams p, RpcContext ctx)
    {
        _ = ctx;
        var v = await s.Vouchers.GetAsync(Required(p.VoucherId, "voucher_id"));
        return VoucherView.Of(v, s.Vouchers.Now());
    }

    [JsonRpcMethod("voucher.list")]
    [RpcAccess(Roles.VoucherIssuer, Roles.VoucherRedeemer, Roles.Auditor)]
    [RpcSummary("Ledger entries in issue order, filtered by program and effective state, with keyset paging (after, limit ≤ 1000).", typeof(VoucherListResult))]
    public async Task<VoucherListResult> ListAsync(VoucherListParams p, RpcContext ctx)
    {
        _ = ctx;
        p ??= new();
        if (p.Limit is < 1 or > 1000)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'limit' must be 1-1000");
        }
        var program = VoucherFields.Program(p.Program);
        var after = VoucherFields.ReferenceOptional(p.After, "after");
        var rows = await s.Vouchers.ListAsync(program, VoucherStates.ParseOptional(p.State, "state"), after, p.Limit);
        var now = s.Vouchers.Now();
        return new VoucherListResult(rows.Select(v => VoucherView.Of(v, now)).ToList(), rows.Count == p.Limit ? rows[^1].Id : null);
    }

    private async ValueTask<VoucherVerifyResult> VerifyOneAsync(string? token, RpcContext ctx)
    {
        var c = await s.Vouchers.VerifyAsync(Required(token, "token"), ctx.RequireKey);
        if (c.Key is { } key && c.Version is { } version)
        {
            ctx.NoteVersion(key, version);
        }
        // Ledger details only for the very token the ledger holds.
        var v = c.State is null ? null : c.Voucher;
        return new VoucherVerifyResult(c.Valid, c.Reason, c.Message, c.State?.ToName(), c.Claims, v?.Id, c.Kid, v?.RedeemedAt, v?.RedeemedBy, v?.Redeemer);
    }

    /// <summary>An item's fields over the top-level defaults, validated.</summary>
    private static VoucherRequest Request(VoucherIssueParams p, VoucherIssueItem? i, RpcContext ctx)
    {
        var (amount, currency) = VoucherAmount.Normalize(i?.Amount ?? p.Amount, i?.Currency ?? p.Currency);
        var key = i?.Key ?? p.Key;
        var idempotencyKey = i is null ? p.IdempotencyKey : i.IdempotencyKey;
        return new VoucherRequest
        {
            Program = VoucherFields.Program(i?.Program ?? p.Program)
                ?? throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'program' is required"),
            Beneficiary = VoucherFields.Reference(i?.Beneficiary ?? p.Beneficiary, "beneficiary"),
            Amount = amount,
            Currency = currency,
            ValidFrom = VoucherFields.Time(i?.ValidFrom ?? p.ValidFrom, "valid_from"),
            ValidUntil = VoucherFields.Time(i?.ValidUntil ?? p.ValidUntil, "valid_until")
                ?? throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'valid_until' is required (RFC 3339)"),
            Key = key is null ? null : KeyName(key, ctx),
            IdempotencyKey = VoucherFields.ReferenceOptional(idempotencyKey, "idempotency_key"),
        };
    }

    private VoucherIssueResult Issued(IssueResult r, QrStyle? qr, RpcContext ctx)
    {
        var v = r.Voucher!;
        ctx.NoteVersion(v.KeyName, v.KeyVersion);
        s.Metrics.Voucher(r.Replayed ? "replayed" : "issued");
        return new VoucherIssueResult(v.Id, v.Token, v.KeyName, v.KeyVersion, KeyIds.Format(v.KeyName, v.KeyVersion), v.Program, v.Beneficiary,
            v.Amount, v.Currency, v.ValidFrom, v.ValidUntil, r.Replayed, qr is null ? null : VoucherQr.Render(v.Token, qr), qr?.MediaType);
    }

    private FailedItem Failed(KeyBridgeException e, RpcContext ctx)
    {
        var error = RpcErrors.ToItemError(e, ctx.RequestId, s.Logger);
        ctx.FailedItems++;
        ctx.FirstItemError ??= error.Data.Name;
        return new FailedItem(error);
    }
}
