using System.Globalization;
using System.Text.Json;

namespace OpenG2P.KeyBridge.Server.Tests.Infrastructure;

/// <summary>Voucher test data and the example offline verifier (examples/verify_voucher.py).</summary>
public static class VoucherHelpers
{
    public static readonly string Verifier = Repo.PathOf("examples", "verify_voucher.py");

    public static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string InDays(int days) => Rfc3339(DateTimeOffset.UtcNow.AddDays(days));

    public static object Voucher(string? key = null, string? program = null, string amount = "12.50", string? idempotencyKey = null,
        string? qr = null) => new
    {
        program = program ?? "cash-transfer",
        beneficiary = "ben-" + Guid.NewGuid().ToString("N")[..10],
        amount,
        currency = "KES",
        valid_until = InDays(30),
        key,
        idempotency_key = idempotencyKey,
        qr,
    };

    /// <summary>Saves the server's public JWKS to a file: all a field verifier takes along.</summary>
    public static async Task<string> SaveJwksAsync(Uri server)
    {
        using var http = new HttpClient { BaseAddress = server };
        var path = Path.Combine(Path.GetTempPath(), "jwks-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(path, await http.GetStringAsync(".well-known/jwks.json"));
        return path;
    }

    /// <summary>Runs the example verifier; returns its exit code and its JSON answer.</summary>
    public static async Task<(int Code, JsonElement Answer, string Err)> OfflineVerifyAsync(string jwks, string token, string keys)
    {
        var (code, stdout, stderr) = await Repo.RunAsync(Repo.Python, Verifier, "--keys", keys, jwks, token);
        Assert.True(stdout.Length > 0, $"the verifier printed nothing (exit {code}): {stderr}");
        return (code, JsonDocument.Parse(stdout).RootElement.Clone(), stderr);
    }

    /// <summary>The token with one claim changed and the signature kept.</summary>
    public static string ChangeClaim(string token, string claim, string value)
    {
        var parts = token.Split('.');
        var claims = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Jose.Unb64(parts[1]))!;
        claims[claim] = JsonSerializer.SerializeToElement(value);
        parts[1] = Jose.B64(JsonSerializer.Serialize(claims));
        return string.Join('.', parts);
    }
}
