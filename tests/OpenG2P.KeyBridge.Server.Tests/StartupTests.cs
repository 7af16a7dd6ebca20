using System.Text.RegularExpressions;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>The embedded default: no configuration, no services.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class StartupTests
{
    [GeneratedRegex(@"client_secret:\s+(\S+)")]
    private static partial Regex PrintedSecret();

    [Fact]
    public async Task Embedded_default_starts_with_no_configuration_and_prints_the_admin_secret_once()
    {
        var data = Path.Combine(Path.GetTempPath(), "kb-embedded-" + Guid.NewGuid().ToString("N"));
        string secret;
        string token;
        string ciphertext;
        await using (var first = await KeyBridgeProcess.StartAsync(new Dictionary<string, string?>(), data))
        {
            var match = PrintedSecret().Match(first.Output);
            Assert.True(match.Success, "the bootstrap secret was not printed:\n" + first.Output);
            secret = match.Groups[1].Value;
            Assert.Single(PrintedSecret().Matches(first.Output));

            var kek = Path.Combine(data, "kek.key");
            Assert.True(File.Exists(kek));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(kek));

            using var admin = await RpcClient.LoginAsync(first.BaseAddress, "admin", secret);
            token = admin.Token!;
            ciphertext = (await admin.ResultAsync("encrypt_data", new { text = "survives restarts" })).Str("ciphertext");
            var logLines = first.Output.Split('\n').Where(l => !l.Contains("client_secret:", StringComparison.Ordinal));
            Assert.DoesNotContain(logLines, l => l.Contains(secret, StringComparison.Ordinal));
        }

        await using var second = await KeyBridgeProcess.StartAsync(new Dictionary<string, string?>(), data);
        Assert.False(PrintedSecret().IsMatch(second.Output), "the secret must be printed only on first start");
        using var again = new RpcClient(second.BaseAddress, token);
        Assert.Equal("survives restarts", (await again.ResultAsync("decrypt_data", new { ciphertext })).Str("text"));
        using var relogin = await RpcClient.LoginAsync(second.BaseAddress, "admin", secret);
        Assert.NotNull(relogin.Token);
        Assert.DoesNotContain("survives restarts", second.Output);
    }

    [Fact]
    public async Task Expired_token_is_refused()
    {
        await using var server = await KeyBridgeProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Bootstrap:AdminSecret"] = "short-lived-admin-secret",
            ["Auth:TokenLifetimeSeconds"] = "1",
        });
        using var admin = await RpcClient.LoginAsync(server.BaseAddress, "admin", "short-lived-admin-secret");
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        var (status, body) = await admin.PostRawAsync("""{"jsonrpc":"2.0","id":1,"method":"random_bytes"}""");
        Assert.Equal(401, status);
        Assert.Equal("authentication_failed", body!.Value.GetProperty("error").ErrorName());
        Assert.Contains("expired", body.Value.GetProperty("error").Str("message"));
    }

    [Fact]
    public async Task Invalid_configuration_stops_start_up_with_a_clear_message()
    {
        await using var server = await KeyBridgeProcess.StartAsync(new Dictionary<string, string?> { ["Storage:Provider"] = "oracle" }, waitReady: false);
        var code = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, code);
        Assert.Contains("Storage:Provider must be 'sqlite' or 'postgres'", server.Output);
    }
}
