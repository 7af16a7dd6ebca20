using System.Text.Json;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>One server that has imported a MOSIP keystore made independently (tests/python/mosip_fixture.py).</summary>
public sealed class MosipImportFixture : SqliteServerFixture, IAsyncLifetime
{
    public MosipData Data { get; private set; } = null!;

    public JsonElement Result { get; private set; }

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Data = await MosipData.GenerateAsync();
        Result = await Admin.ResultAsync("mosip.import_keystore", Data.ImportParams());
    }
}

/// <summary>
/// A MOSIP keymanager's keys brought along: the PKCS12 keystore and keymgr rows import as key versions, MOSIP's
/// ciphertexts of every layout decrypt through <c>/v1/keymanager/decrypt</c> and <c>decrypt_data</c>, and MOSIP's
/// tokens verify by their kid.
/// </summary>
public sealed class MosipImportTests(MosipImportFixture fx) : IClassFixture<MosipImportFixture>
{
    private JsonElement Info(string id) => fx.Data.Json("info.json").GetProperty(id);

    [Fact]
    public void The_keystore_and_key_store_rows_import_as_versions_with_mosips_thumbprints_and_kids()
    {
        var imported = fx.Result.GetProperty("imported").EnumerateArray().ToDictionary(i => i.Str("application_id") + "/" + i.Str("reference_id"));

        Assert.Equal(["ID_REPO/", "KERNEL/SIGN", "REGISTRATION/", "REGISTRATION/ENCRYPT", "ROOT/"], imported.Keys.Order());
        Assert.Equal("mosip.registration.encrypt", imported["REGISTRATION/ENCRYPT"].Str("key"));
        Assert.Equal("mosip.id_repo", imported["ID_REPO/"].Str("key"));
        foreach (var (id, row) in imported)
        {
            Assert.Equal(Info(id).Str("thumbprint"), row.Str("thumbprint"));
            Assert.Equal(Info(id).Str("key_id"), row.Str("key_id"));
            Assert.Equal(Info(id).Str("alias"), row.Str("alias"));
        }
        // The other domain's certificate-only row is reported, the deleted row left out.
        var skipped = Assert.Single(fx.Result.GetProperty("skipped").EnumerateArray());
        Assert.Equal("IDA", skipped.Str("application_id"));
        Assert.Contains("only a certificate", skipped.Str("reason"));
    }

    [Fact]
    public async Task Importing_again_from_csv_rows_skips_everything_already_imported()
    {
        var again = await fx.Admin.ResultAsync("mosip.import_keystore", fx.Data.ImportParams(csv: true));

        Assert.Empty(again.GetProperty("imported").EnumerateArray());
        Assert.Equal(6, again.GetProperty("skipped").GetArrayLength());
        Assert.Equal(5, again.GetProperty("skipped").EnumerateArray().Count(s => s.Str("reason").StartsWith("already imported", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_imported_key_material_is_kek_wrapped_and_not_exportable()
    {
        var key = await fx.Admin.ResultAsync("key.get", new { name = "mosip.registration.encrypt" });
        Assert.Equal("rsa-2048", key.Str("type"));
        Assert.False(key.GetProperty("policy").GetProperty("exportable").GetBoolean());
        Assert.Equal("not_exportable", (await fx.Admin.ErrorAsync("key.export", new { name = "mosip.registration.encrypt", @private = true, format = "pem" })).ErrorName());
        Assert.DoesNotContain(MosipData.Password, fx.Server.Output);
    }

    [Fact]
    public async Task Mosip_ciphertexts_of_every_layout_decrypt_through_the_rest_endpoint()
    {
        using var mosip = MosipClient.For(await fx.Admin.CreateClientAsync(["decrypter"]));
        foreach (var c in fx.Data.Json("ciphertexts.json").EnumerateArray())
        {
            var request = new
            {
                applicationId = "REGISTRATION", referenceId = "ENCRYPT", timeStamp = MosipClient.Now(),
                data = c.Str("data"), salt = c.GetProperty("salt").GetString(), aad = c.GetProperty("aad").GetString(),
            };
            var response = await mosip.ResponseAsync("decrypt", request);
            Assert.Equal(B64.Bytes(c.Str("plaintext")), B64.Bytes(response.Str("data")));
        }
        var salted = fx.Data.Json("ciphertexts.json")[0];
        Assert.Equal("salt", salted.Str("mode"));
        Assert.Equal("KER-FSE-004", await mosip.ErrorCodeAsync("decrypt", new
        {
            applicationId = "REGISTRATION", referenceId = "ENCRYPT", timeStamp = MosipClient.Now(), data = salted.Str("data"),
            salt = salted.Str("aad"), aad = salted.Str("aad"),
        }));
    }

    [Fact]
    public async Task Decrypt_data_reads_mosip_ciphertexts_given_their_salt_and_aad_and_grants_apply()
    {
        var cases = fx.Data.Json("ciphertexts.json").EnumerateArray().ToList();
        var items = cases.Select(c => new Dictionary<string, object?>
        {
            ["ciphertext"] = c.Str("data"),
            ["mosip"] = new { salt = c.GetProperty("salt").GetString(), aad = c.GetProperty("aad").GetString() },
        }).ToList();

        var result = await fx.Admin.ResultAsync("decrypt_data", new { items });

        var decrypted = result.GetProperty("items").EnumerateArray().ToList();
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.Equal(B64.Text(cases[i].Str("plaintext")), decrypted[i].Str("text"));
            Assert.Equal(("mosip.registration.encrypt", 1), (decrypted[i].Str("key"), decrypted[i].Int("version")));
        }
        var other = await fx.Admin.CreateClientAsync(["decrypter"], ["default-*"]);
        Assert.Equal("forbidden", (await other.ErrorAsync("decrypt_data", items[0])).ErrorName());
        var wrong = new Dictionary<string, object?> { ["ciphertext"] = cases[0].Str("data"), ["mosip"] = new { salt = cases[0].Str("aad") } };
        Assert.Equal("context_mismatch", (await fx.Admin.ErrorAsync("decrypt_data", wrong)).ErrorName());
    }

    [Fact]
    public async Task A_token_mosip_signed_verifies_by_its_kid_and_new_signatures_keep_mosips_key_and_kid()
    {
        using var mosip = MosipClient.For(await fx.Admin.CreateClientAsync(["signer", "verifier"]));
        var token = fx.Data.Json("jwt.json").Str("jwt");
        var kid = Info("ID_REPO/").Str("key_id");

        var verified = await mosip.ResponseAsync("jwtVerify", new { jwtSignatureData = token, applicationId = "ID_REPO", referenceId = "", validateTrust = false });
        Assert.True(verified.GetProperty("signatureValid").GetBoolean());
        Assert.True((await fx.Admin.ResultAsync("jwt_verify", new { jwt = token })).GetProperty("valid").GetBoolean() is false,
            "the JSON-RPC jwt_verify knows only KeyBridge kids");
        var listed = (await mosip.GetResponseAsync("getAllCertificates?applicationId=ID_REPO")).GetProperty("allCertificates").EnumerateArray().ToList();
        var entry = Assert.Single(listed);
        Assert.Equal(kid, entry.Str("keyId"));
        Assert.Equal(Info("ID_REPO/").Str("generated") + "Z", entry.Str("issuedAt"));
        var signed = (await mosip.ResponseAsync("jwtSign", new { dataToSign = B64.Url("{\"v\":1}"), applicationId = "ID_REPO", includePayload = true })).Str("jwtSignedData");
        Assert.Equal(kid, Jose.Header(signed).GetProperty("kid").GetString());

        // KeyBridge's own public JWKS (also served at OpenG2P's verifier path) lists the version under MOSIP's kid too.
        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };
        var jwks = JsonDocument.Parse(await http.GetStringAsync("api/v1/security/.well-known/jwks.json")).RootElement;
        var keys = jwks.GetProperty("keys").EnumerateArray().ToList();
        var byMosipKid = Assert.Single(keys, k => k.Str("kid") == kid);
        var byKeyBridgeKid = Assert.Single(keys, k => k.Str("kid") == "mosip.id_repo:v1");
        Assert.Equal(byKeyBridgeKid.Str("n"), byMosipKid.Str("n"));
    }

    [Fact]
    public async Task A_wrong_password_or_malformed_rows_are_refused_with_their_errors()
    {
        Assert.Equal("keystore_unreadable", (await fx.Admin.ErrorAsync("mosip.import_keystore", fx.Data.ImportParams(password: "wrong"))).ErrorName());
        var rows = fx.Data.ImportParams();
        rows["key_alias"] = "id,app_id\n\"unterminated";
        Assert.Equal("keymgr_rows_malformed", (await fx.Admin.ErrorAsync("mosip.import_keystore", rows)).ErrorName());
        rows["key_alias"] = JsonSerializer.SerializeToElement(new[] { new { id = "x" } });
        Assert.Equal("keymgr_rows_malformed", (await fx.Admin.ErrorAsync("mosip.import_keystore", rows)).ErrorName());
        var encrypter = await fx.Admin.CreateClientAsync(["encrypter"]);
        Assert.Equal("forbidden", (await encrypter.ErrorAsync("mosip.import_keystore", fx.Data.ImportParams())).ErrorName());
    }
}

/// <summary>On its own server: revoking an imported version must not disturb the other import tests.</summary>
public sealed class MosipRevokedImportTests(MosipImportFixture fx) : IClassFixture<MosipImportFixture>
{
    [Fact]
    public async Task A_revoked_imported_version_no_longer_decrypts_unlike_in_mosip()
    {
        var data = fx.Data;
        var admin = fx.Admin;
        var baseKey = fx.Result.GetProperty("imported").EnumerateArray().Single(i => i.Str("reference_id") == "ENCRYPT");
        var c = data.Json("ciphertexts.json")[3];
        var request = new Dictionary<string, object?> { ["ciphertext"] = c.Str("data") };
        Assert.Equal(B64.Text(c.Str("plaintext")), (await admin.ResultAsync("decrypt_data", request)).Str("text"));

        await admin.ResultAsync("key.revoke_version", new { name = baseKey.Str("key"), version = baseKey.Int("version") });

        Assert.Equal("version_revoked", (await admin.ErrorAsync("decrypt_data", request)).ErrorName());
    }
}
