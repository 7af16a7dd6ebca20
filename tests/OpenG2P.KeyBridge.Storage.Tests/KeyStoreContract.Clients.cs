using OpenG2P.KeyBridge.Auth;
using OpenG2P.KeyBridge.Errors;
using static OpenG2P.KeyBridge.Storage.Tests.TestData;

namespace OpenG2P.KeyBridge.Storage.Tests;

public abstract partial class KeyStoreContract
{
    private static ClientRecord Client(string id) => new()
    {
        ClientId = id,
        SecretHash = "pbkdf2$600000$c2FsdA$aGFzaA",
        Roles = ["encrypt", "decrypt"],
        Keys = ["registry-*", "voucher-signing"],
        CreatedAt = Now(),
        UpdatedAt = Now(),
    };

    [Fact]
    public async Task Created_client_reads_back()
    {
        var client = Client(Unique("client")) with { TokensValidAfter = Now().AddMinutes(-5) };

        await Store.CreateClientAsync(client);

        Assert.Equal(Describe(client), Describe((await Store.GetClientAsync(client.ClientId))!));
    }

    [Fact]
    public async Task Unknown_client_reads_as_null()
    {
        Assert.Null(await Store.GetClientAsync(Unique("nobody")));
    }

    [Fact]
    public async Task Creating_a_taken_client_id_fails_with_client_exists()
    {
        var client = Client(Unique("dupclient"));
        await Store.CreateClientAsync(client);

        await FailsWith(KeyBridgeError.ClientExists,
            () => Fixture.OtherNode.CreateClientAsync(client with { SecretHash = "other", Roles = ["admin"] }));

        Assert.Equal(Describe(client), Describe((await Store.GetClientAsync(client.ClientId))!));
    }

    [Fact]
    public async Task Updating_a_client_replaces_its_fields_and_keeps_its_creation_time()
    {
        var client = Client(Unique("upd"));
        await Store.CreateClientAsync(client);
        var change = client with
        {
            SecretHash = "pbkdf2$600000$bmV3$bmV3",
            Roles = ["key-admin"],
            Keys = [],
            Disabled = true,
            CreatedAt = client.CreatedAt.AddDays(-3),
            TokensValidAfter = Now(),
        };

        await Store.UpdateClientAsync(change);
        var read = (await Store.GetClientAsync(client.ClientId))!;

        Assert.Equal(Describe(change with { CreatedAt = client.CreatedAt, UpdatedAt = read.UpdatedAt }), Describe(read));
        Assert.True(read.UpdatedAt >= client.UpdatedAt);

        await Store.UpdateClientAsync(read with { TokensValidAfter = null, Disabled = false });
        var cleared = (await Store.GetClientAsync(client.ClientId))!;
        Assert.Null(cleared.TokensValidAfter);
        Assert.False(cleared.Disabled);
    }

    [Fact]
    public async Task Updating_an_unknown_client_fails_with_client_not_found()
    {
        await FailsWith(KeyBridgeError.ClientNotFound, () => Store.UpdateClientAsync(Client(Unique("ghost"))));
    }

    [Fact]
    public async Task Clients_are_listed_by_id_with_keyset_paging()
    {
        var p = Unique("lc") + "-";
        foreach (var suffix in new[] { "b", "c", "a" })
        {
            await Store.CreateClientAsync(Client(p + suffix));
        }

        var page1 = await Store.ListClientsAsync(p, 2);
        var page2 = await Store.ListClientsAsync(page1[^1].ClientId, 2);

        Assert.Equal([p + "a", p + "b"], page1.Select(c => c.ClientId));
        Assert.Equal(p + "c", page2[0].ClientId);
        Assert.Equal(Describe(Client(p + "a") with { CreatedAt = page1[0].CreatedAt, UpdatedAt = page1[0].UpdatedAt }), Describe(page1[0]));

        var all = await Store.ListClientsAsync(null, 1000);
        Assert.Equal(all.Select(c => c.ClientId).Order(StringComparer.Ordinal), all.Select(c => c.ClientId));
    }
}
