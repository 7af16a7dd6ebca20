using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OpenG2P.KeyBridge.Bench;

/// <summary>Renders <see cref="BenchResults"/> as the Markdown report (<c>latest.md</c>).</summary>
public static class Report
{
    public static BenchResults Load(string jsonPath) =>
        JsonSerializer.Deserialize<BenchResults>(File.ReadAllText(jsonPath), BenchResults.Json)
        ?? throw new InvalidDataException($"{jsonPath} holds no benchmark results");

    public static void Save(BenchResults results, string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "latest.json"), JsonSerializer.Serialize(results, BenchResults.Json) + "\n");
        File.WriteAllText(Path.Combine(directory, "latest.md"), Render(results));
    }

    public static string Render(BenchResults r)
    {
        var m = r.Machine;
        var md = new StringBuilder();
        md.AppendLine("# KeyBridge benchmark").AppendLine();
        var commit = m.Commit is null ? "" : $", commit `{m.Commit}`";
        md.AppendLine(Inv($"Run `{m.Mode}` started {m.StartedUtc}, took {m.DurationSeconds:0} s. Machine: {m.Cpu}, {m.Cores} cores, {m.MemoryMb:N0} MB, {m.Os}, .NET {m.Dotnet}{commit}."));
        md.AppendLine(Inv($"Load average at start {m.LoadAverageStart}, at end {m.LoadAverageEnd} (the machine is shared: absolute figures are noisy, the ratios within one run are what to compare)."));
        md.AppendLine(Inv($"Load generator: {m.LoadGenerator}. Server, load generator and references share the same cores.")).AppendLine();

        md.AppendLine("## SPEC §11 targets").AppendLine();
        md.AppendLine("| target | measured | required | verdict |");
        md.AppendLine("| --- | --- | --- | --- |");
        foreach (var t in r.Targets)
        {
            md.AppendLine($"| {Cell(t.Target)}{(t.Note is null ? "" : $" ({Cell(t.Note)})")} | {Cell(t.Measured)} | {Cell(t.Required)} | **{t.Verdict}** |");
        }
        md.AppendLine();

        md.AppendLine("## Scenarios (over HTTP on loopback)").AppendLine();
        md.AppendLine("| config | scenario | conc. | items/req | requests | req/s | items/s | p50 ms | p99 ms | errors | server CPU s / 1k items | generator |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var s in r.Scenarios)
        {
            if (s.Status != "ok")
            {
                md.AppendLine($"| {s.Config} | {Cell(s.Name)} | | | | | | | | | | {s.Status}: {Cell(s.Note ?? "")} |");
                continue;
            }
            var adjacent = s.AdjacentReferenceOpsPerSecond is { } a ? $"; {s.AdjacentReference} beside it: {a:N0}/s" : "";
            var note = s.Note is null && adjacent.Length == 0 ? "" : $" ({Cell((s.Note ?? "") + adjacent).TrimStart(';', ' ')})";
            md.AppendLine(Inv($"| {s.Config} | {Cell(s.Name)}{note} | {s.Concurrency} | {s.ItemsPerRequest:N0} | {s.Requests:N0} | {s.RequestsPerSecond:N0} | {s.ItemsPerSecond:N0} | {Opt(s.P50Ms)} | {Opt(s.P99Ms)} | {s.Errors:N0} | {Opt(s.CpuSecondsPer1000, "0.000")} | {s.Generator} |"));
        }
        md.AppendLine();

        md.AppendLine("## In-process references (in the load driver, no transport)").AppendLine();
        md.AppendLine("| reference | threads | ops/s | µs per op per thread | note |");
        md.AppendLine("| --- | ---: | ---: | ---: | --- |");
        foreach (var x in r.References)
        {
            md.AppendLine(Inv($"| {Cell(x.Name)} | {x.Threads} | {x.OpsPerSecond:N0} | {x.MicrosecondsPerOp:0.00} | {Cell(x.Note ?? "")} |"));
        }
        md.AppendLine();

        md.AppendLine("## Resources").AppendLine();
        md.AppendLine("| measure | value | note |");
        md.AppendLine("| --- | ---: | --- |");
        foreach (var x in r.Resources)
        {
            md.AppendLine(Inv($"| {Cell(x.Name)} | {x.Value:0.##} {x.Unit} | {Cell(x.Note ?? "")} |"));
        }
        if (r.Notes.Count > 0)
        {
            md.AppendLine().AppendLine("## Notes").AppendLine();
            foreach (var n in r.Notes)
            {
                md.AppendLine($"- {n}");
            }
        }
        return md.ToString();
    }

    private static string Opt(double? v, string format = "0.00") => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
