using System.Data.Common;
using System.Globalization;
using System.Text;
using OpenG2P.KeyBridge.Audit;

namespace OpenG2P.KeyBridge.Storage;

public abstract partial class SqlKeyStore
{
    private protected const string AuditColumns =
        "seq, time, client_id, method, keys, versions, outcome, error_name, request_id, remote_address, item_count, prev_hash, hash, chain_key_version";

    public Task<IReadOnlyList<AuditRecord>> AppendAsync(IReadOnlyList<AuditEntry> entries,
        Func<long, string, AuditEntry, (string Hash, int KeyVersion)> link, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(link);
        return AppendCoreAsync(entries, link, ct);
    }

    /// <summary>Appends on a fresh connection; SQLite overrides this to keep one connection for the audit writer.</summary>
    private protected virtual Task<IReadOnlyList<AuditRecord>> AppendCoreAsync(IReadOnlyList<AuditEntry> entries,
        Func<long, string, AuditEntry, (string Hash, int KeyVersion)> link, CancellationToken ct) =>
        RunAsync(c => AppendOnAsync(c, entries, link, ct), null, ct);

    /// <summary>One append transaction on <paramref name="c"/>.</summary>
    private protected async Task<IReadOnlyList<AuditRecord>> AppendOnAsync(DbConnection c, IReadOnlyList<AuditEntry> entries,
        Func<long, string, AuditEntry, (string Hash, int KeyVersion)> link, CancellationToken ct)
    {
        var tx = await BeginWriteAsync(c, ct).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            var result = await AppendInAsync(c, tx, entries, link, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return result;
        }
    }

    private async Task<IReadOnlyList<AuditRecord>> AppendInAsync(DbConnection c, DbTransaction tx, IReadOnlyList<AuditEntry> entries,
        Func<long, string, AuditEntry, (string Hash, int KeyVersion)> link, CancellationToken ct)
    {
        // The no-op UPDATE takes the head row's lock (SQLite: BEGIN IMMEDIATE already holds the
        // write lock), so writers on every node extend one chain in turn.
        var head = await Db.QueryAsync(c, tx, "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash",
            r => new AuditHead(r.GetInt64(0), r.GetString(1)), ct).ConfigureAwait(false);
        var (seq, prev) = (head[0].Seq, head[0].Hash);
        var records = new List<AuditRecord>(entries.Count);
        foreach (var e in entries)
        {
            seq++;
            var (hash, keyVersion) = link(seq, prev, e);
            var record = new AuditRecord { Seq = seq, Entry = e, PrevHash = prev, Hash = hash, ChainKeyVersion = keyVersion };
            records.Add(record);
            prev = hash;
        }
        await InsertAuditAsync(c, tx, records, ct).ConfigureAwait(false);
        await Db.ExecuteAsync(c, tx, "UPDATE audit_head SET seq = @seq, hash = @hash WHERE id = 1", ct,
            ("seq", seq), ("hash", prev)).ConfigureAwait(false);
        return records;
    }

    /// <summary>Inserts the records; multi-row statements of up to 200 rows save round trips to a database server.</summary>
    private protected virtual async Task InsertAuditAsync(DbConnection c, DbTransaction tx, IReadOnlyList<AuditRecord> records, CancellationToken ct)
    {
        foreach (var chunk in records.Chunk(200))
        {
            await InsertAuditRowsAsync(c, tx, chunk, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The values of one audit row, in <see cref="AuditColumns"/> order.</summary>
    private protected object?[] AuditValues(AuditRecord r)
    {
        var e = r.Entry;
        return
        [
            r.Seq, Time.Write(DateTimeOffset.FromUnixTimeMilliseconds(e.Time.ToUnixTimeMilliseconds())), e.ClientId, e.Method, e.Keys,
            e.Versions, e.Outcome, e.ErrorName, e.RequestId, e.RemoteAddress, e.ItemCount, r.PrevHash, r.Hash, r.ChainKeyVersion,
        ];
    }

    public Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new StringBuilder(" WHERE seq > @after");
        var p = new List<(string, object?)> { ("after", query.AfterSeq), ("limit", query.Limit) };
        void Add(string sql, string name, object? value)
        {
            if (value is not null)
            {
                where.Append(" AND ").Append(sql);
                p.Add((name, value));
            }
        }
        Add("time >= @from", "from", Time.WriteNullable(query.From));
        Add("time <= @to", "to", Time.WriteNullable(query.To));
        Add("client_id = @client", "client", query.ClientId);
        Add("method = @method", "method", query.Method);
        Add("outcome = @outcome", "outcome", query.Outcome);
        Add("request_id = @request", "request", query.RequestId);
        // Keys are stored comma-separated; match whole names only.
        Add("(',' || keys || ',') LIKE @key ESCAPE '\\'", "key", query.Key is null ? null : "%," + query.Key.Replace("_", "\\_", StringComparison.Ordinal) + ",%");
        var sql = $"SELECT {AuditColumns} FROM audit_log{where} ORDER BY seq LIMIT @limit";
        return RunAsync<IReadOnlyList<AuditRecord>>(async c =>
            await Db.QueryAsync(c, null, sql, ReadAudit, ct, [.. p]).ConfigureAwait(false), null, ct);
    }

    public Task<IReadOnlyList<AuditRecord>> ReadAsync(long afterSeq, int limit, CancellationToken ct = default) =>
        RunAsync<IReadOnlyList<AuditRecord>>(async c => await Db.QueryAsync(c, null,
            $"SELECT {AuditColumns} FROM audit_log WHERE seq > @after ORDER BY seq LIMIT @limit", ReadAudit, ct,
            ("after", afterSeq), ("limit", limit)).ConfigureAwait(false), null, ct);

    public Task<AuditHead> GetHeadAsync(CancellationToken ct = default) =>
        RunAsync(async c => (await Db.QueryAsync(c, null, "SELECT seq, hash FROM audit_head WHERE id = 1",
            r => new AuditHead(r.GetInt64(0), r.GetString(1)), ct).ConfigureAwait(false))[0], null, ct);

    public Task<AuditHead> GetAnchorAsync(CancellationToken ct = default) =>
        RunAsync(async c => (await Db.QueryAsync(c, null, "SELECT anchor_seq, anchor_hash FROM audit_head WHERE id = 1",
            r => new AuditHead(r.GetInt64(0), r.GetString(1)), ct).ConfigureAwait(false))[0], null, ct);

    private async Task InsertAuditRowsAsync(DbConnection c, DbTransaction tx, AuditRecord[] records, CancellationToken ct)
    {
        var sql = new StringBuilder($"INSERT INTO audit_log ({AuditColumns}) VALUES ");
        var p = new List<(string, object?)>(records.Length * 14);
        for (var i = 0; i < records.Length; i++)
        {
            var r = records[i];
            var e = r.Entry;
            var s = i.ToString(CultureInfo.InvariantCulture);
            sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture,
                $"(@s{s}, @t{s}, @c{s}, @m{s}, @k{s}, @v{s}, @o{s}, @e{s}, @r{s}, @a{s}, @n{s}, @p{s}, @h{s}, @cv{s})");
            p.Add(("s" + s, r.Seq));
            p.Add(("t" + s, Time.Write(DateTimeOffset.FromUnixTimeMilliseconds(e.Time.ToUnixTimeMilliseconds()))));
            p.Add(("c" + s, e.ClientId));
            p.Add(("m" + s, e.Method));
            p.Add(("k" + s, e.Keys));
            p.Add(("v" + s, e.Versions));
            p.Add(("o" + s, e.Outcome));
            p.Add(("e" + s, e.ErrorName));
            p.Add(("r" + s, e.RequestId));
            p.Add(("a" + s, e.RemoteAddress));
            p.Add(("n" + s, e.ItemCount));
            p.Add(("p" + s, r.PrevHash));
            p.Add(("h" + s, r.Hash));
            p.Add(("cv" + s, r.ChainKeyVersion));
        }
        await Db.ExecuteAsync(c, tx, sql.ToString(), ct, [.. p]).ConfigureAwait(false);
    }

    private AuditRecord ReadAudit(DbDataReader r) => new()
    {
        Seq = r.GetInt64(0),
        Entry = new AuditEntry
        {
            Time = Time.Read(r, 1),
            ClientId = r.GetNullable<string>(2),
            Method = r.GetString(3),
            Keys = r.GetNullable<string>(4),
            Versions = r.GetNullable<string>(5),
            Outcome = r.GetString(6),
            ErrorName = r.GetNullable<string>(7),
            RequestId = r.GetNullable<string>(8),
            RemoteAddress = r.GetNullable<string>(9),
            ItemCount = r.GetInt32(10),
        },
        PrevHash = r.GetString(11),
        Hash = r.GetString(12),
        ChainKeyVersion = r.GetInt32(13),
    };
}
