using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenG2P.KeyBridge.Server.Tests.Infrastructure;

/// <summary>A small JSON-RPC client over real HTTP, as an integrator would write one.</summary>
public sealed class RpcClient(Uri baseAddress, string? token) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    private int _id;

    public string? Token { get; } = token;

    public Uri BaseAddress => _http.BaseAddress!;

    public static async Task<RpcClient> LoginAsync(Uri baseAddress, string clientId, string secret)
    {
        using var http = new HttpClient { BaseAddress = baseAddress };
        using var response = await http.PostAsync("oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"token request failed: {(int)response.StatusCode} {body}");
        var token = JsonNode.Parse(body)!["access_token"]!.GetValue<string>();
        return new RpcClient(baseAddress, token);
    }

    /// <summary>Sends a raw body and returns the status and the parsed response (null when empty).</summary>
    public async Task<(int Status, JsonElement? Body)> PostRawAsync(string body, string? requestId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "jsonrpc") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (requestId is not null)
        {
            request.Headers.Add("X-Request-Id", requestId);
        }
        if (Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode < 500 || (int)response.StatusCode == 503, $"HTTP {(int)response.StatusCode}: {text}");
        return ((int)response.StatusCode, string.IsNullOrEmpty(text) ? null : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Calls a method; returns the whole response object.</summary>
    public async Task<JsonElement> CallAsync(string method, object? parameters = null, string? requestId = null)
    {
        var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = Interlocked.Increment(ref _id), ["method"] = method };
        if (parameters is not null)
        {
            request["params"] = JsonSerializer.SerializeToNode(parameters);
        }
        var (status, body) = await PostRawAsync(request.ToJsonString(), requestId);
        Assert.True(body is not null, $"HTTP {status} with an empty body");
        return body!.Value;
    }

    /// <summary>Calls a method and returns its result, failing the test on an error.</summary>
    public async Task<JsonElement> ResultAsync(string method, object? parameters = null)
    {
        var response = await CallAsync(method, parameters);
        Assert.False(response.TryGetProperty("error", out var error), $"{method} failed: {error}");
        return response.GetProperty("result");
    }

    /// <summary>Calls a method that must fail and returns <c>error</c> (code, message, data.name).</summary>
    public async Task<JsonElement> ErrorAsync(string method, object? parameters = null)
    {
        var response = await CallAsync(method, parameters);
        Assert.True(response.TryGetProperty("error", out var error), $"{method} unexpectedly succeeded: {response}");
        return error;
    }

    /// <summary>Creates a client with the given roles (and key grants) and logs in as it.</summary>
    public async Task<RpcClient> CreateClientAsync(string[] roles, string[]? keys = null)
    {
        var id = "c-" + Guid.NewGuid().ToString("N")[..12];
        var created = await ResultAsync("client.create", new { client_id = id, roles, keys });
        return await LoginAsync(_http.BaseAddress!, id, created.GetProperty("client_secret").GetString()!);
    }

    public string ClientId => JsonDocument.Parse(Convert.FromBase64String(PadB64(Token!.Split('.')[1]))).RootElement.GetProperty("sub").GetString()!;

    private static string PadB64(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return s.PadRight((s.Length + 3) / 4 * 4, '=');
    }

    public void Dispose() => _http.Dispose();
}

public static class JsonAssert
{
    public static string ErrorName(this JsonElement error) => error.GetProperty("data").GetProperty("name").GetString()!;

    public static string Str(this JsonElement e, string property) => e.GetProperty(property).GetString()!;

    public static int Int(this JsonElement e, string property) => e.GetProperty(property).GetInt32();
}
