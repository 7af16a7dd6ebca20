using System.Text.Json;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>
/// Proves docs/ciphertext-format.md right: Python's `cryptography`, driven by a script written
/// from that document alone, decrypts what the server produced.
/// </summary>
public sealed class IndependentDecryptionTests(SqliteServerFixture fx) : IClassFixture<SqliteServerFixture>
{
    private static readonly string Script = Repo.PathOf("tests", "python", "kb_ciphertext.py");

    [Fact]
    public async Task Python_decrypts_a_keybridge_ciphertext_from_the_documented_layout()
    {
        var key = ServerFixture.UniqueName("export");
        await fx.Admin.ResultAsync("key.create", new { name = key, type = "aes-256-gcm", exportable = true });
        await fx.Admin.ResultAsync("key.rotate", new { name = key });
        var context = new Dictionary<string, object> { ["model"] = "res.partner", ["field"] = "name", ["id"] = 42, ["é-名"] = true, ["neg"] = -7 };
        var ct = await fx.Admin.ResultAsync("encrypt_data", new { key, text = "Ñandú Wanjiru — 42", context });
        Assert.Equal(2, ct.Int("version"));
        var material = (await fx.Admin.ResultAsync("key.export", new { name = key, version = 2 })).GetProperty("key").Str("k");

        var contextJson = JsonSerializer.Serialize(context);
        var (code, stdout, stderr) = await Repo.RunAsync(Repo.Python, Script, "decrypt", material, ct.Str("ciphertext"), contextJson);
        Assert.True(code == 0, stderr);
        Assert.Equal(KeyModelContractTests.B64("Ñandú Wanjiru — 42"), stdout);

        // The same script must fail when the context differs: proof that it really checks the AAD.
        var other = JsonSerializer.Serialize(new Dictionary<string, object>(context) { ["id"] = 43 });
        Assert.Equal(1, (await Repo.RunAsync(Repo.Python, Script, "decrypt", material, ct.Str("ciphertext"), other)).Code);
        var oldMaterial = (await fx.Admin.ResultAsync("key.export", new { name = key, version = 1 })).GetProperty("key").Str("k");
        Assert.Equal(1, (await Repo.RunAsync(Repo.Python, Script, "decrypt", oldMaterial, ct.Str("ciphertext"), contextJson)).Code);
    }

    [Fact]
    public async Task Python_decrypts_context_free_ciphertexts()
    {
        var key = ServerFixture.UniqueName("export");
        await fx.Admin.ResultAsync("key.create", new { name = key, type = "aes-256-gcm", exportable = true });
        var ct = await fx.Admin.ResultAsync("encrypt_data", new { key, data = "AAECAwQ" });
        var material = (await fx.Admin.ResultAsync("key.export", new { name = key })).GetProperty("key").Str("k");
        var (code, stdout, stderr) = await Repo.RunAsync(Repo.Python, Script, "decrypt", material, ct.Str("ciphertext"));
        Assert.True(code == 0, stderr);
        Assert.Equal("AAECAwQ", stdout);
    }

    [Fact]
    public async Task The_documented_context_example_matches_the_script()
    {
        var (code, stdout, _) = await Repo.RunAsync(Repo.Python, Script, "encode-context", """{"model": "res.partner", "id": 42}""");
        Assert.Equal(0, code);
        Assert.Equal("0002696469000000023432" + "00056d6f64656c730000000b7265732e706172746e6572", stdout);
        var doc = await File.ReadAllTextAsync(Repo.PathOf("docs", "ciphertext-format.md"));
        Assert.Contains("00 02 'i' 'd' 'i' 00 00 00 02 '4' '2'  00 05 'm' 'o' 'd' 'e' 'l' 's' 00 00 00 0b", doc);
    }
}
