using System.Text.Json;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;
using static OpenG2P.KeyBridge.Server.Tests.Infrastructure.VoucherHelpers;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>Issuing vouchers and checking them: online with voucher.verify, offline with the example PyJWT verifier, and through their QR codes.</summary>
public sealed class VoucherTests(SqliteServerFixture fx) : IClassFixture<SqliteServerFixture>
{
    [Theory]
    [InlineData("ecdsa-p256", "ES256")]
    [InlineData("ed25519", "EdDSA")]
    public async Task A_voucher_verifies_offline_from_the_jwks_alone_also_after_the_key_was_rotated(string type, string alg)
    {
        var key = ServerFixture.UniqueName("vk");
        await fx.Admin.ResultAsync("key.create", new { name = key, type });
        using var issuer = await fx.Admin.CreateClientAsync(["voucher-issuer"]);
        var before = await issuer.ResultAsync("voucher.issue", Voucher(key));
        await fx.Admin.ResultAsync("key.rotate", new { name = key });
        var after = await issuer.ResultAsync("voucher.issue", Voucher(key, amount: "7"));
        var jwks = await SaveJwksAsync(fx.Server.BaseAddress);

        Assert.Equal(alg, Jose.Header(before.Str("token")).Str("alg"));
        Assert.Equal("voucher+jwt", Jose.Header(before.Str("token")).Str("typ"));
        Assert.Equal(($"{key}:v1", $"{key}:v2"), (before.Str("kid"), after.Str("kid")));
        foreach (var issued in new[] { before, after })
        {
            var (code, answer, err) = await OfflineVerifyAsync(jwks, issued.Str("token"), key);
            Assert.True(code == 0, $"{answer} {err}");
            var claims = answer.GetProperty("claims");
            Assert.Equal(issued.Str("voucher_id"), claims.Str("jti"));
            Assert.Equal((issued.Str("program"), issued.Str("beneficiary"), issued.Str("amount"), "KES", "keybridge"),
                (claims.Str("program"), claims.Str("beneficiary"), claims.Str("amount"), claims.Str("currency"), claims.Str("iss")));
            Assert.Equal(issued.GetProperty("valid_until").GetDateTimeOffset().ToUnixTimeSeconds(), claims.GetProperty("exp").GetInt64());
        }
        Assert.Equal("7.00", after.Str("amount"));
    }

    [Fact]
    public async Task A_voucher_with_one_changed_claim_fails_offline_and_online()
    {
        using var issuer = await fx.Admin.CreateClientAsync(["voucher-issuer"]);
        using var verifier = await fx.Admin.CreateClientAsync(["verifier"]);
        var token = (await issuer.ResultAsync("voucher.issue", Voucher())).Str("token");
        var jwks = await SaveJwksAsync(fx.Server.BaseAddress);
        var altered = ChangeClaim(token, "amount", "1200.50");

        Assert.Equal(0, (await OfflineVerifyAsync(jwks, token, "voucher-signing")).Code);
        var (code, answer, _) = await OfflineVerifyAsync(jwks, altered, "voucher-signing");
        Assert.Equal((1, "bad_signature"), (code, answer.Str("reason")));

        var online = await verifier.ResultAsync("voucher.verify", new { token = altered });
        Assert.False(online.GetProperty("valid").GetBoolean());
        Assert.Equal("bad_signature", online.Str("reason"));
        Assert.True((await verifier.ResultAsync("voucher.verify", new { token })).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task The_offline_verifier_refuses_tokens_that_are_not_vouchers_and_keys_that_are_not_voucher_keys()
    {
        using var issuer = await fx.Admin.CreateClientAsync(["voucher-issuer"]);
        var token = (await issuer.ResultAsync("voucher.issue", Voucher())).Str("token");
        // Anyone with jwt_sign on the same key signs claims that look like a voucher: typ gives it away.
        var lookalike = (await fx.Admin.ResultAsync("jwt_sign", new
        {
            key = "voucher-signing",
            payload = JsonDocument.Parse(Jose.Unb64(token.Split('.')[1])).RootElement,
        })).Str("jwt");
        var jwks = await SaveJwksAsync(fx.Server.BaseAddress);

        Assert.Equal("malformed", (await OfflineVerifyAsync(jwks, lookalike, "voucher-signing")).Answer.Str("reason"));
        Assert.Equal("unknown_kid", (await OfflineVerifyAsync(jwks, token, "default-signing")).Answer.Str("reason"));
        Assert.Equal("malformed", (await OfflineVerifyAsync(jwks, "not.a.token", "voucher-signing")).Answer.Str("reason"));
        var online = await fx.Admin.ResultAsync("voucher.verify", new { token = lookalike });
        Assert.Equal("malformed", online.Str("reason"));
        Assert.Equal("voucher_invalid", (await fx.Admin.ErrorAsync("voucher.redeem", new { token = lookalike })).ErrorName());
    }

    [Theory]
    [InlineData("png", "L")]
    [InlineData("png", "H")]
    [InlineData("svg", "M")]
    public async Task The_qr_image_decodes_back_to_the_exact_token(string format, string level)
    {
        using var issuer = await fx.Admin.CreateClientAsync(["voucher-issuer"]);
        var issued = await issuer.ResultAsync("voucher.issue", new
        {
            program = "food", beneficiary = "hh-20931", amount = "500", currency = "JPY", valid_until = InDays(10), qr = format,
            qr_error_correction = level,
        });
        var dir = Directory.CreateTempSubdirectory("kb-qr").FullName;
        var image = Path.Combine(dir, "voucher." + format);
        await File.WriteAllBytesAsync(image, Convert.FromBase64String(issued.Str("qr")));
        if (format == "svg")
        {
            Assert.Equal("image/svg+xml", issued.Str("qr_media_type"));
            Assert.StartsWith("<svg", (await File.ReadAllTextAsync(image)).TrimStart(), StringComparison.Ordinal);
            var png = Path.Combine(dir, "converted.png");
            var convert = await Repo.RunAsync("rsvg-convert", "-b", "white", "-o", png, image);
            Assert.True(convert.Code == 0, convert.Err);
            image = png;
        }

        var (code, decoded, err) = await Repo.RunAsync("zbarimg", "--quiet", "--raw", "-Sbinary", image);

        Assert.True(code == 0, err);
        Assert.Equal(issued.Str("token"), decoded.Trim());
        Assert.Equal("500", issued.Str("amount"));
    }

    [Fact]
    public async Task Verify_reports_state_and_redemption_details_and_works_in_batches()
    {
        using var issuer = await fx.Admin.CreateClientAsync(["voucher-issuer"]);
        using var redeemer = await fx.Admin.CreateClientAsync(["voucher-redeemer"]);
        var first = (await issuer.ResultAsync("voucher.issue", Voucher())).Str("token");
        var second = (await issuer.ResultAsync("voucher.issue", Voucher())).Str("token");
        await redeemer.ResultAsync("voucher.redeem", new { token = second, redeemer = "shop-17" });

        var batch = (await redeemer.ResultAsync("voucher.verify", new { items = new[] { new { token = first }, new { token = second } } }))
            .GetProperty("items");

        Assert.Equal((true, "issued"), (batch[0].GetProperty("valid").GetBoolean(), batch[0].Str("state")));
        Assert.Equal((false, "redeemed", "redeemed"), (batch[1].GetProperty("valid").GetBoolean(), batch[1].Str("reason"), batch[1].Str("state")));
        Assert.Equal(("shop-17", redeemer.ClientId), (batch[1].Str("redeemer"), batch[1].Str("redeemed_by")));
        Assert.Equal("cash-transfer", batch[1].GetProperty("claims").Str("program"));
    }

    [Fact]
    public async Task Issue_redeem_and_revoke_are_audited_with_the_key_version_and_counted()
    {
        using var issuer = await fx.Admin.CreateClientAsync(["voucher-issuer"]);
        using var redeemer = await fx.Admin.CreateClientAsync(["voucher-redeemer"]);
        var issued = await issuer.ResultAsync("voucher.issue", Voucher());
        await redeemer.ResultAsync("voucher.redeem", new { voucher_id = issued.Str("voucher_id") });
        await redeemer.ErrorAsync("voucher.redeem", new { voucher_id = issued.Str("voucher_id") });
        var other = await issuer.ResultAsync("voucher.issue", Voucher());
        await issuer.ResultAsync("voucher.revoke", new { voucher_id = other.Str("voucher_id"), reason = "card lost" });

        var version = $"voucher-signing:{issued.Int("version")}";
        foreach (var (client, method, outcome) in new[]
        {
            (issuer, "voucher.issue", "ok"), (redeemer, "voucher.redeem", "ok"), (redeemer, "voucher.redeem", "error"), (issuer, "voucher.revoke", "ok"),
        })
        {
            var records = (await fx.Admin.ResultAsync("audit.query", new { client_id = client.ClientId, method, outcome })).GetProperty("records");
            Assert.True(records.GetArrayLength() > 0, $"no audit record for {method} {outcome}");
            Assert.Contains(version, records[0].Str("versions"));
        }
        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };
        var metrics = await http.GetStringAsync("metrics");
        foreach (var e in new[] { "issued", "redeemed", "already_redeemed", "revoked" })
        {
            Assert.Contains($"keybridge_vouchers_total{{event=\"{e}\"}}", metrics);
        }
    }
}
