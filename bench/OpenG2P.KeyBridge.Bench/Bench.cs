using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace OpenG2P.KeyBridge.Bench;

/// <summary>The whole run: references, the bare handler, KeyBridge embedded, on PostgreSQL and with SoftHSM2, then the report.</summary>
public sealed partial class Bench(Plan plan, string serverDll, string outDir, string? postgres, HsmToken? hsm)
{
    private readonly BenchResults _results = new();
    private readonly string _scratch = Directory.CreateTempSubdirectory("keybridge-bench-").FullName;
    private readonly string _adminSecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static void Log(string message) => Console.Error.WriteLine($"[bench {DateTime.Now:HH:mm:ss}] {message}");

    public async Task<int> RunAsync()
    {
        var started = Stopwatch.GetTimestamp();
        _results.Machine = Machine();
        _results.Machine.Mode = plan.Mode;
        Log($"mode {plan.Mode}; scratch {_scratch}; load average {_results.Machine.LoadAverageStart}");
        try
        {
            if (plan.Runs("references"))
            {
                await SectionAsync("references", () =>
                {
                    Log("in-process references");
                    _results.References.AddRange(References.Measure(plan.Reference, Log));
                    return Task.CompletedTask;
                });
            }
            if (plan.Runs("bare"))
            {
                await SectionAsync("bare", BareAsync);
            }
            if (plan.Runs("sqlite") || plan.Runs("reencryption"))
            {
                await SectionAsync("sqlite", () => KeyBridgeAsync("sqlite", new Dictionary<string, string>(), full: plan.Runs("sqlite"),
                    reencryption: plan.Runs("reencryption")));
            }
            if (plan.Runs("postgres"))
            {
                if (postgres is null)
                {
                    _results.Scenarios.Add(ScenarioResult.Skipped("postgres/all", "postgres", "PostgreSQL configuration", "no --postgres connection string given"));
                }
                else
                {
                    await SectionAsync("postgres", () => KeyBridgeAsync("postgres", new Dictionary<string, string>
                    {
                        ["Storage__Provider"] = "postgres",
                        ["Storage__ConnectionString"] = postgres,
                        ["Kek__AllowSoftwareInProduction"] = "true",
                    }, full: false, reencryption: false));
                }
            }
            if (plan.Runs("hsm"))
            {
                await SectionAsync("hsm", HsmAsync);
            }
        }
        finally
        {
            _bareClient?.Dispose();
            if (_bare is not null)
            {
                await _bare.DisposeAsync();
            }
            _results.Machine.LoadAverageEnd = LoadAverage();
            _results.Machine.DurationSeconds = Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds);
            _results.Targets = Targets.Evaluate(_results);
            AddNotes();
            Report.Save(_results, outDir);
            try
            {
                Directory.Delete(_scratch, recursive: true);
            }
            catch (IOException)
            {
                // a server may still hold a file; the OS cleans /tmp
            }
        }
        Log($"wrote {Path.Combine(outDir, "latest.md")} and latest.json in {Plan.Seconds(Stopwatch.GetElapsedTime(started).TotalSeconds)} s");
        foreach (var t in _results.Targets)
        {
            Log($"  {t.Verdict,-12} {t.Target}: {t.Measured} (required {t.Required})");
        }
        return 0;
    }

    /// <summary>Runs one section; a failure is reported as a row and the run goes on with the next section.</summary>
    private async Task SectionAsync(string name, Func<Task> section)
    {
        try
        {
            await section();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log($"section {name} failed: {e}");
            _results.Scenarios.Add(new ScenarioResult
            {
                Id = $"{name}/failed", Config = name, Name = $"section {name}", Status = "failed",
                Note = e.GetType().Name + ": " + e.Message.Split('\n')[0],
            });
        }
    }

    private ServerProcess? _bare;
    private RpcClient? _bareClient;

    private static readonly byte[] BareBody = Utf8.Bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"encrypt_data\",\"params\":{\"text\":\""
        + References.Plaintext + "\",\"context\":{\"model\":\"res.partner\",\"field\":\"name\",\"id\":42}}}");

    private const string BareName = "bare handler: read body, AES-256-GCM encrypt, hand-written reply";

    /// <summary>
    /// The bare minimal-API handler doing the same crypto, driven exactly like KeyBridge's single-item
    /// encrypt. It stays up (idle) so that its c16 figure is measured right before and after KeyBridge's.
    /// </summary>
    private async Task BareAsync()
    {
        Log("bare ASP.NET Core handler");
        var dll = Path.Combine(AppContext.BaseDirectory, "OpenG2P.KeyBridge.Bench.dll");
        _bare = await ServerProcess.StartAsync(Path.Combine(_scratch, "bare"), dll,
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "1" }, ["bare"], Path.Combine(_scratch, "bare.log"));
        _bareClient = new RpcClient(_bare.BaseUrl, "", 16);
        await WarmAsync(_bareClient, [BareBody], 16, plan.ServerWarmUp);
        _results.Scenarios.Add(await MeasureAsync(_bare, _bareClient, "bare/encrypt-c1", "bare", BareName, [BareBody], 1, 1, preferWrk: true, token: ""));
    }

    /// <summary>Measures KeyBridge's single-item encrypt at c16 between two measurements of the bare handler (their mean is the bare row).</summary>
    private async Task<ScenarioResult> BesideBareAsync(Func<Task<ScenarioResult>> keyBridge)
    {
        if (_bare is null || _bareClient is null)
        {
            return await keyBridge();
        }
        var before = await MeasureAsync(_bare, _bareClient, "bare/encrypt-c16", "bare", BareName, [BareBody], 16, 1, preferWrk: true, token: "");
        var result = await keyBridge();
        var after = await MeasureAsync(_bare, _bareClient, "bare/encrypt-c16", "bare", BareName, [BareBody], 16, 1, preferWrk: true, token: "");
        var requests = before.Requests + after.Requests;
        var seconds = before.Seconds + after.Seconds;
        _results.Scenarios.Add(new ScenarioResult
        {
            Id = "bare/encrypt-c16",
            Config = "bare",
            Name = BareName,
            Note = "measured right before and right after sqlite/encrypt-c16; the mean of both",
            Concurrency = 16,
            Requests = requests,
            Items = requests,
            Errors = before.Errors + after.Errors,
            Seconds = Math.Round(seconds, 2),
            RequestsPerSecond = Math.Round(requests / seconds, 1),
            ItemsPerSecond = Math.Round(requests / seconds, 1),
            P50Ms = (before.P50Ms + after.P50Ms) / 2,
            P99Ms = Math.Max(before.P99Ms ?? 0, after.P99Ms ?? 0),
            CpuSecondsPer1000 = (before.CpuSecondsPer1000 + after.CpuSecondsPer1000) / 2,
            Generator = before.Generator,
        });
        return result;
    }

    private async Task WarmAsync(RpcClient client, IReadOnlyList<byte[]> bodies, int concurrency, TimeSpan duration)
    {
        if (WrkRunner.Available && bodies.Count == 1)
        {
            await WrkRunner.RunAsync(client.Endpoint, client.Token, bodies[0], concurrency, duration, plan.MaxRequests, _scratch);
        }
        else
        {
            await LoadRunner.RunAsync(client, bodies, concurrency, duration, plan.MaxRequests);
        }
    }

    /// <summary>Warms up, then measures one scenario: throughput, latency, errors and the server's CPU per 1,000 items.</summary>
    private async Task<ScenarioResult> MeasureAsync(ServerProcess server, RpcClient client, string id, string config, string name,
        IReadOnlyList<byte[]> bodies, int concurrency, int itemsPerRequest, bool preferWrk, string? token = null, string? note = null,
        string? adjacentReference = null)
    {
        double? referenceBefore = adjacentReference is null ? null : References.MeasureOne(adjacentReference, plan.Reference);
        var useWrk = preferWrk && WrkRunner.Available && bodies.Count == 1;
        async Task<LoadOutcome> Once(TimeSpan duration) => useWrk
            ? await WrkRunner.RunAsync(client.Endpoint, token ?? client.Token, bodies[0], concurrency, duration, plan.MaxRequests, _scratch)
            : await LoadRunner.RunAsync(client, bodies, concurrency, duration, plan.MaxRequests);

        await Once(plan.ScenarioWarmUp);
        var cpu0 = server.CpuSeconds();
        var outcome = await Once(plan.Scenario);
        var cpu = server.CpuSeconds() - cpu0;
        double? reference = referenceBefore is { } rb ? (rb + References.MeasureOne(adjacentReference!, plan.Reference)) / 2 : null;
        var items = outcome.Requests * itemsPerRequest;
        var result = new ScenarioResult
        {
            Id = id,
            Config = config,
            Name = name,
            Note = note,
            Concurrency = concurrency,
            ItemsPerRequest = itemsPerRequest,
            Requests = outcome.Requests,
            Items = items,
            Errors = outcome.Errors,
            Seconds = Math.Round(outcome.Seconds, 2),
            RequestsPerSecond = Math.Round(outcome.Requests / outcome.Seconds, 1),
            ItemsPerSecond = Math.Round(items / outcome.Seconds, 1),
            P50Ms = Math.Round(outcome.P50Ms, 3),
            P99Ms = Math.Round(outcome.P99Ms, 3),
            CpuSecondsPer1000 = items > 0 ? Math.Round(cpu / (items / 1000.0), 4) : null,
            Generator = useWrk ? $"wrk -c{concurrency}" : $".NET HttpClient x{concurrency}",
            AdjacentReference = adjacentReference,
            AdjacentReferenceOpsPerSecond = reference is { } x ? Math.Round(x, 1) : null,
        };
        if (outcome.Errors > 0)
        {
            result.Note = $"{outcome.Errors} requests answered with errors; first: {outcome.FirstError}";
        }
        Log(string.Create(CultureInfo.InvariantCulture,
            $"  {id}: {result.RequestsPerSecond:N0} req/s, {result.ItemsPerSecond:N0} items/s, p50 {result.P50Ms} ms, p99 {result.P99Ms} ms, errors {result.Errors}, cpu/1k {result.CpuSecondsPer1000}"));
        return result;
    }

    private static MachineInfo Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
        return new MachineInfo
        {
            StartedUtc = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            Cpu = cpu,
            Cores = Environment.ProcessorCount,
            MemoryMb = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024),
            Os = RuntimeInformation.OSDescription,
            Dotnet = Environment.Version.ToString(),
            Commit = Environment.GetEnvironmentVariable("KEYBRIDGE_BENCH_COMMIT"),
            LoadAverageStart = LoadAverage(),
            LoadGenerator = WrkRunner.Available
                ? "wrk (Debian) with bench/OpenG2P.KeyBridge.Bench/wrk/jsonrpc.lua for single-item scenarios; .NET HttpClient (SocketsHttpHandler, keep-alive) for batches and set-up"
                : ".NET HttpClient (SocketsHttpHandler, keep-alive); wrk not installed",
        };
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
