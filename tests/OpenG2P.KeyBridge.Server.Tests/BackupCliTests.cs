using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>The ceremony and backups from the command line, against the store directly, audited into the same chain.</summary>
public sealed class BackupCliTests
{
    [Fact]
    public async Task Ceremony_backup_inspect_and_verify_run_from_the_command_line_and_are_audited()
    {
        var secret = "cli-" + Guid.NewGuid().ToString("N");
        var data = Path.Combine(Path.GetTempPath(), "kb-cli-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["Storage:DataDirectory"] = data, ["Bootstrap:AdminSecret"] = secret };
        await (await KeyBridgeProcess.StartAsync(settings, data)).DisposeAsync();
        var shares = Path.Combine(data, "..", Path.GetFileName(data) + "-shares");
        var bundle = Path.Combine(data, "..", Path.GetFileName(data) + ".kbbackup");

        await KeyBridgeCli.FailsAsync("recovery_not_initialized", settings, "backup", "create", "--out", bundle);
        Assert.Equal(2, (await KeyBridgeCli.RunAsync(settings, "recovery", "init", "--custodian", "A", "--out", shares)).Code);
        await KeyBridgeCli.FailsAsync("invalid_params", settings, "recovery", "init", "--threshold", "2", "--custodian", "A", "--out", shares);
        await KeyBridgeCli.FailsAsync("invalid_params", settings, "recovery", "init", "--threshold", "1", "--custodian", "A", "--custodian", "B", "--out", shares);
        var init = await KeyBridgeCli.ReportAsync(settings, "recovery", "init", "--threshold", "2", "--custodian", "Ana Lima", "--custodian", "Bo", "--custodian", "Chidi", "--out", shares);
        var files = init.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.Equal(3, files.Count);
        Assert.EndsWith("share-1-ana-lima.txt", files[0]);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files[0]));
        }
        Assert.Contains("# custodian: Ana Lima", await File.ReadAllTextAsync(files[0]));
        await KeyBridgeCli.FailsAsync("recovery_already_initialized", settings, "recovery", "init", "--threshold", "2", "--custodian", "X", "--custodian", "Y", "--out", shares + "2");

        var created = await KeyBridgeCli.ReportAsync(settings, "backup", "create", "--out", bundle);
        var header = await KeyBridgeCli.ReportAsync(settings, "backup", "inspect", "--in", bundle);
        var verified = await KeyBridgeCli.ReportAsync(settings, "backup", "verify", "--in", bundle, "--share", files[2], "--share", files[0]);
        await KeyBridgeCli.FailsAsync("shares_insufficient", settings, "backup", "verify", "--in", bundle, "--share", files[1]);

        Assert.Equal(init.Str("ceremony"), header.GetProperty("recovery").Str("id"));
        Assert.Equal(created.GetProperty("bundle").Str("bundle_id"), header.Str("bundle_id"));
        Assert.True(verified.GetProperty("valid").GetBoolean());
        Assert.Equal(header.GetProperty("manifest").Int("versions"), verified.Int("material_checked"));

        // An implementation written from docs/backup-format.md alone opens the bundle with two share files.
        var (code, opened, error) = await Repo.RunAsync(Repo.Python, Repo.PathOf("tests", "python", "kb_backup_open.py"), bundle, files[1], files[2]);
        Assert.True(code == 0, error);
        var independent = System.Text.Json.JsonDocument.Parse(opened).RootElement;
        Assert.Equal(header.GetProperty("manifest").Int("keys"), independent.Int("keys"));
        Assert.Equal(verified.Int("material_checked"), independent.Int("unwrapped"));
        Assert.Equal(header.GetProperty("source").Str("kek_id"), independent.Str("kek_id"));
        Assert.Equal(1, (await Repo.RunAsync(Repo.Python, Repo.PathOf("tests", "python", "kb_backup_open.py"), bundle, files[1])).Code);

        await using var server = await KeyBridgeProcess.StartAsync(settings, data);
        using var admin = await RpcClient.LoginAsync(server.BaseAddress, "admin", secret);
        Assert.True((await admin.ResultAsync("audit.verify")).GetProperty("valid").GetBoolean());
        var records = (await admin.ResultAsync("audit.query", new { client_id = "cli:" + Environment.UserName })).GetProperty("records").EnumerateArray()
            .Select(r => r.Str("method")).ToList();
        Assert.Equal(["recovery.init", "backup.create"], records);
        var status = await admin.ResultAsync("recovery.status");
        Assert.Equal(["Ana Lima", "Bo", "Chidi"], status.GetProperty("custodians").EnumerateArray().Select(c => c.GetString()));
    }
}
