using System.Text;
using System.Text.Json;
using OpenG2P.KeyBridge.Crypto;

namespace OpenG2P.KeyBridge.Server.Tests.Infrastructure;

/// <summary>
/// Registrant data for the fake Odoo: plaintexts encrypted through KeyBridge's API as the Odoo addon
/// would (one ciphertext per field bound to model, field and id; or OpenG2P's one-blob
/// <c>encrypted_val</c>), and checks that every stored value is at a version and decrypts back.
/// </summary>
public sealed class Registry(RpcClient admin, FakeOdoo odoo, string key, string context = "record")
{
    private Dictionary<(long Id, string Field), string> _plain = [];

    /// <summary>The same data checked through another client (e.g. after the server restarted).</summary>
    public Registry WithClient(RpcClient client) => new(client, odoo, key, context) { _plain = _plain };

    public IReadOnlyDictionary<(long Id, string Field), string> Plain => _plain;

    /// <summary>Record ids 1, 2, … skipping every 13th (paging must cope with gaps).</summary>
    public static IEnumerable<long> Ids(int count) => Enumerable.Range(1, count * 13 / 12 + 2).Select(i => (long)i).Where(i => i % 13 != 0).Take(count);

    /// <summary>Fields hold text ciphertexts; <paramref name="plaintext"/> returns null for an empty field.</summary>
    public async Task SeedFieldsAsync(int count, string[] fields, Func<long, string, string?> plaintext)
    {
        var cells = new List<(long Id, string Field, string Text)>();
        foreach (var id in Ids(count))
        {
            var record = new Dictionary<string, string?>();
            foreach (var f in fields)
            {
                record[f] = null;
                if (plaintext(id, f) is { } text)
                {
                    cells.Add((id, f, text));
                }
            }
            odoo.Records[id] = record;
        }
        var ciphertexts = await EncryptAsync(cells.Select(c => (c.Id, c.Field, c.Text)).ToList());
        for (var i = 0; i < cells.Count; i++)
        {
            odoo.Records[cells[i].Id][cells[i].Field] = ciphertexts[i];
            _plain[(cells[i].Id, cells[i].Field)] = cells[i].Text;
        }
    }

    /// <summary>OpenG2P's shape: a JSON dict of the registrant's fields, encrypted as one ciphertext in a Binary column (base64 over JSON-RPC).</summary>
    public async Task SeedBlobsAsync(int count, string blobField, Func<long, bool> rawBytes)
    {
        var cells = Ids(count).Select(id => (Id: id, Field: blobField,
            Text: JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = $"Name {id}", ["given_name"] = $"Given {id}" }))).ToList();
        var ciphertexts = await EncryptAsync(cells);
        for (var i = 0; i < cells.Count; i++)
        {
            var id = cells[i].Id;
            odoo.Records[id] = new Dictionary<string, string?>
            {
                [blobField] = rawBytes(id)
                    ? Convert.ToBase64String(Ciphertext.Parse(ciphertexts[i]).Bytes)
                    : Convert.ToBase64String(Encoding.ASCII.GetBytes(ciphertexts[i])),
                ["name"] = "encrypted",
            };
            _plain[(id, blobField)] = cells[i].Text;
        }
    }

    /// <summary>The text form of a stored value, whichever way it is stored.</summary>
    public static string TextForm(string stored) =>
        stored.StartsWith("kb:", StringComparison.Ordinal) ? stored
        : Convert.FromBase64String(stored) is var bytes && bytes.AsSpan().StartsWith("kb:"u8) ? Encoding.ASCII.GetString(bytes)
        : "kb:" + Base64Url.Encode(bytes);

    public int VersionOf(long id, string field) => Ciphertext.Parse(TextForm(odoo[id][field]!)).KeyVersion;

    /// <summary>Every seeded value is at <paramref name="version"/> and decrypts (with its context) to its plaintext.</summary>
    public async Task AssertAllAtAsync(int version)
    {
        var cells = _plain.ToList();
        foreach (var chunk in cells.Chunk(5000))
        {
            var items = chunk.Select(c => new Dictionary<string, object?>
            {
                ["ciphertext"] = TextForm(odoo[c.Key.Id][c.Key.Field]!),
                ["context"] = Context(c.Key.Id, c.Key.Field),
            }).ToList();
            var result = await admin.ResultAsync("decrypt_data", new { items });
            var decrypted = result.GetProperty("items").EnumerateArray().ToList();
            for (var i = 0; i < chunk.Length; i++)
            {
                Assert.False(decrypted[i].TryGetProperty("error", out var error), $"record {chunk[i].Key.Id} {chunk[i].Key.Field}: {error}");
                Assert.Equal(chunk[i].Value, decrypted[i].Str("text"));
                Assert.Equal(version, decrypted[i].Int("version"));
            }
        }
    }

    public Dictionary<string, object>? Context(long id, string field) =>
        context == "record" ? new Dictionary<string, object> { ["model"] = odoo.Model, ["field"] = field, ["id"] = id } : null;

    private async Task<List<string>> EncryptAsync(List<(long Id, string Field, string Text)> cells)
    {
        var all = new List<string>();
        foreach (var chunk in cells.Chunk(5000))
        {
            var items = chunk.Select(c => new Dictionary<string, object?> { ["text"] = c.Text, ["context"] = Context(c.Id, c.Field) }).ToList();
            var result = await admin.ResultAsync("encrypt_data", new { key, items });
            all.AddRange(result.GetProperty("items").EnumerateArray().Select(i => i.Str("ciphertext")));
        }
        return all;
    }
}
