using System.Text.Json;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>
/// The calls OpenG2P's <c>g2p_encryption_keymanager</c> makes, replayed unchanged against KeyBridge by
/// tests/python/openg2p_keymanager_replay.py (requests, python-jose, jwcrypto, as the module uses them): token,
/// encrypt, decrypt, jwtSign, jwtVerify, getAllCertificates → JWKS, and an independent check of the JWS against it.
/// </summary>
public sealed class OpenG2PReplayTests(MosipImportFixture fx) : IClassFixture<MosipImportFixture>
{
    private async Task<JsonElement> ReplayAsync(params string[] ids)
    {
        var client = ServerFixture.UniqueName("openg2p");
        var created = await fx.Admin.ResultAsync("client.create", new { client_id = client, roles = new[] { "encrypter", "decrypter", "signer", "verifier" } });
        var baseUrl = fx.Server.BaseAddress.ToString().TrimEnd('/');
        var (code, stdout, stderr) = await Repo.RunAsync(Repo.Python, [Repo.PathOf("tests", "python", "openg2p_keymanager_replay.py"),
            baseUrl + "/v1/keymanager", baseUrl + "/oauth/token", client, created.Str("client_secret"), .. ids]);
        Assert.True(code == 0, $"replay failed ({code}): {stderr}\n{stdout}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    [Fact]
    public async Task The_reference_defaults_registration_and_id_repo_replay_unchanged()
    {
        var summary = await ReplayAsync();

        Assert.Equal("kb:", summary.Str("stored_prefix"));
        Assert.True(summary.GetProperty("other_aad_refused").GetBoolean());
        Assert.True(summary.GetProperty("tampered_refused").GetBoolean());
        Assert.Equal("RS256", summary.Str("alg"));
        // After the keystore import, ID_REPO goes on signing with MOSIP's own key, under MOSIP's kid.
        Assert.Equal(fx.Data.Json("info.json").GetProperty("ID_REPO/").Str("key_id"), summary.Str("kid"));
        Assert.True(summary.Int("enc_keys") >= 1);
        var calls = summary.GetProperty("calls").EnumerateArray().Select(c => $"{c[0].GetString()} {c[1].GetString()} {c[2].GetInt32()}").ToList();
        Assert.Equal(["POST token 200", "POST encrypt 200", "POST decrypt 200", "POST jwtSign 200", "POST jwtVerify 200", "POST jwtVerify 200",
            "POST jwtSign 200", "GET getAllCertificates?applicationId=REGISTRATION 200", "GET getAllCertificates?applicationId=ID_REPO 200"], calls);
    }

    [Fact]
    public async Task The_newer_openg2p_sr_ids_replay_unchanged()
    {
        var summary = await ReplayAsync("OPENG2P_SR", "ENCRYPT", "OPENG2P_SR", "");

        Assert.Equal("kb:", summary.Str("stored_prefix"));
        Assert.Matches("^[A-Za-z0-9_-]{43}=$", summary.Str("kid"));
    }
}
