using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using static OpenG2P.KeyBridge.Storage.Tests.TestData;

namespace OpenG2P.KeyBridge.Storage.Tests;

public abstract partial class KeyStoreContract
{
    [Fact]
    public async Task Created_key_reads_back_with_its_policy_and_first_version()
    {
        var policy = new KeyPolicy
        {
            RotationPeriod = TimeSpan.FromDays(30),
            Exportable = true,
            DeletionAllowed = true,
            HsmResident = true,
            RequiredContext = ["model", "field"],
        };
        var key = Key(Unique("create"), policy, KeyType.EcdsaP256) with { UpdatedAt = Now().AddSeconds(1) };
        var first = Material("kek-a", publicMaterial: [1, 2, 3]);

        var created = await Store.CreateKeyAsync(key, first);
        var read = await Store.GetKeyAsync(key.Name);

        Assert.NotNull(read);
        Assert.Equal(Describe(created), Describe(read));
        Assert.Equal(Describe(policy), Describe(read.Policy));
        Assert.Equal(KeyType.EcdsaP256, read.Type);
        Assert.Equal(key.CreatedAt, read.CreatedAt);
        Assert.Equal(key.UpdatedAt, read.UpdatedAt);
        Assert.Equal(TimeSpan.Zero, read.CreatedAt.Offset);
        var v1 = Assert.Single(read.Versions);
        Assert.Equal(1, v1.Version);
        Assert.Equal(VersionState.Active, v1.State);
        Assert.Equal(key.CreatedAt, v1.CreatedAt);
        Assert.Equal(first.WrappedMaterial, v1.WrappedMaterial);
        Assert.Equal("kek-a", v1.KekId);
        Assert.Equal([1, 2, 3], v1.PublicMaterial);
        Assert.Null(v1.RevokedAt);
        Assert.Null(v1.DestroyedAt);
    }

    [Fact]
    public async Task Unknown_key_reads_as_null()
    {
        Assert.Null(await Store.GetKeyAsync(Unique("missing")));
    }

    [Fact]
    public async Task Creating_a_taken_name_fails_with_key_exists()
    {
        var key = Key(Unique("dup"));
        var original = await Store.CreateKeyAsync(key, Material());

        await FailsWith(KeyBridgeError.KeyExists, () => Fixture.OtherNode.CreateKeyAsync(key, Material()));

        Assert.Equal(Describe(original), Describe((await Store.GetKeyAsync(key.Name))!));
    }

    [Fact]
    public async Task Keys_are_listed_by_name_with_prefix_and_keyset_paging()
    {
        var p = Unique("list") + "-";
        foreach (var suffix in new[] { "c", "a", "d", "b" })
        {
            await Store.CreateKeyAsync(Key(p + suffix), Material());
        }
        await Store.CreateKeyAsync(Key(Unique("other")), Material());

        var page1 = await Store.ListKeysAsync(p, null, 3);
        var page2 = await Store.ListKeysAsync(p, page1[^1].Name, 3);
        var page3 = await Store.ListKeysAsync(p, page2[^1].Name, 3);

        Assert.Equal([p + "a", p + "b", p + "c"], page1.Select(k => k.Name));
        Assert.Equal([p + "d"], page2.Select(k => k.Name));
        Assert.Empty(page3);
        Assert.All(page1, k => Assert.Equal(1, Assert.Single(k.Versions).Version));
    }

    [Fact]
    public async Task Listed_keys_carry_all_their_versions_in_order()
    {
        var p = Unique("listv") + "-";
        await Store.CreateKeyAsync(Key(p + "a"), Material());
        await Store.CreateKeyAsync(Key(p + "b"), Material());
        await Store.AddVersionAsync(p + "a", _ => Material());
        await Store.AddVersionAsync(p + "a", _ => Material());

        var keys = await Store.ListKeysAsync(p, null, 10);

        Assert.Equal([1, 2, 3], keys[0].Versions.Select(v => v.Version));
        Assert.Equal([1], keys[1].Versions.Select(v => v.Version));
        Assert.Equal(Describe((await Store.GetKeyAsync(p + "a"))!), Describe(keys[0]));
    }

    [Fact]
    public async Task Prefix_is_matched_literally_and_case_sensitively()
    {
        var p = Unique("lit");
        await Store.CreateKeyAsync(Key(p + "x_1"), Material());
        await Store.CreateKeyAsync(Key(p + "xa1"), Material());
        await Store.CreateKeyAsync(Key(p + "X_2"), Material());
        await Store.CreateKeyAsync(Key(p + "x%3"), Material());

        Assert.Equal([p + "x_1"], (await Store.ListKeysAsync(p + "x_", null, 10)).Select(k => k.Name));
        Assert.Equal([p + "x%3"], (await Store.ListKeysAsync(p + "x%", null, 10)).Select(k => k.Name));
    }

    [Fact]
    public async Task Listing_without_prefix_pages_through_every_key_in_ordinal_order()
    {
        await Store.CreateKeyAsync(Key(Unique("all")), Material());
        await Store.CreateKeyAsync(Key(Unique("ALL")), Material());

        var names = new List<string>();
        string? after = null;
        while (await Store.ListKeysAsync(null, after, 4) is { Count: > 0 } page)
        {
            names.AddRange(page.Select(k => k.Name));
            after = page[^1].Name;
        }

        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(names.Count, names.Distinct().Count());
    }
}
