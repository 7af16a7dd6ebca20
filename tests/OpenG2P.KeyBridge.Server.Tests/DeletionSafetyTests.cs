using System.Text.Json;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>A server whose destructions wait three seconds (instead of seven days), with jobs polled every second.</summary>
public sealed class ShortDeletionWaitFixture : SqliteServerFixture
{
    protected override async Task<Dictionary<string, string?>> SettingsAsync()
    {
        var settings = await base.SettingsAsync();
        foreach (var (k, v) in JobSettings.Fast())
        {
            settings[k] = v;
        }
        settings["Keys:DeletionWaitingPeriod"] = "00:00:03";
        return settings;
    }
}

/// <summary>Scheduled destruction and deletion: refused for use while pending, cancellable inside the period, run after it, audited.</summary>
public sealed class DeletionSafetyTests(ShortDeletionWaitFixture fx) : IClassFixture<ShortDeletionWaitFixture>
{
    private RpcClient Admin => fx.Admin;

    private async Task<string> DeletableKeyAsync(int versions)
    {
        var key = ServerFixture.UniqueName("doomed");
        await Admin.ResultAsync("key.create", new { name = key, type = "aes-256-gcm", deletion_allowed = true });
        for (var i = 1; i < versions; i++)
        {
            await Admin.ResultAsync("key.rotate", new { name = key });
        }
        return key;
    }

    private async Task<string> EncryptAsync(string key) => (await Admin.ResultAsync("encrypt_data", new { key, text = "kept?" })).Str("ciphertext");

    [Fact]
    public async Task A_scheduled_destruction_can_be_cancelled_inside_its_waiting_period()
    {
        var key = await DeletableKeyAsync(1);
        var ciphertext = await EncryptAsync(key);
        await Admin.ResultAsync("key.rotate", new { name = key });

        var scheduled = await Admin.ResultAsync("key.destroy_version", new { name = key, version = 1 });
        Assert.Equal("pending_destruction", scheduled.GetProperty("versions")[0].Str("state"));
        Assert.Equal("version_pending_destruction", (await Admin.ErrorAsync("decrypt_data", new { ciphertext })).ErrorName());
        var cancelled = await Admin.ResultAsync("key.cancel_destruction", new { name = key, version = 1 });

        Assert.Equal("active", cancelled.GetProperty("versions")[0].Str("state"));
        Assert.False(cancelled.GetProperty("versions")[0].TryGetProperty("destroy_at", out _));
        Assert.Equal("destruction_not_pending", (await Admin.ErrorAsync("key.cancel_destruction", new { name = key, version = 1 })).ErrorName());
        // Well past the period: the cancelled destruction never runs.
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Equal("kept?", (await Admin.ResultAsync("decrypt_data", new { ciphertext })).Str("text"));
    }

    [Fact]
    public async Task A_scheduled_destruction_runs_after_its_waiting_period_and_is_audited()
    {
        var key = await DeletableKeyAsync(1);
        var ciphertext = await EncryptAsync(key);
        await Admin.ResultAsync("key.rotate", new { name = key });

        var due = (await Admin.ResultAsync("key.destroy_version", new { name = key, version = 1 })).GetProperty("versions")[0].GetProperty("destroy_at").GetDateTimeOffset();
        Assert.InRange(due, DateTimeOffset.UtcNow.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(4));

        var v1 = await UntilAsync(key, k => k.GetProperty("versions")[0].Str("state") == "destroyed");
        Assert.True(v1.GetProperty("versions")[0].GetProperty("destroyed_at").GetDateTimeOffset() >= due);
        Assert.Equal("version_destroyed", (await Admin.ErrorAsync("decrypt_data", new { ciphertext })).ErrorName());
        Assert.Equal("destruction_not_pending", (await Admin.ErrorAsync("key.cancel_destruction", new { name = key, version = 1 })).ErrorName());
        var records = (await Admin.ResultAsync("audit.query", new { key })).GetProperty("records").EnumerateArray().Select(r => r.Str("method")).ToList();
        Assert.Contains("key.destroy_version", records);
        Assert.Contains("key.destroy_version.executed", records);
    }

    [Fact]
    public async Task Deleting_a_key_waits_can_be_cancelled_and_then_leaves_a_tombstone()
    {
        var key = await DeletableKeyAsync(2);
        var ciphertext = await EncryptAsync(key);
        var locked = ServerFixture.UniqueName("kept");
        await Admin.ResultAsync("key.create", new { name = locked, type = "aes-256-gcm" });
        Assert.Equal("deletion_not_allowed", (await Admin.ErrorAsync("key.delete", new { name = locked })).ErrorName());
        Assert.Equal("deletion_not_allowed", (await Admin.ErrorAsync("key.delete", new { name = "keybridge.token-signing" })).ErrorName());

        var pending = await Admin.ResultAsync("key.delete", new { name = key });
        Assert.True(pending.TryGetProperty("delete_at", out _));
        Assert.All(pending.GetProperty("versions").EnumerateArray(), v => Assert.Equal("pending_destruction", v.Str("state")));
        Assert.Equal("version_pending_destruction", (await Admin.ErrorAsync("encrypt_data", new { key, text = "x" })).ErrorName());
        await Admin.ResultAsync("key.cancel_destruction", new { name = key });
        Assert.Equal("kept?", (await Admin.ResultAsync("decrypt_data", new { ciphertext })).Str("text"));

        await Admin.ResultAsync("key.delete", new { name = key });
        var deleted = await UntilAsync(key, k => k.TryGetProperty("deleted_at", out _));

        Assert.All(deleted.GetProperty("versions").EnumerateArray(), v => Assert.Equal("destroyed", v.Str("state")));
        Assert.Equal("key_deleted", (await Admin.ErrorAsync("encrypt_data", new { key, text = "x" })).ErrorName());
        Assert.Equal("key_deleted", (await Admin.ErrorAsync("key.rotate", new { name = key })).ErrorName());
        Assert.Equal("version_destroyed", (await Admin.ErrorAsync("decrypt_data", new { ciphertext })).ErrorName());
        Assert.Equal("key_exists", (await Admin.ErrorAsync("key.create", new { name = key, type = "aes-256-gcm" })).ErrorName());
        Assert.Contains("key.delete.executed", (await Admin.ResultAsync("audit.query", new { key })).GetProperty("records").EnumerateArray().Select(r => r.Str("method")));
    }

    [Fact]
    public async Task A_zero_waiting_period_destroys_at_once()
    {
        var secret = "zero-" + Guid.NewGuid().ToString("N");
        await using var server = await KeyBridgeProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Bootstrap:AdminSecret"] = secret,
            ["Keys:DeletionWaitingPeriod"] = "0",
        });
        using var admin = await RpcClient.LoginAsync(server.BaseAddress, "admin", secret);
        await admin.ResultAsync("key.create", new { name = "gone", type = "aes-256-gcm", deletion_allowed = true });
        await admin.ResultAsync("key.rotate", new { name = "gone" });

        Assert.Equal("destroyed", (await admin.ResultAsync("key.destroy_version", new { name = "gone", version = 1 })).GetProperty("versions")[0].Str("state"));
        Assert.True((await admin.ResultAsync("key.delete", new { name = "gone" })).TryGetProperty("deleted_at", out _));
    }

    /// <summary>Polls key.get until <paramref name="done"/> holds (bounded: a destruction that never runs fails the test).</summary>
    private async Task<JsonElement> UntilAsync(string key, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var view = await Admin.ResultAsync("key.get", new { name = key });
            if (done(view))
            {
                return view;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the scheduled destruction did not run: {view}");
            await Task.Delay(250);
        }
    }
}
