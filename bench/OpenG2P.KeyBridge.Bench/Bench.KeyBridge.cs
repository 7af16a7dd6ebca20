using System.Text.Json;

namespace OpenG2P.KeyBridge.Bench;

public sealed partial class Bench
{
    private static readonly string[] BenchRoles =
        ["encrypter", "decrypter", "signer", "verifier", "job-operator", "voucher-issuer", "voucher-redeemer"];

    private static object Context(long id) => new Dictionary<string, object> { ["model"] = "res.partner", ["field"] = "name", ["id"] = id };

    private Dictionary<string, string> KeyBridgeEnvironment(string dir, IReadOnlyDictionary<string, string> extra)
    {
        var env = new Dictionary<string, string>
        {
            ["Storage__DataDirectory"] = Path.Combine(dir, "data"),
            ["Bootstrap__AdminSecret"] = _adminSecret,
        };
        foreach (var (k, v) in extra)
        {
            env[k] = v;
        }
        return env;
    }

    private Task<ServerProcess> StartKeyBridgeAsync(string dir, IReadOnlyDictionary<string, string> env, string logName) =>
        // The content root is the build folder (its appsettings.json); the data live in the scratch folder.
        ServerProcess.StartAsync(dir, serverDll, env, ["--contentRoot", Path.GetDirectoryName(serverDll)!], Path.Combine(_scratch, logName));

    /// <summary>Start-up (fresh and with existing data), idle memory, then the scenarios and the memory peak under load.</summary>
    private async Task KeyBridgeAsync(string config, IReadOnlyDictionary<string, string> extra, bool full, bool reencryption)
    {
        Log($"KeyBridge ({config})");
        var dir = Path.Combine(_scratch, config);
        var env = KeyBridgeEnvironment(dir, extra);
        await using (var first = await StartKeyBridgeAsync(dir, env, $"{config}-first.log"))
        {
            AddResource($"{config}/first-startup", $"Start-up to /health/ready, first start ({config}: migrations, default keys, root CA)",
                first.StartupSeconds, "s");
        }
        await using var server = await StartKeyBridgeAsync(dir, env, $"{config}.log");
        AddResource($"{config}/startup", $"Start-up to /health/ready, existing data ({config})", server.StartupSeconds, "s");
        using var admin = new RpcClient(server.BaseUrl, await RpcClient.TokenAsync(server.BaseUrl, "admin", _adminSecret));
        await Task.Delay(TimeSpan.FromSeconds(2));
        AddResource($"{config}/rss-idle", $"Resident memory idle after start-up ({config})", server.RssMb(), "MB");

        using var sampler = new RssSampler(server);
        var clientId = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var created = await admin.CallAsync("client.create", new { client_id = clientId, roles = BenchRoles });
        var token = await RpcClient.TokenAsync(server.BaseUrl, clientId, created.GetProperty("client_secret").GetString()!);
        using var client = new RpcClient(server.BaseUrl, token);

        var encryptOne = client.Body("encrypt_data", new { text = References.Plaintext, context = Context(42) });
        Log("  warm-up");
        await WarmAsync(client, [encryptOne], 16, plan.ServerWarmUp);

        if (full || config != "sqlite")
        {
            await EncryptDecryptAsync(server, client, config, full);
        }
        if (full)
        {
            await MacAndSigningAsync(server, admin, client, config);
            await VouchersAsync(server, client, config);
            await WebSocketAsync(server, client, config);
        }
        else if (config != "sqlite")
        {
            var es = client.Body("jwt_sign", new { payload = VoucherClaims(1) });
            _results.Scenarios.Add(await MeasureAsync(server, client, $"{config}/jwt-sign-es256-c16", config, "jwt_sign ES256, single", [es], 16, 1, preferWrk: true));
        }
        if (reencryption)
        {
            await ReencryptionAsync(server, client, admin, config, plan.ReencryptionRecords);
        }
        AddResource($"{config}/rss-load", $"Resident memory under load, peak ({config})", sampler.MaxMb, "MB", "VmRSS sampled every 250 ms");
    }

    private async Task EncryptDecryptAsync(ServerProcess server, RpcClient client, string config, bool full)
    {
        var encryptOne = client.Body("encrypt_data", new { text = References.Plaintext, context = Context(42) });
        var ciphertext = (await client.CallAsync("encrypt_data", new { text = References.Plaintext, context = Context(42) }))
            .GetProperty("ciphertext").GetString();
        var decryptOne = client.Body("decrypt_data", new { ciphertext, context = Context(42) });
        var judged = config == "sqlite";
        if (full || !plan.Quick)
        {
            _results.Scenarios.Add(await MeasureAsync(server, client, $"{config}/encrypt-c1", config, "encrypt_data, single item", [encryptOne], 1, 1, preferWrk: true));
        }
        Task<ScenarioResult> EncryptC16() =>
            MeasureAsync(server, client, $"{config}/encrypt-c16", config, "encrypt_data, single item", [encryptOne], 16, 1, preferWrk: true);
        _results.Scenarios.Add(judged ? await BesideBareAsync(EncryptC16) : await EncryptC16());
        foreach (var c in full && !plan.Quick ? new[] { 1, 16 } : [16])
        {
            _results.Scenarios.Add(await MeasureAsync(server, client, $"{config}/decrypt-c{c}", config, "decrypt_data, single item", [decryptOne], c, 1,
                preferWrk: true, adjacentReference: judged && c == 16 ? "mosip-decrypt" : null));
        }
        foreach (var n in full && !plan.Quick ? new[] { 100, 1000 } : [1000])
        {
            var items = Enumerable.Range(1, n).Select(i => new { text = References.Plaintext, context = Context(i) }).ToList();
            _results.Scenarios.Add(await MeasureAsync(server, client, $"{config}/encrypt-batch-{n}", config, $"encrypt_data, items of {n:N0}",
                [client.Body("encrypt_data", new { items })], 4, n, preferWrk: false, adjacentReference: judged && n == 1000 ? "aes-gcm" : null));
            var encrypted = await client.CallAsync("encrypt_data", new { items });
            var cts = encrypted.GetProperty("items").EnumerateArray().Select((e, i) => new { ciphertext = e.GetProperty("ciphertext").GetString(), context = Context(i + 1) }).ToList();
            _results.Scenarios.Add(await MeasureAsync(server, client, $"{config}/decrypt-batch-{n}", config, $"decrypt_data, items of {n:N0}",
                [client.Body("decrypt_data", new { items = cts })], 4, n, preferWrk: false, adjacentReference: judged && n == 1000 ? "aes-gcm" : null));
        }
        if (judged)
        {
            // The decrypt target compares with MOSIP's design: measure it beside the batch decrypt too.
            var mosip = (References.MeasureOne("mosip-decrypt", plan.Reference) + References.MeasureOne("mosip-decrypt", plan.Reference)) / 2;
            _results.References.Add(new ReferenceResult
            {
                Id = "mosip-decrypt-beside", Name = "MOSIP design: decrypt, measured right after sqlite/decrypt-batch-1000",
                OpsPerSecond = Math.Round(mosip, 1), Threads = Environment.ProcessorCount, Note = "the reference of the decrypt target",
            });
        }
    }

    private static Dictionary<string, object> VoucherClaims(int i) => new()
    {
        ["voucher"] = $"V-{i}", ["program"] = "cash-transfer-2026", ["beneficiary"] = $"b-{i:x8}", ["amount"] = "12.50", ["currency"] = "KES",
    };

    private async Task MacAndSigningAsync(ServerProcess server, RpcClient admin, RpcClient client, string config)
    {
        await admin.CallAsync("key.create", new { name = "bench-blind-index", type = "hmac-sha256" });
        var values = Enumerable.Range(1, 1000).Select(i => $"Registrant {i} Yusuf").ToList();
        _results.Scenarios.Add(await MeasureAsync(server, client, $"{config}/blind-index-batch-1000", config, "blind_index, values of 1,000 (casefold)",
            [client.Body("blind_index", new { key = "bench-blind-index", values, normalize = "casefold" })], 4, 1000, preferWrk: false));

        var keys = new List<(string Alg, string Key)> { ("ES256", "default-signing") };
        await admin.CallAsync("key.create", new { name = "bench-ed25519", type = "ed25519" });
        keys.Add(("EdDSA", "bench-ed25519"));
        await admin.CallAsync("key.create", new { name = "bench-rsa", type = "rsa-2048", algorithm = "RS256" });
        keys.Add(("RS256", "bench-rsa"));
        string? es256Jwt = null;
        foreach (var (alg, key) in keys)
        {
            var single = client.Body("jwt_sign", new { key, payload = VoucherClaims(1) });
            var jwt = (await client.CallAsync("jwt_sign", new { key, payload = VoucherClaims(1) })).GetProperty("jwt").GetString();
            es256Jwt ??= jwt;
            _results.Scenarios.Add(await MeasureAsync(server, client, $"{config}/jwt-sign-{alg.ToLowerInvariant()}-c16", config, $"jwt_sign {alg}, single", [single], 16, 1, preferWrk: true));
            if (plan.Quick && alg == "RS256")
            {
                continue;
            }
            var items = Enumerable.Range(1, 100).Select(i => new { payload = VoucherClaims(i) }).ToList();
            _results.Scenarios.Add(await MeasureAsync(server, client, $"{config}/jwt-sign-{alg.ToLowerInvariant()}-batch-100", config, $"jwt_sign {alg}, items of 100",
                [client.Body("jwt_sign", new { key, items })], 4, 100, preferWrk: false, adjacentReference: alg == "ES256" ? "ecdsa-p256" : null));
        }
        var verifyOne = client.Body("jwt_verify", new { jwt = es256Jwt });
        _results.Scenarios.Add(await MeasureAsync(server, client, $"{config}/jwt-verify-es256-c16", config, "jwt_verify ES256, single", [verifyOne], 16, 1, preferWrk: true));
        var verifyItems = Enumerable.Range(0, 100).Select(_ => new { jwt = es256Jwt }).ToList();
        _results.Scenarios.Add(await MeasureAsync(server, client, $"{config}/jwt-verify-es256-batch-100", config, "jwt_verify ES256, items of 100",
            [client.Body("jwt_verify", new { items = verifyItems })], 4, 100, preferWrk: false));
    }

    /// <summary>voucher.issue in batches and voucher.redeem, once those methods exist (rpc.discover); otherwise rows saying so.</summary>
    private async Task VouchersAsync(ServerProcess server, RpcClient client, string config)
    {
        const string issueName = "voucher.issue, items of 1,000";
        const string redeemName = "voucher.redeem, one voucher per request";
        if (!await client.HasMethodAsync("voucher.issue") || !await client.HasMethodAsync("voucher.redeem"))
        {
            const string reason = "not available: this build has no voucher.issue / voucher.redeem (rpc.discover); the scenario runs once they exist";
            _results.Scenarios.Add(ScenarioResult.Skipped($"{config}/voucher-issue-batch-1000", config, issueName, reason));
            _results.Scenarios.Add(ScenarioResult.Skipped($"{config}/voucher-redeem-c16", config, redeemName, reason));
            return;
        }
        var validUntil = DateTimeOffset.UtcNow.AddDays(30).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        object Voucher(int i) => new { program = "bench", beneficiary = $"b-{i:x8}", amount = "12.50", currency = "KES", valid_until = validUntil };
        try
        {
            var batch = client.Body("voucher.issue", new { items = Enumerable.Range(1, 1000).Select(Voucher).ToList() });
            _results.Scenarios.Add(await MeasureAsync(server, client, $"{config}/voucher-issue-batch-1000", config, issueName, [batch], 4, 1000, preferWrk: false));

            var count = plan.Quick ? 4_000 : 20_000;
            var tokens = new List<string>(count);
            for (var start = 0; start < count; start += 1000)
            {
                var issued = await client.CallAsync("voucher.issue", new { items = Enumerable.Range(start + 1, 1000).Select(Voucher).ToList() });
                tokens.AddRange(issued.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("token").GetString()!));
            }
            var bodies = tokens.Select(t => client.Body("voucher.redeem", new { token = t, redeemer = "bench-shop" })).ToList();
            var cpu0 = server.CpuSeconds();
            var outcome = await LoadRunner.RunAsync(client, bodies, 16, plan.Scenario, bodies.Count);
            _results.Scenarios.Add(FromOutcome($"{config}/voucher-redeem-c16", config, redeemName, outcome, 16, 1, server.CpuSeconds() - cpu0, ".NET HttpClient x16"));
        }
        catch (Exception e) when (e is RpcException or KeyNotFoundException or InvalidOperationException)
        {
            var reason = $"voucher methods exist but the benchmark's call failed ({e.Message}); adjust bench/OpenG2P.KeyBridge.Bench/Bench.KeyBridge.cs";
            _results.Scenarios.RemoveAll(s => s.Id.StartsWith($"{config}/voucher-", StringComparison.Ordinal));
            _results.Scenarios.Add(ScenarioResult.Skipped($"{config}/voucher-issue-batch-1000", config, issueName, reason));
            _results.Scenarios.Add(ScenarioResult.Skipped($"{config}/voucher-redeem-c16", config, redeemName, reason));
        }
    }

    private ScenarioResult FromOutcome(string id, string config, string name, LoadOutcome o, int concurrency, int itemsPerRequest, double cpu, string generator)
    {
        var items = o.Requests * itemsPerRequest;
        var r = new ScenarioResult
        {
            Id = id,
            Config = config,
            Name = name,
            Concurrency = concurrency,
            ItemsPerRequest = itemsPerRequest,
            Requests = o.Requests,
            Items = items,
            Errors = o.Errors,
            Seconds = Math.Round(o.Seconds, 2),
            RequestsPerSecond = Math.Round(o.Requests / o.Seconds, 1),
            ItemsPerSecond = Math.Round(items / o.Seconds, 1),
            P50Ms = double.IsNaN(o.P50Ms) ? null : Math.Round(o.P50Ms, 3),
            P99Ms = double.IsNaN(o.P99Ms) ? null : Math.Round(o.P99Ms, 3),
            CpuSecondsPer1000 = items > 0 ? Math.Round(cpu / (items / 1000.0), 4) : null,
            Generator = generator,
            Note = o.Errors > 0 ? $"{o.Errors} errors; first: {o.FirstError}" : null,
        };
        Log($"  {id}: {r.RequestsPerSecond:N0} req/s, {r.ItemsPerSecond:N0} items/s, p99 {r.P99Ms} ms, errors {r.Errors}");
        return r;
    }

    private void AddResource(string id, string name, double value, string unit, string? note = null)
    {
        _results.Resources.Add(new ResourceResult { Id = id, Name = name, Value = Math.Round(value, 3), Unit = unit, Note = note });
        Log($"  {name}: {value:0.###} {unit}");
    }

    /// <summary>Samples the server's resident memory in the background and keeps the peak.</summary>
    private sealed class RssSampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private double _max;

        public RssSampler(ServerProcess server)
        {
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        _max = Math.Max(_max, server.RssMb());
                        await Task.Delay(250, _stop.Token);
                    }
                    catch (Exception e) when (e is OperationCanceledException or IOException)
                    {
                        return;
                    }
                }
            });
        }

        public double MaxMb => _max;

        public void Dispose()
        {
            _stop.Cancel();
            _loop.Wait();
            _stop.Dispose();
        }
    }

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;
}
