using System.Security.Cryptography;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;
using static OpenG2P.KeyBridge.Server.Tests.Infrastructure.VoucherHelpers;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>Two KeyBridge processes on one PostgreSQL database, sharing one software KEK: a cluster of two nodes.</summary>
public sealed class TwoNodeFixture : IAsyncLifetime
{
    public string AdminSecret { get; } = "test-admin-" + Guid.NewGuid().ToString("N");

    public KeyBridgeProcess[] Nodes { get; private set; } = [];

    public RpcClient[] Admins { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = await TestDatabases.CreateAsync(),
            ["Kek:AllowSoftwareInProduction"] = "true",
            ["Kek:Software:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Bootstrap:AdminSecret"] = AdminSecret,
        };
        // Started together, as a cluster would be: migrations and first-start keys race, and must not clash.
        Nodes = await Task.WhenAll(KeyBridgeProcess.StartAsync(settings), KeyBridgeProcess.StartAsync(settings));
        Admins = await Task.WhenAll(Nodes.Select(n => RpcClient.LoginAsync(n.BaseAddress, "admin", AdminSecret)));
    }

    public async Task DisposeAsync()
    {
        foreach (var admin in Admins)
        {
            admin.Dispose();
        }
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}

public sealed class VoucherRedemptionTests(TwoNodeFixture fx) : IClassFixture<TwoNodeFixture>
{
    [Fact]
    public async Task Fifty_concurrent_redemptions_across_two_nodes_succeed_exactly_once()
    {
        using var issuer = await fx.Admins[0].CreateClientAsync(["voucher-issuer"]);
        var issued = await issuer.ResultAsync("voucher.issue", Voucher());
        var token = issued.Str("token");
        // One redeemer client per node (a client's token is accepted by every node).
        var created = await fx.Admins[0].ResultAsync("client.create", new { client_id = "shop-" + Guid.NewGuid().ToString("N")[..8], roles = new[] { "voucher-redeemer" } });
        var shops = await Task.WhenAll(fx.Nodes.Select(n => RpcClient.LoginAsync(n.BaseAddress, created.Str("client_id"), created.Str("client_secret"))));

        using var start = new SemaphoreSlim(0);
        var attempts = Enumerable.Range(0, 50).Select(async i =>
        {
            await start.WaitAsync();
            // Some by the scanned token, some by id: both paths end in the same conditional update.
            return await shops[i % 2].CallAsync("voucher.redeem", i % 3 == 0
                ? (object)new { token, redeemer = $"till-{i}" }
                : new { voucher_id = issued.Str("voucher_id"), redeemer = $"till-{i}" });
        }).ToList();
        start.Release(50);
        var responses = await Task.WhenAll(attempts);

        var successes = responses.Where(r => r.TryGetProperty("result", out _)).ToList();
        var refusals = responses.Where(r => r.TryGetProperty("error", out _)).Select(r => r.GetProperty("error")).ToList();
        Assert.Single(successes);
        Assert.Equal(49, refusals.Count);
        Assert.All(refusals, e => Assert.Equal("voucher_already_redeemed", e.ErrorName()));
        var winner = successes[0].GetProperty("result");
        Assert.All(refusals, e => Assert.Equal(winner.Str("redeemer"), e.GetProperty("data").Str("redeemer")));

        // Both nodes read the one outcome from the database.
        foreach (var admin in fx.Admins)
        {
            var v = await admin.ResultAsync("voucher.get", new { voucher_id = issued.Str("voucher_id") });
            Assert.Equal(("redeemed", winner.Str("redeemer")), (v.Str("state"), v.Str("redeemer")));
        }
        foreach (var shop in shops)
        {
            shop.Dispose();
        }
    }

    [Fact]
    public async Task A_voucher_issued_on_one_node_verifies_offline_and_on_the_other_node()
    {
        using var issuer = await fx.Admins[0].CreateClientAsync(["voucher-issuer"]);
        var token = (await issuer.ResultAsync("voucher.issue", Voucher(qr: "png"))).Str("token");
        var jwks = await SaveJwksAsync(fx.Nodes[1].BaseAddress);

        Assert.Equal(0, (await OfflineVerifyAsync(jwks, token, "voucher-signing")).Code);
        var online = await fx.Admins[1].ResultAsync("voucher.verify", new { token });
        Assert.True(online.GetProperty("valid").GetBoolean(), online.ToString());
    }
}
