using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OpenG2P.KeyBridge.Bench;

/// <summary>
/// The "bare ASP.NET Core handler" of SPEC §11 (reference/perf-notes.md): a minimal-API endpoint
/// in its own process that reads the JSON-RPC body, does the same crypto as a single-item
/// <c>encrypt_data</c> (AES-256-GCM, random nonce, the same associated data), and writes a
/// JSON-RPC-shaped reply by hand — no authentication, audit, dispatch or metrics.
/// </summary>
public static class BareServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var key = RandomNumberGenerator.GetBytes(32);
        var pool = new System.Collections.Concurrent.ConcurrentBag<AesGcm>();
        var header = Encoding.ASCII.GetBytes("\u0001\u0012default-encryption\0\0\0\u0001");
        app.MapGet("/health/ready", () => "ok");
        app.MapPost("/jsonrpc", async (HttpContext http) =>
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body);
            var root = body.RootElement;
            var p = root.GetProperty("params");
            var plaintext = Encoding.UTF8.GetBytes(p.GetProperty("text").GetString() ?? "");
            var context = p.TryGetProperty("context", out var c) ? Encoding.UTF8.GetBytes(c.GetRawText()) : [];
            var aad = new byte[header.Length + context.Length];
            header.CopyTo(aad, 0);
            context.CopyTo(aad, header.Length);
            var output = new byte[header.Length + 12 + plaintext.Length + 16];
            header.CopyTo(output, 0);
            var nonce = output.AsSpan(header.Length, 12);
            RandomNumberGenerator.Fill(nonce);
            var aes = pool.TryTake(out var a) ? a : new AesGcm(key, 16);
            aes.Encrypt(nonce, plaintext, output.AsSpan(header.Length + 12, plaintext.Length), output.AsSpan(output.Length - 16), aad);
            pool.Add(aes);
            var id = root.TryGetProperty("id", out var i) ? i.GetRawText() : "null";
            var reply = $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{{\"ciphertext\":\"kb:{System.Buffers.Text.Base64Url.EncodeToString(output)}\",\"key\":\"default-encryption\",\"version\":1}}}}";
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(reply);
        });
        await app.RunAsync();
        return 0;
    }
}
