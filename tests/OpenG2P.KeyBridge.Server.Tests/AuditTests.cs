using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

public sealed class AuditTests(SqliteServerFixture fx) : IClassFixture<SqliteServerFixture>
{
    private async Task<JsonElement> RecordFor(string requestId)
    {
        var records = (await fx.Admin.ResultAsync("audit.query", new { request_id = requestId })).GetProperty("records");
        Assert.Equal(1, records.GetArrayLength());
        return records[0];
    }

    [Fact]
    public async Task Calls_are_audited_with_keys_and_versions_but_never_data()
    {
        const string plaintext = "PLAINTEXT-MUST-NOT-LEAK-7731";
        var rid = "t-" + Guid.NewGuid().ToString("N");
        var response = await fx.Admin.CallAsync("encrypt_data", new { text = plaintext, context = new { id = 5 } }, rid);
        var ciphertext = response.GetProperty("result").Str("ciphertext");
        var r = await RecordFor(rid);
        Assert.Equal(("admin", "encrypt_data", "ok"), (r.Str("client_id"), r.Str("method"), r.Str("outcome")));
        Assert.Equal("default-encryption", r.Str("keys"));
        Assert.Equal("default-encryption:1", r.Str("versions"));
        Assert.Equal("127.0.0.1", r.Str("remote_address"));

        var batchRid = "t-" + Guid.NewGuid().ToString("N");
        await fx.Admin.CallAsync("decrypt_data", new { items = new object[] { new { ciphertext, context = new { id = 5 } }, new { ciphertext, context = new { id = 6 } }, new { ciphertext = "kb:x" } } }, batchRid);
        var batch = await RecordFor(batchRid);
        Assert.Equal(3, batch.Int("item_count"));
        Assert.Equal("partial", batch.Str("outcome"));
        Assert.Equal("context_mismatch", batch.Str("error_name"));

        var failRid = "t-" + Guid.NewGuid().ToString("N");
        await fx.Admin.CallAsync("decrypt_data", new { ciphertext, context = new { id = 9 } }, failRid);
        var failed = await RecordFor(failRid);
        Assert.Equal(("error", "context_mismatch"), (failed.Str("outcome"), failed.Str("error_name")));

        using var anonymous = new RpcClient(fx.Server.BaseAddress, "not-a-token");
        var authRid = "t-" + Guid.NewGuid().ToString("N");
        await anonymous.PostRawAsync("""{"jsonrpc":"2.0","id":1,"method":"decrypt_data"}""", authRid);
        var auth = await RecordFor(authRid);
        Assert.Equal(("authenticate", "denied", "authentication_failed"), (auth.Str("method"), auth.Str("outcome"), auth.Str("error_name")));

        var everything = (await fx.Admin.ResultAsync("audit.query", new { limit = 1000 })).ToString();
        Assert.DoesNotContain(plaintext, everything);
        Assert.DoesNotContain(ciphertext[3..20], everything);
        Assert.DoesNotContain(fx.Admin.Token!, everything);
    }

    [Fact]
    public async Task Query_filters_and_pages()
    {
        using var auditor = await fx.Admin.CreateClientAsync(["auditor", "encrypter"]);
        for (var i = 0; i < 5; i++)
        {
            await auditor.ResultAsync("random_bytes", new { length = 4 });
        }
        var page1 = await auditor.ResultAsync("audit.query", new { client_id = auditor.ClientId, method = "random_bytes", limit = 3 });
        Assert.Equal(3, page1.GetProperty("records").GetArrayLength());
        var page2 = await auditor.ResultAsync("audit.query", new { client_id = auditor.ClientId, method = "random_bytes", after_seq = page1.GetProperty("next_after_seq").GetInt64() });
        Assert.Equal(2, page2.GetProperty("records").GetArrayLength());
        var since = await auditor.ResultAsync("audit.query", new { from = DateTimeOffset.UtcNow.AddMinutes(1), client_id = auditor.ClientId });
        Assert.Equal(0, since.GetProperty("records").GetArrayLength());
        Assert.True((await auditor.ResultAsync("audit.verify")).GetProperty("valid").GetBoolean());
    }
}

/// <summary>Each case tampers with the audit table of its own server and expects audit.verify to name the first bad record.</summary>
public sealed class AuditTamperTests
{
    private static async Task<(KeyBridgeProcess Server, RpcClient Admin)> StartWithRecordsAsync()
    {
        var server = await KeyBridgeProcess.StartAsync(new Dictionary<string, string?> { ["Bootstrap:AdminSecret"] = "tamper-admin" });
        var admin = await RpcClient.LoginAsync(server.BaseAddress, "admin", "tamper-admin");
        for (var i = 0; i < 12; i++)
        {
            await admin.ResultAsync("encrypt_data", new { text = $"record {i}" });
        }
        var ok = await admin.ResultAsync("audit.verify");
        Assert.True(ok.GetProperty("valid").GetBoolean(), ok.ToString());
        Assert.True(ok.GetProperty("checked").GetInt64() >= 12);
        return (server, admin);
    }

    private static async Task SqlAsync(KeyBridgeProcess server, string sql)
    {
        await using var db = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "keybridge.db")}");
        await db.OpenAsync();
        await using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA busy_timeout = 5000; " + sql;
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task AssertBrokenAtAsync(RpcClient admin, long seq)
    {
        var result = await admin.ResultAsync("audit.verify");
        Assert.False(result.GetProperty("valid").GetBoolean(), result.ToString());
        Assert.Equal(seq, result.GetProperty("first_bad_seq").GetInt64());
        Assert.False(string.IsNullOrEmpty(result.Str("reason")));
    }

    [Fact]
    public async Task Editing_a_record_is_detected()
    {
        var (server, admin) = await StartWithRecordsAsync();
        await using var _ = server;
        using var __ = admin;
        await SqlAsync(server, "UPDATE audit_log SET outcome = 'error' WHERE seq = 5");
        await AssertBrokenAtAsync(admin, 5);
    }

    [Fact]
    public async Task Deleting_a_record_is_detected()
    {
        var (server, admin) = await StartWithRecordsAsync();
        await using var _ = server;
        using var __ = admin;
        await SqlAsync(server, "DELETE FROM audit_log WHERE seq = 4");
        await AssertBrokenAtAsync(admin, 4);
    }

    [Fact]
    public async Task Inserting_a_record_is_detected()
    {
        var (server, admin) = await StartWithRecordsAsync();
        await using var _ = server;
        using var __ = admin;
        // Make room at seq 6 and copy record 5 there, as a forger would.
        await SqlAsync(server, """
            UPDATE audit_log SET seq = -seq WHERE seq >= 6;
            UPDATE audit_log SET seq = -seq + 1 WHERE seq < 0;
            INSERT INTO audit_log (seq, time, client_id, method, keys, versions, outcome, error_name, request_id, remote_address, item_count, prev_hash, hash, chain_key_version)
              SELECT 6, time, client_id, method, keys, versions, outcome, error_name, request_id, remote_address, item_count, hash, hash, chain_key_version FROM audit_log WHERE seq = 5;
            UPDATE audit_head SET seq = seq + 1;
            """);
        await AssertBrokenAtAsync(admin, 6);
    }

    [Fact]
    public async Task Reordering_records_is_detected()
    {
        var (server, admin) = await StartWithRecordsAsync();
        await using var _ = server;
        using var __ = admin;
        await SqlAsync(server, "UPDATE audit_log SET seq = -1 WHERE seq = 7; UPDATE audit_log SET seq = 7 WHERE seq = 8; UPDATE audit_log SET seq = 8 WHERE seq = -1;");
        await AssertBrokenAtAsync(admin, 7);
    }

    [Fact]
    public async Task Removing_the_newest_records_is_detected()
    {
        var (server, admin) = await StartWithRecordsAsync();
        await using var _ = server;
        using var __ = admin;
        // verify itself is audited: capture the head, stop writes by reading, then cut the tail.
        await SqlAsync(server, "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)");
        var result = await admin.ResultAsync("audit.verify");
        Assert.False(result.GetProperty("valid").GetBoolean(), result.ToString());
        Assert.Contains("removed from the end", result.Str("reason"));
    }
}

/// <summary>A response the client received always has a durable audit record, even if the server is killed right after.</summary>
public sealed class AuditDurabilityTests
{
    [Fact]
    public async Task Sigkill_during_a_burst_loses_no_record_of_an_answered_call()
    {
        var data = Path.Combine(Path.GetTempPath(), "kb-kill-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["Bootstrap:AdminSecret"] = "kill-admin" };
        var answered = new ConcurrentBag<string>();
        await using (var server = await KeyBridgeProcess.StartAsync(settings, data))
        {
            using var admin = await RpcClient.LoginAsync(server.BaseAddress, "admin", "kill-admin");
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < 2000 && !stop.IsCancellationRequested; i++)
                {
                    var rid = $"kill-{w}-{i}";
                    try
                    {
                        var (status, body) = await admin.PostRawAsync("""{"jsonrpc":"2.0","id":1,"method":"encrypt_data","params":{"text":"burst"}}""", rid);
                        if (status == 200 && body!.Value.TryGetProperty("result", out _))
                        {
                            answered.Add(rid);
                        }
                    }
                    catch (Exception) when (stop.IsCancellationRequested || server.HasExited)
                    {
                        return;
                    }
                    catch (HttpRequestException)
                    {
                        return;
                    }
                }
            })).ToArray();
            while (answered.Count < 400)
            {
                await Task.Delay(10);
            }
            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(workers.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        }

        await using var restarted = await KeyBridgeProcess.StartAsync(settings, data);
        using var again = await RpcClient.LoginAsync(restarted.BaseAddress, "admin", "kill-admin");
        var audited = new HashSet<string>();
        long after = 0;
        while (true)
        {
            var page = await again.ResultAsync("audit.query", new { method = "encrypt_data", after_seq = after, limit = 1000 });
            foreach (var r in page.GetProperty("records").EnumerateArray())
            {
                audited.Add(r.Str("request_id"));
            }
            if (!page.TryGetProperty("next_after_seq", out var next))
            {
                break;
            }
            after = next.GetInt64();
        }
        var missing = answered.Where(id => !audited.Contains(id)).ToList();
        Assert.True(answered.Count >= 400);
        Assert.True(missing.Count == 0, $"{missing.Count} answered calls have no audit record, e.g. {string.Join(", ", missing.Take(5))}");
        Assert.True((await again.ResultAsync("audit.verify")).GetProperty("valid").GetBoolean());
    }
}

public sealed class AuditExportTests(SqliteServerFixture fx) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task Export_streams_json_lines_for_auditors_only()
    {
        await fx.Admin.ResultAsync("random_bytes");
        using var auditor = await fx.Admin.CreateClientAsync(["auditor"]);
        using var encrypter = await fx.Admin.CreateClientAsync(["encrypter"]);
        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };
        async Task<(int, string)> Get(string? token)
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, "audit/export?after_seq=0&limit=5");
            if (token is not null)
            {
                req.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            }
            using var resp = await http.SendAsync(req);
            return ((int)resp.StatusCode, await resp.Content.ReadAsStringAsync());
        }
        Assert.Equal(401, (await Get(null)).Item1);
        Assert.Equal(403, (await Get(encrypter.Token)).Item1);
        var (status, body) = await Get(auditor.Token);
        Assert.Equal(200, status);
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        var seqs = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, 5).Select(i => (long)i), seqs);
    }
}
