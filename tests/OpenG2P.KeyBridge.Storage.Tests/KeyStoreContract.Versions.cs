using System.Collections.Concurrent;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Storage;
using static OpenG2P.KeyBridge.Storage.Tests.TestData;

namespace OpenG2P.KeyBridge.Storage.Tests;

public abstract partial class KeyStoreContract
{
    [Fact]
    public async Task Added_versions_are_numbered_after_the_latest()
    {
        var name = Unique("rotate");
        await Store.CreateKeyAsync(Key(name), Material());
        var asked = new List<int>();

        var v2 = await Store.AddVersionAsync(name, n => { asked.Add(n); return Material("kek-2"); });
        var v3 = await Store.AddVersionAsync(name, n => { asked.Add(n); return Material("kek-3", [9]); });
        var key = (await Store.GetKeyAsync(name))!;

        Assert.Equal([2, 3], asked);
        Assert.Equal((2, 3), (v2.Version, v3.Version));
        Assert.Equal([1, 2, 3], key.Versions.Select(v => v.Version));
        Assert.Equal(3, key.LatestVersion);
        Assert.Equal(Describe(v2), Describe(key.Versions[1]));
        Assert.Equal(Describe(v3), Describe(key.Versions[2]));
        Assert.Equal(VersionState.Active, v3.State);
    }

    [Fact]
    public async Task Adding_a_version_to_an_unknown_key_fails_with_key_not_found()
    {
        var called = false;

        await FailsWith(KeyBridgeError.KeyNotFound,
            () => Store.AddVersionAsync(Unique("missing"), _ => { called = true; return Material(); }));

        Assert.False(called);
    }

    [Fact]
    public async Task A_failing_version_factory_adds_nothing_and_leaves_no_gap()
    {
        var name = Unique("fail");
        await Store.CreateKeyAsync(Key(name), Material());

        // An I/O failure of the caller (e.g. reading a KEK file) must surface as itself, not as storage_unavailable.
        await Assert.ThrowsAsync<IOException>(() => Store.AddVersionAsync(name, _ => throw new IOException("wrap failed")));
        var next = await Store.AddVersionAsync(name, _ => Material());

        Assert.Equal(2, next.Version);
        Assert.Equal([1, 2], (await Store.GetKeyAsync(name))!.Versions.Select(v => v.Version));
    }

    [Fact]
    public async Task Concurrent_rotations_produce_consecutive_versions()
    {
        const int rotations = 40;
        var name = Unique("race");
        await Store.CreateKeyAsync(Key(name), Material());
        var made = new ConcurrentDictionary<int, NewKeyVersion>();
        // Two store instances have separate pools, so the calls race on separate connections, as from two nodes.
        var nodes = new[] { Store, Fixture.OtherNode };

        var results = await Task.WhenAll(Enumerable.Range(0, rotations).Select(i => Task.Run(() =>
            nodes[i % 2].AddVersionAsync(name, n =>
            {
                var m = Material($"kek-{n}");
                Assert.True(made.TryAdd(n, m), $"version {n} was handed out twice");
                return m;
            }))));
        var key = (await Store.GetKeyAsync(name))!;

        Assert.Equal(Enumerable.Range(2, rotations), results.Select(v => v.Version).Order());
        Assert.Equal(Enumerable.Range(1, rotations + 1), key.Versions.Select(v => v.Version));
        Assert.All(key.Versions.Skip(1), v => Assert.Equal(made[v.Version].WrappedMaterial, v.WrappedMaterial));
        Assert.All(key.Versions.Skip(1), v => Assert.Equal($"kek-{v.Version}", v.KekId));
    }

    [Fact]
    public async Task Concurrent_policy_changes_do_not_overwrite_each_other()
    {
        var name = Unique("policy-race");
        await Store.CreateKeyAsync(Key(name), Material());
        for (var i = 0; i < 9; i++)
        {
            await Store.AddVersionAsync(name, _ => Material());
        }
        var nodes = new[] { Store, Fixture.OtherNode };
        // Each change reads the policy it changes; with a read-then-write race some would be lost.
        await Task.WhenAll(Enumerable.Range(1, 10).Select(i => Task.Run(() =>
            nodes[i % 2].UpdatePolicyAsync(name, k => k.Policy with
            {
                MinDecryptionVersion = Math.Max(k.Policy.MinDecryptionVersion, i),
                RequiredContext = [.. k.Policy.RequiredContext, $"f{i}"],
            }))));
        var key = (await Store.GetKeyAsync(name))!;
        Assert.Equal(10, key.Policy.MinDecryptionVersion);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"f{i}").Order(), key.Policy.RequiredContext.Order());
    }

    [Fact]
    public async Task Policy_update_is_stored_and_returned()
    {
        var name = Unique("policy");
        await Store.CreateKeyAsync(Key(name), Material());
        await Store.AddVersionAsync(name, _ => Material());
        var policy = new KeyPolicy
        {
            RotationPeriod = TimeSpan.FromHours(6),
            DeletionAllowed = true,
            MinDecryptionVersion = 2,
            RequiredContext = ["tenant"],
        };

        var updated = await Store.UpdatePolicyAsync(name, policy);
        var read = (await Store.GetKeyAsync(name))!;

        Assert.Equal(Describe(policy), Describe(updated.Policy));
        Assert.Equal(Describe(updated), Describe(read));
        Assert.Equal(2, read.Versions.Count);
        Assert.Equal(VersionState.Retired, read.EffectiveState(read.Versions[0]));

        var cleared = await Store.UpdatePolicyAsync(name, new KeyPolicy());
        Assert.Null(cleared.Policy.RotationPeriod);
        Assert.Empty(cleared.Policy.RequiredContext);
    }

    [Fact]
    public async Task Updating_the_policy_of_an_unknown_key_fails_with_key_not_found()
    {
        await FailsWith(KeyBridgeError.KeyNotFound, () => Store.UpdatePolicyAsync(Unique("missing"), new KeyPolicy()));
    }
}
