using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Storage;

public abstract partial class SqlKeyStore
{
    public Task<KeyRecord> AttachCertificateAsync(string name, int version, VersionCertificate certificate, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return InTransactionAsync(async (c, tx) =>
        {
            var now = Time.Write(Now());
            // Touching the key row first takes its lock, ordering this change with rotations and state changes.
            if (await Db.ExecuteAsync(c, tx, "UPDATE keys SET updated_at = @now WHERE name = @name", ct,
                    ("now", now), ("name", name)).ConfigureAwait(false) == 0)
            {
                throw KeyMissing(name);
            }
            if (await Db.ScalarAsync(c, tx, "SELECT 1 FROM key_versions WHERE key_name = @name AND version = @version", ct,
                    ("name", name), ("version", version)).ConfigureAwait(false) is null)
            {
                throw VersionMissing(name, version);
            }
            await Db.ExecuteAsync(c, tx, """
                INSERT INTO key_certificates (key_name, version, certificate, chain, attached_at)
                VALUES (@name, @version, @certificate, @chain, @at)
                ON CONFLICT (key_name, version) DO UPDATE
                SET certificate = excluded.certificate, chain = excluded.chain, attached_at = excluded.attached_at
                """, ct,
                ("name", name), ("version", version), ("certificate", certificate.Certificate),
                ("chain", CertificateChains.Join(certificate.Chain)), ("at", Time.Write(certificate.AttachedAt))).ConfigureAwait(false);
            return (await ReadKeyAsync(c, tx, name, ct).ConfigureAwait(false))!;
        }, null, ct);
    }

    public Task<VersionCertificate?> GetCertificateAsync(string name, int version, CancellationToken ct = default) =>
        RunAsync(async c =>
        {
            var rows = await Db.QueryAsync(c, null,
                "SELECT certificate, chain, attached_at FROM key_certificates WHERE key_name = @name AND version = @version",
                r => new VersionCertificate(r.GetFieldValue<byte[]>(0), CertificateChains.Split(r.GetNullable<byte[]>(1)), Time.Read(r, 2)),
                ct, ("name", name), ("version", version)).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }, null, ct);
}
