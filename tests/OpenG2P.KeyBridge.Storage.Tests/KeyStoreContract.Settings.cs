using static OpenG2P.KeyBridge.Storage.Tests.TestData;

namespace OpenG2P.KeyBridge.Storage.Tests;

public abstract partial class KeyStoreContract
{
    [Fact]
    public async Task A_setting_is_set_only_once()
    {
        var name = Unique("setting");

        Assert.Null(await Store.GetSettingAsync(name));
        Assert.True(await Store.TrySetSettingAsync(name, "first"));
        Assert.False(await Store.TrySetSettingAsync(name, "second"));

        Assert.Equal("first", await Store.GetSettingAsync(name));
    }

    [Fact]
    public async Task Concurrent_setting_attempts_have_exactly_one_winner()
    {
        var name = Unique("bootstrap");
        var nodes = new[] { Store, Fixture.OtherNode };

        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(async () =>
            (Value: $"node-{i}", Won: await nodes[i % 2].TrySetSettingAsync(name, $"node-{i}")))));

        var winner = Assert.Single(results, r => r.Won);
        Assert.Equal(winner.Value, await Store.GetSettingAsync(name));
    }
}
