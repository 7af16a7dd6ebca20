using System.Text.Json;
using System.Text.Json.Nodes;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>MOSIP's key policy: a signing key within its pre-expiry window is replaced on its next use; its old signatures still verify.</summary>
public sealed class MosipPreExpiryTests(SqliteServerFixture fx) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task An_imported_key_near_its_mosip_expiry_is_replaced_by_a_new_certified_version_on_next_use()
    {
        var data = await MosipData.GenerateAsync();
        var parameters = data.ImportParams();
        var rows = JsonNode.Parse(((JsonElement)parameters["key_alias"]!).GetRawText())!.AsArray();
        var idRepo = rows.Single(r => r!["app_id"]!.GetValue<string>() == "ID_REPO")!;
        idRepo["key_expire_dtimes"] = DateTime.UtcNow.AddDays(10).ToString("yyyy-MM-dd'T'HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
        parameters["key_alias"] = JsonSerializer.SerializeToElement(rows);
        await fx.Admin.ResultAsync("mosip.import_keystore", parameters);
        using var mosip = MosipClient.For(await fx.Admin.CreateClientAsync(["signer", "verifier"]));
        var mosipToken = data.Json("jwt.json").Str("jwt");

        var signed = (await mosip.ResponseAsync("jwtSign", new { dataToSign = B64.Url("{\"v\":1}"), applicationId = "ID_REPO", includePayload = true })).Str("jwtSignedData");

        var importedKid = data.Json("info.json").GetProperty("ID_REPO/").Str("key_id");
        Assert.NotEqual(importedKid, Jose.Header(signed).GetProperty("kid").GetString());
        var key = await fx.Admin.ResultAsync("key.get", new { name = "mosip.id_repo" });
        Assert.Equal(2, key.GetProperty("versions").GetArrayLength());
        var listed = (await mosip.GetResponseAsync("getAllCertificates?applicationId=ID_REPO")).GetProperty("allCertificates").EnumerateArray().Select(c => c.Str("keyId")).ToList();
        Assert.Equal([importedKid, Jose.Header(signed).GetProperty("kid").GetString()!], listed);
        Assert.True((await mosip.ResponseAsync("jwtVerify", new { jwtSignatureData = mosipToken, applicationId = "ID_REPO" })).GetProperty("signatureValid").GetBoolean());
        Assert.True((await mosip.ResponseAsync("jwtVerify", new { jwtSignatureData = signed, applicationId = "ID_REPO" })).GetProperty("signatureValid").GetBoolean());
        // The new version is far from expiry: the next signature uses it without another rotation.
        await mosip.ResponseAsync("jwtSign", new { dataToSign = B64.Url("{\"v\":2}"), applicationId = "ID_REPO", includePayload = true });
        Assert.Equal(2, (await fx.Admin.ResultAsync("key.get", new { name = "mosip.id_repo" })).GetProperty("versions").GetArrayLength());
    }
}
