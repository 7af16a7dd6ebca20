using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>
/// Backups with the KEK inside a PKCS#11 token (SoftHSM2): the shares carry only the backup key, a restore needs the token,
/// and a bundle made with the software KEK moves into a token-backed instance by being rewrapped inside the token.
/// </summary>
public sealed class Pkcs11BackupTests
{
    private const string Library = "/usr/lib/softhsm/libsofthsm2.so";

    [Fact]
    public async Task A_token_backed_bundle_restores_only_where_the_token_is()
    {
        var token = await NewTokenAsync();
        var secret = "hsm-" + Guid.NewGuid().ToString("N");
        var original = Settings(token, secret);
        var key = ServerFixture.UniqueName("hsm");
        string ciphertext, bundle = Path.Combine(NewFolder(), "hsm.kbbackup");
        IReadOnlyList<string> shares;
        await using (var server = await KeyBridgeProcess.StartAsync(original, original["Storage:DataDirectory"]))
        {
            using var admin = await RpcClient.LoginAsync(server.BaseAddress, "admin", secret);
            await admin.ResultAsync("key.create", new { name = key, type = "aes-256-gcm" });
            ciphertext = (await admin.ResultAsync("encrypt_data", new { key, text = "inside the token" })).Str("ciphertext");
            var init = await admin.ResultAsync("recovery.init", new { threshold = 2, custodians = new[] { "A", "B", "C" } });
            Assert.False(init.GetProperty("kek_in_shares").GetBoolean());
            shares = init.GetProperty("items").EnumerateArray().Select(i => i.Str("share")).ToList();
            var created = await admin.ResultAsync("backup.create", new { inline = true });
            Assert.StartsWith("pkcs11:", created.GetProperty("summary").Str("kek_id"));
            Directory.CreateDirectory(Path.GetDirectoryName(bundle)!);
            await File.WriteAllBytesAsync(bundle, OpenG2P.KeyBridge.Crypto.Base64Url.Decode(created.Str("bundle"), "bundle"));
        }

        // Without the token the shares open the bundle but not its material: refused, nothing written.
        var noToken = new Dictionary<string, string?> { ["Storage:DataDirectory"] = NewFolder() };
        await KeyBridgeCli.FailsAsync("backup_kek_unavailable", noToken, "backup", "restore", "--in", bundle, "--share", shares[0], "--share", shares[2]);
        Assert.False(Directory.Exists(noToken["Storage:DataDirectory"]));

        // With the token (its backup, on the new machine) it comes back as it was.
        var withToken = Settings(token, secret);
        var report = await KeyBridgeCli.ReportAsync(withToken, "backup", "restore", "--in", bundle, "--share", shares[1], "--share", shares[2]);
        Assert.Equal(0, report.Int("rewrapped"));
        await using var restored = await KeyBridgeProcess.StartAsync(withToken, withToken["Storage:DataDirectory"]);
        using var after = await RpcClient.LoginAsync(restored.BaseAddress, "admin", secret);
        Assert.Equal("inside the token", (await after.ResultAsync("decrypt_data", new { ciphertext })).Str("text"));
    }

    [Fact]
    public async Task A_software_kek_bundle_is_rewrapped_into_a_token_backed_instance()
    {
        var secret = "move-" + Guid.NewGuid().ToString("N");
        var software = new Dictionary<string, string?> { ["Storage:DataDirectory"] = NewFolder(), ["Bootstrap:AdminSecret"] = secret };
        string ciphertext, bundle = Path.Combine(NewFolder(), "soft.kbbackup");
        IReadOnlyList<string> shares;
        await using (var server = await KeyBridgeProcess.StartAsync(software, software["Storage:DataDirectory"]))
        {
            using var admin = await RpcClient.LoginAsync(server.BaseAddress, "admin", secret);
            ciphertext = (await admin.ResultAsync("encrypt_data", new { text = "moved into the token" })).Str("ciphertext");
            shares = (await admin.ResultAsync("recovery.init", new { threshold = 2, custodians = new[] { "A", "B" } }))
                .GetProperty("items").EnumerateArray().Select(i => i.Str("share")).ToList();
            var created = await admin.ResultAsync("backup.create", new { inline = true });
            Directory.CreateDirectory(Path.GetDirectoryName(bundle)!);
            await File.WriteAllBytesAsync(bundle, OpenG2P.KeyBridge.Crypto.Base64Url.Decode(created.Str("bundle"), "bundle"));
        }

        var target = Settings(await NewTokenAsync(), secret);
        var report = await KeyBridgeCli.ReportAsync(target, "backup", "restore", "--in", bundle, "--share", shares[0], "--share", shares[1]);

        Assert.True(report.Int("rewrapped") >= 4, report.ToString());
        Assert.False(File.Exists(Path.Combine(target["Storage:DataDirectory"]!, "kek.key")));
        await using var restored = await KeyBridgeProcess.StartAsync(target, target["Storage:DataDirectory"]);
        using var after = await RpcClient.LoginAsync(restored.BaseAddress, "admin", secret);
        Assert.Equal("moved into the token", (await after.ResultAsync("decrypt_data", new { ciphertext })).Str("text"));
        // The shares carried the old software KEK: new bundles need a new ceremony.
        Assert.Equal("recovery_outdated", (await after.ErrorAsync("backup.create")).ErrorName());
    }

    private sealed record Token(string Conf, string Label, string Pin);

    private static Dictionary<string, string?> Settings(Token token, string adminSecret) => new()
    {
        ["Storage:DataDirectory"] = NewFolder(),
        ["Bootstrap:AdminSecret"] = adminSecret,
        ["Kek:Provider"] = "pkcs11",
        ["Kek:Pkcs11:Library"] = Library,
        ["Kek:Pkcs11:TokenLabel"] = token.Label,
        ["Kek:Pkcs11:Pin"] = token.Pin,
        ["SOFTHSM2_CONF"] = token.Conf,
    };

    /// <summary>A throwaway SoftHSM2 token in its own folder and configuration file.</summary>
    private static async Task<Token> NewTokenAsync()
    {
        var folder = NewFolder();
        Directory.CreateDirectory(Path.Combine(folder, "tokens"));
        var conf = Path.Combine(folder, "softhsm2.conf");
        await File.WriteAllTextAsync(conf, $"directories.tokendir = {Path.Combine(folder, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n");
        var token = new Token(conf, "kb-" + Guid.NewGuid().ToString("N")[..8], "1234");
        var psi = new System.Diagnostics.ProcessStartInfo("softhsm2-util")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["SOFTHSM2_CONF"] = conf },
        };
        foreach (var a in new[] { "--init-token", "--free", "--label", token.Label, "--pin", token.Pin, "--so-pin", "5678" })
        {
            psi.ArgumentList.Add(a);
        }
        using var p = System.Diagnostics.Process.Start(psi)!;
        var error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, "softhsm2-util failed: " + error);
        return token;
    }

    private static string NewFolder() => Path.Combine(Path.GetTempPath(), "kb-hsm-" + Guid.NewGuid().ToString("N"));
}
