namespace OpenG2P.KeyBridge.Vouchers;

/// <summary>
/// One row of the voucher ledger: what was signed (the token and its claims), by which key version and client,
/// and what happened to it since. The token is kept so that an idempotent retry returns the very same voucher.
/// </summary>
public sealed record VoucherRecord
{
    /// <summary>The <c>jti</c> claim: 128 random bits, base64url.</summary>
    public required string Id { get; init; }

    public required string Program { get; init; }

    /// <summary>A pseudonymous reference, never personal data.</summary>
    public required string Beneficiary { get; init; }

    /// <summary>Exact decimal text with the currency's number of minor digits, e.g. <c>12.50</c>.</summary>
    public required string Amount { get; init; }

    public required string Currency { get; init; }

    public required DateTimeOffset ValidFrom { get; init; }

    public required DateTimeOffset ValidUntil { get; init; }

    public required string KeyName { get; init; }

    public required int KeyVersion { get; init; }

    public required string Token { get; init; }

    public required VoucherState State { get; init; }

    /// <summary>The client that issued it (idempotency keys are scoped to this client).</summary>
    public required string IssuedBy { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    public string? IdempotencyKey { get; init; }

    /// <summary>Fingerprint of the issuing request, to tell a retry from a different voucher under the same idempotency key.</summary>
    public string? RequestHash { get; init; }

    public DateTimeOffset? RedeemedAt { get; init; }

    /// <summary>The client that redeemed it.</summary>
    public string? RedeemedBy { get; init; }

    /// <summary>Who redeemed it, as the redeeming client named them (a merchant or agent id).</summary>
    public string? Redeemer { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public string? RevokedBy { get; init; }

    public string? RevocationReason { get; init; }

    /// <summary>The state as of <paramref name="now"/>: an issued voucher past its window is expired even before the ledger says so.</summary>
    public VoucherState EffectiveState(DateTimeOffset now) =>
        State == VoucherState.Issued && now >= ValidUntil ? VoucherState.Expired : State;
}
