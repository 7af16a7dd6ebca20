namespace OpenG2P.KeyBridge.Jobs;

/// <summary>Lifecycle of a KeyBridge job. Queued and running jobs are "active"; the others are final.</summary>
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public static class JobStates
{
    public static string ToName(this JobState s) => s switch
    {
        JobState.Queued => "queued",
        JobState.Running => "running",
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    public static JobState Parse(string s) => s switch
    {
        "queued" => JobState.Queued,
        "running" => JobState.Running,
        "succeeded" => JobState.Succeeded,
        "failed" => JobState.Failed,
        "cancelled" => JobState.Cancelled,
        _ => throw new FormatException($"unknown job state '{s}'"),
    };

    public static bool IsFinal(this JobState s) => s is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
}

/// <summary>
/// A long-running job and its checkpoint, kept in KeyBridge's own tables so progress survives
/// restarts whatever Hangfire storage runs it. <see cref="Secret"/> is a KeyBridge ciphertext
/// (e.g. the Odoo password); it is never returned to callers or logged.
/// </summary>
public sealed record JobRecord
{
    public required string Id { get; init; }

    /// <summary><c>reencryption</c> or <c>kek_rotation</c>.</summary>
    public required string Kind { get; init; }

    public JobState State { get; init; } = JobState.Queued;

    /// <summary>The job's parameters as JSON, without secrets.</summary>
    public required string Parameters { get; init; }

    public string? Secret { get; init; }

    public required string CreatedBy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public bool CancelRequested { get; init; }

    /// <summary>The worker holding the lease, and until when; a lapsed lease lets another worker resume the job.</summary>
    public string? Owner { get; init; }

    public DateTimeOffset? LeaseUntil { get; init; }

    public string? HangfireId { get; init; }

    public JobProgress Progress { get; init; } = new();

    /// <summary>When the current run started and how much was done then (for the rate).</summary>
    public DateTimeOffset? RunStartedAt { get; init; }

    public long RunDoneAtStart { get; init; }

    /// <summary>Why the job failed (no secrets).</summary>
    public string? Error { get; init; }
}

/// <summary>
/// A job's checkpoint: where to resume (<see cref="Cursor"/>, e.g. the last Odoo record id) and the counts.
/// <see cref="MinVersion"/> is the lowest key version the job has left behind (for raising min_decryption_version).
/// </summary>
public sealed record JobProgress
{
    public string? Cursor { get; init; }

    public long? Total { get; init; }

    public long Done { get; init; }

    public long Changed { get; init; }

    public long Failed { get; init; }

    public int? MinVersion { get; init; }
}

/// <summary>One item the job could not process: an Odoo record (<see cref="ItemNo"/> = its id) or a key version.</summary>
public sealed record JobFailure(string Item, long ItemNo, string Reason);
