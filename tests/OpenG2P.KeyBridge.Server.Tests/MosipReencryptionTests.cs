using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>A server with fast job settings that has imported a MOSIP keystore.</summary>
public sealed class MosipJobsFixture : SqliteServerFixture, IAsyncLifetime
{
    public MosipData Data { get; private set; } = null!;

    protected override async Task<Dictionary<string, string?>> SettingsAsync()
    {
        var settings = await base.SettingsAsync();
        foreach (var (k, v) in JobSettings.Fast())
        {
            settings[k] = v;
        }
        return settings;
    }

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Data = await MosipData.GenerateAsync();
        await Admin.ResultAsync("mosip.import_keystore", Data.ImportParams());
    }
}

/// <summary>
/// OpenG2P's registry encrypted by MOSIP (one ciphertext per registrant in <c>res.partner.encrypted_val</c>, with the
/// provider's fixed salt and aad) moves to KeyBridge's format with <c>job.start_reencryption</c>, against the fake Odoo;
/// OpenG2P's keymanager client then reads it through <c>/v1/keymanager/decrypt</c> with the same salt and aad.
/// </summary>
public sealed class MosipReencryptionTests(MosipJobsFixture fx) : IClassFixture<MosipJobsFixture>
{
    private const string Target = "mosip.registration.encrypt.aes";

    [Fact]
    public async Task Imported_mosip_ciphertexts_move_to_kb_and_a_second_run_writes_nothing()
    {
        using var odoo = new FakeOdoo();
        var (salt, aad) = (B64.Url(RandomNumberGenerator.GetBytes(32)), B64.Url(RandomNumberGenerator.GetBytes(32)));
        var ids = Registry.Ids(300).ToList();
        var plain = ids.ToDictionary(id => id, id => JsonSerializer.Serialize(new { name = $"Registrant {id}", given_name = $"Ñandú {id}" }));
        var mosipValues = await fx.Data.EncryptAsync(ids.Select(id => plain[id]), salt, aad);
        for (var i = 0; i < ids.Count; i++)
        {
            odoo.Records[ids[i]] = new Dictionary<string, string?> { ["encrypted_val"] = mosipValues[i], ["name"] = "encrypted" };
        }
        // A registrant written after the switch (already KeyBridge's format) and a value that is no ciphertext at all.
        using var mosip = MosipClient.For(fx.Admin);
        var fresh = (await mosip.ResponseAsync("encrypt", new
        {
            applicationId = "REGISTRATION", referenceId = "ENCRYPT", timeStamp = MosipClient.Now(), data = B64.Url("{\"name\":\"After the switch\"}"), salt, aad,
        })).Str("data");
        odoo.Records[10_001] = new Dictionary<string, string?> { ["encrypted_val"] = Convert.ToBase64String(B64.Bytes(fresh)), ["name"] = "encrypted" };
        odoo.Records[10_002] = new Dictionary<string, string?> { ["encrypted_val"] = Convert.ToBase64String("plain text"u8.ToArray()), ["name"] = "Plain" };
        odoo.CheckWrite = (_, field, value) =>
            field == "encrypted_val" && Ciphertext.Parse(Encoding.ASCII.GetString(Convert.FromBase64String(value!))).KeyName == Target ? null : $"unexpected write {field}";
        var parameters = new Dictionary<string, object?>
        {
            ["odoo"] = new { url = odoo.Url, db = FakeOdoo.Database, login = FakeOdoo.Login, password = odoo.Password },
            ["model"] = odoo.Model,
            ["storage"] = "blob",
            ["key"] = Target,
            ["context"] = "mosip",
            ["mosip"] = new { salt, aad },
            ["batch_size"] = 64,
        };

        var first = await fx.Admin.WaitForJobAsync((await fx.Admin.ResultAsync("job.start_reencryption", parameters)).Str("id"));

        Assert.Equal("succeeded", first.Str("state"));
        Assert.Equal((302L, 300L, 1L), (first.GetProperty("done").GetInt64(), first.GetProperty("changed").GetInt64(), first.GetProperty("failed").GetInt64()));
        Assert.Contains("ciphertext_malformed", Assert.Single(first.GetProperty("failures").EnumerateArray()).Str("reason"));
        Assert.Empty(odoo.Problems);
        Assert.Equal(300, odoo.Writes);
        Assert.Equal(Convert.ToBase64String(B64.Bytes(fresh)), odoo.Records[10_001]["encrypted_val"]);

        // Everything now reads back through OpenG2P's keymanager client path and through decrypt_data with the /encrypt context.
        foreach (var id in ids.Take(20))
        {
            var stored = Convert.FromBase64String(odoo.Records[id]["encrypted_val"]!);
            Assert.StartsWith("kb:", Encoding.ASCII.GetString(stored));
            var back = await mosip.ResponseAsync("decrypt", new { applicationId = "REGISTRATION", referenceId = "ENCRYPT", timeStamp = MosipClient.Now(), data = B64.Url(stored), salt, aad });
            Assert.Equal(plain[id], B64.Text(back.Str("data")));
        }
        var items = ids.Select(id => new Dictionary<string, object?>
        {
            ["ciphertext"] = Encoding.ASCII.GetString(Convert.FromBase64String(odoo.Records[id]["encrypted_val"]!)),
            ["context"] = new Dictionary<string, string> { ["mosip_aad"] = aad },
        }).ToList();
        var all = (await fx.Admin.ResultAsync("decrypt_data", new { items })).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(ids.Select(id => plain[id]), all.Select(r => r.Str("text")));

        var second = await fx.Admin.WaitForJobAsync((await fx.Admin.ResultAsync("job.start_reencryption", parameters)).Str("id"));

        Assert.Equal(("succeeded", 0L), (second.Str("state"), second.GetProperty("changed").GetInt64()));
        Assert.Equal(300, odoo.Writes);
    }

    [Fact]
    public async Task Reading_mosip_ciphertexts_needs_a_target_key_and_valid_salt_and_aad()
    {
        using var odoo = new FakeOdoo();
        Dictionary<string, object?> Params(object? mosip, string? key, string context = "mosip") => new()
        {
            ["odoo"] = new { url = odoo.Url, db = FakeOdoo.Database, login = FakeOdoo.Login, password = odoo.Password },
            ["model"] = odoo.Model, ["storage"] = "blob", ["key"] = key, ["context"] = context, ["mosip"] = mosip,
        };

        Assert.Equal("invalid_params", (await fx.Admin.ErrorAsync("job.start_reencryption", Params(new { salt = "a", aad = "b" }, null))).ErrorName());
        Assert.Equal("invalid_params", (await fx.Admin.ErrorAsync("job.start_reencryption", Params(null, "default-encryption"))).ErrorName());
        Assert.Equal("invalid_params", (await fx.Admin.ErrorAsync("job.start_reencryption", Params(new { salt = "not base64!" }, "default-encryption"))).ErrorName());
        Assert.Equal("unsupported_operation", (await fx.Admin.ErrorAsync("job.start_reencryption", Params(new { salt = "", aad = "" }, "mosip.registration.encrypt"))).ErrorName());
    }
}
