using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using static OpenG2P.KeyBridge.Storage.Tests.TestData;

namespace OpenG2P.KeyBridge.Storage.Tests;

public abstract partial class KeyStoreContract
{
    [Fact]
    public async Task Scheduling_a_destruction_keeps_the_material_and_the_first_due_time()
    {
        var name = Unique("sched");
        var first = Material();
        await Store.CreateKeyAsync(Key(name), first);
        await Store.AddVersionAsync(name, _ => Material());
        var due = Now().AddDays(7);

        var scheduled = await Store.ScheduleVersionDestructionAsync(name, 1, due);
        var again = await Fixture.OtherNode.ScheduleVersionDestructionAsync(name, 1, due.AddDays(1));

        var v1 = (await Store.GetKeyAsync(name))!.Versions[0];
        Assert.Equal(due, v1.DestroyAt);
        Assert.Equal(due, again.Versions[0].DestroyAt);
        Assert.Equal(VersionState.Active, v1.State);
        Assert.Equal(first.WrappedMaterial, v1.WrappedMaterial);
        Assert.Equal(VersionState.PendingDestruction, scheduled.EffectiveState(scheduled.Versions[0]));
        Assert.Null(scheduled.Versions[1].DestroyAt);
    }

    [Fact]
    public async Task A_due_destruction_runs_once_and_a_cancelled_one_never()
    {
        var name = Unique("due");
        await Store.CreateKeyAsync(Key(name), Material());
        await Store.AddVersionAsync(name, _ => Material());
        await Store.AddVersionAsync(name, _ => Material());
        var now = Now();
        await Store.ScheduleVersionDestructionAsync(name, 1, now.AddSeconds(-1));
        await Store.ScheduleVersionDestructionAsync(name, 2, now.AddSeconds(-1));
        await Store.CancelDestructionAsync(name, 2);

        var due = (await Store.ListDueDestructionsAsync(now, 1000)).Where(d => d.KeyName == name).ToList();
        Assert.Equal([(name, (int?)1)], due.Select(d => (d.KeyName, d.Version)));
        Assert.DoesNotContain(await Store.ListDueDestructionsAsync(now.AddSeconds(-2), 1000), d => d.KeyName == name);

        var results = await Task.WhenAll(Store.ExecuteDestructionAsync(name, 1, now), Fixture.OtherNode.ExecuteDestructionAsync(name, 1, now));
        Assert.Single(results, r => r is not null);
        Assert.Null(await Store.ExecuteDestructionAsync(name, 2, now));

        var key = (await Store.GetKeyAsync(name))!;
        Assert.Equal((VersionState.Destroyed, (byte[]?)null, (DateTimeOffset?)null), (key.Versions[0].State, key.Versions[0].WrappedMaterial, key.Versions[0].DestroyAt));
        Assert.Equal((VersionState.Active, (DateTimeOffset?)null), (key.Versions[1].State, key.Versions[1].DestroyAt));
        Assert.NotNull(key.Versions[1].WrappedMaterial);
    }

    [Fact]
    public async Task A_destruction_not_yet_due_does_not_run()
    {
        var name = Unique("notdue");
        await Store.CreateKeyAsync(Key(name), Material());
        await Store.AddVersionAsync(name, _ => Material());
        await Store.ScheduleVersionDestructionAsync(name, 1, Now().AddMinutes(5));

        Assert.Null(await Store.ExecuteDestructionAsync(name, 1, Now()));

        Assert.NotNull((await Store.GetKeyAsync(name))!.Versions[0].WrappedMaterial);
    }

    [Fact]
    public async Task Deleting_a_key_erases_every_version_and_keeps_a_tombstone()
    {
        var name = Unique("delete");
        await Store.CreateKeyAsync(Key(name, type: KeyType.Ed25519), Material(publicMaterial: [1, 2]));
        await Store.AddVersionAsync(name, _ => Material(publicMaterial: [3, 4]));
        var now = Now();

        var scheduled = await Store.ScheduleKeyDeletionAsync(name, now.AddSeconds(-1));
        Assert.All(scheduled.Versions, v => Assert.Equal(VersionState.PendingDestruction, scheduled.EffectiveState(v)));
        Assert.Contains((await Store.ListDueDestructionsAsync(now, 1000)), d => d.KeyName == name && d.Version is null);

        var deleted = (await Store.ExecuteDestructionAsync(name, null, now))!;

        Assert.Equal(now, deleted.DeletedAt);
        Assert.Null(deleted.DeleteAt);
        Assert.All(deleted.Versions, v => Assert.Equal((VersionState.Destroyed, (byte[]?)null), (v.State, v.WrappedMaterial)));
        Assert.Equal([3, 4], deleted.Versions[1].PublicMaterial);
        Assert.Null(await Store.ExecuteDestructionAsync(name, null, now));
        Assert.DoesNotContain((await Store.ListDueDestructionsAsync(now, 1000)), d => d.KeyName == name);
        await FailsWith(KeyBridgeError.KeyExists, () => Store.CreateKeyAsync(Key(name), Material()));
        // A tombstone never gains a version, by hand or by schedule.
        await FailsWith(KeyBridgeError.KeyDeleted, () => Fixture.OtherNode.AddVersionAsync(name, _ => Material()));
        Assert.Null(await Store.AddVersionIfLatestOlderAsync(name, now.AddDays(1), _ => Material()));
        Assert.Equal(2, (await Store.GetKeyAsync(name))!.LatestVersion);
    }

    [Fact]
    public async Task Cancelling_a_key_deletion_also_cancels_its_versions_and_reports_how_many()
    {
        var name = Unique("cancel");
        await Store.CreateKeyAsync(Key(name), Material());
        await Store.AddVersionAsync(name, _ => Material());
        await Store.ScheduleVersionDestructionAsync(name, 1, Now().AddDays(1));
        await Store.ScheduleKeyDeletionAsync(name, Now().AddDays(2));

        var (key, cancelled) = await Fixture.OtherNode.CancelDestructionAsync(name, null);
        var (_, again) = await Store.CancelDestructionAsync(name, null);

        Assert.Equal((2, 0), (cancelled, again));
        Assert.Null(key.DeleteAt);
        Assert.All(key.Versions, v => Assert.Equal((VersionState.Active, (DateTimeOffset?)null), (key.EffectiveState(v), v.DestroyAt)));
    }

    [Fact]
    public async Task Scheduling_for_an_unknown_key_or_version_fails_with_not_found()
    {
        var name = Unique("schedm");
        await Store.CreateKeyAsync(Key(name), Material());

        await FailsWith(KeyBridgeError.VersionNotFound, () => Store.ScheduleVersionDestructionAsync(name, 3, Now()));
        await FailsWith(KeyBridgeError.VersionNotFound, () => Store.CancelDestructionAsync(name, 3));
        await FailsWith(KeyBridgeError.KeyNotFound, () => Store.ScheduleVersionDestructionAsync(Unique("missing"), 1, Now()));
        await FailsWith(KeyBridgeError.KeyNotFound, () => Store.ScheduleKeyDeletionAsync(Unique("missing"), Now()));
        await FailsWith(KeyBridgeError.KeyNotFound, () => Store.CancelDestructionAsync(Unique("missing"), null));
        Assert.Null(await Store.ExecuteDestructionAsync(Unique("missing"), 1, Now()));
    }
}
