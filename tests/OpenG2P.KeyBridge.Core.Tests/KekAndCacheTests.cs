using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Kek;
using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Core.Tests;

public sealed class SoftwareKekTests
{
    [Fact]
    public void Wrap_binds_material_to_its_associated_data()
    {
        using var kek = new SoftwareKek(new byte[32]);
        var wrapped = kek.Wrap([1, 2, 3], "a/1"u8);
        Assert.Equal([1, 2, 3], kek.Unwrap(wrapped, "a/1"u8));
        Assert.Equal(KeyBridgeError.KeyMaterialCorrupt, Assert.Throws<KeyBridgeException>(() => kek.Unwrap(wrapped, "a/2"u8)).Error);
        using var other = new SoftwareKek(Enumerable.Repeat((byte)1, 32).ToArray());
        Assert.Equal(KeyBridgeError.KeyMaterialCorrupt, Assert.Throws<KeyBridgeException>(() => other.Unwrap(wrapped, "a/1"u8)).Error);
        Assert.NotEqual(kek.KekId, other.KekId);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Load_creates_an_owner_only_file_once_and_reads_it_back()
    {
        var dir = Path.Combine(Path.GetTempPath(), "kek-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(dir, "kek.key");
        using var first = SoftwareKek.Load(null, path, createIfMissing: true);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        using var second = SoftwareKek.Load(null, path, createIfMissing: true);
        Assert.Equal(first.KekId, second.KekId);
        var e = Assert.Throws<KeyBridgeException>(() => SoftwareKek.Load(null, Path.Combine(dir, "missing"), createIfMissing: false));
        Assert.Equal(KeyBridgeError.KekUnavailable, e.Error);
        using var fromEnv = SoftwareKek.Load(Convert.ToBase64String(File.ReadAllBytes(path)), "/nonexistent", false);
        Assert.Equal(first.KekId, fromEnv.KekId);
        Assert.Throws<KeyBridgeException>(() => SoftwareKek.Load("c2hvcnQ=", "/nonexistent", false));
    }
}

public sealed class MaterialCacheTests
{
    [Fact]
    public void Eviction_wipes_material_only_after_the_last_lease()
    {
        var cache = new MaterialCache(capacity: 10);
        var material = Enumerable.Repeat((byte)7, 32).ToArray();
        var lease = cache.Acquire("k", 1, () => material);
        cache.Invalidate("k");
        Assert.Equal(7, lease.Material[0]);
        lease.Dispose();
        Assert.All(material, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Cache_stays_bounded_and_counts_hits()
    {
        var cache = new MaterialCache(capacity: 8);
        var loads = 0;
        for (var i = 0; i < 100; i++)
        {
            using var l = cache.Acquire("k", i, () => { loads++; return new byte[32]; });
        }
        Assert.True(cache.Count <= 8);
        using (cache.Acquire("k", 99, () => { loads++; return new byte[32]; }))
        {
        }
        Assert.Equal(100, loads);
        Assert.Equal(1, cache.Hits);
    }
}
