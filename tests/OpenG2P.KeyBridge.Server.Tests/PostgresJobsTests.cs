using Npgsql;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>The production shape: Hangfire on PostgreSQL (Hangfire.PostgreSql), scheduled rotation, a re-encryption job.</summary>
public sealed class PostgresJobsTests(JobsPostgresFixture fx) : IClassFixture<JobsPostgresFixture>
{
    [Fact]
    public async Task Hangfire_keeps_its_state_in_postgresql_and_runs_a_reencryption_job()
    {
        using var odoo = new FakeOdoo();
        var key = ServerFixture.UniqueName("pgjob");
        await fx.Admin.ResultAsync("key.create", new { name = key, type = "aes-256-gcm" });
        var registry = new Registry(fx.Admin, odoo, key);
        await registry.SeedFieldsAsync(500, ["name"], (id, _) => $"n{id}");
        await fx.Admin.ResultAsync("key.rotate", new { name = key });

        var started = await fx.Admin.ResultAsync("job.start_reencryption", new Dictionary<string, object?>
        {
            ["odoo"] = new { url = odoo.Url, db = FakeOdoo.Database, login = FakeOdoo.Login, password = odoo.Password },
            ["model"] = odoo.Model,
            ["fields"] = new[] { "name" },
            ["key"] = key,
            ["batch_size"] = 100,
        });
        var status = await fx.Admin.WaitForJobAsync(started.Str("id"));

        Assert.Equal(("succeeded", 500L), (status.Str("state"), status.GetProperty("changed").GetInt64()));
        await registry.AssertAllAtAsync(2);
        await using var c = new NpgsqlConnection(fx.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM hangfire.job WHERE id = @id", c);
        cmd.Parameters.AddWithValue("id", long.Parse(status.Str("hangfire_job_id"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Keys_with_a_short_rotation_period_rotate_on_schedule_and_one_failing_key_does_not_stop_the_others()
    {
        var a = ServerFixture.UniqueName("sched-a");
        var broken = ServerFixture.UniqueName("sched-b");
        var c = ServerFixture.UniqueName("sched-c");
        var manual = ServerFixture.UniqueName("sched-m");
        // The database refuses new versions of one key, as a failing disk or a bug might.
        await using (var conn = new NpgsqlConnection(fx.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"""
                CREATE FUNCTION refuse_{broken.Replace('-', '_')}() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
                CREATE TRIGGER refuse_{broken.Replace('-', '_')} BEFORE INSERT ON key_versions
                FOR EACH ROW WHEN (NEW.key_name = '{broken}' AND NEW.version > 1) EXECUTE FUNCTION refuse_{broken.Replace('-', '_')}();
                """, conn);
            await cmd.ExecuteNonQueryAsync();
        }
        foreach (var name in new[] { a, broken, c })
        {
            await fx.Admin.ResultAsync("key.create", new { name, type = "aes-256-gcm", rotation_period = "2s" });
        }
        await fx.Admin.ResultAsync("key.create", new { name = manual, type = "aes-256-gcm" });

        async Task<int> Latest(string name) => (await fx.Admin.ResultAsync("key.get", new { name })).Int("latest_version");
        await JobTesting.EventuallyAsync(async () => await Latest(a) >= 3 && await Latest(c) >= 3, "two scheduled rotations of the healthy keys");

        Assert.Equal(1, await Latest(broken));
        Assert.Equal(1, await Latest(manual));
        await JobTesting.EventuallyAsync(() => Task.FromResult(fx.Server.Output.Contains($"Scheduled rotation of key {broken} failed", StringComparison.Ordinal)),
            "the failing key reported", maxSeconds: 10);

        // Turning the period off removes the schedule.
        await fx.Admin.ResultAsync("key.configure", new { name = a, rotation_period = "0" });
        await JobTesting.EventuallyAsync(() => Task.FromResult(fx.Server.Output.Contains($"Rotation schedule rotate:{a} removed", StringComparison.Ordinal)),
            "the schedule's removal", maxSeconds: 10);
    }
}
