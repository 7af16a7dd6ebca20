using System.ComponentModel.DataAnnotations;

namespace OpenG2P.KeyBridge.Server.Jobs;

/// <summary><c>Jobs:*</c> — Hangfire, scheduled rotation, and the re-encryption and KEK rotation jobs.</summary>
public sealed class JobsOptions
{
    /// <summary>Hangfire workers on this node (jobs and rotation checks running at once).</summary>
    [Range(1, 64)]
    public int WorkerCount { get; set; } = 4;

    /// <summary>How often Hangfire looks for due scheduled and recurring jobs.</summary>
    [Range(1, 600)]
    public int SchedulePollingSeconds { get; set; } = 15;

    /// <summary>The shortest <c>rotation_period</c> a key may have.</summary>
    [Range(1, 86400)]
    public int MinRotationPeriodSeconds { get; set; } = 60;

    /// <summary>A worker's hold on a job; when it lapses (the node died) another worker resumes the job from its checkpoint.</summary>
    [Range(2, 3600)]
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>How often each node looks for jobs whose worker died, to resume them.</summary>
    [Range(1, 3600)]
    public int RecoverySeconds { get; set; } = 30;

    /// <summary>Upper bound on key versions rewrapped per second by a KEK rotation (0: no limit), to spare an HSM in use.</summary>
    [Range(0, 1_000_000)]
    public int KekRotationRecordsPerSecond { get; set; }

    /// <summary>Time allowed for one Odoo request before it counts as a timeout and is retried.</summary>
    [Range(1, 3600)]
    public int OdooTimeoutSeconds { get; set; } = 60;

    /// <summary>Retries of an Odoo request after a timeout, a connection failure or HTTP 5xx.</summary>
    [Range(0, 20)]
    public int OdooRetries { get; set; } = 5;

    /// <summary>First back-off delay; it doubles with every retry.</summary>
    [Range(1, 600_000)]
    public int OdooRetryDelayMilliseconds { get; set; } = 1000;

    /// <summary>PostgreSQL schema of Hangfire's tables (PostgreSQL storage only).</summary>
    [Required]
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "Jobs:HangfireSchema must be a lower-case SQL identifier")]
    public string HangfireSchema { get; set; } = "hangfire";
}
