using System.Text.Json;
using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Auth;
using OpenG2P.KeyBridge.Backup;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using static OpenG2P.KeyBridge.Storage.Tests.TestData;

namespace OpenG2P.KeyBridge.Storage.Tests;

public abstract partial class KeyStoreContract
{
    /// <summary>A new, migrated database holding a little of everything a backup carries.</summary>
    private async Task<(IKeyStore Store, string Location)> PopulatedDatabaseAsync()
    {
        var location = await Fixture.NewDatabaseAsync();
        var store = Fixture.Track(Fixture.OpenStore(location));
        await store.MigrateAsync();
        await store.CreateKeyAsync(Key("alpha", new KeyPolicy { DeletionAllowed = true, RequiredContext = ["model"] }), Material());
        await store.AddVersionAsync("alpha", _ => Material());
        await store.AddVersionAsync("alpha", _ => Material());
        await store.SetVersionStateAsync("alpha", 1, VersionState.Destroyed);
        await store.SetVersionStateAsync("alpha", 2, VersionState.Revoked);
        await store.ScheduleVersionDestructionAsync("alpha", 2, Now().AddDays(7));
        await store.CreateKeyAsync(Key("signer", type: KeyType.EcdsaP256), Material(publicMaterial: [1, 2, 3]));
        await store.AttachCertificateAsync("signer", 1, new VersionCertificate([0x30, 0x03, 1, 2, 3], [[0x30, 0x01, 9]], Now()));
        await store.CreateClientAsync(new ClientRecord { ClientId = "admin", SecretHash = "h", Roles = ["admin"], Keys = ["a*"], CreatedAt = Now(), UpdatedAt = Now() });
        await store.TrySetSettingAsync("recovery.ceremony", "{\"id\":\"x\"}");
        await ((IAuditStore)store).AppendAsync([new AuditEntry { Time = Now(), Method = "m", Outcome = "ok" }], (seq, prev, _) => ($"h{seq}", 1));
        return (store, location);
    }

    private static IBackupStore Backups(IKeyStore store) => (IBackupStore)store;

    [Fact]
    public async Task A_snapshot_restored_into_an_empty_store_reads_back_identically()
    {
        var (source, _) = await PopulatedDatabaseAsync();
        var snapshot = await Backups(source).ReadSnapshotAsync();
        var target = (await Fixture.OpenFreshDatabaseAsync(1))[0];
        await target.MigrateAsync();
        Assert.True((await Backups(target).CountAsync()).IsEmpty);

        await Backups(target).RestoreAsync(snapshot, replace: false);

        Assert.Equal(Json(snapshot), Json(await Backups(target).ReadSnapshotAsync()));
        Assert.Equal((2, 4, 1), (snapshot.Keys.Count, snapshot.VersionCount, snapshot.Clients.Count));
        Assert.NotNull(snapshot.Keys.Single(k => k.Name == "signer").Versions[0].Certificate);
        Assert.NotNull(snapshot.Keys.Single(k => k.Name == "alpha").Versions[1].DestroyAt);
        Assert.Equal(new AuditHead(1, "h1"), snapshot.AuditHead);
    }

    [Fact]
    public async Task After_a_restore_the_audit_chain_continues_from_the_restored_head()
    {
        var (source, _) = await PopulatedDatabaseAsync();
        var snapshot = await Backups(source).ReadSnapshotAsync() with { AuditHead = new AuditHead(41, "head41") };
        var target = (await Fixture.OpenFreshDatabaseAsync(1))[0];
        await target.MigrateAsync();

        await Backups(target).RestoreAsync(snapshot, replace: false);
        var audit = (IAuditStore)target;
        var appended = await audit.AppendAsync([new AuditEntry { Time = Now(), Method = "backup.restore", Outcome = "ok" }], (seq, prev, _) => ($"{prev}>{seq}", 1));

        Assert.Equal(new AuditHead(41, "head41"), await audit.GetAnchorAsync());
        Assert.Equal((42L, "head41", "head41>42"), (appended[0].Seq, appended[0].PrevHash, appended[0].Hash));
        Assert.Equal(new AuditHead(42, "head41>42"), await audit.GetHeadAsync());
        Assert.Equal(new AuditHead(0, ""), await ((IAuditStore)Store).GetAnchorAsync());
    }

    [Fact]
    public async Task Restoring_over_a_store_that_is_not_empty_is_refused_and_changes_nothing_unless_replacing()
    {
        var (source, _) = await PopulatedDatabaseAsync();
        var snapshot = await Backups(source).ReadSnapshotAsync();
        var (target, _) = await PopulatedDatabaseAsync();
        await target.CreateKeyAsync(Key("only-in-target"), Material());
        var before = Json(await Backups(target).ReadSnapshotAsync());

        await FailsWith(KeyBridgeError.RestoreTargetNotEmpty, () => Backups(target).RestoreAsync(snapshot, replace: false));
        Assert.Equal(before, Json(await Backups(target).ReadSnapshotAsync()));

        await Backups(target).RestoreAsync(snapshot, replace: true);

        Assert.Equal(Json(snapshot), Json(await Backups(target).ReadSnapshotAsync()));
        Assert.Null(await target.GetKeyAsync("only-in-target"));
        Assert.Empty(await ((IAuditStore)target).ReadAsync(0, 10));
    }

    [Fact]
    public async Task A_snapshot_points_at_ledger_tables_that_exist()
    {
        var (source, location) = await PopulatedDatabaseAsync();
        Assert.Equal([new LedgerPointer("vouchers", 0)], (await Backups(source).ReadSnapshotAsync()).Ledgers);

        foreach (var id in new[] { "a", "b", "c" })
        {
            await Fixture.ExecuteAsync(location, $"""
                INSERT INTO vouchers (id, program, beneficiary, amount, currency, valid_from, valid_until, key_name, key_version, token, state, issued_by, issued_at)
                VALUES ('{id}', 'p', 'b', '1.00', 'KES', '2026-01-01', '2027-01-01', 'voucher-signing', 1, 't-{id}', 'issued', 'c', '2026-01-01')
                """);
        }

        Assert.Equal([new LedgerPointer("vouchers", 3)], (await Backups(source).ReadSnapshotAsync()).Ledgers);
    }

    [Fact]
    public async Task Probing_a_new_database_creates_nothing()
    {
        var location = await Fixture.NewDatabaseAsync();
        var store = Fixture.Track(Fixture.OpenStore(location));

        Assert.Null(await Backups(store).ProbeAsync());
        Assert.Null(await Backups(store).ProbeAsync());

        await store.MigrateAsync();
        Assert.True((await Backups(store).ProbeAsync())!.IsEmpty);
        Assert.False((await Backups(Store).ProbeAsync())!.IsEmpty);
    }

    [Fact]
    public async Task Settings_can_be_replaced()
    {
        var name = Unique("setting");
        await Store.SetSettingAsync(name, "one");
        await Fixture.OtherNode.SetSettingAsync(name, "two");

        Assert.Equal("two", await Store.GetSettingAsync(name));
        Assert.False(await Store.TrySetSettingAsync(name, "three"));
    }

    private static string Json(StoreSnapshot s) => JsonSerializer.Serialize(s);
}
