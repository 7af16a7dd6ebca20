using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using OpenG2P.KeyBridge.Backup;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>
/// The disaster drill: keys, ciphertexts and tokens made; a backup and a recovery ceremony; the server's data folder (or
/// database) and KEK lost; a restore from the bundle and three of five shares into a fresh instance, where everything made
/// before the backup decrypts and verifies. Wrong share counts, changed bundles and foreign shares change nothing.
/// </summary>
public sealed class BackupRestoreTests
{
    [Fact]
    public Task Sqlite_registry_survives_losing_its_data_folder() => DrillAsync(postgres: false);

    [Fact]
    public Task Postgres_registry_survives_dropping_its_database() => DrillAsync(postgres: true);

    private sealed record Made(string Key, string Ciphertext, string Text, object? Context);

    private static async Task DrillAsync(bool postgres)
    {
        var secret = "drill-admin-" + Guid.NewGuid().ToString("N");
        var originalDb = postgres ? await TestDatabases.CreateAsync() : null;
        var original = Settings(NewFolder(), originalDb, secret);

        // 1. A working registry: keys, two versions, ciphertexts with and without context, signed tokens, a MAC.
        var aes = ServerFixture.UniqueName("pii");
        var made = new List<Made>();
        var tokens = new List<string>();
        string mac, hmacKey = ServerFixture.UniqueName("idx"), adminToken, bundleFile, laterCiphertext;
        IReadOnlyList<string> shares;
        await using (var server = await KeyBridgeProcess.StartAsync(original, original["Storage:DataDirectory"]))
        {
            using var admin = await RpcClient.LoginAsync(server.BaseAddress, "admin", secret);
            adminToken = admin.Token!;
            Assert.Equal("recovery_not_initialized", (await admin.ErrorAsync("backup.create")).ErrorName());

            await admin.ResultAsync("key.create", new { name = aes, type = "aes-256-gcm", required_context = new[] { "model", "field" } });
            var context = new { model = "res.partner", field = "name", id = 7 };
            made.Add(await EncryptAsync(admin, aes, "Amina Yusuf", context));
            await admin.ResultAsync("key.rotate", new { name = aes });
            made.Add(await EncryptAsync(admin, aes, "Bo Lindqvist", context));
            made.Add(await EncryptAsync(admin, null, "default key, no context", null));
            foreach (var type in new[] { "ed25519", "ecdsa-p256", "rsa-2048" })
            {
                var signer = ServerFixture.UniqueName("sig");
                await admin.ResultAsync("key.create", new { name = signer, type });
                await admin.ResultAsync("cert.issue", new { name = signer });
                tokens.Add((await admin.ResultAsync("jwt_sign", new { key = signer, payload = new { sub = "voucher-1", amount = "10.00" }, include_certificate = true })).Str("jwt"));
            }
            tokens.Add((await admin.ResultAsync("jwt_sign", new { payload = new { sub = "default signing key" } })).Str("jwt"));
            await admin.ResultAsync("key.create", new { name = hmacKey, type = "hmac-sha256" });
            mac = (await admin.ResultAsync("hmac", new { key = hmacKey, data = "AQID" })).Str("mac");

            // 2. The ceremony (once) and a backup, checked on the server with and without shares.
            var init = await admin.ResultAsync("recovery.init", new { threshold = 3, custodians = new[] { "Amina", "Bo", "Chidi", "Dana", "Emile" } });
            Assert.True(init.GetProperty("kek_in_shares").GetBoolean());
            shares = init.GetProperty("items").EnumerateArray().Select(i => i.Str("share")).ToList();
            Assert.Equal(["Amina", "Bo", "Chidi", "Dana", "Emile"], init.GetProperty("items").EnumerateArray().Select(i => i.Str("custodian")));
            Assert.Equal("recovery_already_initialized", (await admin.ErrorAsync("recovery.init", new { threshold = 2, custodians = new[] { "X", "Y" } })).ErrorName());
            var created = await admin.ResultAsync("backup.create");
            bundleFile = Path.Combine(original["Storage:DataDirectory"]!, "backups", created.Str("file"));
            var verified = await admin.ResultAsync("backup.verify", new { file = created.Str("file"), shares = shares.Take(3) });
            Assert.True(verified.GetProperty("valid").GetBoolean());
            Assert.True(verified.Int("material_checked") >= 8, verified.ToString());
            Assert.Equal(2, verified.GetProperty("latest_versions").Int(aes));
            Assert.True((await admin.ResultAsync("backup.verify", new { file = created.Str("file") })).GetProperty("valid").GetBoolean());

            // A rotation after the backup: its version cannot come back.
            await admin.ResultAsync("key.rotate", new { name = aes });
            laterCiphertext = (await EncryptAsync(admin, aes, "made after the backup", context)).Ciphertext;
        }

        // 3. Disaster: the data folder (database, KEK file, bundle folder) and the database are gone; only the bundle copy and the shares remain.
        var bundle = await File.ReadAllBytesAsync(bundleFile);
        Directory.Delete(original["Storage:DataDirectory"]!, recursive: true);
        if (originalDb is not null)
        {
            await DropDatabaseAsync(originalDb);
        }
        var offsite = Path.Combine(NewFolder(), "registry.kbbackup");
        Directory.CreateDirectory(Path.GetDirectoryName(offsite)!);
        await File.WriteAllBytesAsync(offsite, bundle);

        // 4. Refusals that leave the new instance untouched: too few shares, a changed byte, a share of another ceremony.
        var freshDb = postgres ? await TestDatabases.CreateAsync() : null;
        var fresh = Settings(NewFolder(), freshDb, secret);
        string[] ShareArgs(params int[] which) => which.SelectMany(i => new[] { "--share", shares[i] }).ToArray();
        await KeyBridgeCli.FailsAsync("shares_insufficient", fresh, ["backup", "restore", "--in", offsite, .. ShareArgs(0, 4)]);
        var changed = offsite + ".changed";
        var altered = (byte[])bundle.Clone();
        altered[^40] ^= 0x20;
        await File.WriteAllBytesAsync(changed, altered);
        await KeyBridgeCli.FailsAsync("backup_authentication_failed", fresh, ["backup", "restore", "--in", changed, .. ShareArgs(0, 2, 4)]);
        var foreign = OtherCeremonyShare();
        await KeyBridgeCli.FailsAsync("share_ceremony_mismatch", fresh, ["backup", "restore", "--in", offsite, .. ShareArgs(0, 2), "--share", foreign]);
        await AssertUntouchedAsync(fresh, freshDb);
        var dryRun = await KeyBridgeCli.ReportAsync(fresh, ["backup", "restore", "--in", offsite, .. ShareArgs(1, 2, 3), "--dry-run"]);
        Assert.False(dryRun.GetProperty("restored").GetBoolean());
        await AssertUntouchedAsync(fresh, freshDb);

        // 5. The restore: any three shares.
        var report = await KeyBridgeCli.ReportAsync(fresh, ["backup", "restore", "--in", offsite, .. ShareArgs(0, 2, 4)]);
        Assert.True(report.GetProperty("restored").GetBoolean(), report.ToString());
        Assert.Equal(2, report.GetProperty("latest_versions").Int(aes));
        Assert.Contains("installed the KEK from the shares", report.GetProperty("notes")[0].GetString());
        await KeyBridgeCli.FailsAsync("restore_target_not_empty", fresh, ["backup", "restore", "--in", offsite, .. ShareArgs(0, 1, 2)]);

        // 6. The fresh instance: everything made before the backup decrypts and verifies, even the old access token works.
        var extraKey = ServerFixture.UniqueName("after");
        await using (var restored = await KeyBridgeProcess.StartAsync(fresh, fresh["Storage:DataDirectory"]))
        {
            using var admin = new RpcClient(restored.BaseAddress, adminToken);
            foreach (var m in made)
            {
                Assert.Equal(m.Text, (await admin.ResultAsync("decrypt_data", new { ciphertext = m.Ciphertext, context = m.Context })).Str("text"));
            }
            foreach (var jwt in tokens)
            {
                var v = await admin.ResultAsync("jwt_verify", new { jwt });
                Assert.True(v.GetProperty("valid").GetBoolean(), v.ToString());
            }
            Assert.True((await admin.ResultAsync("verify_hmac", new { key = hmacKey, data = "AQID", mac })).GetProperty("valid").GetBoolean());
            Assert.Equal("version_not_found", (await admin.ErrorAsync("decrypt_data", new { ciphertext = laterCiphertext, context = made[0].Context })).ErrorName());
            var audit = await admin.ResultAsync("audit.verify");
            Assert.True(audit.GetProperty("valid").GetBoolean(), audit.ToString());
            Assert.Single((await admin.ResultAsync("audit.query", new { method = "backup.restore" })).GetProperty("records").EnumerateArray());
            // Same ceremony, same shares: the restored instance keeps making bundles they open.
            var status = await admin.ResultAsync("recovery.status");
            Assert.True(status.GetProperty("current").GetBoolean(), status.ToString());
            var again = await admin.ResultAsync("backup.create", new { inline = true });
            Assert.True((await admin.ResultAsync("backup.verify", new { bundle = again.Str("bundle"), shares = shares.Skip(2) })).GetProperty("valid").GetBoolean());
            await admin.ResultAsync("key.create", new { name = extraKey, type = "aes-256-gcm" });
        }

        // 7. Restoring over a store with data is refused (naming what would be lost) and, forced, replaces it: no merge.
        var (code, _, refusal) = await KeyBridgeCli.RunAsync(fresh, ["backup", "restore", "--in", offsite, .. ShareArgs(0, 1, 2)]);
        Assert.Equal(1, code);
        Assert.Contains($"{extraKey}:v1", refusal);
        var forced = await KeyBridgeCli.ReportAsync(fresh, ["backup", "restore", "--in", offsite, .. ShareArgs(2, 3, 4), "--force"]);
        Assert.True(forced.GetProperty("replaced").GetBoolean());
        Assert.Contains(forced.GetProperty("missing_versions").EnumerateArray(), m => m.Str("key") == extraKey);
        await using (var replaced = await KeyBridgeProcess.StartAsync(fresh, fresh["Storage:DataDirectory"]))
        {
            using var admin = new RpcClient(replaced.BaseAddress, adminToken);
            Assert.Equal("key_not_found", (await admin.ErrorAsync("key.get", new { name = extraKey })).ErrorName());
            Assert.Equal(made[0].Text, (await admin.ResultAsync("decrypt_data", new { ciphertext = made[0].Ciphertext, context = made[0].Context })).Str("text"));
        }
    }

    private static async Task<Made> EncryptAsync(RpcClient admin, string? key, string text, object? context)
    {
        var result = key is null
            ? await admin.ResultAsync("encrypt_data", new { text })
            : await admin.ResultAsync("encrypt_data", new { key, text, context });
        return new Made(result.Str("key"), result.Str("ciphertext"), text, context);
    }

    private static Dictionary<string, string?> Settings(string dataDirectory, string? connectionString, string adminSecret)
    {
        var s = new Dictionary<string, string?> { ["Storage:DataDirectory"] = dataDirectory, ["Bootstrap:AdminSecret"] = adminSecret };
        if (connectionString is not null)
        {
            s["Storage:Provider"] = "postgres";
            s["Storage:ConnectionString"] = connectionString;
            s["Kek:AllowSoftwareInProduction"] = "true";
        }
        return s;
    }

    private static string NewFolder() => Path.Combine(Path.GetTempPath(), "kb-drill-" + Guid.NewGuid().ToString("N"));

    /// <summary>A well-formed share of a ceremony this bundle knows nothing about.</summary>
    private static string OtherCeremonyShare()
    {
        var backupKey = RandomNumberGenerator.GetBytes(32);
        var (_, shares) = RecoveryShares.Create(RecoveryCeremony.SecretOf(backupKey, RandomNumberGenerator.GetBytes(32)), RecoveryKind.BackupKeyAndKek, 3,
            ["Mallory", "Oscar", "Trent"], 1, RecoveryCeremony.KeyIdOf(backupKey), "software:other", DateTimeOffset.UtcNow);
        return shares[1].Encode();
    }

    /// <summary>Nothing was written: no KEK file, no database file, no tables.</summary>
    private static async Task AssertUntouchedAsync(Dictionary<string, string?> settings, string? connectionString)
    {
        var folder = settings["Storage:DataDirectory"]!;
        Assert.False(File.Exists(Path.Combine(folder, "kek.key")), "a refused restore installed a KEK");
        Assert.False(File.Exists(Path.Combine(folder, "keybridge.db")), "a refused restore created the database");
        if (connectionString is not null)
        {
            await using var c = new NpgsqlConnection(connectionString);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", c);
            Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
        }
    }

    private static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var c = new NpgsqlConnection(TestDatabases.BaseConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE {name} WITH (FORCE)", c);
        await cmd.ExecuteNonQueryAsync();
    }
}
