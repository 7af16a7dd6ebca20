using System.Text.Json;
using OpenG2P.KeyBridge.Vouchers;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

// Parameters and results of voucher.*. Property names are snake_case on the wire. In voucher.issue the
// top-level fields are defaults for every item that does not give its own.

public sealed record VoucherIssueItem
{
    public string? Program { get; init; }

    /// <summary>A pseudonymous reference (1-128 of letters, digits and . _ : / + = -), never a name.</summary>
    public string? Beneficiary { get; init; }

    /// <summary>An exact decimal string such as "12.50"; JSON numbers are refused.</summary>
    public string? Amount { get; init; }

    /// <summary>An ISO 4217 code such as KES.</summary>
    public string? Currency { get; init; }

    /// <summary>RFC 3339; default the time of issue.</summary>
    public string? ValidFrom { get; init; }

    /// <summary>RFC 3339.</summary>
    public string? ValidUntil { get; init; }

    public string? Key { get; init; }

    /// <summary>The same client sending the same key again gets the same voucher back.</summary>
    public string? IdempotencyKey { get; init; }
}

public sealed record VoucherIssueParams
{
    public string? Program { get; init; }

    public string? Beneficiary { get; init; }

    public string? Amount { get; init; }

    public string? Currency { get; init; }

    public string? ValidFrom { get; init; }

    public string? ValidUntil { get; init; }

    public string? Key { get; init; }

    public string? IdempotencyKey { get; init; }

    /// <summary><c>png</c> or <c>svg</c>: also return the token as a QR image.</summary>
    public string? Qr { get; init; }

    /// <summary>L, M, Q or H; default <c>Vouchers:QrErrorCorrection</c>.</summary>
    public string? QrErrorCorrection { get; init; }

    public List<VoucherIssueItem?>? Items { get; init; }
}

/// <summary>An issued voucher; <c>replayed</c> when an idempotency key returned an earlier one. <c>qr</c> is standard base64.</summary>
public sealed record VoucherIssueResult(
    string VoucherId, string Token, string Key, int Version, string Kid, string Program, string Beneficiary, string Amount, string Currency,
    DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, bool Replayed, string? Qr, string? QrMediaType);

public sealed record VoucherTokenItem
{
    public string? Token { get; init; }
}

public sealed record VoucherVerifyParams
{
    public string? Token { get; init; }

    public List<VoucherTokenItem?>? Items { get; init; }
}

/// <summary>
/// voucher.verify's answer: <c>valid</c>, or a <c>reason</c>. <c>claims</c> once the signature verified; <c>state</c> and the
/// redemption details when the ledger holds this very token.
/// </summary>
public sealed record VoucherVerifyResult(
    bool Valid, string? Reason, string? Message, string? State, JsonElement? Claims, string? VoucherId, string? Kid,
    DateTimeOffset? RedeemedAt, string? RedeemedBy, string? Redeemer);

public sealed record VoucherRedeemParams
{
    /// <summary>The scanned token; or give <c>voucher_id</c>.</summary>
    public string? Token { get; init; }

    public string? VoucherId { get; init; }

    /// <summary>Who hands out the goods or cash (a merchant or agent reference), recorded with the redemption.</summary>
    public string? Redeemer { get; init; }
}

public sealed record VoucherRevokeParams
{
    public string? VoucherId { get; init; }

    public string? Reason { get; init; }
}

public sealed record VoucherGetParams
{
    public string? VoucherId { get; init; }
}

public sealed record VoucherListParams
{
    public string? Program { get; init; }

    /// <summary>issued, redeemed, revoked or expired (effective: issued vouchers past their window count as expired).</summary>
    public string? State { get; init; }

    /// <summary>Continue after this voucher (the previous page's <c>next_after</c>).</summary>
    public string? After { get; init; }

    public int Limit { get; init; } = 100;
}

/// <summary>A ledger row (never the token): its effective state and what happened to it.</summary>
public sealed record VoucherView(
    string VoucherId, string Program, string Beneficiary, string Amount, string Currency, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil,
    string State, string Kid, DateTimeOffset IssuedAt, string IssuedBy, DateTimeOffset? RedeemedAt, string? RedeemedBy, string? Redeemer,
    DateTimeOffset? RevokedAt, string? RevokedBy, string? RevocationReason)
{
    public static VoucherView Of(VoucherRecord v, DateTimeOffset now) => new(
        v.Id, v.Program, v.Beneficiary, v.Amount, v.Currency, v.ValidFrom, v.ValidUntil, v.EffectiveState(now).ToName(),
        OpenG2P.KeyBridge.Signing.KeyIds.Format(v.KeyName, v.KeyVersion), v.IssuedAt, v.IssuedBy, v.RedeemedAt, v.RedeemedBy, v.Redeemer, v.RevokedAt, v.RevokedBy,
        v.RevocationReason);
}

public sealed record VoucherListResult(IReadOnlyList<VoucherView> Vouchers, string? NextAfter);
