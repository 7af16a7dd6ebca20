using System.Globalization;

namespace OpenG2P.KeyBridge.Bench;

/// <summary>The targets of SPEC §11, each judged from figures measured in the same run.</summary>
public static class Targets
{
    public const double MinBatchShareOfAes = 0.25;
    public const double MinSingleRate = 10_000;
    public const double MaxSingleP99Ms = 10;
    public const double MinShareOfBare = 0.40;
    public const double MinEs256ShareOfEcdsa = 0.50;
    public const double MinFactorOverMosip = 20;
    public const double MaxRssIdleMb = 150;
    public const double MaxRssLoadMb = 300;
    public const double MaxStartupSeconds = 3;
    public const double MaxReencryptionSeconds = 300;
    public const long ReencryptionTargetRecords = 1_000_000;

    public static List<TargetResult> Evaluate(BenchResults r)
    {
        var list = new List<TargetResult>();
        foreach (var (id, what) in new[] { ("sqlite/encrypt-batch-1000", "encrypt"), ("sqlite/decrypt-batch-1000", "decrypt") })
        {
            var s = r.Find(id);
            list.Add(Ratio($"Symmetric {what} over HTTP JSON-RPC, batches of 1,000 items, vs in-process AES-256-GCM (1 thread)",
                s?.ItemsPerSecond, ReferenceFor(r, s, "aes-gcm"), MinBatchShareOfAes, "items/s"));
        }

        var single = r.Find("sqlite/encrypt-c16");
        list.Add(Threshold("Single-item encrypt, 16 keep-alive clients: throughput", single?.RequestsPerSecond, MinSingleRate, atLeast: true,
            v => $"{F0(v)} req/s", $">= {F0(MinSingleRate)} req/s"));
        list.Add(Threshold("Single-item encrypt, 16 keep-alive clients: p99 latency", single?.P99Ms, MaxSingleP99Ms, atLeast: false,
            v => $"{F2(v)} ms", $"< {F0(MaxSingleP99Ms)} ms"));
        var bare = r.Find("bare/encrypt-c16");
        list.Add(Ratio("Single-item encrypt c16 vs a bare ASP.NET Core handler doing the same crypto", single?.RequestsPerSecond,
            bare?.RequestsPerSecond, MinShareOfBare, "req/s"));

        var es256 = r.Find("sqlite/jwt-sign-es256-batch-100");
        list.Add(Ratio("ES256 jwt_sign in batches of 100 vs in-process ECDSA P-256 signing (1 thread)", es256?.ItemsPerSecond,
            ReferenceFor(r, es256, "ecdsa-p256"), MinEs256ShareOfEcdsa, "items/s"));

        var decryptBatch = r.Find("sqlite/decrypt-batch-1000");
        list.Add(Factor("Decrypt over HTTP (batches of 1,000) vs MOSIP's design in-process (2 RSA-2048 private ops per call, all cores)",
            decryptBatch?.ItemsPerSecond, r.Reference("mosip-decrypt-beside")?.OpsPerSecond ?? ReferenceFor(r, decryptBatch, "mosip-decrypt")));
        var decryptSingle = r.Find("sqlite/decrypt-c16");
        var singleFactor = Factor("Decrypt over HTTP, single items c16 vs MOSIP's design in-process (all cores)",
            decryptSingle?.RequestsPerSecond, ReferenceFor(r, decryptSingle, "mosip-decrypt"));
        singleFactor.Note = "informational: one HTTP call per item against MOSIP's crypto without its transport";
        list.Add(singleFactor);

        var idle = r.Resources.FirstOrDefault(x => x.Id == "sqlite/rss-idle");
        list.Add(Threshold("Resident memory idle (embedded)", idle?.Value, MaxRssIdleMb, atLeast: false, v => $"{F0(v)} MB", $"< {F0(MaxRssIdleMb)} MB"));
        var load = r.Resources.Where(x => x.Id.EndsWith("/rss-load", StringComparison.Ordinal)).MaxBy(x => x.Value);
        list.Add(Threshold($"Resident memory under load (peak, {load?.Id.Split('/')[0] ?? "-"})", load?.Value, MaxRssLoadMb, atLeast: false,
            v => $"{F0(v)} MB", $"< {F0(MaxRssLoadMb)} MB"));
        var startup = r.Resources.FirstOrDefault(x => x.Id == "sqlite/startup");
        var startupTarget = Threshold("Start-up to /health/ready (embedded, existing data)", startup?.Value, MaxStartupSeconds, atLeast: false,
            v => $"{F2(v)} s", $"< {F0(MaxStartupSeconds)} s");
        if (r.Resources.Where(x => x.Id.EndsWith("startup", StringComparison.Ordinal)).MaxBy(x => x.Value) is { } slowest && slowest != startup)
        {
            startupTarget.Note = $"slowest start of the run: {slowest.Name}, {F2(slowest.Value)} s";
        }
        list.Add(startupTarget);

        var reenc = r.Find("sqlite/reencryption");
        double? projected = reenc is { ItemsPerSecond: > 0 } ? ReencryptionTargetRecords / reenc.ItemsPerSecond : null;
        var reencTarget = Threshold("Bulk re-encryption of 1,000,000 records through a fast fake Odoo", projected, MaxReencryptionSeconds,
            atLeast: false, v => $"{F0(v)} s ({F0(reenc!.ItemsPerSecond)} records/s)", $"< {F0(MaxReencryptionSeconds)} s");
        if (reenc is not null && reenc.Items < ReencryptionTargetRecords)
        {
            reencTarget.Note = $"projected from {reenc.Items:N0} records";
        }
        list.Add(reencTarget);
        return list;
    }

    /// <summary>The reference measured next to the scenario when there is one, else the one from the references section.</summary>
    private static double? ReferenceFor(BenchResults r, ScenarioResult? s, string id) =>
        s?.AdjacentReference == id && s.AdjacentReferenceOpsPerSecond is { } adjacent ? adjacent : r.Reference(id)?.OpsPerSecond;

    private static TargetResult Ratio(string target, double? measured, double? reference, double minShare, string unit)
    {
        if (measured is not { } m || reference is not { } refv || refv <= 0)
        {
            return NotMeasured(target, $">= {minShare:P0}");
        }
        var share = m / refv;
        return new TargetResult
        {
            Target = target,
            Measured = $"{share:P0} ({F0(m)} vs {F0(refv)} {unit})",
            Required = $">= {minShare:P0}",
            Verdict = share >= minShare ? "PASS" : "FALL SHORT",
        };
    }

    private static TargetResult Factor(string target, double? measured, double? reference)
    {
        if (measured is not { } m || reference is not { } refv || refv <= 0)
        {
            return NotMeasured(target, $">= {MinFactorOverMosip:0}x");
        }
        var factor = m / refv;
        return new TargetResult
        {
            Target = target,
            Measured = $"{factor:0.#}x ({F0(m)} vs {F0(refv)} decryptions/s)",
            Required = $">= {MinFactorOverMosip:0}x",
            Verdict = factor >= MinFactorOverMosip ? "PASS" : "FALL SHORT",
        };
    }

    private static TargetResult Threshold(string target, double? measured, double limit, bool atLeast, Func<double, string> show, string required)
    {
        if (measured is not { } m)
        {
            return NotMeasured(target, required);
        }
        var ok = atLeast ? m >= limit : m < limit;
        return new TargetResult { Target = target, Measured = show(m), Required = required, Verdict = ok ? "PASS" : "FALL SHORT" };
    }

    private static TargetResult NotMeasured(string target, string required) =>
        new() { Target = target, Measured = "-", Required = required, Verdict = "NOT MEASURED" };

    internal static string F0(double v) => v.ToString("N0", CultureInfo.InvariantCulture);

    internal static string F2(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
}
