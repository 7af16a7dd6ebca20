using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using static OpenG2P.KeyBridge.Storage.Tests.TestData;

namespace OpenG2P.KeyBridge.Storage.Tests;

public abstract partial class KeyStoreContract
{
    [Fact]
    public async Task Revoking_a_version_records_when_and_keeps_its_material()
    {
        var name = Unique("revoke");
        var first = Material();
        await Store.CreateKeyAsync(Key(name), first);
        await Store.AddVersionAsync(name, _ => Material());
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var updated = await Store.SetVersionStateAsync(name, 1, VersionState.Revoked);
        var read = (await Store.GetKeyAsync(name))!;

        Assert.Equal(Describe(updated), Describe(read));
        Assert.Equal(2, read.Versions.Count);
        var v1 = read.Versions[0];
        Assert.Equal(VersionState.Revoked, v1.State);
        Assert.InRange(v1.RevokedAt!.Value, before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(first.WrappedMaterial, v1.WrappedMaterial);
        Assert.Null(v1.DestroyedAt);
        Assert.Equal(VersionState.Active, read.Versions[1].State);
    }

    [Fact]
    public async Task Destroying_a_version_erases_its_material_and_keeps_its_metadata()
    {
        var name = Unique("destroy");
        await Store.CreateKeyAsync(Key(name, type: KeyType.Ed25519), Material("kek-1", [7, 7]));
        await Store.AddVersionAsync(name, _ => Material());

        var updated = await Store.SetVersionStateAsync(name, 1, VersionState.Destroyed);
        var again = await Store.SetVersionStateAsync(name, 1, VersionState.Destroyed);
        var v1 = (await Store.GetKeyAsync(name))!.Versions[0];

        Assert.Equal(VersionState.Destroyed, v1.State);
        Assert.Null(v1.WrappedMaterial);
        Assert.NotNull(v1.DestroyedAt);
        Assert.Equal(updated.Versions[0].DestroyedAt, again.Versions[0].DestroyedAt);
        Assert.Equal("kek-1", v1.KekId);
        Assert.Equal([7, 7], v1.PublicMaterial);
        Assert.Equal(1, v1.Version);
        Assert.NotNull(updated.Versions[1].WrappedMaterial);
    }

    [Fact]
    public async Task Changing_the_state_of_an_unknown_version_or_key_fails_with_not_found()
    {
        var name = Unique("state");
        await Store.CreateKeyAsync(Key(name), Material());

        await FailsWith(KeyBridgeError.VersionNotFound, () => Store.SetVersionStateAsync(name, 2, VersionState.Revoked));
        await FailsWith(KeyBridgeError.KeyNotFound, () => Store.SetVersionStateAsync(Unique("missing"), 1, VersionState.Revoked));
    }

    [Fact]
    public async Task Retired_is_derived_and_cannot_be_stored()
    {
        var name = Unique("retire");
        await Store.CreateKeyAsync(Key(name), Material());

        await FailsWith(KeyBridgeError.InvalidParams, () => Store.SetVersionStateAsync(name, 1, VersionState.Retired));

        Assert.Equal(VersionState.Active, (await Store.GetKeyAsync(name))!.Versions[0].State);
    }

    [Fact]
    public async Task Rewrap_replaces_material_only_when_the_kek_id_matches()
    {
        var name = Unique("rewrap");
        var original = Material("kek-old");
        await Store.CreateKeyAsync(Key(name), original);
        byte[] rewrapped = [1, 2, 3, 4];

        Assert.False(await Store.RewrapVersionAsync(name, 1, "kek-other", [9, 9], "kek-new"));
        Assert.Equal(original.WrappedMaterial, (await Store.GetKeyAsync(name))!.Versions[0].WrappedMaterial);

        Assert.True(await Store.RewrapVersionAsync(name, 1, "kek-old", rewrapped, "kek-new"));
        Assert.False(await Fixture.OtherNode.RewrapVersionAsync(name, 1, "kek-old", [9, 9], "kek-newer"));

        var v1 = (await Store.GetKeyAsync(name))!.Versions[0];
        Assert.Equal(rewrapped, v1.WrappedMaterial);
        Assert.Equal("kek-new", v1.KekId);
    }

    [Fact]
    public async Task Rewrap_never_restores_destroyed_material()
    {
        var name = Unique("rewrapd");
        await Store.CreateKeyAsync(Key(name), Material("kek-old"));
        await Store.AddVersionAsync(name, _ => Material("kek-old"));
        await Store.SetVersionStateAsync(name, 1, VersionState.Destroyed);

        Assert.False(await Store.RewrapVersionAsync(name, 1, "kek-old", [1, 2], "kek-new"));

        Assert.Null((await Store.GetKeyAsync(name))!.Versions[0].WrappedMaterial);
    }

    [Fact]
    public async Task Rewrap_of_an_unknown_version_or_key_fails_with_not_found()
    {
        var name = Unique("rewrapm");
        await Store.CreateKeyAsync(Key(name), Material("kek-old"));

        await FailsWith(KeyBridgeError.VersionNotFound, () => Store.RewrapVersionAsync(name, 5, "kek-old", [1], "kek-new"));
        await FailsWith(KeyBridgeError.KeyNotFound, () => Store.RewrapVersionAsync(Unique("missing"), 1, "kek-old", [1], "kek-new"));
    }
}
