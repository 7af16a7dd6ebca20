using System.Data.Common;
using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Auth;
using OpenG2P.KeyBridge.Backup;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>Whole-store reads for backups and whole-store writes for restores.</summary>
public abstract partial class SqlKeyStore : IBackupStore
{
    /// <summary>Ledger tables other features keep beside the keys; a backup records where each stood (see <see cref="LedgerPointer"/>).</summary>
    internal static IReadOnlyList<string> LedgerTables { get; } = ["vouchers"];

    private const string CountsSql = """
        SELECT (SELECT COUNT(*) FROM keys), (SELECT COUNT(*) FROM key_versions), (SELECT COUNT(*) FROM clients),
               (SELECT COUNT(*) FROM settings), (SELECT COUNT(*) FROM audit_log)
        """;

    /// <summary>A read-only transaction that sees one consistent state of the whole database.</summary>
    private protected abstract Task<DbTransaction> BeginSnapshotAsync(DbConnection c, CancellationToken ct);

    private protected abstract Task<bool> TableExistsAsync(DbConnection c, DbTransaction? tx, string table, CancellationToken ct);

    /// <summary>Whether the database exists and has the keys table, found without creating anything.</summary>
    private protected virtual Task<bool> SchemaExistsAsync(CancellationToken ct) => RunAsync(c => TableExistsAsync(c, null, "keys", ct), null, ct);

    public async Task<StoreCounts?> ProbeAsync(CancellationToken ct = default) =>
        await SchemaExistsAsync(ct).ConfigureAwait(false) ? await CountAsync(ct).ConfigureAwait(false) : null;

    public Task<StoreSnapshot> ReadSnapshotAsync(CancellationToken ct = default) =>
        RunAsync(async c =>
        {
            var tx = await BeginSnapshotAsync(c, ct).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                var keys = await KeyRows.QueryAsync(c, tx, "SELECT * FROM keys", Time, ct).ConfigureAwait(false);
                var clients = await Db.QueryAsync(c, tx, ClientRows.Select + " ORDER BY client_id", r => ClientRows.Read(r, Time), ct)
                    .ConfigureAwait(false);
                var settings = await Db.QueryAsync(c, tx, "SELECT name, value FROM settings ORDER BY name",
                    r => new StoreSetting(r.GetString(0), r.GetString(1)), ct).ConfigureAwait(false);
                var head = (await Db.QueryAsync(c, tx, "SELECT seq, hash FROM audit_head WHERE id = 1",
                    r => new AuditHead(r.GetInt64(0), r.GetString(1)), ct).ConfigureAwait(false))[0];
                var ledgers = new List<LedgerPointer>();
                foreach (var table in LedgerTables)
                {
                    if (await TableExistsAsync(c, tx, table, ct).ConfigureAwait(false))
                    {
                        var rows = await Db.ScalarAsync(c, tx, $"SELECT COUNT(*) FROM {table}", ct).ConfigureAwait(false);
                        ledgers.Add(new LedgerPointer(table, Convert.ToInt64(rows, System.Globalization.CultureInfo.InvariantCulture)));
                    }
                }
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return new StoreSnapshot { Keys = keys, Clients = clients, Settings = settings, AuditHead = head, Ledgers = ledgers };
            }
        }, null, ct);

    public Task<StoreCounts> CountAsync(CancellationToken ct = default) =>
        RunAsync(c => ReadCountsAsync(c, null, ct), null, ct);

    public Task RestoreAsync(StoreSnapshot snapshot, bool replace, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return InTransactionAsync(async (c, tx) =>
        {
            // Checked inside the write transaction: nothing can slip in between the check and the writes.
            var counts = await ReadCountsAsync(c, tx, ct).ConfigureAwait(false);
            if (!counts.IsEmpty)
            {
                if (!replace)
                {
                    throw new KeyBridgeException(KeyBridgeError.RestoreTargetNotEmpty,
                        $"the target store is not empty ({counts.Keys} keys, {counts.Clients} clients, {counts.Settings} settings, "
                        + $"{counts.AuditRecords} audit records); restore into an empty store, or force a replacement");
                }
                foreach (var table in new[] { "key_certificates", "key_versions", "keys", "clients", "settings", "job_failures", "jobs", "audit_log" })
                {
                    await Db.ExecuteAsync(c, tx, $"DELETE FROM {table}", ct).ConfigureAwait(false);
                }
            }
            foreach (var key in snapshot.Keys)
            {
                await InsertRestoredKeyAsync(c, tx, key, ct).ConfigureAwait(false);
            }
            foreach (var client in snapshot.Clients)
            {
                await Db.ExecuteAsync(c, tx, """
                    INSERT INTO clients (client_id, secret_hash, roles, keys, disabled, created_at, updated_at, tokens_valid_after)
                    VALUES (@id, @hash, @roles, @keys, @disabled, @created, @updated, @valid_after)
                    """, ct, ClientParameters(client)).ConfigureAwait(false);
            }
            foreach (var s in snapshot.Settings)
            {
                await Db.ExecuteAsync(c, tx, "INSERT INTO settings (name, value) VALUES (@name, @value)", ct, ("name", s.Name), ("value", s.Value))
                    .ConfigureAwait(false);
            }
            var head = snapshot.AuditHead;
            await Db.ExecuteAsync(c, tx, "UPDATE audit_head SET seq = @seq, hash = @hash, anchor_seq = @seq, anchor_hash = @hash WHERE id = 1", ct,
                ("seq", head.Seq), ("hash", head.Hash)).ConfigureAwait(false);
            return 0;
        }, null, ct);
    }

    private async Task<StoreCounts> ReadCountsAsync(DbConnection c, DbTransaction? tx, CancellationToken ct) =>
        (await Db.QueryAsync(c, tx, CountsSql, r => new StoreCounts(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4)), ct)
            .ConfigureAwait(false))[0];

    private async Task InsertRestoredKeyAsync(DbConnection c, DbTransaction tx, KeyRecord key, CancellationToken ct)
    {
        var p = key.Policy;
        await Db.ExecuteAsync(c, tx, """
            INSERT INTO keys (name, type, rotation_period_ms, exportable, deletion_allowed, min_decryption_version, hsm_resident,
                              required_context, signing_algorithm, latest_version, created_at, updated_at, delete_at, deleted_at)
            VALUES (@name, @type, @rotation, @exportable, @deletable, @min, @hsm, @context, @algorithm, @latest, @created, @updated,
                    @delete_at, @deleted_at)
            """, ct,
            ("name", key.Name), ("type", key.Type.ToName()), ("rotation", RotationMs(p)), ("exportable", p.Exportable),
            ("deletable", p.DeletionAllowed), ("min", p.MinDecryptionVersion), ("hsm", p.HsmResident),
            ("context", JsonLists.Write(p.RequiredContext)), ("algorithm", p.SigningAlgorithm?.ToName()), ("latest", key.LatestVersion),
            ("created", Time.Write(key.CreatedAt)), ("updated", Time.Write(key.UpdatedAt)), ("delete_at", Time.WriteNullable(key.DeleteAt)),
            ("deleted_at", Time.WriteNullable(key.DeletedAt))).ConfigureAwait(false);
        foreach (var v in key.Versions)
        {
            await Db.ExecuteAsync(c, tx, """
                INSERT INTO key_versions (key_name, version, state, created_at, wrapped_material, kek_id, public_material, revoked_at,
                                          destroyed_at, destroy_at)
                VALUES (@name, @version, @state, @created, @wrapped, @kek, @public, @revoked, @destroyed, @destroy_at)
                """, ct,
                ("name", key.Name), ("version", v.Version), ("state", v.State.ToName()), ("created", Time.Write(v.CreatedAt)),
                ("wrapped", v.WrappedMaterial), ("kek", v.KekId), ("public", v.PublicMaterial), ("revoked", Time.WriteNullable(v.RevokedAt)),
                ("destroyed", Time.WriteNullable(v.DestroyedAt)), ("destroy_at", Time.WriteNullable(v.DestroyAt))).ConfigureAwait(false);
            if (v.Certificate is { } cert)
            {
                await Db.ExecuteAsync(c, tx, """
                    INSERT INTO key_certificates (key_name, version, certificate, chain, attached_at)
                    VALUES (@name, @version, @certificate, @chain, @at)
                    """, ct,
                    ("name", key.Name), ("version", v.Version), ("certificate", cert.Certificate), ("chain", CertificateChains.Join(cert.Chain)),
                    ("at", Time.Write(cert.AttachedAt))).ConfigureAwait(false);
            }
        }
    }

    private (string, object?)[] ClientParameters(ClientRecord client) =>
    [
        ("id", client.ClientId), ("hash", client.SecretHash), ("roles", JsonLists.Write(client.Roles)),
        ("keys", JsonLists.Write(client.Keys)), ("disabled", client.Disabled), ("created", Time.Write(client.CreatedAt)),
        ("updated", Time.Write(client.UpdatedAt == default ? client.CreatedAt : client.UpdatedAt)),
        ("valid_after", Time.WriteNullable(client.TokensValidAfter)),
    ];
}
