using System.Globalization;
using System.Text.Json;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Signing;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Vouchers;

/// <summary>Issuer name, default and per-program signing keys, and the longest validity window.</summary>
public sealed record VoucherSettings
{
    public required string Issuer { get; init; }

    public required string DefaultKey { get; init; }

    public IReadOnlyDictionary<string, string> ProgramKeys { get; init; } = new Dictionary<string, string>();

    public TimeSpan MaxValidity { get; init; } = TimeSpan.FromDays(3650);
}

/// <summary>One issue item's outcome: the voucher (new, or the earlier one an idempotent retry gets back), or its error.</summary>
public sealed record IssueResult(VoucherRecord? Voucher, bool Replayed, KeyBridgeException? Error);

/// <summary>
/// Vouchers: signed with the signing keys' JWS code (<see cref="SignatureOperations"/>) and recorded in the ledger
/// (<see cref="IVoucherStore"/>), which alone decides redemption. <c>authorize</c> is the caller's per-key grant check.
/// </summary>
public sealed class VoucherOperations(SignatureOperations signatures, KeyRing ring, IVoucherStore store, VoucherSettings settings, TimeProvider time)
{
    public VoucherSettings Settings => settings;

    /// <summary>
    /// Signs every new voucher, then writes them to the ledger in one batched insert. An item with an idempotency key
    /// the client used before gets that voucher back (or <c>idempotency_conflict</c> when its parameters differ).
    /// </summary>
    public async Task<IReadOnlyList<IssueResult>> IssueAsync(IReadOnlyList<VoucherRequest> requests, string issuedBy, Action<string> authorize,
        CancellationToken ct = default)
    {
        var results = new IssueResult?[requests.Count];
        var hashes = requests.Select(VoucherClaims.Fingerprint).ToArray();
        var idempotencyKeys = requests.Select(r => r.IdempotencyKey).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var earlier = idempotencyKeys.Count == 0 ? []
            : (await store.FindByIdempotencyKeysAsync(issuedBy, idempotencyKeys, ct).ConfigureAwait(false)).ToDictionary(v => v.IdempotencyKey!, StringComparer.Ordinal);
        var firstWithKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var fresh = new List<(int Index, VoucherRecord Voucher)>();
        var now = time.GetUtcNow();
        for (var i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            if (r.IdempotencyKey is { } k)
            {
                if (earlier.TryGetValue(k, out var v))
                {
                    results[i] = Replay(v, hashes[i]);
                    continue;
                }
                if (!firstWithKey.TryAdd(k, i))
                {
                    continue; // the same key twice in one batch: settled below, from the first item's outcome
                }
            }
            try
            {
                fresh.Add((i, await SignAsync(r, hashes[i], issuedBy, now, authorize, ct).ConfigureAwait(false)));
            }
            catch (KeyBridgeException e)
            {
                results[i] = new IssueResult(null, false, e);
            }
        }

        var inserted = fresh.Count == 0 ? new HashSet<string>()
            : await store.InsertVouchersAsync(fresh.Select(f => f.Voucher).ToList(), ct).ConfigureAwait(false);
        var raced = fresh.Where(f => !inserted.Contains(f.Voucher.Id)).Select(f => f.Voucher.IdempotencyKey!).ToList();
        // Another call with the same idempotency key committed between our lookup and our insert: its voucher wins.
        var winners = raced.Count == 0 ? []
            : (await store.FindByIdempotencyKeysAsync(issuedBy, raced, ct).ConfigureAwait(false)).ToDictionary(v => v.IdempotencyKey!, StringComparer.Ordinal);
        foreach (var (i, v) in fresh)
        {
            results[i] = inserted.Contains(v.Id) ? new IssueResult(v, false, null)
                : winners.TryGetValue(v.IdempotencyKey ?? "", out var w) ? Replay(w, hashes[i])
                : throw new InvalidOperationException($"voucher {v.Id} was neither inserted nor found under its idempotency key");
        }
        for (var i = 0; i < requests.Count; i++)
        {
            if (results[i] is null)
            {
                var first = results[firstWithKey[requests[i].IdempotencyKey!]]!;
                results[i] = first.Voucher is { } v ? Replay(v, hashes[i]) : first;
            }
        }
        return results!;
    }

    /// <summary>
    /// Signature (by kid, across rotations), voucher shape, ledger entry, state and validity window, in that order.
    /// <c>Voucher</c> is the ledger row whenever the token's id has one.
    /// </summary>
    public async Task<VoucherCheck> VerifyAsync(string? token, Action<string> authorize, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        // KeyBridge's clock is the authority here, so no leeway: the ledger and the token agree on the window.
        var r = await signatures.JwtVerifyAsync(token, null, null, authorize, now, TimeSpan.Zero, ct).ConfigureAwait(false);
        JsonElement? claims;
        if (r.Valid)
        {
            claims = r.Claims;
        }
        else if (r.Reason is JwtReasons.Expired or JwtReasons.NotYetValid)
        {
            // Only reported after the signature verified: the claims are genuine, the ledger decides below.
            claims = VoucherClaims.PayloadOf(token!);
        }
        else
        {
            return VoucherCheck.Invalid(MapReason(r.Reason!), r.Message!, r);
        }
        if (VoucherClaims.TypeOf(token!) != VoucherClaims.Type || claims is not { } c
            || VoucherClaims.Required.FirstOrDefault(name => !c.TryGetProperty(name, out _)) is { } missing)
        {
            return VoucherCheck.Invalid(VoucherReasons.Malformed, $"the token is not a voucher (typ must be {VoucherClaims.Type} with the voucher claims)", r);
        }
        var id = c.GetProperty("jti").ValueKind == JsonValueKind.String ? c.GetProperty("jti").GetString()! : "";
        var voucher = id.Length == 0 ? null : await store.GetVoucherAsync(id, ct).ConfigureAwait(false);
        if (voucher is null)
        {
            return VoucherCheck.Invalid(VoucherReasons.UnknownVoucher, "the ledger has no voucher with this id", r) with { Claims = c };
        }
        if (!string.Equals(voucher.Token, token, StringComparison.Ordinal))
        {
            return VoucherCheck.Invalid(VoucherReasons.UnknownVoucher, $"this is not the token issued as voucher '{id}'", r) with { Claims = c, Voucher = voucher };
        }
        var state = voucher.EffectiveState(now);
        var (reason, message) = state switch
        {
            VoucherState.Redeemed => (VoucherReasons.Redeemed, RedeemedMessage(voucher)),
            VoucherState.Revoked => (VoucherReasons.Revoked, $"voucher '{id}' was revoked at {Rfc3339(voucher.RevokedAt)}"),
            VoucherState.Expired => (VoucherReasons.Expired, $"voucher '{id}' expired at {Rfc3339(voucher.ValidUntil)}"),
            _ when now < voucher.ValidFrom => (VoucherReasons.NotYetValid, $"voucher '{id}' is valid from {Rfc3339(voucher.ValidFrom)}"),
            _ => ((string?)null, (string?)null),
        };
        return new VoucherCheck(reason is null, reason, message, state, c, voucher, r.Kid, r.Key, r.Version);
    }

    /// <summary>
    /// Redeems by token (checked first: a forged or altered token is <c>voucher_invalid</c>) or by id. The ledger's
    /// conditional update decides, so of concurrent attempts on any number of nodes exactly one succeeds.
    /// </summary>
    /// <param name="found">Told the ledger row before it changes (for the audit record, which names the signing key version).</param>
    public async Task<VoucherRecord> RedeemAsync(string? token, string? voucherId, string redeemedBy, string? redeemer, Action<string> authorize,
        Action<VoucherRecord> found, CancellationToken ct = default)
    {
        VoucherRecord voucher;
        if (token is not null)
        {
            var check = await VerifyAsync(token, authorize, ct).ConfigureAwait(false);
            voucher = check switch
            {
                { Reason: VoucherReasons.UnknownVoucher, Voucher: null } => throw NotFound(check.Claims?.GetProperty("jti").ToString() ?? "?"),
                { Reason: null or VoucherReasons.Redeemed or VoucherReasons.Revoked or VoucherReasons.Expired or VoucherReasons.NotYetValid } => check.Voucher!,
                _ => throw new KeyBridgeException(KeyBridgeError.VoucherInvalid, $"the voucher does not verify ({check.Reason}): {check.Message}"),
            };
        }
        else
        {
            voucher = await GetAsync(voucherId!, ct).ConfigureAwait(false);
            authorize(voucher.KeyName);
        }
        found(voucher);
        var change = await store.RedeemVoucherAsync(voucher.Id, redeemedBy, redeemer, ct).ConfigureAwait(false);
        return change.Outcome == VoucherChangeOutcome.Changed ? change.Voucher! : throw Refused(change, voucher.Id);
    }

    /// <summary>Revokes an issued or expired voucher; revoking a revoked one again changes nothing.</summary>
    public async Task<VoucherRecord> RevokeAsync(string voucherId, string revokedBy, string? reason, Action<string> authorize, Action<VoucherRecord> found,
        CancellationToken ct = default)
    {
        var voucher = await GetAsync(voucherId, ct).ConfigureAwait(false);
        authorize(voucher.KeyName);
        found(voucher);
        var change = await store.RevokeVoucherAsync(voucher.Id, revokedBy, reason, ct).ConfigureAwait(false);
        return change.Outcome is VoucherChangeOutcome.Changed or VoucherChangeOutcome.AlreadyRevoked ? change.Voucher! : throw Refused(change, voucher.Id);
    }

    public async Task<VoucherRecord> GetAsync(string voucherId, CancellationToken ct = default) =>
        await store.GetVoucherAsync(voucherId, ct).ConfigureAwait(false) ?? throw NotFound(voucherId);

    public Task<IReadOnlyList<VoucherRecord>> ListAsync(string? program, VoucherState? state, string? afterId, int limit, CancellationToken ct = default) =>
        store.ListVouchersAsync(program, state, afterId, limit, ct);

    public DateTimeOffset Now() => time.GetUtcNow();

    private async Task<VoucherRecord> SignAsync(VoucherRequest r, string hash, string issuedBy, DateTimeOffset now, Action<string> authorize,
        CancellationToken ct)
    {
        var keyName = r.Key ?? (settings.ProgramKeys.TryGetValue(r.Program, out var programKey) ? programKey : settings.DefaultKey);
        authorize(keyName);
        var key = await ring.GetAsync(keyName, ct).ConfigureAwait(false);
        if (key.Type is not (KeyType.EcdsaP256 or KeyType.Ed25519))
        {
            throw new KeyBridgeException(KeyBridgeError.UnsupportedOperation,
                $"vouchers are signed with ecdsa-p256 (ES256) or ed25519 (EdDSA) keys, so that they fit a QR code; key '{keyName}' is {key.Type.ToName()}");
        }
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var validFrom = r.ValidFrom ?? issuedAt;
        if (r.ValidUntil <= validFrom || r.ValidUntil <= now)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'valid_until' must be in the future and after 'valid_from'");
        }
        if (r.ValidUntil - validFrom > settings.MaxValidity)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams,
                $"a voucher may be valid for at most {settings.MaxValidity.TotalDays:0} days (Vouchers:MaxValidityDays)");
        }
        var id = VoucherClaims.NewId();
        var claims = VoucherClaims.Build(id, settings.Issuer, issuedAt, r, validFrom);
        var signed = await signatures.JwtSignAsync(keyName, claims, true, new JwtSignOptions { Type = VoucherClaims.Type }, ct).ConfigureAwait(false);
        return new VoucherRecord
        {
            Id = id,
            Program = r.Program,
            Beneficiary = r.Beneficiary,
            Amount = r.Amount,
            Currency = r.Currency,
            ValidFrom = validFrom,
            ValidUntil = r.ValidUntil,
            KeyName = signed.Key,
            KeyVersion = signed.Version,
            Token = signed.Value.Jws,
            State = VoucherState.Issued,
            IssuedBy = issuedBy,
            IssuedAt = issuedAt,
            IdempotencyKey = r.IdempotencyKey,
            RequestHash = hash,
        };
    }

    private static IssueResult Replay(VoucherRecord earlier, string hash) =>
        earlier.RequestHash == hash
            ? new IssueResult(earlier, true, null)
            : new IssueResult(null, false, new KeyBridgeException(KeyBridgeError.IdempotencyConflict,
                $"idempotency key '{earlier.IdempotencyKey}' was used for voucher '{earlier.Id}' with other parameters")
            {
                Details = new Dictionary<string, object> { ["voucher_id"] = earlier.Id },
            });

    private static string MapReason(string jwtReason) => jwtReason switch
    {
        JwtReasons.Malformed => VoucherReasons.Malformed,
        JwtReasons.UnknownKid or JwtReasons.KeyMismatch => VoucherReasons.UnknownKid,
        JwtReasons.Revoked or JwtReasons.Retired or JwtReasons.Destroyed => VoucherReasons.KeyNotActive,
        _ => VoucherReasons.BadSignature,
    };

    private static KeyBridgeException NotFound(string id) =>
        new(KeyBridgeError.VoucherNotFound, $"the ledger has no voucher '{Printable(id)}'");

    private static KeyBridgeException Refused(VoucherChange change, string id)
    {
        var v = change.Voucher;
        return change.Outcome switch
        {
            VoucherChangeOutcome.AlreadyRedeemed => new KeyBridgeException(KeyBridgeError.VoucherAlreadyRedeemed, RedeemedMessage(v!))
            {
                Details = Details(("voucher_id", id), ("redeemed_at", Rfc3339(v!.RedeemedAt)), ("redeemed_by", v.RedeemedBy), ("redeemer", v.Redeemer)),
            },
            VoucherChangeOutcome.AlreadyRevoked => new KeyBridgeException(KeyBridgeError.VoucherRevoked,
                $"voucher '{id}' was revoked at {Rfc3339(v!.RevokedAt)} by client '{v.RevokedBy}'")
            {
                Details = Details(("voucher_id", id), ("revoked_at", Rfc3339(v.RevokedAt)), ("revoked_by", v.RevokedBy)),
            },
            VoucherChangeOutcome.Expired => new KeyBridgeException(KeyBridgeError.VoucherExpired, $"voucher '{id}' expired at {Rfc3339(v!.ValidUntil)}")
            {
                Details = Details(("voucher_id", id), ("valid_until", Rfc3339(v.ValidUntil))),
            },
            VoucherChangeOutcome.NotYetValid => new KeyBridgeException(KeyBridgeError.VoucherNotYetValid, $"voucher '{id}' is valid from {Rfc3339(v!.ValidFrom)}")
            {
                Details = Details(("voucher_id", id), ("valid_from", Rfc3339(v.ValidFrom))),
            },
            _ => NotFound(id),
        };
    }

    private static string RedeemedMessage(VoucherRecord v) =>
        $"voucher '{v.Id}' was already redeemed at {Rfc3339(v.RedeemedAt)} by client '{v.RedeemedBy}'" + (v.Redeemer is { } r ? $" (redeemer '{r}')" : "");

    private static Dictionary<string, object> Details(params (string Name, string? Value)[] members) =>
        members.Where(m => m.Value is not null).ToDictionary(m => m.Name, m => (object)m.Value!);

    private static string? Rfc3339(DateTimeOffset? t) =>
        t?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture);

    private static string Printable(string s) => s.Length > 64 ? s[..64] + "…" : s;
}

/// <summary>The outcome of <see cref="VoucherOperations.VerifyAsync"/>; claims are given once the signature verified.</summary>
public sealed record VoucherCheck(bool Valid, string? Reason, string? Message, VoucherState? State, JsonElement? Claims, VoucherRecord? Voucher,
    string? Kid, string? Key, int? Version)
{
    public static VoucherCheck Invalid(string reason, string message, JwtVerification r) =>
        new(false, reason, message, null, null, null, r.Kid, r.Key, r.Version);
}
