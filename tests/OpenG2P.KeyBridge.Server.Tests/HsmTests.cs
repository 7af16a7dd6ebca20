using System.Text.Json;
using Microsoft.Data.Sqlite;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>The KEK in a real SoftHSM2 token.</summary>
public sealed class HsmTests
{
    private static async Task<(SoftHsm Hsm, KeyBridgeProcess Server, RpcClient Admin)> StartAsync(
        int poolSize = 4, Dictionary<string, string?>? extra = null, string? data = null)
    {
        var hsm = await SoftHsm.CreateAsync();
        var settings = hsm.Settings(poolSize);
        settings["Bootstrap:AdminSecret"] = "hsm-admin";
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }
        var server = await KeyBridgeProcess.StartAsync(settings, data);
        return (hsm, server, await RpcClient.LoginAsync(server.BaseAddress, "admin", "hsm-admin"));
    }

    [Fact]
    public async Task The_kek_is_a_non_extractable_token_key_and_the_database_holds_only_token_wrapped_material()
    {
        var (hsm, server, admin) = await StartAsync();
        using var _ = hsm;
        using var __ = admin;
        string ciphertext;
        await using (server)
        {
            ciphertext = (await admin.ResultAsync("encrypt_data", new { text = "kept by the token" })).Str("ciphertext");
            Assert.Equal("kept by the token", (await admin.ResultAsync("decrypt_data", new { ciphertext })).Str("text"));

            var objects = await hsm.ListObjectsAsync();
            var kek = objects.Split("Secret Key Object").Skip(1).Single(o => o.Contains("label:      keybridge-kek", StringComparison.Ordinal));
            Assert.Contains("AES length 32", kek);
            Assert.Contains("never extractable", kek);
            Assert.Contains("sensitive", kek);

            await using var db = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "keybridge.db")};Mode=ReadOnly");
            await db.OpenAsync();
            await using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT kek_id, wrapped_material FROM key_versions WHERE wrapped_material IS NOT NULL";
            await using var reader = await cmd.ExecuteReaderAsync();
            var rows = 0;
            while (await reader.ReadAsync())
            {
                rows++;
                Assert.StartsWith("pkcs11:", reader.GetString(0));
                Assert.Equal(0x02, ((byte[])reader[1])[0]);
            }
            Assert.True(rows >= 3);
        }

        // The same database with another token (another KEK) cannot use any key: nothing decrypts without the original token.
        using var other = await SoftHsm.CreateAsync();
        var settings = other.Settings();
        settings["Bootstrap:AdminSecret"] = "hsm-admin";
        await using var stranger = await KeyBridgeProcess.StartAsync(settings, server.DataDirectory);
        using var http = new HttpClient { BaseAddress = stranger.BaseAddress };
        using var token = await http.PostAsync("oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "admin", ["client_secret"] = "hsm-admin",
        }));
        Assert.Equal(503, (int)token.StatusCode);
        var body = await token.Content.ReadAsStringAsync();
        Assert.True(body.Contains("key_material_corrupt"), body + "\n" + stranger.Output);
    }

    [Fact]
    public async Task Thousands_of_parallel_operations_stay_within_the_session_pool()
    {
        // A tiny key cache forces a KEK unwrap in the token on most calls.
        var (hsm, server, admin) = await StartAsync(poolSize: 3, new() { ["Cache:MaxKeyVersions"] = "2" });
        using var token = hsm;
        await using var process = server;
        using var client = admin;
        var keys = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var name = ServerFixture.UniqueName("hsm");
            await admin.ResultAsync("key.create", new { name, type = "aes-256-gcm" });
            keys.Add(name);
        }
        var signing = ServerFixture.UniqueName("hsmsig");
        await admin.ResultAsync("key.create", new { name = signing, type = "ecdsa-p256", hsm_resident = true });
        using var gate = new SemaphoreSlim(48);
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, 2000).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                // Every fourth call signs inside the token (C_Sign); the others unwrap key versions there.
                var r = i % 4 == 0
                    ? await admin.CallAsync("jwt_sign", new { key = signing, payload = new { i } })
                    : await admin.CallAsync("encrypt_data", new { key = keys[i % keys.Count], text = "x" });
                if (r.TryGetProperty("error", out _))
                {
                    Interlocked.Increment(ref failures);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        Assert.Equal(0, failures);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var metrics = await http.GetStringAsync("metrics");
        var max = Gauge(metrics, "keybridge_hsm_sessions_max_open");
        Assert.InRange(max, 1, 3);
        Assert.InRange(Gauge(metrics, "keybridge_hsm_sessions_open"), 1, 3);
        Assert.True(Gauge(metrics, "keybridge_key_cache_misses_total") > 100, "the test must exercise the token, not the cache");
    }

    private static double Gauge(string metrics, string name) =>
        double.Parse(metrics.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..],
            System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_token_that_disappears_gives_hsm_unavailable_and_the_service_recovers_when_it_returns()
    {
        var (hsm, server, admin) = await StartAsync(extra: new() { ["Cache:MaxKeyVersions"] = "1" });
        using var _ = hsm;
        await using var __ = server;
        using var ___ = admin;
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var before = (await admin.ResultAsync("encrypt_data", new { text = "before" })).Str("ciphertext");

        hsm.Remove();
        var lost = ServerFixture.UniqueName("lost");
        Assert.Equal("hsm_unavailable", (await admin.ErrorAsync("key.create", new { name = lost, type = "aes-256-gcm" })).ErrorName());
        await Task.Delay(1100);
        Assert.Equal(503, (int)(await http.GetAsync("health/ready")).StatusCode);

        hsm.Restore();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((int)(await http.GetAsync("health/ready")).StatusCode != 200 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }
        Assert.Equal(200, (int)(await http.GetAsync("health/ready")).StatusCode);
        Assert.Equal("before", (await admin.ResultAsync("decrypt_data", new { ciphertext = before })).Str("text"));
        // The key whose creation failed in the token left no row behind.
        Assert.Equal("key_not_found", (await admin.ErrorAsync("key.get", new { name = lost })).ErrorName());
    }

    [Theory]
    [InlineData("pin")]
    [InlineData("library")]
    [InlineData("token")]
    public async Task Bad_hsm_configuration_stops_start_up_with_a_clear_error(string what)
    {
        using var hsm = await SoftHsm.CreateAsync();
        var settings = hsm.Settings();
        var expected = what switch
        {
            "pin" => "CKR_PIN_INCORRECT",
            "library" => "cannot be loaded",
            _ => "no PKCS#11 token labelled",
        };
        switch (what)
        {
            case "pin": settings["Kek:Pkcs11:Pin"] = "0000"; break;
            case "library": settings["Kek:Pkcs11:Library"] = "/nonexistent/libpkcs11.so"; break;
            default: settings["Kek:Pkcs11:TokenLabel"] = "no-such-token"; break;
        }
        await using var server = await KeyBridgeProcess.StartAsync(settings, waitReady: false);
        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("KeyBridge could not start: hsm_unavailable", server.Output);
        Assert.Contains(expected, server.Output);
        Assert.DoesNotContain(hsm.Pin, server.Output);
        Assert.DoesNotContain("   at ", server.Output);
    }

    [Fact]
    public async Task Moving_from_the_software_kek_to_the_token_resumes_after_an_interruption()
    {
        var data = Path.Combine(Path.GetTempPath(), "kb-migrate-" + Guid.NewGuid().ToString("N"));
        var ciphertexts = new List<string>();
        await using (var soft = await KeyBridgeProcess.StartAsync(new Dictionary<string, string?> { ["Bootstrap:AdminSecret"] = "hsm-admin" }, data))
        {
            using var admin = await RpcClient.LoginAsync(soft.BaseAddress, "admin", "hsm-admin");
            var key = ServerFixture.UniqueName("mig");
            await admin.ResultAsync("key.create", new { name = key, type = "aes-256-gcm" });
            for (var i = 0; i < 299; i++)
            {
                await admin.ResultAsync("key.rotate", new { name = key });
                if (i % 50 == 0)
                {
                    ciphertexts.Add((await admin.ResultAsync("encrypt_data", new { key, text = $"v{i}" })).Str("ciphertext"));
                }
            }
        }

        using var hsm = await SoftHsm.CreateAsync();
        var settings = hsm.Settings();
        settings["Bootstrap:AdminSecret"] = "hsm-admin";
        settings["Jobs:KekRotationRecordsPerSecond"] = "100";
        settings["Jobs:LeaseSeconds"] = "3";
        settings["Jobs:RecoverySeconds"] = "1";
        string jobId;
        await using (var first = await KeyBridgeProcess.StartAsync(settings, data))
        {
            using var admin = await RpcClient.LoginAsync(first.BaseAddress, "admin", "hsm-admin");
            jobId = (await admin.ResultAsync("job.start_kek_rotation")).Str("id");
            while ((await admin.ResultAsync("job.status", new { id = jobId })).GetProperty("done").GetInt64() < 100)
            {
                await Task.Delay(100);
            }
            first.Kill(); // interrupted mid-way
        }
        await using (var second = await KeyBridgeProcess.StartAsync(settings, data))
        {
            using var admin = await RpcClient.LoginAsync(second.BaseAddress, "admin", "hsm-admin");
            JsonElement status;
            var deadline = DateTime.UtcNow.AddSeconds(90);
            do
            {
                await Task.Delay(500);
                status = await admin.ResultAsync("job.status", new { id = jobId });
            }
            while (status.Str("state") != "succeeded" && DateTime.UtcNow < deadline);
            Assert.Equal("succeeded", status.Str("state"));
            Assert.Equal(0, status.GetProperty("failed").GetInt64());
        }
        // The software KEK is gone for good; everything now unwraps with the token alone.
        File.Delete(Path.Combine(data, "kek.key"));
        await using var final = await KeyBridgeProcess.StartAsync(settings, data);
        using var last = await RpcClient.LoginAsync(final.BaseAddress, "admin", "hsm-admin");
        for (var i = 0; i < ciphertexts.Count; i++)
        {
            Assert.Equal($"v{i * 50}", (await last.ResultAsync("decrypt_data", new { ciphertext = ciphertexts[i] })).Str("text"));
        }
    }
}
