using OpenG2P.KeyBridge.Errors;
using static OpenG2P.KeyBridge.Storage.Tests.TestData;

namespace OpenG2P.KeyBridge.Storage.Tests;

public abstract partial class KeyStoreContract
{
    [Fact]
    public async Task Conditional_rotation_adds_nothing_while_the_latest_version_is_newer_than_the_cutoff()
    {
        var name = Unique("due");
        await Store.CreateKeyAsync(Key(name), Material());
        var called = false;

        var v = await Store.AddVersionIfLatestOlderAsync(name, DateTimeOffset.UtcNow.AddHours(-1), _ => { called = true; return Material(); });

        Assert.Null(v);
        Assert.False(called);
        Assert.Equal(1, (await Store.GetKeyAsync(name))!.LatestVersion);
    }

    [Fact]
    public async Task Conditional_rotation_adds_the_next_version_when_the_latest_is_old_enough()
    {
        var name = Unique("due");
        await Store.CreateKeyAsync(Key(name), Material());

        var v = await Store.AddVersionIfLatestOlderAsync(name, DateTimeOffset.UtcNow.AddMinutes(1), n => Material($"kek-{n}"));

        Assert.Equal(2, v!.Version);
        var key = (await Store.GetKeyAsync(name))!;
        Assert.Equal(2, key.LatestVersion);
        Assert.Equal("kek-2", key.Versions[1].KekId);
    }

    [Fact]
    public async Task Two_nodes_finding_a_key_due_at_once_add_one_version()
    {
        var name = Unique("due-race");
        await Store.CreateKeyAsync(Key(name), Material());
        // A cutoff between "before any rotation" and "after one": the first rotation makes the key not due.
        var cutoff = DateTimeOffset.UtcNow.AddSeconds(1);
        await Task.Delay(1100);
        var nodes = new[] { Store, Fixture.OtherNode };

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() =>
            nodes[i % 2].AddVersionIfLatestOlderAsync(name, cutoff, _ => Material()))));

        Assert.Single(results, r => r is not null);
        Assert.Equal(2, (await Store.GetKeyAsync(name))!.LatestVersion);
    }

    [Fact]
    public async Task Conditional_rotation_of_an_unknown_key_fails_with_key_not_found()
    {
        await FailsWith(KeyBridgeError.KeyNotFound,
            () => Store.AddVersionIfLatestOlderAsync(Unique("missing"), DateTimeOffset.UtcNow, _ => Material()));
    }

    [Fact]
    public async Task Versions_wrapped_by_other_keks_are_listed_in_order_and_counted()
    {
        var current = Unique("kek-new");
        var old = Unique("kek-old");
        var a = Unique("a-kek");
        var b = Unique("b-kek");
        await Store.CreateKeyAsync(Key(a), Material(old));
        await Store.AddVersionAsync(a, _ => Material(current));
        await Store.AddVersionAsync(a, _ => Material(old));
        await Store.CreateKeyAsync(Key(b), Material(old));
        var before = await Store.CountVersionsNotWrappedByAsync(current);

        var all = new List<WrappedVersion>();
        string? afterName = null;
        var afterVersion = 0;
        while (true)
        {
            var page = await Store.ListVersionsNotWrappedByAsync(current, afterName, afterVersion, 2);
            all.AddRange(page);
            if (page.Count < 2)
            {
                break;
            }
            (afterName, afterVersion) = (page[^1].KeyName, page[^1].Version);
        }
        var mine = all.Where(v => v.KeyName == a || v.KeyName == b).Select(v => (v.KeyName, v.Version)).ToList();

        Assert.Equal([(a, 1), (a, 3), (b, 1)], mine);
        Assert.All(all.Where(v => v.KeyName == a || v.KeyName == b), v => Assert.Equal(old, v.KekId));
        Assert.True(await Store.RewrapVersionAsync(a, 1, old, Material().WrappedMaterial, current));
        Assert.Equal(before - 1, await Store.CountVersionsNotWrappedByAsync(current));
    }
}
