using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenG2P.KeyBridge.Bench;

/// <summary>Everything one run measured: written as <c>latest.json</c> and rendered as <c>latest.md</c>.</summary>
public sealed class BenchResults
{
    public MachineInfo Machine { get; set; } = new();

    public List<ScenarioResult> Scenarios { get; set; } = [];

    public List<ReferenceResult> References { get; set; } = [];

    public List<ResourceResult> Resources { get; set; } = [];

    public List<TargetResult> Targets { get; set; } = [];

    public List<string> Notes { get; set; } = [];

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public ScenarioResult? Find(string id) => Scenarios.FirstOrDefault(s => s.Id == id && s.Status == "ok");

    public ReferenceResult? Reference(string id) => References.FirstOrDefault(r => r.Id == id);
}

public sealed class MachineInfo
{
    public string Mode { get; set; } = "";

    public string StartedUtc { get; set; } = "";

    public double DurationSeconds { get; set; }

    public string Cpu { get; set; } = "";

    public int Cores { get; set; }

    public long MemoryMb { get; set; }

    public string Os { get; set; } = "";

    public string Dotnet { get; set; } = "";

    public string? Commit { get; set; }

    public string LoadAverageStart { get; set; } = "";

    public string LoadAverageEnd { get; set; } = "";

    public string LoadGenerator { get; set; } = "";
}

/// <summary>One load scenario against a server over HTTP (or a skipped one, with the reason).</summary>
public sealed class ScenarioResult
{
    public required string Id { get; set; }

    /// <summary>sqlite, postgres, hsm, bare.</summary>
    public required string Config { get; set; }

    public required string Name { get; set; }

    public string Status { get; set; } = "ok";

    public string? Note { get; set; }

    public int Concurrency { get; set; }

    public int ItemsPerRequest { get; set; } = 1;

    public long Requests { get; set; }

    public long Items { get; set; }

    public long Errors { get; set; }

    public double Seconds { get; set; }

    public double RequestsPerSecond { get; set; }

    public double ItemsPerSecond { get; set; }

    public double? P50Ms { get; set; }

    public double? P99Ms { get; set; }

    /// <summary>Server CPU seconds (user + system) per 1,000 items.</summary>
    public double? CpuSecondsPer1000 { get; set; }

    public string Generator { get; set; } = "";

    /// <summary>The in-process reference this scenario is judged against, measured right before and after it (mean).</summary>
    public string? AdjacentReference { get; set; }

    public double? AdjacentReferenceOpsPerSecond { get; set; }

    public static ScenarioResult Skipped(string id, string config, string name, string reason) =>
        new() { Id = id, Config = config, Name = name, Status = "skipped", Note = reason };
}

/// <summary>An in-process measurement in the driver (no transport): the limits the service is compared with.</summary>
public sealed class ReferenceResult
{
    public required string Id { get; set; }

    public required string Name { get; set; }

    public double OpsPerSecond { get; set; }

    public int Threads { get; set; }

    public double MicrosecondsPerOp => OpsPerSecond > 0 ? 1e6 / OpsPerSecond * Threads : 0;

    public string? Note { get; set; }
}

public sealed class ResourceResult
{
    public required string Id { get; set; }

    public required string Name { get; set; }

    public double Value { get; set; }

    public required string Unit { get; set; }

    public string? Note { get; set; }
}

public sealed class TargetResult
{
    public required string Target { get; set; }

    public required string Measured { get; set; }

    public required string Required { get; set; }

    /// <summary>PASS, FALL SHORT, or NOT MEASURED.</summary>
    public required string Verdict { get; set; }

    public string? Note { get; set; }
}
