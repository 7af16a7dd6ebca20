using System.Data.Common;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>Reads keys with all their versions from one joined query (no N+1).</summary>
internal static class KeyRows
{
    private const string Columns = """
        k.name, k.type, k.rotation_period_ms, k.exportable, k.deletion_allowed, k.min_decryption_version,
        k.hsm_resident, k.required_context, k.created_at, k.updated_at,
        v.version, v.state, v.created_at, v.wrapped_material, v.kek_id, v.public_material, v.revoked_at, v.destroyed_at,
        k.signing_algorithm, c.certificate, c.chain, c.attached_at,
        k.delete_at, k.deleted_at, v.destroy_at
        """;

    /// <summary>The keys chosen by <paramref name="keyQuery"/> (a SELECT over <c>keys</c>), each row one version.</summary>
    public static string Select(string keyQuery) =>
        $"SELECT {Columns} FROM ({keyQuery}) k LEFT JOIN key_versions v ON v.key_name = k.name "
        + "LEFT JOIN key_certificates c ON c.key_name = v.key_name AND c.version = v.version ORDER BY k.name, v.version";

    public static async Task<List<KeyRecord>> QueryAsync(DbConnection c, DbTransaction? tx, string keyQuery, TimeCodec time,
        CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        var rows = await Db.QueryAsync(c, tx, Select(keyQuery), r => ReadRow(r, time), ct, parameters).ConfigureAwait(false);
        return Group(rows);
    }

    private static (KeyRecord Key, KeyVersionRecord? Version) ReadRow(DbDataReader r, TimeCodec time)
    {
        var key = new KeyRecord
        {
            Name = r.GetString(0),
            Type = KeyTypes.Parse(r.GetString(1)),
            Policy = new KeyPolicy
            {
                RotationPeriod = r.IsDBNull(2) ? null : TimeSpan.FromMilliseconds(r.GetInt64(2)),
                Exportable = r.GetBoolean(3),
                DeletionAllowed = r.GetBoolean(4),
                MinDecryptionVersion = r.GetInt32(5),
                HsmResident = r.GetBoolean(6),
                RequiredContext = JsonLists.Read(r.GetString(7)),
                SigningAlgorithm = ReadAlgorithm(r, 18),
            },
            CreatedAt = time.Read(r, 8),
            UpdatedAt = time.Read(r, 9),
            DeleteAt = time.ReadNullable(r, 22),
            DeletedAt = time.ReadNullable(r, 23),
            Versions = [],
        };
        if (r.IsDBNull(10))
        {
            return (key, null);
        }
        var version = new KeyVersionRecord
        {
            Version = r.GetInt32(10),
            State = VersionStates.Parse(r.GetString(11)),
            CreatedAt = time.Read(r, 12),
            WrappedMaterial = r.GetNullable<byte[]>(13),
            KekId = r.GetNullable<string>(14),
            PublicMaterial = r.GetNullable<byte[]>(15),
            RevokedAt = time.ReadNullable(r, 16),
            DestroyedAt = time.ReadNullable(r, 17),
            DestroyAt = time.ReadNullable(r, 24),
            Certificate = r.IsDBNull(19) ? null
                : new VersionCertificate(r.GetFieldValue<byte[]>(19), CertificateChains.Split(r.GetNullable<byte[]>(20)), time.Read(r, 21)),
        };
        return (key, version);
    }

    private static SignatureAlgorithm? ReadAlgorithm(DbDataReader r, int ordinal) =>
        r.IsDBNull(ordinal) ? null
        : SignatureAlgorithms.TryParse(r.GetString(ordinal), out var a) ? a
        : throw new FormatException($"unknown stored signing algorithm '{r.GetString(ordinal)}'");

    // Rows arrive ordered by key name then version, so each key's rows are adjacent.
    private static List<KeyRecord> Group(List<(KeyRecord Key, KeyVersionRecord? Version)> rows)
    {
        var keys = new List<KeyRecord>();
        var i = 0;
        while (i < rows.Count)
        {
            var head = rows[i].Key;
            var versions = new List<KeyVersionRecord>();
            for (; i < rows.Count && rows[i].Key.Name == head.Name; i++)
            {
                if (rows[i].Version is { } v)
                {
                    versions.Add(v);
                }
            }
            keys.Add(head with { Versions = versions });
        }
        return keys;
    }
}
