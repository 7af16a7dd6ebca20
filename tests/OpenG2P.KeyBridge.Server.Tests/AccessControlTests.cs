using System.Text.Json;
using Microsoft.Data.Sqlite;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

public sealed class AccessControlTests(SqliteServerFixture fx) : IClassFixture<SqliteServerFixture>
{
    /// <summary>The documented matrix: method → roles, read from the methods table of docs/api.md.</summary>
    private static Dictionary<string, string[]> DocumentedMatrix()
    {
        var rows = File.ReadAllLines(Repo.PathOf("docs", "api.md")).Where(l => l.StartsWith("| `", StringComparison.Ordinal));
        var matrix = new Dictionary<string, string[]>();
        foreach (var row in rows)
        {
            var cells = row.Split('|', StringSplitOptions.TrimEntries);
            if (cells.Length < 6)
            {
                continue; // the error table has three columns
            }
            matrix[cells[1].Trim('`')] = cells[^2].Split(',', StringSplitOptions.TrimEntries);
        }
        return matrix;
    }

    [Fact]
    public async Task Every_method_allows_exactly_the_documented_roles()
    {
        var discovered = (await fx.Admin.ResultAsync("rpc.discover")).GetProperty("methods").EnumerateArray().Select(m => m.Str("name")).ToList();
        var matrix = DocumentedMatrix();
        string[] roles = ["admin", "key-admin", "encrypter", "decrypter", "signer", "verifier", "voucher-issuer", "voucher-redeemer", "job-operator", "auditor"];
        var failures = new List<string>();
        foreach (var role in roles)
        {
            using var client = await fx.Admin.CreateClientAsync([role]);
            foreach (var method in discovered)
            {
                Assert.True(matrix.ContainsKey(method), $"{method} is not in the documented matrix");
                var allowed = role == "admin" || matrix[method].Contains("any client") || matrix[method].Contains(role);
                // Empty params: enough to pass or fail the role check without doing anything lasting.
                var response = await client.CallAsync(method, new { });
                var forbidden = response.TryGetProperty("error", out var e) && e.ErrorName() == "forbidden";
                if (allowed == forbidden)
                {
                    failures.Add($"{role} → {method}: expected {(allowed ? "allowed" : "forbidden")}, got {response}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Key_grants_narrow_a_role_to_named_keys_and_prefixes()
    {
        var prefix = "grant-" + Guid.NewGuid().ToString("N")[..8];
        foreach (var k in new[] { $"{prefix}-a1", $"{prefix}-b1" })
        {
            await fx.Admin.ResultAsync("key.create", new { name = k, type = "aes-256-gcm" });
        }
        using var limited = await fx.Admin.CreateClientAsync(["encrypter", "decrypter"], [$"{prefix}-a*"]);
        var ct = (await limited.ResultAsync("encrypt_data", new { key = $"{prefix}-a1", text = "x" })).Str("ciphertext");
        Assert.Equal("x", (await limited.ResultAsync("decrypt_data", new { ciphertext = ct })).Str("text"));
        Assert.Equal("forbidden", (await limited.ErrorAsync("encrypt_data", new { key = $"{prefix}-b1", text = "x" })).ErrorName());
        var other = (await fx.Admin.ResultAsync("encrypt_data", new { key = $"{prefix}-b1", text = "y" })).Str("ciphertext");
        Assert.Equal("forbidden", (await limited.ErrorAsync("decrypt_data", new { ciphertext = other })).ErrorName());
        // The default key is not granted either.
        Assert.Equal("forbidden", (await limited.ErrorAsync("encrypt_data", new { text = "x" })).ErrorName());
        var batch = await limited.ResultAsync("encrypt_data", new { items = new object[] { new { key = $"{prefix}-a1", text = "1" }, new { key = $"{prefix}-b1", text = "2" } } });
        Assert.Equal("forbidden", batch.GetProperty("items")[1].GetProperty("error").ErrorName());
    }

    [Fact]
    public async Task Rotating_a_secret_ends_old_secret_and_tokens()
    {
        var id = "rot-" + Guid.NewGuid().ToString("N")[..8];
        var created = await fx.Admin.ResultAsync("client.create", new { client_id = id, roles = new[] { "encrypter" } });
        var oldSecret = created.Str("client_secret");
        using var before = await RpcClient.LoginAsync(fx.Server.BaseAddress, id, oldSecret);
        await before.ResultAsync("encrypt_data", new { text = "x" });

        var rotated = await fx.Admin.ResultAsync("client.rotate_secret", new { client_id = id });
        var newSecret = rotated.Str("client_secret");
        Assert.NotEqual(oldSecret, newSecret);
        var (status, _) = await before.PostRawAsync("""{"jsonrpc":"2.0","id":1,"method":"random_bytes"}""");
        Assert.Equal(401, status);
        await Assert.ThrowsAnyAsync<Exception>(() => RpcClient.LoginAsync(fx.Server.BaseAddress, id, oldSecret));
        using var after = await RpcClient.LoginAsync(fx.Server.BaseAddress, id, newSecret);
        await after.ResultAsync("encrypt_data", new { text = "x" });
    }

    [Fact]
    public async Task Disabling_a_client_ends_its_tokens_at_once()
    {
        using var client = await fx.Admin.CreateClientAsync(["encrypter"]);
        await client.ResultAsync("encrypt_data", new { text = "x" });
        var view = await fx.Admin.ResultAsync("client.disable", new { client_id = client.ClientId });
        Assert.True(view.GetProperty("disabled").GetBoolean());
        var (status, body) = await client.PostRawAsync("""{"jsonrpc":"2.0","id":1,"method":"random_bytes"}""");
        Assert.Equal(401, status);
        Assert.Equal("authentication_failed", body!.Value.GetProperty("error").ErrorName());
        // Re-enabling does not revive tokens issued before the disable.
        await fx.Admin.ResultAsync("client.update", new { client_id = client.ClientId, disabled = false });
        Assert.Equal(401, (await client.PostRawAsync("""{"jsonrpc":"2.0","id":1,"method":"random_bytes"}""")).Status);
        Assert.Equal("invalid_params", (await fx.Admin.ErrorAsync("client.disable", new { client_id = "admin" })).ErrorName());
    }

    [Fact]
    public async Task Client_management_validates_and_never_returns_or_stores_secrets()
    {
        Assert.Equal("invalid_params", (await fx.Admin.ErrorAsync("client.create", new { client_id = "x1", roles = new[] { "superuser" } })).ErrorName());
        Assert.Equal("invalid_params", (await fx.Admin.ErrorAsync("client.create", new { client_id = "x2", roles = Array.Empty<string>() })).ErrorName());
        Assert.Equal("invalid_params", (await fx.Admin.ErrorAsync("client.create", new { client_id = "bad id", roles = new[] { "auditor" } })).ErrorName());
        Assert.Equal("client_not_found", (await fx.Admin.ErrorAsync("client.rotate_secret", new { client_id = "nobody-" + Guid.NewGuid().ToString("N")[..6] })).ErrorName());
        var id = "dup-" + Guid.NewGuid().ToString("N")[..8];
        var created = await fx.Admin.ResultAsync("client.create", new { client_id = id, roles = new[] { "auditor" } });
        Assert.Equal("client_exists", (await fx.Admin.ErrorAsync("client.create", new { client_id = id, roles = new[] { "auditor" } })).ErrorName());
        var listed = await fx.Admin.ResultAsync("client.list", new { limit = 1000 });
        Assert.DoesNotContain("client_secret", listed.ToString());
        Assert.Contains(id, listed.ToString());

        await using var db = new SqliteConnection($"Data Source={Path.Combine(fx.Server.DataDirectory, "keybridge.db")};Mode=ReadOnly");
        await db.OpenAsync();
        await using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT secret_hash FROM clients WHERE client_id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        var stored = (string)(await cmd.ExecuteScalarAsync())!;
        Assert.StartsWith("pbkdf2-sha256$", stored);
        Assert.DoesNotContain(created.Str("client_secret"), stored);
    }
}
