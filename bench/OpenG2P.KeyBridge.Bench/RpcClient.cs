using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OpenG2P.KeyBridge.Bench;

/// <summary>A JSON-RPC client for set-up calls and load loops: one HttpClient, many keep-alive connections.</summary>
public sealed class RpcClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private long _id;

    public RpcClient(Uri baseUrl, string token, int connections = 64)
    {
        Token = token;
        _http = NewHttp(connections);
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _endpoint = new Uri(baseUrl, "/jsonrpc");
    }

    public string Token { get; }

    public Uri Endpoint => _endpoint;

    public static HttpClient NewHttp(int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    { Timeout = TimeSpan.FromMinutes(10) };

    public static async Task<string> TokenAsync(Uri baseUrl, string clientId, string secret)
    {
        using var http = NewHttp(1);
        using var response = await http.PostAsync(new Uri(baseUrl, "/oauth/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret,
        }));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"token request for '{clientId}' failed: HTTP {(int)response.StatusCode} {body}");
        }
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>The request body of a call (what load loops send again and again).</summary>
    public byte[] Body(string method, object? parameters) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
        {
            ["jsonrpc"] = "2.0", ["id"] = Interlocked.Increment(ref _id), ["method"] = method, ["params"] = parameters ?? new Dictionary<string, object>(),
        }, Json);

    public async Task<JsonElement> CallAsync(string method, object? parameters = null)
    {
        var (_, body) = await PostAsync(Body(method, parameters));
        var root = JsonDocument.Parse(body).RootElement;
        if (root.TryGetProperty("error", out var error))
        {
            throw new RpcException(method, error);
        }
        return root.GetProperty("result");
    }

    /// <summary>Whether the method exists (listed by rpc.discover).</summary>
    public async Task<bool> HasMethodAsync(string method)
    {
        var discover = await CallAsync("rpc.discover");
        return discover.GetProperty("methods").EnumerateArray().Any(m => m.GetProperty("name").GetString() == method);
    }

    public async Task<(HttpStatusCode Status, byte[] Body)> PostAsync(byte[] body, CancellationToken ct = default)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.PostAsync(_endpoint, content, ct);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync(ct));
    }

    public void Dispose() => _http.Dispose();
}

public sealed class RpcException(string method, JsonElement error)
    : Exception($"{method} failed: {error.GetRawText()}")
{
    public string Name { get; } = error.TryGetProperty("data", out var d) && d.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
}

internal static class Utf8
{
    public static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);
}
