using OpenG2P.KeyBridge.Storage;
using OpenG2P.KeyBridge.Vouchers;
using static OpenG2P.KeyBridge.Storage.Tests.TestData;

namespace OpenG2P.KeyBridge.Storage.Tests;

public abstract partial class KeyStoreContract
{
    private IVoucherStore Vouchers => (IVoucherStore)Store;

    private static VoucherRecord NewVoucher(string? program = null, string? idempotencyKey = null, string issuedBy = "issuer",
        int validFromSeconds = -60, int validUntilSeconds = 3600) => new()
    {
        Id = Unique("v"),
        Program = program ?? "cash",
        Beneficiary = Unique("ben"),
        Amount = "12.50",
        Currency = "KES",
        ValidFrom = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + validFromSeconds),
        ValidUntil = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + validUntilSeconds),
        KeyName = "voucher-signing",
        KeyVersion = 2,
        Token = "header." + Unique("payload") + ".signature",
        State = VoucherState.Issued,
        IssuedBy = issuedBy,
        IssuedAt = Now(),
        IdempotencyKey = idempotencyKey,
        RequestHash = idempotencyKey is null ? null : "hash-" + idempotencyKey,
    };

    [Fact]
    public async Task A_voucher_is_read_back_whole_from_another_node()
    {
        var v = NewVoucher(idempotencyKey: Unique("idem"));

        var inserted = await Vouchers.InsertVouchersAsync([v]);
        var read = await ((IVoucherStore)Fixture.OtherNode).GetVoucherAsync(v.Id);

        Assert.Equal([v.Id], inserted);
        Assert.Equal(Describe(v), Describe(read!));
        Assert.Null(await Vouchers.GetVoucherAsync(Unique("v")));
    }

    [Fact]
    public async Task A_batch_of_thousands_is_inserted_in_one_call()
    {
        var program = Unique("bulk");
        var batch = Enumerable.Range(0, 2500).Select(_ => NewVoucher(program)).ToList();

        var inserted = await Vouchers.InsertVouchersAsync(batch);

        Assert.Equal(2500, inserted.Count);
        var listed = await Vouchers.ListVouchersAsync(program, null, null, 5000);
        Assert.Equal(batch.Select(b => b.Id), listed.Select(l => l.Id));
    }

    [Fact]
    public async Task An_idempotency_key_holds_one_voucher_per_issuing_client()
    {
        var key = Unique("idem");
        var first = NewVoucher(idempotencyKey: key);
        var again = NewVoucher(idempotencyKey: key);
        var otherClient = NewVoucher(idempotencyKey: key, issuedBy: "someone-else");
        var plain = NewVoucher();

        Assert.Equal([first.Id], await Vouchers.InsertVouchersAsync([first]));
        var inserted = await ((IVoucherStore)Fixture.OtherNode).InsertVouchersAsync([again, otherClient, plain]);

        Assert.Equal(new HashSet<string> { otherClient.Id, plain.Id }, inserted);
        var found = await Vouchers.FindByIdempotencyKeysAsync("issuer", [key, Unique("none")]);
        Assert.Equal(first.Id, Assert.Single(found).Id);
    }

    [Fact]
    public async Task Concurrent_redemptions_on_two_nodes_succeed_exactly_once()
    {
        var v = NewVoucher();
        await Vouchers.InsertVouchersAsync([v]);
        var nodes = new[] { Vouchers, (IVoucherStore)Fixture.OtherNode };

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => nodes[i % 2].RedeemVoucherAsync(v.Id, $"client-{i}", $"shop-{i}"))));

        var winner = Assert.Single(outcomes, o => o.Outcome == VoucherChangeOutcome.Changed);
        Assert.All(outcomes.Where(o => o != winner), o => Assert.Equal(VoucherChangeOutcome.AlreadyRedeemed, o.Outcome));
        var stored = (await Vouchers.GetVoucherAsync(v.Id))!;
        Assert.Equal(VoucherState.Redeemed, stored.State);
        Assert.Equal((winner.Voucher!.RedeemedBy, winner.Voucher.Redeemer, winner.Voucher.RedeemedAt), (stored.RedeemedBy, stored.Redeemer, stored.RedeemedAt));
        Assert.All(outcomes.Where(o => o != winner), o => Assert.Equal(stored.RedeemedBy, o.Voucher!.RedeemedBy));
    }

    [Fact]
    public async Task Expired_and_not_yet_valid_vouchers_are_not_redeemed_and_expiry_is_recorded()
    {
        var expired = NewVoucher(validFromSeconds: -120, validUntilSeconds: -1);
        var early = NewVoucher(validFromSeconds: 3600, validUntilSeconds: 7200);
        await Vouchers.InsertVouchersAsync([expired, early]);

        Assert.Equal(VoucherChangeOutcome.Expired, (await Vouchers.RedeemVoucherAsync(expired.Id, "c", null)).Outcome);
        Assert.Equal(VoucherChangeOutcome.NotYetValid, (await Vouchers.RedeemVoucherAsync(early.Id, "c", null)).Outcome);
        Assert.Equal(VoucherChangeOutcome.NotFound, (await Vouchers.RedeemVoucherAsync(Unique("v"), "c", null)).Outcome);

        Assert.Equal(VoucherState.Expired, (await Vouchers.GetVoucherAsync(expired.Id))!.State);
        Assert.Equal(VoucherState.Issued, (await Vouchers.GetVoucherAsync(early.Id))!.State);
    }

    [Fact]
    public async Task A_revoked_voucher_cannot_be_redeemed_and_a_redeemed_one_cannot_be_revoked()
    {
        var revoked = NewVoucher();
        var redeemed = NewVoucher();
        await Vouchers.InsertVouchersAsync([revoked, redeemed]);

        var r = await Vouchers.RevokeVoucherAsync(revoked.Id, "admin", "lost card");
        Assert.Equal((VoucherChangeOutcome.Changed, VoucherState.Revoked, "admin", "lost card"),
            (r.Outcome, r.Voucher!.State, r.Voucher.RevokedBy, r.Voucher.RevocationReason));
        Assert.Equal(VoucherChangeOutcome.AlreadyRevoked, (await Vouchers.RevokeVoucherAsync(revoked.Id, "admin", null)).Outcome);
        Assert.Equal(VoucherChangeOutcome.AlreadyRevoked, (await Vouchers.RedeemVoucherAsync(revoked.Id, "c", null)).Outcome);

        Assert.Equal(VoucherChangeOutcome.Changed, (await Vouchers.RedeemVoucherAsync(redeemed.Id, "c", null)).Outcome);
        Assert.Equal(VoucherChangeOutcome.AlreadyRedeemed, (await Vouchers.RevokeVoucherAsync(redeemed.Id, "admin", null)).Outcome);
        Assert.Equal(VoucherChangeOutcome.NotFound, (await Vouchers.RevokeVoucherAsync(Unique("v"), "admin", null)).Outcome);
    }

    [Fact]
    public async Task Listing_filters_by_program_and_effective_state_with_keyset_paging()
    {
        var program = Unique("list");
        var issued = Enumerable.Range(0, 5).Select(_ => NewVoucher(program)).ToList();
        var lapsed = NewVoucher(program, validFromSeconds: -120, validUntilSeconds: -1);
        var redeemed = NewVoucher(program);
        await Vouchers.InsertVouchersAsync([.. issued, lapsed, redeemed, NewVoucher()]);
        await Vouchers.RedeemVoucherAsync(redeemed.Id, "c", null);

        var page1 = await Vouchers.ListVouchersAsync(program, VoucherState.Issued, null, 3);
        var page2 = await Vouchers.ListVouchersAsync(program, VoucherState.Issued, page1[^1].Id, 3);

        Assert.Equal(issued.Select(v => v.Id), page1.Concat(page2).Select(v => v.Id));
        Assert.Equal(lapsed.Id, Assert.Single(await Vouchers.ListVouchersAsync(program, VoucherState.Expired, null, 10)).Id);
        Assert.Equal(redeemed.Id, Assert.Single(await Vouchers.ListVouchersAsync(program, VoucherState.Redeemed, null, 10)).Id);
        Assert.Empty(await Vouchers.ListVouchersAsync(program, VoucherState.Revoked, null, 10));
        Assert.Equal(7, (await Vouchers.ListVouchersAsync(program, null, null, 100)).Count);
    }
}
