using Microsoft.Data.Sqlite;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>Jobs and schedules across restarts: a killed server's job resumes from its checkpoint; missed rotations run at start-up.</summary>
public sealed class JobResumeTests
{
    private static Dictionary<string, string?> Settings(string secret)
    {
        var s = JobSettings.Fast();
        s["Bootstrap:AdminSecret"] = secret;
        return s;
    }

    [Fact]
    public async Task A_job_whose_server_is_killed_mid_page_resumes_and_every_record_ends_at_the_latest_version_written_once()
    {
        var data = Path.Combine(Path.GetTempPath(), "kb-resume-" + Guid.NewGuid().ToString("N"));
        var secret = "resume-admin-" + Guid.NewGuid().ToString("N");
        using var odoo = new FakeOdoo();
        var release = new TaskCompletionSource();
        var hanging = new TaskCompletionSource();
        var ids = Registry.Ids(3000).ToList();
        // The 1234th write is applied, then its answer never comes: the server dies waiting for it.
        odoo.Faults = call => call.WriteId == ids[1233] && hanging.TrySetResult() ? new OdooFault.ApplyThenHang(release.Task) : null;
        string jobId;
        Registry registry;
        await using (var first = await KeyBridgeProcess.StartAsync(Settings(secret), data))
        {
            using var admin = await RpcClient.LoginAsync(first.BaseAddress, "admin", secret);
            var key = ServerFixture.UniqueName("resume");
            await admin.ResultAsync("key.create", new { name = key, type = "aes-256-gcm" });
            registry = new Registry(admin, odoo, key);
            await registry.SeedFieldsAsync(3000, ["name"], (id, _) => $"Registrant {id}");
            await admin.ResultAsync("key.rotate", new { name = key });
            jobId = (await admin.ResultAsync("job.start_reencryption", new Dictionary<string, object?>
            {
                ["odoo"] = new { url = odoo.Url, db = FakeOdoo.Database, login = FakeOdoo.Login, password = odoo.Password },
                ["model"] = odoo.Model,
                ["fields"] = new[] { "name" },
                ["key"] = key,
                ["batch_size"] = 100,
            })).Str("id");
            await hanging.Task.WaitAsync(TimeSpan.FromSeconds(120));
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
        release.SetResult();
        var writtenBeforeCrash = odoo.Writes;
        Assert.InRange(writtenBeforeCrash, 1234, 1234);

        await using var second = await KeyBridgeProcess.StartAsync(Settings(secret), data);
        using var again = await RpcClient.LoginAsync(second.BaseAddress, "admin", secret);
        var resumed = await again.WaitForJobAsync(jobId);

        Assert.Equal("succeeded", resumed.Str("state"));
        Assert.Equal((3000L, 0L), (resumed.GetProperty("done").GetInt64(), resumed.GetProperty("failed").GetInt64()));
        Assert.Contains($"Job {jobId} had no live worker", second.Output);
        Assert.Empty(odoo.Problems);
        // None written twice: the record in flight at the crash was already at the latest version when re-read.
        Assert.Equal(3000, odoo.WritesPerRecord.Count);
        Assert.All(odoo.WritesPerRecord.Values, n => Assert.Equal(1, n));
        await registry.WithClient(again).AssertAllAtAsync(2);
    }

    [Fact]
    public async Task A_rotation_that_fell_due_while_the_service_was_down_runs_at_start_up()
    {
        var data = Path.Combine(Path.GetTempPath(), "kb-catchup-" + Guid.NewGuid().ToString("N"));
        var secret = "catchup-admin-" + Guid.NewGuid().ToString("N");
        var key = ServerFixture.UniqueName("catchup");
        await using (var first = await KeyBridgeProcess.StartAsync(Settings(secret), data))
        {
            using var admin = await RpcClient.LoginAsync(first.BaseAddress, "admin", secret);
            // A two-hour period is checked every ten minutes: only the start-up catch-up can rotate it within this test.
            await admin.ResultAsync("key.create", new { name = key, type = "aes-256-gcm", rotation_period = "2h" });
        }
        // While the service is down, three hours pass for this key.
        await using (var c = new SqliteConnection($"Data Source={Path.Combine(data, "keybridge.db")};Pooling=False"))
        {
            await c.OpenAsync();
            await using var cmd = new SqliteCommand("UPDATE key_versions SET created_at = @old WHERE key_name = @name", c);
            cmd.Parameters.AddWithValue("@old", DateTime.UtcNow.AddHours(-3).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            cmd.Parameters.AddWithValue("@name", key);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        await using var second = await KeyBridgeProcess.StartAsync(Settings(secret), data);
        using var again = await RpcClient.LoginAsync(second.BaseAddress, "admin", secret);

        await JobTesting.EventuallyAsync(async () => (await again.ResultAsync("key.get", new { name = key })).Int("latest_version") >= 2,
            "the missed rotation", maxSeconds: 30);
        await Task.Delay(2000);
        Assert.Equal(2, (await again.ResultAsync("key.get", new { name = key })).Int("latest_version"));
    }
}
