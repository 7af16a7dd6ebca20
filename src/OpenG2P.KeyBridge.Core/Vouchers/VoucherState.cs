using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Vouchers;

/// <summary>A voucher's ledger state. Only <see cref="Issued"/> can change: to redeemed (once), revoked or expired.</summary>
public enum VoucherState
{
    Issued,
    Redeemed,
    Revoked,

    /// <summary>Past <c>valid_until</c> without being redeemed; stored when a late redemption is refused, otherwise derived.</summary>
    Expired,
}

public static class VoucherStates
{
    public static string ToName(this VoucherState state) => state switch
    {
        VoucherState.Issued => "issued",
        VoucherState.Redeemed => "redeemed",
        VoucherState.Revoked => "revoked",
        VoucherState.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static VoucherState Parse(string name) => TryParse(name) ?? throw new ArgumentOutOfRangeException(nameof(name), name, "unknown voucher state");

    public static VoucherState? TryParse(string? name) => name switch
    {
        "issued" => VoucherState.Issued,
        "redeemed" => VoucherState.Redeemed,
        "revoked" => VoucherState.Revoked,
        "expired" => VoucherState.Expired,
        _ => null,
    };

    /// <summary>Parses an optional RPC parameter.</summary>
    public static VoucherState? ParseOptional(string? name, string field) =>
        name is null ? null
            : TryParse(name) ?? throw new KeyBridgeException(KeyBridgeError.InvalidParams, $"'{field}' must be issued, redeemed, revoked or expired");
}
