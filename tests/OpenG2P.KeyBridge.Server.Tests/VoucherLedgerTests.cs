using OpenG2P.KeyBridge.Server.Tests.Infrastructure;
using static OpenG2P.KeyBridge.Server.Tests.Infrastructure.VoucherHelpers;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>The ledger side of vouchers: idempotent and batch issuance, redemption, revocation, expiry, listing, and refused input.</summary>
public sealed class VoucherLedgerTests(SqliteServerFixture fx) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task The_same_idempotency_key_returns_the_same_voucher_and_other_parameters_are_refused()
    {
        using var issuer = await fx.Admin.CreateClientAsync(["voucher-issuer"]);
        using var otherIssuer = await fx.Admin.CreateClientAsync(["voucher-issuer"]);
        var request = Voucher(idempotencyKey: "payroll-2026-06:ben-1");

        var first = await issuer.ResultAsync("voucher.issue", request);
        var again = await issuer.ResultAsync("voucher.issue", request);
        var conflict = await issuer.ErrorAsync("voucher.issue", Voucher(idempotencyKey: "payroll-2026-06:ben-1", amount: "99"));
        var otherClient = await otherIssuer.ResultAsync("voucher.issue", request);

        Assert.Equal((first.Str("voucher_id"), first.Str("token")), (again.Str("voucher_id"), again.Str("token")));
        Assert.Equal((false, true), (first.GetProperty("replayed").GetBoolean(), again.GetProperty("replayed").GetBoolean()));
        Assert.Equal("idempotency_conflict", conflict.ErrorName());
        Assert.Equal(first.Str("voucher_id"), conflict.GetProperty("data").Str("voucher_id"));
        Assert.NotEqual(first.Str("voucher_id"), otherClient.Str("voucher_id"));
        var program = (await issuer.ResultAsync("voucher.get", new { voucher_id = first.Str("voucher_id") })).Str("program");
        Assert.Equal("cash-transfer", program);
    }

    [Fact]
    public async Task One_call_issues_a_thousand_vouchers_and_a_retry_of_the_batch_issues_none()
    {
        using var issuer = await fx.Admin.CreateClientAsync(["voucher-issuer"]);
        var program = ServerFixture.UniqueName("bulk");
        var items = Enumerable.Range(0, 1000).Select(i => new
        {
            beneficiary = $"hh-{i}",
            amount = (10 + i % 7).ToString(System.Globalization.CultureInfo.InvariantCulture) + ".25",
            idempotency_key = $"{program}:{i}",
        }).ToArray();
        var batch = new { program, currency = "USD", valid_until = InDays(60), items };

        var issued = (await issuer.ResultAsync("voucher.issue", batch)).GetProperty("items");
        var retried = (await issuer.ResultAsync("voucher.issue", batch)).GetProperty("items");

        Assert.Equal(1000, issued.GetArrayLength());
        var ids = issued.EnumerateArray().Select(i => i.Str("voucher_id")).ToList();
        Assert.Equal(1000, ids.Distinct().Count());
        Assert.Equal(ids, retried.EnumerateArray().Select(i => i.Str("voucher_id")));
        Assert.All(retried.EnumerateArray(), i => Assert.True(i.GetProperty("replayed").GetBoolean()));
        Assert.Equal(("hh-999", "15.25"), (issued[999].Str("beneficiary"), issued[999].Str("amount")));

        var listed = new List<string>();
        string? after = null;
        do
        {
            var page = await issuer.ResultAsync("voucher.list", new { program, state = "issued", after, limit = 400 });
            listed.AddRange(page.GetProperty("vouchers").EnumerateArray().Select(v => v.Str("voucher_id")));
            after = page.TryGetProperty("next_after", out var next) ? next.GetString() : null;
        }
        while (after is not null);
        Assert.Equal(ids, listed);
    }

    [Fact]
    public async Task A_bad_item_fails_alone_in_a_batch()
    {
        using var issuer = await fx.Admin.CreateClientAsync(["voucher-issuer"]);
        var result = (await issuer.ResultAsync("voucher.issue", new
        {
            program = "cash", currency = "KES", valid_until = InDays(5),
            items = new object[]
            {
                new { beneficiary = "b-1", amount = "1.00" },
                new { beneficiary = "b-2", amount = "1.001" },
                new { beneficiary = "b-3", amount = "3", idempotency_key = "dup" },
                new { beneficiary = "b-3", amount = "3", idempotency_key = "dup" },
                new { beneficiary = "b-4", amount = "4", idempotency_key = "dup" },
            },
        })).GetProperty("items");

        Assert.Equal("1.00", result[0].Str("amount"));
        Assert.Equal("invalid_params", result[1].GetProperty("error").ErrorName());
        Assert.Equal(result[2].Str("voucher_id"), result[3].Str("voucher_id"));
        Assert.Equal("idempotency_conflict", result[4].GetProperty("error").ErrorName());
    }

    [Fact]
    public async Task A_second_redemption_says_when_and_by_whom_the_first_one_was()
    {
        using var issuer = await fx.Admin.CreateClientAsync(["voucher-issuer"]);
        using var shop = await fx.Admin.CreateClientAsync(["voucher-redeemer"]);
        using var otherShop = await fx.Admin.CreateClientAsync(["voucher-redeemer"]);
        var token = (await issuer.ResultAsync("voucher.issue", Voucher())).Str("token");

        var redeemed = await shop.ResultAsync("voucher.redeem", new { token, redeemer = "agent-42" });
        var again = await otherShop.ErrorAsync("voucher.redeem", new { token });

        Assert.Equal("redeemed", redeemed.Str("state"));
        Assert.Equal("voucher_already_redeemed", again.ErrorName());
        Assert.Equal(5002, again.Int("code"));
        var data = again.GetProperty("data");
        Assert.Equal((shop.ClientId, "agent-42"), (data.Str("redeemed_by"), data.Str("redeemer")));
        Assert.Equal(redeemed.GetProperty("redeemed_at").GetDateTimeOffset(), DateTimeOffset.Parse(data.Str("redeemed_at"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(shop.ClientId, again.Str("message"));
        Assert.Equal("voucher_already_redeemed", (await issuer.ErrorAsync("voucher.revoke", new { voucher_id = redeemed.Str("voucher_id") })).ErrorName());
    }

    [Fact]
    public async Task A_revoked_voucher_is_refused_everywhere()
    {
        using var issuer = await fx.Admin.CreateClientAsync(["voucher-issuer"]);
        using var shop = await fx.Admin.CreateClientAsync(["voucher-redeemer"]);
        var issued = await issuer.ResultAsync("voucher.issue", Voucher());
        var id = issued.Str("voucher_id");

        var revoked = await issuer.ResultAsync("voucher.revoke", new { voucher_id = id, reason = "duplicate registration" });
        var twice = await issuer.ResultAsync("voucher.revoke", new { voucher_id = id });

        Assert.Equal(("revoked", issuer.ClientId, "duplicate registration"), (revoked.Str("state"), revoked.Str("revoked_by"), revoked.Str("revocation_reason")));
        Assert.Equal(revoked.GetProperty("revoked_at").GetDateTimeOffset(), twice.GetProperty("revoked_at").GetDateTimeOffset());
        Assert.Equal("revoked", (await shop.ResultAsync("voucher.verify", new { token = issued.Str("token") })).Str("reason"));
        Assert.Equal("voucher_revoked", (await shop.ErrorAsync("voucher.redeem", new { token = issued.Str("token") })).ErrorName());
        Assert.Equal("voucher_revoked", (await shop.ErrorAsync("voucher.redeem", new { voucher_id = id })).ErrorName());
        var listed = await shop.ResultAsync("voucher.list", new { program = "cash-transfer", state = "revoked", limit = 1000 });
        Assert.Contains(listed.GetProperty("vouchers").EnumerateArray(), v => v.Str("voucher_id") == id);
    }

    [Fact]
    public async Task Expired_and_not_yet_valid_vouchers_are_not_redeemed()
    {
        using var issuer = await fx.Admin.CreateClientAsync(["voucher-issuer"]);
        using var shop = await fx.Admin.CreateClientAsync(["voucher-redeemer"]);
        var soon = await issuer.ResultAsync("voucher.issue", new
        {
            program = "p", beneficiary = "b-1", amount = "5", currency = "KES", valid_until = Rfc3339(DateTimeOffset.UtcNow.AddSeconds(2)),
        });
        var later = await issuer.ResultAsync("voucher.issue", new
        {
            program = "p", beneficiary = "b-2", amount = "5", currency = "KES", valid_from = InDays(1), valid_until = InDays(2),
        });

        var early = await shop.ErrorAsync("voucher.redeem", new { token = later.Str("token") });
        Assert.Equal("voucher_not_yet_valid", early.ErrorName());
        Assert.Equal("not_yet_valid", (await shop.ResultAsync("voucher.verify", new { token = later.Str("token") })).Str("reason"));

        await Task.Delay(TimeSpan.FromSeconds(3)); // let the first voucher's window close
        Assert.Equal("expired", (await shop.ResultAsync("voucher.verify", new { token = soon.Str("token") })).Str("reason"));
        var late = await shop.ErrorAsync("voucher.redeem", new { token = soon.Str("token") });
        Assert.Equal("voucher_expired", late.ErrorName());
        Assert.Equal("expired", (await shop.ResultAsync("voucher.get", new { voucher_id = soon.Str("voucher_id") })).Str("state"));
        Assert.Equal("voucher_expired", (await shop.ErrorAsync("voucher.redeem", new { voucher_id = soon.Str("voucher_id") })).ErrorName());
    }

    [Fact]
    public async Task Unknown_and_forged_vouchers_get_their_own_errors()
    {
        using var issuer = await fx.Admin.CreateClientAsync(["voucher-issuer"]);
        using var shop = await fx.Admin.CreateClientAsync(["voucher-redeemer"]);
        var token = (await issuer.ResultAsync("voucher.issue", Voucher())).Str("token");

        Assert.Equal("voucher_not_found", (await shop.ErrorAsync("voucher.redeem", new { voucher_id = "no-such-voucher" })).ErrorName());
        Assert.Equal("voucher_invalid", (await shop.ErrorAsync("voucher.redeem", new { token = ChangeClaim(token, "beneficiary", "ben-x") })).ErrorName());
        Assert.Equal("voucher_invalid", (await shop.ErrorAsync("voucher.redeem", new { token = Jose.FlipBit(token, 2) })).ErrorName());
        Assert.Equal("voucher_invalid", (await shop.ErrorAsync("voucher.redeem", new { token = "garbage" })).ErrorName());
        Assert.Equal("invalid_params", (await shop.ErrorAsync("voucher.redeem", new { token, voucher_id = "x" })).ErrorName());
        Assert.Equal("voucher_not_found", (await shop.ErrorAsync("voucher.get", new { voucher_id = "no-such-voucher" })).ErrorName());
        Assert.Equal("malformed", (await shop.ResultAsync("voucher.verify", new { token = "a.b.c" })).Str("reason"));
    }

    [Theory]
    [InlineData("amount", 12.5, "invalid_params")]
    [InlineData("amount", "12.505", "invalid_params")]
    [InlineData("amount", "-1", "invalid_params")]
    [InlineData("amount", "0", "invalid_params")]
    [InlineData("amount", "1e3", "invalid_params")]
    [InlineData("currency", "kes", "invalid_params")]
    [InlineData("currency", "XAU", "invalid_params")]
    [InlineData("beneficiary", "Jane Doe", "invalid_params")]
    [InlineData("beneficiary", "jane@example.org", "invalid_params")]
    [InlineData("valid_until", "2020-01-01T00:00:00Z", "invalid_params")]
    [InlineData("valid_until", "tomorrow", "invalid_params")]
    [InlineData("qr", "gif", "invalid_params")]
    [InlineData("key", "an RSA key", "unsupported_operation")]
    public async Task Bad_issue_parameters_are_refused_with_a_named_error(string field, object value, string error)
    {
        var request = new Dictionary<string, object?>
        {
            ["program"] = "cash", ["beneficiary"] = "b-1", ["amount"] = "10.00", ["currency"] = "KES", ["valid_until"] = InDays(3),
        };
        request[field] = value;
        if (field == "key")
        {
            // An RSA key signs JWS, but vouchers take ES256 or EdDSA only.
            var rsa = ServerFixture.UniqueName("rsa");
            await fx.Admin.ResultAsync("key.create", new { name = rsa, type = "rsa-2048" });
            request[field] = rsa;
        }

        Assert.Equal(error, (await fx.Admin.ErrorAsync("voucher.issue", request)).ErrorName());
    }

    [Fact]
    public async Task Key_grants_limit_which_keys_an_issuer_may_sign_vouchers_with()
    {
        var key = ServerFixture.UniqueName("vkg");
        await fx.Admin.ResultAsync("key.create", new { name = key, type = "ed25519" });
        using var limited = await fx.Admin.CreateClientAsync(["voucher-issuer"], [key]);

        Assert.Equal($"{key}:v1", (await limited.ResultAsync("voucher.issue", Voucher(key))).Str("kid"));
        Assert.Equal("forbidden", (await limited.ErrorAsync("voucher.issue", Voucher())).ErrorName());
    }
}
