using System.Security.Cryptography;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Mosip;
using static OpenG2P.KeyBridge.Storage.Tests.TestData;

namespace OpenG2P.KeyBridge.Storage.Tests;

public abstract partial class KeyStoreContract
{
    private IMosipKeyStore Mosip => (IMosipKeyStore)Store;

    private static MosipKeyRecord MosipRow(string name, int version, string? kid = null) => new()
    {
        Thumbprint = RandomNumberGenerator.GetBytes(32),
        KeyName = name,
        Version = version,
        ApplicationId = "REGISTRATION",
        ReferenceId = "",
        Alias = Guid.NewGuid().ToString(),
        UniqueIdentifier = Convert.ToHexString(RandomNumberGenerator.GetBytes(20)),
        KeyId = kid ?? Unique("kid"),
        GeneratedAt = Now().AddDays(-3),
        ExpiresAt = Now().AddDays(1000),
        ImportedAt = Now(),
    };

    [Fact]
    public async Task Imported_mosip_keys_are_found_by_thumbprint_and_kid_and_listed_by_version()
    {
        var name = Unique("mosip");
        await Store.CreateKeyAsync(Key(name, type: KeyType.Rsa2048), Material(publicMaterial: [1]));
        await Store.AddVersionAsync(name, _ => Material(publicMaterial: [2]));
        var (first, second) = (MosipRow(name, 2), MosipRow(name, 1));

        Assert.True(await Mosip.AddMosipKeyAsync(first));
        Assert.True(await Mosip.AddMosipKeyAsync(second));
        Assert.False(await Mosip.AddMosipKeyAsync(first with { ImportedAt = Now().AddMinutes(1) }));

        var other = (IMosipKeyStore)Fixture.OtherNode;
        Assert.Equal(first, await other.FindMosipKeyByThumbprintAsync(first.Thumbprint), new RowComparer());
        Assert.Equal(second, await other.FindMosipKeyByKeyIdAsync(second.KeyId!), new RowComparer());
        Assert.Null(await other.FindMosipKeyByThumbprintAsync(RandomNumberGenerator.GetBytes(32)));
        Assert.Null(await other.FindMosipKeyByKeyIdAsync(Unique("none")));
        Assert.Equal([1, 2], (await other.ListMosipKeysAsync(name)).Select(r => r.Version));
        Assert.Empty(await other.ListMosipKeysAsync(Unique("nokey")));
    }

    [Fact]
    public async Task A_mosip_row_needs_an_existing_key_version()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => Mosip.AddMosipKeyAsync(MosipRow(Unique("absent"), 1)));
    }

    private sealed class RowComparer : IEqualityComparer<MosipKeyRecord?>
    {
        public bool Equals(MosipKeyRecord? a, MosipKeyRecord? b) =>
            a is not null && b is not null && a.Thumbprint.AsSpan().SequenceEqual(b.Thumbprint) && a.KeyName == b.KeyName && a.Version == b.Version
            && a.ApplicationId == b.ApplicationId && a.ReferenceId == b.ReferenceId && a.Alias == b.Alias && a.UniqueIdentifier == b.UniqueIdentifier
            && a.KeyId == b.KeyId && a.GeneratedAt == b.GeneratedAt && a.ExpiresAt == b.ExpiresAt && a.ImportedAt == b.ImportedAt;

        public int GetHashCode(MosipKeyRecord? r) => 0;
    }
}
