using System.Text;
using System.Text.Json;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>The key model and data methods over real HTTP; run against SQLite and PostgreSQL alike.</summary>
public abstract class KeyModelContractTests(ServerFixture fx)
{
    private RpcClient Admin => fx.Admin;

    private async Task<string> CreateKeyAsync(string type = "aes-256-gcm", object? extra = null)
    {
        var name = ServerFixture.UniqueName();
        var p = JsonSerializer.SerializeToNode(extra ?? new { })!.AsObject();
        p["name"] = name;
        p["type"] = type;
        await Admin.ResultAsync("key.create", p);
        return name;
    }

    [Fact]
    public async Task Encrypt_then_decrypt_round_trips_text_and_bytes()
    {
        var key = await CreateKeyAsync();
        var ct = await Admin.ResultAsync("encrypt_data", new { key, text = "Amina Yusuf", context = new { model = "res.partner", field = "name", id = 42 } });
        Assert.StartsWith("kb:", ct.Str("ciphertext"));
        Assert.Equal(1, ct.Int("version"));
        var pt = await Admin.ResultAsync("decrypt_data", new { ciphertext = ct.Str("ciphertext"), context = new { model = "res.partner", field = "name", id = 42 } });
        Assert.Equal("Amina Yusuf", pt.Str("text"));

        var bytes = new byte[] { 0, 255, 128, 7 };
        var ct2 = await Admin.ResultAsync("encrypt_data", new { key, data = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_') });
        var pt2 = await Admin.ResultAsync("decrypt_data", new { ciphertext = ct2.Str("ciphertext") });
        Assert.Equal("AP-ABw", pt2.Str("data"));
        Assert.False(pt2.TryGetProperty("text", out _), "invalid UTF-8 must not be returned as text");
    }

    [Fact]
    public async Task Same_plaintext_encrypts_differently_each_time()
    {
        var key = await CreateKeyAsync();
        var a = await Admin.ResultAsync("encrypt_data", new { key, text = "same" });
        var b = await Admin.ResultAsync("encrypt_data", new { key, text = "same" });
        Assert.NotEqual(a.Str("ciphertext"), b.Str("ciphertext"));
    }

    [Fact]
    public async Task Decrypt_with_other_context_fails()
    {
        var key = await CreateKeyAsync();
        var ct = (await Admin.ResultAsync("encrypt_data", new { key, text = "x", context = new { model = "res.partner", id = 1 } })).Str("ciphertext");
        Assert.Equal("context_mismatch", (await Admin.ErrorAsync("decrypt_data", new { ciphertext = ct, context = new { model = "res.partner", id = 2 } })).ErrorName());
        Assert.Equal("context_mismatch", (await Admin.ErrorAsync("decrypt_data", new { ciphertext = ct })).ErrorName());
    }

    [Fact]
    public async Task Rotation_keeps_old_ciphertexts_and_min_decryption_version_retires_them()
    {
        var key = await CreateKeyAsync();
        var old = (await Admin.ResultAsync("encrypt_data", new { key, text = "before" })).Str("ciphertext");
        var rotated = await Admin.ResultAsync("key.rotate", new { name = key });
        Assert.Equal(2, rotated.Int("version"));

        Assert.Equal("before", (await Admin.ResultAsync("decrypt_data", new { ciphertext = old })).Str("text"));
        var fresh = await Admin.ResultAsync("encrypt_data", new { key, text = "after" });
        Assert.Equal(2, fresh.Int("version"));

        var moved = await Admin.ResultAsync("rewrap_data", new { ciphertext = old });
        Assert.Equal(2, moved.Int("version"));
        Assert.Equal("before", (await Admin.ResultAsync("decrypt_data", new { ciphertext = moved.Str("ciphertext") })).Str("text"));

        var configured = await Admin.ResultAsync("key.configure", new { name = key, min_decryption_version = 2 });
        Assert.Equal("retired", configured.GetProperty("versions")[0].Str("state"));
        Assert.Equal("version_retired", (await Admin.ErrorAsync("decrypt_data", new { ciphertext = old })).ErrorName());
        Assert.Equal("version_retired", (await Admin.ErrorAsync("rewrap_data", new { ciphertext = old })).ErrorName());
        Assert.Equal("after", (await Admin.ResultAsync("decrypt_data", new { ciphertext = fresh.Str("ciphertext") })).Str("text"));
    }

    [Fact]
    public async Task Revoked_version_is_refused_and_reported_as_revoked()
    {
        var key = await CreateKeyAsync();
        var ct = (await Admin.ResultAsync("encrypt_data", new { key, text = "x" })).Str("ciphertext");
        await Admin.ResultAsync("key.rotate", new { name = key });
        var view = await Admin.ResultAsync("key.revoke_version", new { name = key, version = 1 });
        Assert.Equal("revoked", view.GetProperty("versions")[0].Str("state"));
        Assert.Equal("version_revoked", (await Admin.ErrorAsync("decrypt_data", new { ciphertext = ct })).ErrorName());

        await Admin.ResultAsync("key.revoke_version", new { name = key, version = 2 });
        Assert.Equal("no_active_version", (await Admin.ErrorAsync("encrypt_data", new { key, text = "x" })).ErrorName());
        Assert.Equal(3, (await Admin.ResultAsync("key.rotate", new { name = key })).Int("version"));
        Assert.Equal(3, (await Admin.ResultAsync("encrypt_data", new { key, text = "x" })).Int("version"));
    }

    [Fact]
    public async Task Destroying_a_version_needs_deletion_allowed_and_waits_seven_days_by_default()
    {
        var key = await CreateKeyAsync();
        var ct = (await Admin.ResultAsync("encrypt_data", new { key, text = "x" })).Str("ciphertext");
        await Admin.ResultAsync("key.rotate", new { name = key });
        Assert.Equal("deletion_not_allowed", (await Admin.ErrorAsync("key.destroy_version", new { name = key, version = 1 })).ErrorName());
        await Admin.ResultAsync("key.configure", new { name = key, deletion_allowed = true });
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("key.destroy_version", new { name = key, version = 2 })).ErrorName());
        var view = await Admin.ResultAsync("key.destroy_version", new { name = key, version = 1 });
        var v1 = view.GetProperty("versions")[0];
        Assert.Equal("pending_destruction", v1.Str("state"));
        Assert.InRange(v1.GetProperty("destroy_at").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddDays(7).AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(7));
        // Refused while pending, so whoever still uses it notices inside the waiting period.
        Assert.Equal("version_pending_destruction", (await Admin.ErrorAsync("decrypt_data", new { ciphertext = ct })).ErrorName());
        await Admin.ResultAsync("key.cancel_destruction", new { name = key, version = 1 });
        Assert.Equal("x", (await Admin.ResultAsync("decrypt_data", new { ciphertext = ct })).Str("text"));
    }

    [Fact]
    public async Task Concurrent_rotations_produce_consecutive_versions()
    {
        var key = await CreateKeyAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Admin.ResultAsync("key.rotate", new { name = key })));
        var versions = results.Select(r => r.Int("version")).OrderBy(v => v).ToArray();
        Assert.Equal(Enumerable.Range(2, 24), versions);
        var view = await Admin.ResultAsync("key.get", new { name = key });
        Assert.Equal(25, view.Int("latest_version"));
        Assert.Equal(Enumerable.Range(1, 25), view.GetProperty("versions").EnumerateArray().Select(v => v.Int("version")));
    }

    [Fact]
    public async Task Batch_items_keep_order_and_fail_alone()
    {
        var key = await CreateKeyAsync();
        var r = await Admin.ResultAsync("encrypt_data", new
        {
            key,
            items = new object[] { new { text = "a" }, new { data = "***" }, new { text = "c", key = "no-such-key" }, new { text = "d" } },
        });
        var items = r.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(4, items.Length);
        Assert.Equal("invalid_base64", items[1].GetProperty("error").ErrorName());
        Assert.Equal("key_not_found", items[2].GetProperty("error").ErrorName());
        var dec = await Admin.ResultAsync("decrypt_data", new
        {
            items = new object[] { new { ciphertext = items[0].Str("ciphertext") }, new { ciphertext = "kb:AAAA" }, new { ciphertext = items[3].Str("ciphertext") } },
        });
        var plain = dec.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal("a", plain[0].Str("text"));
        Assert.Equal("ciphertext_malformed", plain[1].GetProperty("error").ErrorName());
        Assert.Equal("d", plain[2].Str("text"));
    }

    [Fact]
    public async Task Data_keys_come_wrapped_and_optionally_in_plaintext()
    {
        var key = await CreateKeyAsync();
        var dk = await Admin.ResultAsync("generate_data_key", new { key, with_plaintext = true });
        var unwrapped = await Admin.ResultAsync("decrypt_data", new { ciphertext = dk.Str("wrapped") });
        Assert.Equal(dk.Str("plaintext"), unwrapped.Str("data"));
        Assert.Equal(32, Convert.FromBase64String(Pad(dk.Str("plaintext"))).Length);
        var hidden = await Admin.ResultAsync("generate_data_key", new { key, bits = 128 });
        Assert.False(hidden.TryGetProperty("plaintext", out _));
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("generate_data_key", new { key, bits = 100 })).ErrorName());
    }

    [Fact]
    public async Task Blind_index_is_deterministic_and_normalises()
    {
        var key = await CreateKeyAsync("hmac-sha256");
        var a = await Admin.ResultAsync("blind_index", new { key, value = "  NID-123 ", normalize = "casefold" });
        var b = await Admin.ResultAsync("blind_index", new { key, values = new[] { "nid-123", "nid-124" }, normalize = "casefold" });
        Assert.Equal(a.Str("token"), b.GetProperty("tokens")[0].GetString());
        Assert.NotEqual(a.Str("token"), b.GetProperty("tokens")[1].GetString());
        var digits = await Admin.ResultAsync("blind_index", new { key, value = "+254 (700) 123", normalize = "digits" });
        var digits2 = await Admin.ResultAsync("blind_index", new { key, value = "254700123" });
        Assert.Equal(digits.Str("token"), digits2.Str("token"));
        var other = await CreateKeyAsync("hmac-sha256");
        Assert.NotEqual(a.Str("token"), (await Admin.ResultAsync("blind_index", new { key = other, value = "nid-123" })).Str("token"));
        Assert.Equal("unsupported_operation", (await Admin.ErrorAsync("blind_index", new { key = await CreateKeyAsync(), value = "x" })).ErrorName());
    }

    [Fact]
    public async Task Hmac_verifies_and_detects_changes()
    {
        var key = await CreateKeyAsync("hmac-sha256");
        var data = B64("payment-file-2026-12");
        var mac = (await Admin.ResultAsync("hmac", new { key, data })).Str("mac");
        Assert.StartsWith("kb:v1:", mac);
        Assert.True((await Admin.ResultAsync("verify_hmac", new { key, data, mac })).GetProperty("valid").GetBoolean());
        Assert.False((await Admin.ResultAsync("verify_hmac", new { key, data = B64("payment-file-2026-13"), mac })).GetProperty("valid").GetBoolean());
        await Admin.ResultAsync("key.rotate", new { name = key });
        Assert.True((await Admin.ResultAsync("verify_hmac", new { key, data, mac })).GetProperty("valid").GetBoolean());
        Assert.Equal("mac_malformed", (await Admin.ErrorAsync("verify_hmac", new { key, data, mac = "kb:vX:abc" })).ErrorName());
        Assert.Equal("unsupported_operation", (await Admin.ErrorAsync("encrypt_data", new { key, text = "x" })).ErrorName());
    }

    [Fact]
    public async Task Required_context_is_enforced()
    {
        var key = await CreateKeyAsync(extra: new { required_context = new[] { "model", "field" } });
        Assert.Equal("context_required", (await Admin.ErrorAsync("encrypt_data", new { key, text = "x", context = new { model = "res.partner" } })).ErrorName());
        var ct = (await Admin.ResultAsync("encrypt_data", new { key, text = "x", context = new { model = "res.partner", field = "name" } })).Str("ciphertext");
        Assert.Equal("context_required", (await Admin.ErrorAsync("decrypt_data", new { ciphertext = ct })).ErrorName());
    }

    [Fact]
    public async Task Key_management_errors_have_their_names()
    {
        var key = await CreateKeyAsync();
        Assert.Equal("key_exists", (await Admin.ErrorAsync("key.create", new { name = key, type = "aes-256-gcm" })).ErrorName());
        Assert.Equal("key_not_found", (await Admin.ErrorAsync("key.get", new { name = "never-created-" + Guid.NewGuid().ToString("N")[..8] })).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("key.create", new { name = ServerFixture.UniqueName(), type = "des" })).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("key.create", new { name = "Bad Name", type = "aes-256-gcm" })).ErrorName());
        Assert.Equal("forbidden", (await Admin.ErrorAsync("key.create", new { name = "keybridge.mine", type = "aes-256-gcm" })).ErrorName());
        Assert.Equal("version_not_found", (await Admin.ErrorAsync("key.revoke_version", new { name = key, version = 9 })).ErrorName());
        Assert.Equal("invalid_policy", (await Admin.ErrorAsync("key.configure", new { name = key, min_decryption_version = 5 })).ErrorName());
        Assert.Equal("invalid_policy", (await Admin.ErrorAsync("key.configure", new { name = key, exportable = true })).ErrorName());
        Assert.Equal("not_exportable", (await Admin.ErrorAsync("key.export", new { name = key })).ErrorName());
        Assert.Equal("forbidden", (await Admin.ErrorAsync("encrypt_data", new { key = "keybridge.token-signing", text = "x" })).ErrorName());
    }

    [Fact]
    public async Task Key_list_pages_by_name_and_never_shows_material()
    {
        var prefix = "list-" + Guid.NewGuid().ToString("N")[..8];
        foreach (var i in Enumerable.Range(0, 5))
        {
            await Admin.ResultAsync("key.create", new { name = $"{prefix}-{i}", type = "aes-256-gcm", rotation_period = "30d" });
        }
        var page1 = await Admin.ResultAsync("key.list", new { prefix, limit = 3 });
        var page2 = await Admin.ResultAsync("key.list", new { prefix, limit = 3, after = page1.Str("next_after") });
        var names = page1.GetProperty("keys").EnumerateArray().Concat(page2.GetProperty("keys").EnumerateArray()).Select(k => k.Str("name")).ToList();
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{prefix}-{i}"), names);
        Assert.Equal("30d", page1.GetProperty("keys")[0].GetProperty("policy").Str("rotation_period"));
        var raw = page1.ToString();
        Assert.DoesNotContain("material", raw, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Exportable_key_exports_as_jwk()
    {
        var key = await CreateKeyAsync(extra: new { exportable = true });
        var jwk = (await Admin.ResultAsync("key.export", new { name = key })).GetProperty("key");
        Assert.Equal("oct", jwk.Str("kty"));
        Assert.Equal(32, Convert.FromBase64String(Pad(jwk.Str("k"))).Length);
    }

    [Fact]
    public async Task Random_bytes_respects_its_bounds()
    {
        var r = await Admin.ResultAsync("random_bytes", new { length = 1024 });
        Assert.Equal(1024, Convert.FromBase64String(Pad(r.Str("data"))).Length);
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("random_bytes", new { length = 1025 })).ErrorName());
        Assert.Equal("invalid_params", (await Admin.ErrorAsync("random_bytes", new { length = 0 })).ErrorName());
    }

    internal static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal static string Pad(string b64url)
    {
        var s = b64url.Replace('-', '+').Replace('_', '/');
        return s.PadRight((s.Length + 3) / 4 * 4, '=');
    }
}

public sealed class SqliteKeyModelTests(SqliteServerFixture fx) : KeyModelContractTests(fx), IClassFixture<SqliteServerFixture>;

public sealed class PostgresKeyModelTests(PostgresServerFixture fx) : KeyModelContractTests(fx), IClassFixture<PostgresServerFixture>;
