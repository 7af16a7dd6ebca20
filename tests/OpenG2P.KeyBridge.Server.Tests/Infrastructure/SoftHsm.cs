namespace OpenG2P.KeyBridge.Server.Tests.Infrastructure;

/// <summary>
/// A throwaway SoftHSM2 token: its own SOFTHSM2_CONF and token folder under /tmp, made with
/// softhsm2-util, inspected with pkcs11-tool. The server under test talks to it for real.
/// </summary>
public sealed class SoftHsm : IDisposable
{
    public const string Library = "/usr/lib/softhsm/libsofthsm2.so";

    private SoftHsm(string dir, string label)
    {
        Directory = dir;
        Label = label;
    }

    public string Directory { get; }

    public string Label { get; }

    public string Pin { get; } = "1234-" + Guid.NewGuid().ToString("N")[..6];

    public string ConfPath => Path.Combine(Directory, "softhsm2.conf");

    private string TokenDir => Path.Combine(Directory, "tokens");

    public Dictionary<string, string> Env => new() { ["SOFTHSM2_CONF"] = ConfPath };

    public static async Task<SoftHsm> CreateAsync(string? label = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "kb-hsm-" + Guid.NewGuid().ToString("N"));
        var hsm = new SoftHsm(dir, label ?? "kb-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(hsm.TokenDir);
        await File.WriteAllTextAsync(hsm.ConfPath,
            $"directories.tokendir = {hsm.TokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
        var (code, stdout, stderr) = await Repo.RunWithEnvAsync(hsm.Env, "softhsm2-util",
            "--init-token", "--free", "--label", hsm.Label, "--pin", hsm.Pin, "--so-pin", "5678-so");
        Assert.True(code == 0, $"softhsm2-util failed: {stdout} {stderr}");
        return hsm;
    }

    /// <summary>Server settings for the PKCS#11 KEK in this token (the PIN goes through the environment).</summary>
    public Dictionary<string, string?> Settings(int poolSize = 4) => new()
    {
        ["SOFTHSM2_CONF"] = ConfPath,
        ["Kek:Provider"] = "pkcs11",
        ["Kek:Pkcs11:Library"] = Library,
        ["Kek:Pkcs11:TokenLabel"] = Label,
        ["Kek:Pkcs11:Pin"] = Pin,
        ["Kek:Pkcs11:PoolSize"] = poolSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public async Task<string> ListObjectsAsync()
    {
        var (code, stdout, stderr) = await Repo.RunWithEnvAsync(Env, "pkcs11-tool", "--module", Library,
            "--token-label", Label, "--login", "--pin", Pin, "--list-objects");
        Assert.True(code == 0, $"pkcs11-tool failed: {stderr}");
        return stdout;
    }

    /// <summary>Takes the token away (its files vanish), as when an HSM drops off the network.</summary>
    public void Remove() => System.IO.Directory.Move(TokenDir, TokenDir + ".away");

    public void Restore() => System.IO.Directory.Move(TokenDir + ".away", TokenDir);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
