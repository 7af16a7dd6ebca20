using System.Globalization;
using System.Text.Json;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Server.Mosip.Import;

/// <summary>A row of MOSIP's <c>keymgr.key_alias</c>: which application/reference id a keystore alias belongs to, and when.</summary>
public sealed record KeyAliasRow(string Id, string ApplicationId, string ReferenceId, DateTimeOffset GeneratedAt, DateTimeOffset? ExpiresAt,
    string? CertThumbprint, string? UniqueIdentifier);

/// <summary>A row of MOSIP's <c>keymgr.key_store</c>: a base key's private key wrapped by its master key, and its certificate.</summary>
public sealed record KeyStoreRow(string Id, string MasterKey, string PrivateKey, string? CertificateData);

/// <summary>
/// Reads exported <c>key_alias</c> and <c>key_store</c> rows: a JSON array of row objects (<c>psql -Atc "SELECT
/// json_agg(t) FROM …"</c>) or CSV with a header (<c>\copy … TO … WITH (FORMAT csv, HEADER)</c>). Column names are
/// MOSIP's; rows marked <c>is_deleted</c> are left out.
/// </summary>
public static class KeymgrRows
{
    public static List<KeyAliasRow> KeyAlias(JsonElement? input) =>
        [.. Rows(input, "key_alias").Where(NotDeleted).Select(r => new KeyAliasRow(
            Required(r, "key_alias", "id"),
            Required(r, "key_alias", "app_id"),
            r.GetValueOrDefault("ref_id")?.Trim() ?? "",
            Time(r, "key_gen_dtimes") ?? throw Malformed("key_alias", "key_gen_dtimes is missing or not a timestamp"),
            Time(r, "key_expire_dtimes"),
            Blank(r.GetValueOrDefault("cert_thumbprint")),
            Blank(r.GetValueOrDefault("uni_ident"))))];

    public static List<KeyStoreRow> KeyStore(JsonElement? input) =>
        [.. Rows(input, "key_store").Where(NotDeleted).Select(r => new KeyStoreRow(
            Required(r, "key_store", "id"),
            Required(r, "key_store", "master_key"),
            r.GetValueOrDefault("private_key") ?? "",
            Blank(r.GetValueOrDefault("certificate_data"))))];

    private static List<Dictionary<string, string?>> Rows(JsonElement? input, string table)
    {
        switch (input)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return [];
            case { ValueKind: JsonValueKind.String } text:
                var csv = Csv.Parse(text.GetString()!) ?? throw Malformed(table, "not well-formed CSV (a header row, then one row per line)");
                return [.. csv.Select(r => r.ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.OrdinalIgnoreCase))];
            case { ValueKind: JsonValueKind.Array } array:
                var rows = new List<Dictionary<string, string?>>();
                foreach (var row in array.EnumerateArray())
                {
                    if (row.ValueKind != JsonValueKind.Object)
                    {
                        throw Malformed(table, "every row must be a JSON object of column name → value");
                    }
                    rows.Add(row.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind switch
                    {
                        JsonValueKind.Null => null,
                        JsonValueKind.String => p.Value.GetString(),
                        _ => p.Value.GetRawText(),
                    }, StringComparer.OrdinalIgnoreCase));
                }
                return rows;
            default:
                throw Malformed(table, "give the rows as a JSON array of objects or as CSV text");
        }
    }

    private static bool NotDeleted(Dictionary<string, string?> row) =>
        row.GetValueOrDefault("is_deleted")?.Trim().ToLowerInvariant() is not ("true" or "t" or "1");

    private static string Required(Dictionary<string, string?> row, string table, string column) =>
        Blank(row.GetValueOrDefault(column))?.Trim() ?? throw Malformed(table, $"a row has no {column}");

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    /// <summary>MOSIP stores UTC timestamps without a zone; psql writes them as ISO-8601 (JSON) or with a space (CSV).</summary>
    private static DateTimeOffset? Time(Dictionary<string, string?> row, string column) =>
        Blank(row.GetValueOrDefault(column)) is { } text
        && DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : null;

    private static KeyBridgeException Malformed(string table, string message) => new(KeyBridgeError.KeymgrRowsMalformed, $"{table}: {message}");
}
