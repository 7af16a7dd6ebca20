using System.Text.Json;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

public sealed class LimitedServerFixture : SqliteServerFixture
{
    protected override Task<Dictionary<string, string?>> SettingsAsync() => Task.FromResult(new Dictionary<string, string?>
    {
        ["Limits:RequestsPerSecondPerClient"] = "5",
        ["Limits:BurstPerClient"] = "5",
        ["Anomaly:DecryptionsPerMinute"] = "10",
        ["Anomaly:SuspendClient"] = "true",
        ["Logging:Console:FormatterName"] = "json",
        ["Logging:Console:FormatterOptions:IncludeScopes"] = "true",
    });
}

public sealed class LimitsAndMonitoringTests(LimitedServerFixture fx) : IClassFixture<LimitedServerFixture>
{
    [Fact]
    public async Task Rate_limit_answers_rate_limited()
    {
        using var client = await fx.Admin.CreateClientAsync(["encrypter"]);
        var statuses = new List<(int, JsonElement?)>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add(await client.PostRawAsync("""{"jsonrpc":"2.0","id":1,"method":"random_bytes"}"""));
        }
        var limited = statuses.Where(s => s.Item1 == 429).ToList();
        Assert.NotEmpty(limited);
        Assert.Equal("rate_limited", limited[0].Item2!.Value.GetProperty("error").ErrorName());
        Assert.Contains(statuses, s => s.Item1 == 200);
    }

    [Fact]
    public async Task Decryption_rate_anomaly_alerts_audits_and_suspends()
    {
        using var client = await fx.Admin.CreateClientAsync(["encrypter", "decrypter"]);
        var ct = (await client.ResultAsync("encrypt_data", new { text = "x" })).Str("ciphertext");
        await client.ResultAsync("decrypt_data", new { items = Enumerable.Repeat(new { ciphertext = ct }, 4).ToArray() });
        await Task.Delay(1100); // stay within the rate limit of this fixture
        await client.ResultAsync("decrypt_data", new { items = Enumerable.Repeat(new { ciphertext = ct }, 8).ToArray() });
        await Task.Delay(1100);

        var (status, _) = await client.PostRawAsync("""{"jsonrpc":"2.0","id":1,"method":"random_bytes"}""");
        Assert.Equal(401, status);
        var alerts = await fx.Admin.ResultAsync("audit.query", new { client_id = client.ClientId, method = "anomaly.decrypt_rate" });
        Assert.Equal(1, alerts.GetProperty("records").GetArrayLength());
        Assert.Equal("alert", alerts.GetProperty("records")[0].Str("outcome"));
        Assert.Contains(client.ClientId, fx.Server.Output);
        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };
        Assert.Contains("keybridge_anomalies_total{kind=\"client\"} 1", await http.GetStringAsync("metrics"));
        var view = await fx.Admin.ResultAsync("client.update", new { client_id = client.ClientId, disabled = false });
        Assert.False(view.GetProperty("disabled").GetBoolean());
    }

    [Fact]
    public async Task Metrics_pass_promtool_and_count_calls()
    {
        await fx.Admin.ResultAsync("encrypt_data", new { text = "plaintext-7f3a" });
        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };
        var text = await http.GetStringAsync("metrics");
        Assert.Contains("keybridge_rpc_requests_total{method=\"encrypt_data\",outcome=\"ok\"}", text);
        Assert.Contains("keybridge_key_operations_total{key=\"default-encryption\",method=\"encrypt_data\",outcome=\"ok\"}", text);
        Assert.Contains("keybridge_audit_write_duration_seconds_bucket", text);
        Assert.Contains("keybridge_key_cache_hits_total", text);
        Assert.Contains("keybridge_rpc_duration_seconds_bucket{method=\"encrypt_data\",le=\"0.005\"}", text);
        Assert.DoesNotContain("plaintext-7f3a", text);

        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, text);
        var (code, stdout, stderr) = await Repo.RunAsync("/bin/sh", "-c", $"promtool check metrics < {file}");
        Assert.True(code == 0, $"promtool: {stdout} {stderr}");
    }

    [Fact]
    public async Task Json_logs_carry_the_request_id_of_the_audit_record()
    {
        var rid = "log-" + Guid.NewGuid().ToString("N")[..12];
        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = "ghost", ["client_secret"] = "wrong-secret-value",
            }),
        };
        request.Headers.Add("X-Request-Id", rid);
        using var response = await http.SendAsync(request);
        Assert.Equal(401, (int)response.StatusCode);
        await Task.Delay(300);
        var line = fx.Server.Output.Split('\n').FirstOrDefault(l => l.Contains(rid, StringComparison.Ordinal) && l.TrimStart().StartsWith('{'));
        Assert.True(line is not null, "no JSON log line carries the request id:\n" + fx.Server.Output[^Math.Min(3000, fx.Server.Output.Length)..]);
        using var doc = JsonDocument.Parse(line!);
        Assert.Equal("Warning", doc.RootElement.Str("LogLevel"));
        Assert.DoesNotContain("wrong-secret-value", fx.Server.Output);
        var audit = await fx.Admin.ResultAsync("audit.query", new { request_id = rid });
        Assert.Equal("oauth.token", audit.GetProperty("records")[0].Str("method"));
    }
}
