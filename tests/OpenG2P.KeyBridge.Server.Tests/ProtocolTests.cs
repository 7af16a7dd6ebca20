using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>JSON-RPC 2.0 compliance and bad input: every case gets its documented error, never an HTTP 500.</summary>
public sealed class ProtocolTests(SqliteServerFixture fx) : IClassFixture<SqliteServerFixture>
{
    private async Task<JsonElement> PostAsync(string body, int expectedStatus = 200)
    {
        var (status, response) = await fx.Admin.PostRawAsync(body);
        Assert.Equal(expectedStatus, status);
        Assert.NotNull(response);
        return response!.Value;
    }

    private static string ErrorName(JsonElement response) => response.GetProperty("error").ErrorName();

    [Fact]
    public async Task Malformed_json_is_a_parse_error()
    {
        var r = await PostAsync("{\"jsonrpc\":\"2.0\",\"method\":\"encrypt_data\",\"params\":{\"text\":\"x\"}");
        Assert.Equal(-32700, r.GetProperty("error").Int("code"));
        Assert.Equal("parse_error", ErrorName(r));
        Assert.Equal(JsonValueKind.Null, r.GetProperty("id").ValueKind);
        Assert.Equal("parse_error", ErrorName(await PostAsync("[{\"jsonrpc\":\"2.0\",\"method\":\"x\"}, 1")));
        Assert.Equal("parse_error", ErrorName(await PostAsync("{} {}")));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("\"text\"")]
    [InlineData("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"random_bytes\"}")]
    [InlineData("{\"id\":1,\"method\":\"random_bytes\"}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"random_bytes\",\"params\":\"bar\"}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"random_bytes\"}")]
    public async Task A_non_request_is_an_invalid_request(string body)
    {
        var r = await PostAsync(body);
        Assert.Equal(-32600, r.GetProperty("error").Int("code"));
        Assert.Equal("invalid_request", ErrorName(r));
    }

    [Fact]
    public async Task Empty_batch_is_one_invalid_request()
    {
        var r = await PostAsync("[]");
        Assert.Equal(JsonValueKind.Object, r.ValueKind);
        Assert.Equal("invalid_request", ErrorName(r));
    }

    [Fact]
    public async Task Unknown_method_is_method_not_found_with_the_id()
    {
        var r = await PostAsync("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"encrypt\"}");
        Assert.Equal(-32601, r.GetProperty("error").Int("code"));
        Assert.Equal("method_not_found", ErrorName(r));
        Assert.Equal("abc", r.GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"encrypt_data\",\"params\":[\"x\"]}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"encrypt_data\",\"params\":{\"text\":42}}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"encrypt_data\",\"params\":{\"txet\":\"x\"}}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"random_bytes\",\"params\":{\"length\":\"ten\"}}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"encrypt_data\",\"params\":{\"items\":{}}}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"encrypt_data\",\"params\":{\"text\":\"x\",\"data\":\"eA\"}}")]
    public async Task Wrong_params_are_invalid_params(string body)
    {
        var r = await PostAsync(body);
        Assert.Equal(-32602, r.GetProperty("error").Int("code"));
        Assert.Equal("invalid_params", ErrorName(r));
        Assert.DoesNotContain("System.", r.GetProperty("error").Str("message"));
        Assert.DoesNotContain(" at ", r.GetProperty("error").Str("message"));
    }

    [Fact]
    public async Task Notifications_get_no_response_but_run()
    {
        var (status, body) = await fx.Admin.PostRawAsync("{\"jsonrpc\":\"2.0\",\"method\":\"key.create\",\"params\":{\"name\":\"notified-key-1\",\"type\":\"aes-256-gcm\"}}");
        Assert.Equal(204, status);
        Assert.Null(body);
        Assert.Equal(1, (await fx.Admin.ResultAsync("key.get", new { name = "notified-key-1" })).Int("latest_version"));
        var (status2, body2) = await fx.Admin.PostRawAsync("[{\"jsonrpc\":\"2.0\",\"method\":\"random_bytes\"},{\"jsonrpc\":\"2.0\",\"method\":\"no_such\"}]");
        Assert.Equal(204, status2);
        Assert.Null(body2);
    }

    [Fact]
    public async Task Batch_answers_each_request_and_skips_notifications()
    {
        var r = await PostAsync("""
            [
              {"jsonrpc":"2.0","id":1,"method":"random_bytes","params":{"length":8}},
              {"jsonrpc":"2.0","method":"random_bytes"},
              {"jsonrpc":"2.0","id":"two","method":"nope"},
              {"foo":"boo"},
              {"jsonrpc":"2.0","id":3,"method":"encrypt_data","params":{"text":"x"}},
              {"jsonrpc":"2.0","id":3,"method":"random_bytes","params":{"length":2}}
            ]
            """);
        var items = r.EnumerateArray().ToArray();
        Assert.Equal(5, items.Length);
        Assert.Equal(1, items[0].Int("id"));
        Assert.True(items[0].TryGetProperty("result", out _));
        Assert.Equal("method_not_found", ErrorName(items[1]));
        Assert.Equal("invalid_request", ErrorName(items[2]));
        Assert.Equal(JsonValueKind.Null, items[2].GetProperty("id").ValueKind);
        Assert.StartsWith("kb:", items[3].GetProperty("result").Str("ciphertext"));
        Assert.Equal(3, items[4].Int("id"));
    }

    [Fact]
    public async Task Too_many_requests_in_a_batch_is_batch_too_large()
    {
        var one = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"random_bytes\",\"params\":{\"length\":1}}";
        var r = await PostAsync("[" + string.Join(",", Enumerable.Repeat(one, 10_001)) + "]");
        Assert.Equal("batch_too_large", ErrorName(r));
        var items = Enumerable.Repeat(new { text = "x" }, 10_001).ToArray();
        Assert.Equal("batch_too_large", (await fx.Admin.ErrorAsync("encrypt_data", new { items })).ErrorName());
    }

    [Fact]
    public async Task Oversized_body_is_payload_too_large()
    {
        var huge = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"encrypt_data\",\"params\":{\"text\":\"" + new string('a', 17 * 1024 * 1024) + "\"}}";
        var r = await PostAsync(huge, expectedStatus: 413);
        Assert.Equal("payload_too_large", ErrorName(r));
    }

    [Fact]
    public async Task Invalid_base64_is_invalid_base64()
    {
        Assert.Equal("invalid_base64", (await fx.Admin.ErrorAsync("encrypt_data", new { data = "not base64!" })).ErrorName());
        Assert.Equal("invalid_base64", (await fx.Admin.ErrorAsync("encrypt_data", new { data = "YQ===" })).ErrorName());
        Assert.Equal(3004, (await fx.Admin.ErrorAsync("encrypt_data", new { data = "@@" })).Int("code"));
    }

    [Fact]
    public async Task Damaged_ciphertexts_are_rejected_by_name()
    {
        var ct = (await fx.Admin.ResultAsync("encrypt_data", new { text = "registrant name" })).Str("ciphertext");
        var body = ct["kb:".Length..];
        var bytes = Convert.FromBase64String(KeyModelContractTests.Pad(body));
        string Enc(byte[] b) => "kb:" + Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        // Structural damage is ciphertext_malformed; damage GCM alone can detect (a changed body or
        // length) is context_mismatch, the name for "does not authenticate".
        var cases = new (string What, string Value, string Expected)[]
        {
            ("truncated by one byte", Enc(bytes[..^1]), "context_mismatch"),
            ("truncated into the header", Enc(bytes[..10]), "ciphertext_malformed"),
            ("extended", Enc([.. bytes, 0]), "context_mismatch"),
            ("padded", ct + "=", "ciphertext_malformed"),
            ("standard base64 alphabet", "kb:+" + body[1..], "ciphertext_malformed"),
            ("no prefix", body, "ciphertext_malformed"),
            ("unknown format version", Enc([2, .. bytes[1..]]), "ciphertext_malformed"),
            ("zero-length key name", Enc([1, 0, .. bytes[2..]]), "ciphertext_malformed"),
            ("empty", "", "ciphertext_malformed"),
            ("trailing space", ct + " ", "ciphertext_malformed"),
        };
        foreach (var (what, value, expected) in cases)
        {
            var error = await fx.Admin.ErrorAsync("decrypt_data", new { ciphertext = value });
            Assert.True(error.ErrorName() == expected, $"{what}: {error}");
            Assert.DoesNotContain("registrant", error.ToString());
        }

        var flipped = (byte[])bytes.Clone();
        flipped[^20] ^= 1;
        Assert.Equal("context_mismatch", (await fx.Admin.ErrorAsync("decrypt_data", new { ciphertext = Enc(flipped) })).ErrorName());
        var otherVersion = (byte[])bytes.Clone();
        otherVersion[2 + bytes[1] + 3] = 7;
        Assert.Equal("version_not_found", (await fx.Admin.ErrorAsync("decrypt_data", new { ciphertext = Enc(otherVersion) })).ErrorName());
        var otherKey = (byte[])bytes.Clone();
        otherKey[2] = (byte)'x';
        Assert.Equal("key_not_found", (await fx.Admin.ErrorAsync("decrypt_data", new { ciphertext = Enc(otherKey) })).ErrorName());
    }

    [Fact]
    public async Task Missing_or_bad_token_is_authentication_failed()
    {
        using var anonymous = new RpcClient(fx.Server.BaseAddress, null);
        var (status, body) = await anonymous.PostRawAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"random_bytes\"}");
        Assert.Equal(401, status);
        Assert.Equal("authentication_failed", body!.Value.GetProperty("error").ErrorName());

        var token = fx.Admin.Token!;
        var parts = token.Split('.');
        var forgedPayload = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"iss\":\"keybridge\",\"sub\":\"admin\",\"iat\":1,\"exp\":99999999999}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var noneHeader = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"alg\":\"none\",\"kid\":\"keybridge.token-signing:v1\"}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        foreach (var bad in new[]
                 {
                     "garbage", parts[0] + "." + forgedPayload + "." + parts[2], noneHeader + "." + parts[1] + ".",
                     token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1],
                 })
        {
            using var client = new RpcClient(fx.Server.BaseAddress, bad);
            var (s, b) = await client.PostRawAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"random_bytes\"}");
            Assert.Equal(401, s);
            Assert.Equal("authentication_failed", b!.Value.GetProperty("error").ErrorName());
        }

        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };
        using var req = new HttpRequestMessage(HttpMethod.Post, "jsonrpc") { Content = new StringContent("{}") };
        req.Headers.Authorization = new AuthenticationHeaderValue("Basic", "YWRtaW46eA==");
        using var resp = await http.SendAsync(req);
        Assert.Equal(401, (int)resp.StatusCode);
    }

    [Fact]
    public async Task Rpc_discover_lists_every_method_with_roles()
    {
        var doc = await fx.Admin.ResultAsync("rpc.discover");
        Assert.StartsWith("1.2", doc.Str("openrpc"));
        var names = doc.GetProperty("methods").EnumerateArray().Select(m => m.Str("name")).ToHashSet();
        foreach (var expected in new[]
                 {
                     "encrypt_data", "decrypt_data", "rewrap_data", "generate_data_key", "blind_index", "hmac", "verify_hmac",
                     "random_bytes", "key.create", "key.get", "key.list", "key.rotate", "key.configure", "key.revoke_version",
                     "key.destroy_version", "key.export", "rpc.discover",
                 })
        {
            Assert.Contains(expected, names);
        }
        var encrypt = doc.GetProperty("methods").EnumerateArray().Single(m => m.Str("name") == "encrypt_data");
        Assert.Equal("by-name", encrypt.Str("paramStructure"));
        Assert.Contains("encrypter", encrypt.GetProperty("x-roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains("context", encrypt.GetProperty("params").EnumerateArray().Select(p => p.Str("name")));
    }

    [Fact]
    public async Task Token_endpoint_follows_rfc6749_errors()
    {
        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };
        async Task<(int, JsonElement)> Token(Dictionary<string, string> form)
        {
            using var r = await http.PostAsync("oauth/token", new FormUrlEncodedContent(form));
            return ((int)r.StatusCode, JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone());
        }
        var (s1, b1) = await Token(new() { ["grant_type"] = "password", ["client_id"] = "admin", ["client_secret"] = fx.AdminSecret });
        Assert.Equal((400, "unsupported_grant_type"), (s1, b1.Str("error")));
        var (s2, b2) = await Token(new() { ["grant_type"] = "client_credentials", ["client_id"] = "admin", ["client_secret"] = "wrong" });
        Assert.Equal((401, "invalid_client"), (s2, b2.Str("error")));
        var (s3, b3) = await Token(new() { ["grant_type"] = "client_credentials" });
        Assert.Equal((400, "invalid_request"), (s3, b3.Str("error")));
        var (s4, b4) = await Token(new() { ["grant_type"] = "client_credentials", ["client_id"] = "admin", ["client_secret"] = fx.AdminSecret });
        Assert.Equal(200, s4);
        Assert.Equal("Bearer", b4.Str("token_type"));
        var claims = JsonDocument.Parse(Convert.FromBase64String(KeyModelContractTests.Pad(b4.Str("access_token").Split('.')[1]))).RootElement;
        Assert.True(claims.GetProperty("exp").GetInt64() > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.DoesNotContain(fx.AdminSecret, fx.Server.Output);
    }

    [Fact]
    public async Task Health_endpoints_need_no_token()
    {
        using var http = new HttpClient { BaseAddress = fx.Server.BaseAddress };
        Assert.Equal(200, (int)(await http.GetAsync("health/live")).StatusCode);
        var ready = await http.GetAsync("health/ready");
        Assert.Equal(200, (int)ready.StatusCode);
        Assert.Contains("\"storage\":\"ok\"", await ready.Content.ReadAsStringAsync());
    }
}
