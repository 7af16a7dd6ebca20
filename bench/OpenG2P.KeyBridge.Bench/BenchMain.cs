using System.Globalization;

namespace OpenG2P.KeyBridge.Bench;

/// <summary>
/// Entry point. <c>run</c> measures everything and writes the report; <c>bare</c> is the bare
/// reference server (started by <c>run</c> as its own process); <c>report</c> renders a saved
/// <c>latest.json</c> again.
/// </summary>
public static class BenchMain
{
    public const string Usage = """
        usage: OpenG2P.KeyBridge.Bench run --server <KeyBridge server dll> --out <results dir> [--quick]
                   [--postgres <Npgsql connection string>] [--softhsm-conf <softhsm2.conf> --hsm-label <label>]  (PIN in KEYBRIDGE_BENCH_HSM_PIN)
                   [--only <comma-separated sections: references,bare,sqlite,reencryption,postgres,hsm>]
               OpenG2P.KeyBridge.Bench bare --urls http://127.0.0.1:<port>
               OpenG2P.KeyBridge.Bench report --in <latest.json> --out <latest.md>
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        switch (args[0])
        {
            case "bare":
                return await BareServer.RunAsync(args[1..]);
            case "report":
                {
                    var o = Options.Parse(args[1..]);
                    var results = Report.Load(o.Require("in"));
                    File.WriteAllText(o.Require("out"), Report.Render(results));
                    return 0;
                }
            case "run":
                {
                    var o = Options.Parse(args[1..]);
                    var plan = new Plan(o.Has("quick"), o.Get("only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    var bench = new Bench(plan, Path.GetFullPath(o.Require("server")), Path.GetFullPath(o.Require("out")),
                        o.Get("postgres"), o.Get("softhsm-conf") is { } conf ? new HsmToken(Path.GetFullPath(conf), o.Require("hsm-label"),
                            Environment.GetEnvironmentVariable("KEYBRIDGE_BENCH_HSM_PIN") ?? throw new ArgumentException("KEYBRIDGE_BENCH_HSM_PIN is required with --softhsm-conf")) : null);
                    return await bench.RunAsync();
                }
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    /// <summary><c>--name value</c> and <c>--flag</c> arguments.</summary>
    private sealed class Options
    {
        private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new ArgumentException($"unexpected argument '{args[i]}'\n{Usage}");
                }
                var name = args[i][2..];
                var value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
                o._values[name] = value;
            }
            return o;
        }

        public bool Has(string name) => _values.ContainsKey(name);

        public string? Get(string name) => _values.TryGetValue(name, out var v) ? v : null;

        public string Require(string name) => Get(name) ?? throw new ArgumentException($"--{name} is required\n{Usage}");
    }
}

/// <summary>A throwaway SoftHSM2 token made by run.sh.</summary>
public sealed record HsmToken(string ConfigPath, string Label, string Pin);

/// <summary>How long and how much: <c>--quick</c> (under 2 minutes) or the full run (about 10 minutes on 2 cores).</summary>
public sealed record Plan(bool Quick, IReadOnlyList<string>? Only)
{
    public string Mode => Quick ? "quick" : "full";

    public TimeSpan Scenario => TimeSpan.FromSeconds(Quick ? 1 : 6);

    public TimeSpan ScenarioWarmUp => TimeSpan.FromSeconds(Quick ? 0.5 : 1.5);

    public TimeSpan ServerWarmUp => TimeSpan.FromSeconds(Quick ? 2 : 8);

    public TimeSpan Reference => TimeSpan.FromSeconds(Quick ? 0.3 : 1.2);

    public int ReencryptionRecords => Quick ? 100_000 : 1_000_000;

    public int HsmReencryptionRecords => Quick ? 5_000 : 50_000;

    public int HsmColdKeys => Quick ? 10 : 100;

    /// <summary>Every load loop stops at this many requests even if its time is not up.</summary>
    public long MaxRequests => 3_000_000;

    public bool Runs(string section) => Only is null || Only.Contains(section);

    public static string Seconds(double s) => s.ToString("0.0", CultureInfo.InvariantCulture);
}
