using System.Data.Common;
using System.Globalization;
using System.Text;
using OpenG2P.KeyBridge.Vouchers;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>The voucher ledger (migration 0005).</summary>
public abstract partial class SqlKeyStore : IVoucherStore
{
    /// <summary>Rows per INSERT: 15 parameters each stays well inside SQLite's 32,766 and PostgreSQL's 65,535.</summary>
    private const int InsertChunk = 1000;

    private const int LookupChunk = 500;

    public Task<IReadOnlySet<string>> InsertVouchersAsync(IReadOnlyList<VoucherRecord> vouchers, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(vouchers);
        return InTransactionAsync<IReadOnlySet<string>>(async (c, tx) =>
        {
            var inserted = new HashSet<string>(vouchers.Count, StringComparer.Ordinal);
            if (!MultiRowInserts)
            {
                await InsertOneByOneAsync(c, tx, vouchers, inserted, ct).ConfigureAwait(false);
                return inserted;
            }
            foreach (var chunk in vouchers.Chunk(InsertChunk))
            {
                var sql = new StringBuilder($"INSERT INTO vouchers ({VoucherRows.InsertColumns}) VALUES ");
                var p = new List<(string, object?)>(chunk.Length * 15);
                for (var i = 0; i < chunk.Length; i++)
                {
                    var values = VoucherRows.Values(chunk[i], Time);
                    sql.Append(i == 0 ? "(" : ", (");
                    for (var j = 0; j < values.Length; j++)
                    {
                        var name = string.Create(CultureInfo.InvariantCulture, $"v{i}_{j}");
                        sql.Append(j == 0 ? "@" : ", @").Append(name);
                        p.Add((name, values[j]));
                    }
                    sql.Append(')');
                }
                // A taken idempotency key skips the row (the caller then reads the voucher that took it).
                sql.Append(" ON CONFLICT DO NOTHING RETURNING id");
                foreach (var id in await Db.QueryAsync(c, tx, sql.ToString(), r => r.GetString(0), ct, [.. p]).ConfigureAwait(false))
                {
                    inserted.Add(id);
                }
            }
            return inserted;
        }, null, ct);
    }

    /// <summary>One prepared statement, rebound per row, inside the caller's transaction.</summary>
    private async Task InsertOneByOneAsync(DbConnection c, DbTransaction tx, IReadOnlyList<VoucherRecord> vouchers, HashSet<string> inserted,
        CancellationToken ct)
    {
        var columns = VoucherRows.InsertColumns.Split(", ");
        var names = columns.Select((_, j) => "p" + j.ToString(CultureInfo.InvariantCulture)).ToArray();
        var cmd = Db.Command(c, tx,
            $"INSERT INTO vouchers ({VoucherRows.InsertColumns}) VALUES (@{string.Join(", @", names)}) ON CONFLICT DO NOTHING RETURNING id",
            [.. names.Select(n => (n, (object?)null))]);
        await using (cmd.ConfigureAwait(false))
        {
            await cmd.PrepareAsync(ct).ConfigureAwait(false);
            foreach (var v in vouchers)
            {
                var values = VoucherRows.Values(v, Time);
                for (var j = 0; j < values.Length; j++)
                {
                    cmd.Parameters[j].Value = values[j] ?? DBNull.Value;
                }
                if (await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is string id)
                {
                    inserted.Add(id);
                }
            }
        }
    }

    public Task<VoucherRecord?> GetVoucherAsync(string id, CancellationToken ct = default) =>
        RunAsync(c => ReadVoucherAsync(c, id, ct), null, ct);

    public Task<IReadOnlyList<VoucherRecord>> FindByIdempotencyKeysAsync(string issuedBy, IReadOnlyCollection<string> idempotencyKeys,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKeys);
        return RunAsync<IReadOnlyList<VoucherRecord>>(async c =>
        {
            var found = new List<VoucherRecord>();
            foreach (var chunk in idempotencyKeys.Chunk(LookupChunk))
            {
                var names = chunk.Select((_, i) => "@k" + i.ToString(CultureInfo.InvariantCulture));
                var p = chunk.Select((k, i) => ("k" + i.ToString(CultureInfo.InvariantCulture), (object?)k)).Append(("by", issuedBy)).ToArray();
                found.AddRange(await Db.QueryAsync(c, null,
                    $"SELECT {VoucherRows.Columns} FROM vouchers WHERE issued_by = @by AND idempotency_key IN ({string.Join(", ", names)})",
                    r => VoucherRows.Read(r, Time), ct, p).ConfigureAwait(false));
            }
            return found;
        }, null, ct);
    }

    public Task<VoucherChange> RedeemVoucherAsync(string id, string redeemedBy, string? redeemer, CancellationToken ct = default) =>
        RunAsync(async c =>
        {
            // State only ever leaves 'issued', so a second pass is needed only when the window opened meanwhile.
            for (var attempt = 0; ; attempt++)
            {
                var now = Time.Write(Now());
                // The whole decision is this one statement: under concurrent attempts (any node) the database lets
                // exactly one of them see state = 'issued'; the others find 'redeemed' and change nothing.
                var changed = await Db.QueryAsync(c, null, $"""
                    UPDATE vouchers SET state = 'redeemed', redeemed_at = @now, redeemed_by = @by, redeemer = @redeemer
                    WHERE id = @id AND state = 'issued' AND valid_from <= @now AND valid_until > @now
                    RETURNING {VoucherRows.Columns}
                    """, r => VoucherRows.Read(r, Time), ct, ("now", now), ("by", redeemedBy), ("redeemer", redeemer), ("id", id))
                    .ConfigureAwait(false);
                if (changed.Count == 1)
                {
                    return new VoucherChange(VoucherChangeOutcome.Changed, changed[0]);
                }
                var v = await ReadVoucherAsync(c, id, ct).ConfigureAwait(false);
                var outcome = v?.State switch
                {
                    null => VoucherChangeOutcome.NotFound,
                    VoucherState.Redeemed => VoucherChangeOutcome.AlreadyRedeemed,
                    VoucherState.Revoked => VoucherChangeOutcome.AlreadyRevoked,
                    VoucherState.Expired => VoucherChangeOutcome.Expired,
                    _ when Now() >= v.ValidUntil => VoucherChangeOutcome.Expired,
                    _ when Now() < v.ValidFrom => VoucherChangeOutcome.NotYetValid,
                    _ => (VoucherChangeOutcome?)null,
                };
                if (outcome == VoucherChangeOutcome.Expired && v!.State == VoucherState.Issued)
                {
                    await Db.ExecuteAsync(c, null, "UPDATE vouchers SET state = 'expired' WHERE id = @id AND state = 'issued' AND valid_until <= @now", ct,
                        ("id", id), ("now", Time.Write(Now()))).ConfigureAwait(false);
                    v = await ReadVoucherAsync(c, id, ct).ConfigureAwait(false);
                    outcome = v!.State switch
                    {
                        VoucherState.Redeemed => VoucherChangeOutcome.AlreadyRedeemed,
                        VoucherState.Revoked => VoucherChangeOutcome.AlreadyRevoked,
                        _ => VoucherChangeOutcome.Expired,
                    };
                }
                if (outcome is { } o)
                {
                    return new VoucherChange(o, v);
                }
                if (attempt == 2)
                {
                    throw new InvalidOperationException($"voucher {id} is issued and valid but could not be redeemed");
                }
            }
        }, null, ct);

    public Task<VoucherChange> RevokeVoucherAsync(string id, string revokedBy, string? reason, CancellationToken ct = default) =>
        RunAsync(async c =>
        {
            var changed = await Db.QueryAsync(c, null, $"""
                UPDATE vouchers SET state = 'revoked', revoked_at = @now, revoked_by = @by, revocation_reason = @reason
                WHERE id = @id AND state IN ('issued', 'expired')
                RETURNING {VoucherRows.Columns}
                """, r => VoucherRows.Read(r, Time), ct, ("now", Time.Write(Now())), ("by", revokedBy), ("reason", reason), ("id", id))
                .ConfigureAwait(false);
            if (changed.Count == 1)
            {
                return new VoucherChange(VoucherChangeOutcome.Changed, changed[0]);
            }
            var v = await ReadVoucherAsync(c, id, ct).ConfigureAwait(false);
            return new VoucherChange(v?.State switch
            {
                null => VoucherChangeOutcome.NotFound,
                VoucherState.Redeemed => VoucherChangeOutcome.AlreadyRedeemed,
                _ => VoucherChangeOutcome.AlreadyRevoked,
            }, v);
        }, null, ct);

    public Task<IReadOnlyList<VoucherRecord>> ListVouchersAsync(string? program, VoucherState? state, string? afterId, int limit,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var where = new List<string>();
        var p = new List<(string, object?)> { ("limit", limit) };
        if (program is not null)
        {
            where.Add("program = @program");
            p.Add(("program", program));
        }
        if (state is { } s)
        {
            // Filter by the effective state: an issued voucher past its window is listed as expired.
            if (s is VoucherState.Issued or VoucherState.Expired)
            {
                where.Add(s == VoucherState.Issued
                    ? "state = 'issued' AND valid_until > @now"
                    : "(state = 'expired' OR (state = 'issued' AND valid_until <= @now))");
                p.Add(("now", Time.Write(Now())));
            }
            else
            {
                where.Add("state = @state");
                p.Add(("state", s.ToName()));
            }
        }
        if (afterId is not null)
        {
            where.Add("seq > (SELECT seq FROM vouchers WHERE id = @after)");
            p.Add(("after", afterId));
        }
        var filter = where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);
        var sql = $"SELECT {VoucherRows.Columns} FROM vouchers{filter} ORDER BY seq LIMIT @limit";
        return RunAsync<IReadOnlyList<VoucherRecord>>(
            async c => await Db.QueryAsync(c, null, sql, r => VoucherRows.Read(r, Time), ct, [.. p]).ConfigureAwait(false), null, ct);
    }

    private async Task<VoucherRecord?> ReadVoucherAsync(DbConnection c, string id, CancellationToken ct)
    {
        var rows = await Db.QueryAsync(c, null, $"SELECT {VoucherRows.Columns} FROM vouchers WHERE id = @id", r => VoucherRows.Read(r, Time), ct,
            ("id", id)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }
}
