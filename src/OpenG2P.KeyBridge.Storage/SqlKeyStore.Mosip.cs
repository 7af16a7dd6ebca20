using System.Data.Common;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Mosip;

namespace OpenG2P.KeyBridge.Storage;

public abstract partial class SqlKeyStore : IMosipKeyStore
{
    private const string MosipColumns =
        "thumbprint, key_name, version, application_id, reference_id, alias, unique_identifier, key_id, generated_at, expires_at, imported_at";

    public Task<bool> AddMosipKeyAsync(MosipKeyRecord record, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return RunAsync(async c => await Db.ExecuteAsync(c, null, $"""
            INSERT INTO mosip_keys ({MosipColumns})
            VALUES (@thumbprint, @name, @version, @app, @ref, @alias, @ident, @kid, @generated, @expires, @imported)
            ON CONFLICT (thumbprint) DO NOTHING
            """, ct,
            ("thumbprint", record.ThumbprintHex), ("name", record.KeyName), ("version", record.Version), ("app", record.ApplicationId),
            ("ref", record.ReferenceId), ("alias", record.Alias), ("ident", record.UniqueIdentifier), ("kid", record.KeyId),
            ("generated", Time.Write(record.GeneratedAt)), ("expires", Time.WriteNullable(record.ExpiresAt)),
            ("imported", Time.Write(record.ImportedAt))).ConfigureAwait(false) == 1,
            () => new KeyBridgeException(KeyBridgeError.KeyExists, $"another imported MOSIP key already has the kid '{record.KeyId}'"), ct);
    }

    public Task<MosipKeyRecord?> FindMosipKeyByThumbprintAsync(byte[] thumbprint, CancellationToken ct = default) =>
        FindMosipKeyAsync("thumbprint", Convert.ToHexString(thumbprint), ct);

    public Task<MosipKeyRecord?> FindMosipKeyByKeyIdAsync(string keyId, CancellationToken ct = default) =>
        FindMosipKeyAsync("key_id", keyId, ct);

    public Task<IReadOnlyList<MosipKeyRecord>> ListMosipKeysAsync(string keyName, CancellationToken ct = default) =>
        RunAsync<IReadOnlyList<MosipKeyRecord>>(async c => await Db.QueryAsync(c, null,
            $"SELECT {MosipColumns} FROM mosip_keys WHERE key_name = @name ORDER BY version", ReadMosipKey, ct, ("name", keyName))
            .ConfigureAwait(false), null, ct);

    private Task<MosipKeyRecord?> FindMosipKeyAsync(string column, string value, CancellationToken ct) =>
        RunAsync(async c =>
        {
            var rows = await Db.QueryAsync(c, null, $"SELECT {MosipColumns} FROM mosip_keys WHERE {column} = @value", ReadMosipKey, ct,
                ("value", value)).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }, null, ct);

    private MosipKeyRecord ReadMosipKey(DbDataReader r) => new()
    {
        Thumbprint = Convert.FromHexString(r.GetString(0)),
        KeyName = r.GetString(1),
        Version = r.GetInt32(2),
        ApplicationId = r.GetString(3),
        ReferenceId = r.GetString(4),
        Alias = r.GetNullable<string>(5),
        UniqueIdentifier = r.GetNullable<string>(6),
        KeyId = r.GetNullable<string>(7),
        GeneratedAt = Time.Read(r, 8),
        ExpiresAt = Time.ReadNullable(r, 9),
        ImportedAt = Time.Read(r, 10),
    };
}
