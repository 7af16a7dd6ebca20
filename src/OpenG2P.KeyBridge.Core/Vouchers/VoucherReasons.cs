namespace OpenG2P.KeyBridge.Vouchers;

/// <summary>Why <c>voucher.verify</c> answered <c>valid: false</c> (stable names, documented in docs/api.md and docs/vouchers.md).</summary>
public static class VoucherReasons
{
    /// <summary>Not a compact JWS, not a voucher (wrong <c>typ</c> or claims missing), or an unreadable header.</summary>
    public const string Malformed = "malformed";

    /// <summary>No kid, or one that names no signing key version here.</summary>
    public const string UnknownKid = "unknown_kid";

    /// <summary>The signature does not verify with the kid's version (or <c>alg</c> is not that key's algorithm).</summary>
    public const string BadSignature = "bad_signature";

    /// <summary>The signing key version was revoked, retired (below min_decryption_version) or destroyed since.</summary>
    public const string KeyNotActive = "key_not_active";

    /// <summary>Genuinely signed, but the ledger has no voucher with this id, or holds another token under it.</summary>
    public const string UnknownVoucher = "unknown_voucher";

    public const string Revoked = "revoked";

    public const string Redeemed = "redeemed";

    public const string Expired = "expired";

    public const string NotYetValid = "not_yet_valid";

    public static IReadOnlyList<string> All { get; } =
        [Malformed, UnknownKid, BadSignature, KeyNotActive, UnknownVoucher, Revoked, Redeemed, Expired, NotYetValid];
}
