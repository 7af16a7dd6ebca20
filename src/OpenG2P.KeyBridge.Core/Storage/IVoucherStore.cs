using OpenG2P.KeyBridge.Vouchers;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>
/// The voucher ledger (both stores implement it beside <see cref="IKeyStore"/>). State changes are conditional
/// updates in the database, so a voucher is redeemed at most once even when several nodes try at the same moment.
/// Times are the store's clock.
/// </summary>
public interface IVoucherStore
{
    /// <summary>
    /// Inserts the vouchers in multi-row statements within one transaction. A voucher whose issuing client already
    /// used its idempotency key is skipped (another call got there first); returns the ids actually inserted.
    /// </summary>
    Task<IReadOnlySet<string>> InsertVouchersAsync(IReadOnlyList<VoucherRecord> vouchers, CancellationToken ct = default);

    Task<VoucherRecord?> GetVoucherAsync(string id, CancellationToken ct = default);

    /// <summary>The vouchers <paramref name="issuedBy"/> issued under any of <paramref name="idempotencyKeys"/>.</summary>
    Task<IReadOnlyList<VoucherRecord>> FindByIdempotencyKeysAsync(string issuedBy, IReadOnlyCollection<string> idempotencyKeys,
        CancellationToken ct = default);

    /// <summary>
    /// Marks the voucher redeemed if, at this moment, it is issued and inside its validity window; one statement, so
    /// exactly one of any number of concurrent attempts succeeds. Otherwise says why not (an issued voucher found past
    /// its window is stored as expired).
    /// </summary>
    Task<VoucherChange> RedeemVoucherAsync(string id, string redeemedBy, string? redeemer, CancellationToken ct = default);

    /// <summary>Revokes an issued (or expired) voucher; a redeemed one cannot be revoked, a revoked one stays as it was.</summary>
    Task<VoucherChange> RevokeVoucherAsync(string id, string revokedBy, string? reason, CancellationToken ct = default);

    /// <summary>
    /// Vouchers in issue order after <paramref name="afterId"/> (exclusive), filtered by program and by effective state
    /// (an issued voucher past its window counts as expired).
    /// </summary>
    Task<IReadOnlyList<VoucherRecord>> ListVouchersAsync(string? program, VoucherState? state, string? afterId, int limit,
        CancellationToken ct = default);
}

/// <summary>What a conditional state change did.</summary>
public enum VoucherChangeOutcome
{
    /// <summary>This call changed the state.</summary>
    Changed,
    NotFound,
    AlreadyRedeemed,
    AlreadyRevoked,
    Expired,
    NotYetValid,
}

/// <summary>The outcome and the voucher as it is now (null when not found).</summary>
public sealed record VoucherChange(VoucherChangeOutcome Outcome, VoucherRecord? Voucher);
