using System.Data.Common;
using OpenG2P.KeyBridge.Vouchers;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>Column list and row reader for <c>vouchers</c>.</summary>
internal static class VoucherRows
{
    public const string Columns = """
        id, program, beneficiary, amount, currency, valid_from, valid_until, key_name, key_version, token, state, issued_by, issued_at,
        idempotency_key, request_hash, redeemed_at, redeemed_by, redeemer, revoked_at, revoked_by, revocation_reason
        """;

    /// <summary>The columns a new voucher is inserted with, in <see cref="Values"/> order.</summary>
    public const string InsertColumns =
        "id, program, beneficiary, amount, currency, valid_from, valid_until, key_name, key_version, token, state, issued_by, issued_at, idempotency_key, request_hash";

    public static object?[] Values(VoucherRecord v, TimeCodec time) =>
    [
        v.Id, v.Program, v.Beneficiary, v.Amount, v.Currency, time.Write(v.ValidFrom), time.Write(v.ValidUntil), v.KeyName, v.KeyVersion, v.Token,
        v.State.ToName(), v.IssuedBy, time.Write(v.IssuedAt), v.IdempotencyKey, v.RequestHash,
    ];

    public static VoucherRecord Read(DbDataReader r, TimeCodec time) => new()
    {
        Id = r.GetString(0),
        Program = r.GetString(1),
        Beneficiary = r.GetString(2),
        Amount = r.GetString(3),
        Currency = r.GetString(4),
        ValidFrom = time.Read(r, 5),
        ValidUntil = time.Read(r, 6),
        KeyName = r.GetString(7),
        KeyVersion = r.GetInt32(8),
        Token = r.GetString(9),
        State = VoucherStates.Parse(r.GetString(10)),
        IssuedBy = r.GetString(11),
        IssuedAt = time.Read(r, 12),
        IdempotencyKey = r.GetNullable<string>(13),
        RequestHash = r.GetNullable<string>(14),
        RedeemedAt = time.ReadNullable(r, 15),
        RedeemedBy = r.GetNullable<string>(16),
        Redeemer = r.GetNullable<string>(17),
        RevokedAt = time.ReadNullable(r, 18),
        RevokedBy = r.GetNullable<string>(19),
        RevocationReason = r.GetNullable<string>(20),
    };
}
