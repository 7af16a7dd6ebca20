using System.Text.Json;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>job.start_reencryption against a stateful fake Odoo (WireMock.Net), on the embedded server (in-memory Hangfire).</summary>
public sealed class ReencryptionTests(JobsSqliteFixture fx) : IClassFixture<JobsSqliteFixture>
{
    private RpcClient Admin => fx.Admin;

    private async Task<string> NewKeyAsync()
    {
        var key = ServerFixture.UniqueName("reenc");
        await Admin.ResultAsync("key.create", new { name = key, type = "aes-256-gcm" });
        return key;
    }

    private static object Params(FakeOdoo odoo, string[] fields, string? key = null, int batchSize = 200, bool raise = false,
        string storage = "field", double? rps = null, string context = "record") => new Dictionary<string, object?>
    {
        ["odoo"] = new { url = odoo.Url, db = FakeOdoo.Database, login = FakeOdoo.Login, password = odoo.Password },
        ["model"] = odoo.Model,
        ["fields"] = fields,
        ["key"] = key,
        ["batch_size"] = batchSize,
        ["raise_min_decryption_version"] = raise,
        ["storage"] = storage,
        ["max_records_per_second"] = rps,
        ["context"] = context,
    };

    /// <summary>Every write must be a KeyBridge ciphertext of the key at the expected version (read from the stored form).</summary>
    private static void ExpectWritesAt(FakeOdoo odoo, string key, int version) =>
        odoo.CheckWrite = (_, _, value) =>
        {
            try
            {
                var parsed = Ciphertext.Parse(Registry.TextForm(value));
                return parsed.KeyName == key && parsed.KeyVersion == version ? null : $"written under {parsed.KeyName} v{parsed.KeyVersion}";
            }
            catch (Exception e)
            {
                return "not a ciphertext: " + e.Message;
            }
        };

    private async Task<JsonElement> RunAsync(RpcClient rpc, object parameters)
    {
        var started = await rpc.ResultAsync("job.start_reencryption", parameters);
        return await rpc.WaitForJobAsync(started.Str("id"));
    }

    [Fact]
    public async Task Five_thousand_records_end_at_the_latest_version_decrypting_to_their_plaintext_and_a_second_run_writes_nothing()
    {
        using var odoo = new FakeOdoo();
        var key = await NewKeyAsync();
        var registry = new Registry(Admin, odoo, key);
        // Every record has a name; one in ten also has a given name (the others are empty, sent as false).
        await registry.SeedFieldsAsync(5000, ["name", "given_name"], (id, f) => f == "name" ? $"Registrant {id} Ñandú" : id % 10 == 0 ? $"Given {id}" : null);
        await Admin.ResultAsync("key.rotate", new { name = key });
        ExpectWritesAt(odoo, key, 2);
        var operatorClient = await fx.NewClientAsync("job-operator");

        var first = await RunAsync(operatorClient.Rpc, Params(odoo, ["name", "given_name"], key, batchSize: 250, raise: true));

        Assert.Equal("succeeded", first.Str("state"));
        Assert.Equal((5000L, 5000L, 5000L, 0L), (first.GetProperty("done").GetInt64(), first.GetProperty("total").GetInt64(),
            first.GetProperty("changed").GetInt64(), first.GetProperty("failed").GetInt64()));
        Assert.Empty(odoo.Problems);
        Assert.All(odoo.WritesPerRecord.Values, n => Assert.Equal(1, n));
        Assert.Equal(5000, odoo.WritesPerRecord.Count);
        await registry.AssertAllAtAsync(2);
        // A complete pass with no failure retires version 1.
        var keyView = await Admin.ResultAsync("key.get", new { name = key });
        Assert.Equal(2, keyView.GetProperty("policy").Int("min_decryption_version"));

        var second = await RunAsync(operatorClient.Rpc, Params(odoo, ["name", "given_name"], key));

        Assert.Equal("succeeded", second.Str("state"));
        Assert.Equal(0L, second.GetProperty("changed").GetInt64());
        Assert.Equal(5000, odoo.Writes);
        // The Odoo password is stored encrypted and never shown or logged.
        Assert.DoesNotContain(odoo.Password, first.ToString());
        Assert.DoesNotContain(odoo.Password, fx.Server.Output);
        Assert.False(first.GetProperty("parameters").GetProperty("odoo").TryGetProperty("password", out _));
    }

    [Fact]
    public async Task An_expired_session_mid_job_logs_in_again_and_the_job_completes()
    {
        using var odoo = new FakeOdoo();
        var key = await NewKeyAsync();
        var registry = new Registry(Admin, odoo, key);
        await registry.SeedFieldsAsync(600, ["name"], (id, _) => $"n{id}");
        await Admin.ResultAsync("key.rotate", new { name = key });
        odoo.Faults = call => call.Method == "execute_kw" && call.Number == 40 ? new OdooFault.ExpireSession() : null;

        var status = await RunAsync(Admin, Params(odoo, ["name"], key, batchSize: 100));

        Assert.Equal("succeeded", status.Str("state"));
        Assert.True(odoo.Logins >= 2, $"expected a second login, saw {odoo.Logins}");
        Assert.All(odoo.WritesPerRecord.Values, n => Assert.Equal(1, n));
        await registry.AssertAllAtAsync(2);
    }

    [Fact]
    public async Task A_timeout_and_a_server_error_are_retried_and_the_job_completes()
    {
        using var odoo = new FakeOdoo();
        var key = await NewKeyAsync();
        var registry = new Registry(Admin, odoo, key);
        await registry.SeedFieldsAsync(400, ["name"], (id, _) => $"n{id}");
        await Admin.ResultAsync("key.rotate", new { name = key });
        var timedOut = 0;
        var failed = 0;
        odoo.Faults = call => (call.Method, call.MethodNumber) switch
        {
            // The job's timeout is 2 s; the second page answers after 3 s, once.
            ("execute_kw", _) when call.WriteId is null && call.Number > 3 && Interlocked.CompareExchange(ref timedOut, 1, 0) == 0 => new OdooFault.Delay(TimeSpan.FromSeconds(3)),
            ("execute_kw", _) when call.WriteId == Registry.Ids(400).ElementAt(150) && Interlocked.CompareExchange(ref failed, 1, 0) == 0 => new OdooFault.HttpStatus(502),
            _ => null,
        };

        var status = await RunAsync(Admin, Params(odoo, ["name"], key, batchSize: 100));

        Assert.Equal("succeeded", status.Str("state"));
        Assert.Equal((1, 1), (timedOut, failed));
        Assert.All(odoo.WritesPerRecord.Values, n => Assert.Equal(1, n));
        Assert.Equal(400, odoo.WritesPerRecord.Count);
        await registry.AssertAllAtAsync(2);
        Assert.Contains("retrying", fx.Server.Output);
    }

    [Fact]
    public async Task An_access_error_fails_the_job_cleanly_and_changes_nothing_more()
    {
        using var odoo = new FakeOdoo();
        var key = await NewKeyAsync();
        var registry = new Registry(Admin, odoo, key);
        await registry.SeedFieldsAsync(300, ["name"], (id, _) => $"n{id}");
        await Admin.ResultAsync("key.rotate", new { name = key });
        odoo.Faults = call => call.WriteId is not null && call.MethodNumber == 1
            ? new OdooFault.Error(200, "odoo.exceptions.AccessError", "You are not allowed to modify 'Contact' (res.partner) records.")
            : null;

        var status = await RunAsync(Admin, Params(odoo, ["name"], key, batchSize: 100));

        Assert.Equal("failed", status.Str("state"));
        Assert.Contains("AccessError", status.Str("error"));
        Assert.Contains("not allowed to modify", status.Str("error"));
        Assert.Equal(0, odoo.Writes);
        Assert.Equal(0L, status.GetProperty("done").GetInt64());
        await registry.AssertAllAtAsync(1);
    }

    [Fact]
    public async Task Records_that_cannot_be_rewrapped_are_listed_with_their_reason_and_the_key_is_not_retired()
    {
        using var odoo = new FakeOdoo();
        var key = await NewKeyAsync();
        var registry = new Registry(Admin, odoo, key);
        await registry.SeedFieldsAsync(250, ["name"], (id, _) => $"n{id}");
        var ids = Registry.Ids(250).ToList();
        // A ciphertext copied from another record (its context names the other id), and a plain value.
        odoo.Records[ids[10]]["name"] = odoo.Records[ids[11]]["name"];
        odoo.Records[ids[20]]["name"] = "Amina (never encrypted)";
        await Admin.ResultAsync("key.rotate", new { name = key });

        var status = await RunAsync(Admin, Params(odoo, ["name"], key, batchSize: 100, raise: true));

        Assert.Equal("succeeded", status.Str("state"));
        Assert.Equal(2L, status.GetProperty("failed").GetInt64());
        var failures = status.GetProperty("failures").EnumerateArray().ToDictionary(f => f.GetProperty("id").GetInt64(), f => f.Str("reason"));
        Assert.Contains("context_mismatch", failures[ids[10]]);
        Assert.Contains("ciphertext_malformed", failures[ids[20]]);
        Assert.Equal(248, odoo.Writes);
        var keyView = await Admin.ResultAsync("key.get", new { name = key });
        Assert.Equal(1, keyView.GetProperty("policy").Int("min_decryption_version"));
    }

    [Fact]
    public async Task The_blob_shape_is_rewrapped_in_place_and_keeps_its_stored_form()
    {
        using var odoo = new FakeOdoo();
        var key = await NewKeyAsync();
        var registry = new Registry(Admin, odoo, key);
        // Half the rows hold the raw ciphertext bytes, half the base64 of its text form.
        await registry.SeedBlobsAsync(400, "encrypted_val", id => id % 2 == 0);
        var before = odoo.Records.ToDictionary(kv => kv.Key, kv => Convert.FromBase64String(kv.Value["encrypted_val"]!).AsSpan().StartsWith("kb:"u8));
        await Admin.ResultAsync("key.rotate", new { name = key });
        ExpectWritesAt(odoo, key, 2);

        var status = await RunAsync(Admin, new Dictionary<string, object?>
        {
            ["odoo"] = new { url = odoo.Url, db = FakeOdoo.Database, login = FakeOdoo.Login, password = odoo.Password },
            ["model"] = odoo.Model,
            ["storage"] = "blob",
            ["key"] = key,
        });

        Assert.Equal("succeeded", status.Str("state"));
        Assert.Equal(400L, status.GetProperty("changed").GetInt64());
        Assert.Empty(odoo.Problems);
        await registry.AssertAllAtAsync(2);
        Assert.All(odoo.Records, kv =>
            Assert.Equal(before[kv.Key], Convert.FromBase64String(kv.Value["encrypted_val"]!).AsSpan().StartsWith("kb:"u8)));
        Assert.All(odoo.Records.Values, r => Assert.Equal("encrypted", r["name"]));
    }

    [Fact]
    public async Task Ciphertexts_made_without_context_are_rewrapped_with_context_none()
    {
        using var odoo = new FakeOdoo();
        var key = await NewKeyAsync();
        var registry = new Registry(Admin, odoo, key, context: "none");
        await registry.SeedFieldsAsync(150, ["name"], (id, _) => $"n{id}");
        await Admin.ResultAsync("key.rotate", new { name = key });

        var status = await RunAsync(Admin, Params(odoo, ["name"], key, context: "none"));

        Assert.Equal(("succeeded", 0L), (status.Str("state"), status.GetProperty("failed").GetInt64()));
        await registry.AssertAllAtAsync(2);
    }

    [Fact]
    public async Task Cancel_stops_the_job_after_its_current_page()
    {
        using var odoo = new FakeOdoo();
        var key = await NewKeyAsync();
        var registry = new Registry(Admin, odoo, key);
        await registry.SeedFieldsAsync(1000, ["name"], (id, _) => $"n{id}");
        await Admin.ResultAsync("key.rotate", new { name = key });
        var started = await Admin.ResultAsync("job.start_reencryption", Params(odoo, ["name"], key, batchSize: 20, rps: 100));
        var id = started.Str("id");
        await JobTesting.EventuallyAsync(async () => (await Admin.ResultAsync("job.status", new { id })).GetProperty("done").GetInt64() >= 20, "a first page");

        var cancelled = await Admin.ResultAsync("job.cancel", new { id });
        var status = await Admin.WaitForJobAsync(id);

        Assert.True(cancelled.GetProperty("cancel_requested").GetBoolean());
        Assert.Equal("cancelled", status.Str("state"));
        var done = status.GetProperty("done").GetInt64();
        Assert.InRange(done, 20, 980);
        Assert.Equal(0, done % 20);
        Assert.Equal(done, odoo.Writes);
    }

    [Fact]
    public async Task Job_methods_check_parameters_and_roles()
    {
        using var odoo = new FakeOdoo();
        var encrypter = await fx.NewClientAsync("encrypter");
        var operatorClient = await fx.NewClientAsync("job-operator");
        var good = Params(odoo, ["name"]);

        Assert.Equal("forbidden", (await encrypter.Rpc.ErrorAsync("job.list")).ErrorName());
        Assert.Equal("forbidden", (await encrypter.Rpc.ErrorAsync("job.start_reencryption", good)).ErrorName());
        Assert.Equal("forbidden", (await operatorClient.Rpc.ErrorAsync("job.start_kek_rotation")).ErrorName());
        Assert.Equal("job_not_found", (await operatorClient.Rpc.ErrorAsync("job.status", new { id = "job-0000000000000000" })).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("job.start_reencryption", new Dictionary<string, object?>
        {
            ["odoo"] = new { url = "ftp://odoo", db = "d", login = "l", password = "p" }, ["model"] = "res.partner", ["fields"] = new[] { "name" },
        })).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("job.start_reencryption", new Dictionary<string, object?>
        {
            ["odoo"] = new { url = "https://u:p@odoo", db = "d", login = "l", password = "p" }, ["model"] = "res.partner", ["fields"] = new[] { "name" },
        })).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("job.start_reencryption", Params(odoo, ["name", "name"]))).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("job.start_reencryption", Params(odoo, ["name"], batchSize: 0))).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("job.start_reencryption", Params(odoo, ["name"], raise: true))).ErrorName());
        Assert.Equal("key_not_found", (await Admin.ErrorAsync("job.start_reencryption", Params(odoo, ["name"], key: "no-such-key"))).ErrorName());
        Assert.Equal("forbidden", (await Admin.ErrorAsync("job.start_reencryption", Params(odoo, ["name"], key: "keybridge.jobs"))).ErrorName());
    }

    [Fact]
    public async Task Wrong_odoo_credentials_fail_the_job_with_a_clear_reason()
    {
        using var odoo = new FakeOdoo();
        var parameters = new Dictionary<string, object?>
        {
            ["odoo"] = new { url = odoo.Url, db = FakeOdoo.Database, login = FakeOdoo.Login, password = "wrong" },
            ["model"] = odoo.Model,
            ["fields"] = new[] { "name" },
        };

        var status = await RunAsync(Admin, parameters);

        Assert.Equal("failed", status.Str("state"));
        Assert.Contains("refused the login", status.Str("error"));
    }
}
