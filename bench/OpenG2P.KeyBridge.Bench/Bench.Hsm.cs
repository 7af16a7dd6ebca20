using System.Diagnostics;

namespace OpenG2P.KeyBridge.Bench;

public sealed partial class Bench
{
    /// <summary>
    /// KeyBridge with its KEK in a SoftHSM2 token (<c>Kek:Provider=pkcs11</c>): key creation (wrap in the
    /// token), the first use of each key after a restart (unwrap in the token: cold cache) against the
    /// same calls warm, single-item encrypt, and the re-encryption job.
    /// </summary>
    /// <summary>
    /// Pkcs11Interop 5.3 loads "libdl", but glibc 2.34+ (Debian 12) ships only libdl.so.2 unless a dev
    /// symlink exists; give the server a folder with that symlink (a product issue the report notes).
    /// </summary>
    private string? LibdlWorkaround()
    {
        if (File.Exists("/usr/lib/x86_64-linux-gnu/libdl.so") || !File.Exists("/usr/lib/x86_64-linux-gnu/libdl.so.2"))
        {
            return null;
        }
        var dir = Path.Combine(_scratch, "libdl");
        Directory.CreateDirectory(dir);
        var link = Path.Combine(dir, "libdl.so");
        if (!File.Exists(link))
        {
            File.CreateSymbolicLink(link, "/usr/lib/x86_64-linux-gnu/libdl.so.2");
        }
        _results.Notes.Add("SoftHSM2 runs needed a `libdl.so` symlink on LD_LIBRARY_PATH: Pkcs11Interop 5.3 loads \"libdl\", which glibc 2.34+ (Debian 12) provides only as libdl.so.2; without it `Kek:Provider=pkcs11` stops start-up with DllNotFoundException.");
        return dir;
    }

    private async Task HsmAsync()
    {
        const string config = "hsm";
        const string signName = "jwt_sign with the private key in the HSM";
        if (hsm is null)
        {
            _results.Scenarios.Add(ScenarioResult.Skipped("hsm/all", config, "SoftHSM2 configuration", "no SoftHSM2 token given (run.sh makes one when softhsm2-util is installed)"));
            return;
        }
        Log("KeyBridge with the KEK in SoftHSM2");
        var dir = Path.Combine(_scratch, config);
        var extra = new Dictionary<string, string>
        {
            ["Kek__Provider"] = "pkcs11",
            ["Kek__Pkcs11__Library"] = "/usr/lib/softhsm/libsofthsm2.so",
            ["Kek__Pkcs11__TokenLabel"] = hsm.Label,
            ["Kek__Pkcs11__Pin"] = hsm.Pin,
            ["SOFTHSM2_CONF"] = hsm.ConfigPath,
        };
        if (LibdlWorkaround() is { } libdir)
        {
            extra["LD_LIBRARY_PATH"] = libdir;
        }
        var env = KeyBridgeEnvironment(dir, extra);
        var keys = Enumerable.Range(1, plan.HsmColdKeys).Select(i => $"bench-hsm-{i:D3}").ToList();
        string clientId, secret;
        await using (var first = await StartKeyBridgeAsync(dir, env, "hsm-first.log"))
        {
            AddResource("hsm/first-startup", "Start-up to /health/ready, first start (SoftHSM2 KEK)", first.StartupSeconds, "s");
            using var admin = new RpcClient(first.BaseUrl, await RpcClient.TokenAsync(first.BaseUrl, "admin", _adminSecret));
            clientId = "bench-" + Guid.NewGuid().ToString("N")[..8];
            secret = (await admin.CallAsync("client.create", new { client_id = clientId, roles = BenchRoles })).GetProperty("client_secret").GetString()!;
            var created = Stopwatch.GetTimestamp();
            foreach (var key in keys)
            {
                await admin.CallAsync("key.create", new { name = key, type = "aes-256-gcm" });
            }
            var seconds = Stopwatch.GetElapsedTime(created).TotalSeconds;
            _results.Scenarios.Add(new ScenarioResult
            {
                Id = "hsm/key-create",
                Config = config,
                Name = "key.create aes-256-gcm (material wrapped by the KEK in SoftHSM2)",
                Concurrency = 1,
                Requests = keys.Count,
                Items = keys.Count,
                Seconds = Math.Round(seconds, 2),
                RequestsPerSecond = Math.Round(keys.Count / seconds, 1),
                ItemsPerSecond = Math.Round(keys.Count / seconds, 1),
                Generator = "sequential calls",
            });
        }

        // A restart empties the material cache: the first use of each key unwraps it in the token.
        await using var server = await StartKeyBridgeAsync(dir, env, "hsm.log");
        AddResource("hsm/startup", "Start-up to /health/ready, existing data (SoftHSM2 KEK)", server.StartupSeconds, "s");
        using var client = new RpcClient(server.BaseUrl, await RpcClient.TokenAsync(server.BaseUrl, clientId, secret));
        using var adminClient = new RpcClient(server.BaseUrl, await RpcClient.TokenAsync(server.BaseUrl, "admin", _adminSecret));
        await client.CallAsync("encrypt_data", new { text = References.Plaintext }); // the default key, so the first pass measures only its own keys
        foreach (var (id, name) in new[]
        {
            ("hsm/first-use-cold", "encrypt_data, first use of each key after a restart (KEK unwrap in SoftHSM2, cold cache)"),
            ("hsm/first-use-warm", "encrypt_data, the same keys again (material cached)"),
        })
        {
            var latencies = new List<double>();
            var cpu0 = server.CpuSeconds();
            var started = Stopwatch.GetTimestamp();
            foreach (var key in keys)
            {
                var t0 = Stopwatch.GetTimestamp();
                await client.CallAsync("encrypt_data", new { key, text = References.Plaintext });
                latencies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
            var sorted = latencies.Order().ToArray();
            _results.Scenarios.Add(FromOutcome(id, config, name,
                new LoadOutcome(keys.Count, 0, Stopwatch.GetElapsedTime(started).TotalSeconds, LoadRunner.Percentile(sorted, 0.5), LoadRunner.Percentile(sorted, 0.99), null),
                1, 1, server.CpuSeconds() - cpu0, "sequential calls, one per key"));
        }
        var encryptOne = client.Body("encrypt_data", new { text = References.Plaintext, context = Context(42) });
        _results.Scenarios.Add(await MeasureAsync(server, client, "hsm/encrypt-c16", config, "encrypt_data, single item (KEK in SoftHSM2, material cached)",
            [encryptOne], 16, 1, preferWrk: true));
        _results.Scenarios.Add(ScenarioResult.Skipped("hsm/jwt-sign", config, signName,
            "not available: KeyBridge's PKCS#11 support holds the KEK only (src/OpenG2P.KeyBridge.Core/Hsm); signing keys are unwrapped and used in software"));
        await ReencryptionAsync(server, client, adminClient, config, plan.HsmReencryptionRecords,
            note: "KEK in SoftHSM2: the rotated key's new version is unwrapped in the token on first use");
    }
}
