using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenG2P.KeyBridge.Server.Tests.Infrastructure;

/// <summary>Calls <c>/v1/keymanager</c> as OpenG2P's keymanager client does: MOSIP's envelope, the token in a <c>Cookie: Authorization=</c> header.</summary>
public sealed class MosipClient(Uri baseAddress, string? token, bool bearer = false) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static MosipClient For(RpcClient rpc, bool bearer = false) => new(new Uri(rpc.BaseAddress, "/"), rpc.Token, bearer);

    public async Task<(int Status, JsonElement Body)> PostAsync(string path, object request, HttpMethod? method = null)
    {
        var body = new JsonObject
        {
            ["id"] = "string",
            ["version"] = "string",
            ["requesttime"] = Now(),
            ["metadata"] = new JsonObject(),
            ["request"] = JsonSerializer.SerializeToNode(request),
        };
        using var message = new HttpRequestMessage(method ?? HttpMethod.Post, "v1/keymanager/" + path)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        return await SendAsync(message);
    }

    public async Task<(int Status, JsonElement Body)> GetAsync(string pathAndQuery)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, "v1/keymanager/" + pathAndQuery);
        return await SendAsync(message);
    }

    /// <summary>The <c>response</c> object of a successful call (HTTP 200, <c>errors</c> null).</summary>
    public async Task<JsonElement> ResponseAsync(string path, object request)
    {
        var (status, body) = await PostAsync(path, request);
        return Ok(status, body);
    }

    public async Task<JsonElement> GetResponseAsync(string pathAndQuery)
    {
        var (status, body) = await GetAsync(pathAndQuery);
        return Ok(status, body);
    }

    /// <summary>The first error's code of a call that failed as a business error (HTTP 200, <c>response</c> null).</summary>
    public async Task<string> ErrorCodeAsync(string path, object request)
    {
        var (status, body) = await PostAsync(path, request);
        Assert.True(status == 200, $"HTTP {status}: {body}");
        Assert.Equal(JsonValueKind.Null, body.GetProperty("response").ValueKind);
        return body.GetProperty("errors")[0].GetProperty("errorCode").GetString()!;
    }

    private static JsonElement Ok(int status, JsonElement body)
    {
        Assert.True(status == 200 && body.GetProperty("errors").ValueKind == JsonValueKind.Null, $"HTTP {status}: {body}");
        return body.GetProperty("response");
    }

    private async Task<(int, JsonElement)> SendAsync(HttpRequestMessage message)
    {
        if (token is not null)
        {
            if (bearer)
            {
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            else
            {
                message.Headers.Add("Cookie", "Authorization=" + token);
            }
        }
        using var response = await _http.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>base64url as OpenG2P's client writes it (no padding) and MOSIP's answers read back (padding optional).</summary>
public static class B64
{
    public static string Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Url(string text) => Url(Encoding.UTF8.GetBytes(text));

    public static byte[] Bytes(string s)
    {
        s = s.TrimEnd('=').Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight((s.Length + 3) / 4 * 4, '='));
    }

    public static string Text(string s) => Encoding.UTF8.GetString(Bytes(s));
}

/// <summary>A MOSIP keymanager's keystore, rows, ciphertexts and a token, made by tests/python/mosip_fixture.py (independent of KeyBridge).</summary>
public sealed class MosipData
{
    public const string Password = "mosip-keystore-pw";

    private MosipData(string dir) => Directory = dir;

    public string Directory { get; }

    public static async Task<MosipData> GenerateAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "kb-mosip-" + Guid.NewGuid().ToString("N"));
        var (code, _, err) = await Repo.RunAsync(Repo.Python, Repo.PathOf("tests", "python", "mosip_fixture.py"), "generate", dir, Password);
        Assert.True(code == 0, err);
        return new MosipData(dir);
    }

    public string File(string name) => Path.Combine(Directory, name);

    public JsonElement Json(string name) => JsonDocument.Parse(System.IO.File.ReadAllText(File(name))).RootElement.Clone();

    public Dictionary<string, object?> ImportParams(bool csv = false, string password = Password) => new()
    {
        ["pkcs12"] = Convert.ToBase64String(System.IO.File.ReadAllBytes(File("keystore.p12"))),
        ["password"] = password,
        ["key_alias"] = csv ? System.IO.File.ReadAllText(File("key_alias.csv")) : Json("key_alias.json"),
        ["key_store"] = csv ? System.IO.File.ReadAllText(File("key_store.csv")) : Json("key_store.json"),
    };

    /// <summary>MOSIP ciphertexts of the base key REGISTRATION/ENCRYPT for these plaintexts, as Odoo returns a Binary field (standard base64).</summary>
    public async Task<List<string>> EncryptAsync(IEnumerable<string> plaintexts, string salt, string aad)
    {
        var certificate = File("base-cert.pem");
        await System.IO.File.WriteAllTextAsync(certificate, Json("info.json").GetProperty("REGISTRATION/ENCRYPT").GetProperty("certificate").GetString());
        var input = File("plaintexts-" + Guid.NewGuid().ToString("N") + ".json");
        await System.IO.File.WriteAllTextAsync(input, JsonSerializer.Serialize(plaintexts.Select(p => Convert.ToBase64String(Encoding.UTF8.GetBytes(p)))));
        var (code, stdout, err) = await Repo.RunAsync("/bin/sh", "-c", $"{Repo.Python} '{Repo.PathOf("tests", "python", "mosip_fixture.py")}' encrypt '{certificate}' '{salt}' '{aad}' < '{input}'");
        Assert.True(code == 0, err);
        return JsonSerializer.Deserialize<List<string>>(stdout)!;
    }
}
