using OpenG2P.KeyBridge.Jobs;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>
/// Durable state of KeyBridge jobs (both stores implement it beside <see cref="IKeyStore"/>). Workers
/// hold a lease; every write a worker makes is fenced by its owner id, so a worker that lost its
/// lease (another node resumed the job) can no longer move the checkpoint.
/// </summary>
public interface IJobStore
{
    /// <summary>Stores a new (queued) job; ids are random, so a clash is a bug and surfaces as an exception.</summary>
    Task CreateJobAsync(JobRecord job, CancellationToken ct = default);

    Task<JobRecord?> GetJobAsync(string id, CancellationToken ct = default);

    /// <summary>Newest first; <paramref name="beforeId"/> continues after that job.</summary>
    Task<IReadOnlyList<JobRecord>> ListJobsAsync(string? kind, JobState? state, string? beforeId, int limit, CancellationToken ct = default);

    /// <summary>Records the Hangfire job that will run it and touches <c>updated_at</c>.</summary>
    Task SetHangfireIdAsync(string id, string hangfireId, CancellationToken ct = default);

    /// <summary>Asks the job to stop after its current page; a queued job is cancelled at once. Null when unknown.</summary>
    Task<JobRecord?> RequestCancelAsync(string id, CancellationToken ct = default);

    /// <summary>
    /// Takes the job for <paramref name="owner"/> until <paramref name="leaseUntil"/> when it is active and its
    /// lease is free, lapsed or already ours; marks it running and starts a new run. Null when not claimable.
    /// </summary>
    Task<JobRecord?> TryClaimAsync(string id, string owner, DateTimeOffset leaseUntil, CancellationToken ct = default);

    /// <summary>Saves a page's progress and failures (replacing earlier failures of items in (<paramref name="fromItemNo"/>, <paramref name="toItemNo"/>]),
    /// renews the lease, and reports whether a cancel was requested. Null when the lease was lost.</summary>
    Task<bool?> CheckpointAsync(string id, string owner, DateTimeOffset leaseUntil, JobProgress progress, long fromItemNo, long toItemNo,
        IReadOnlyList<JobFailure> failures, CancellationToken ct = default);

    /// <summary>Renews the lease without progress; null when lost, else whether a cancel was requested.</summary>
    Task<bool?> RenewLeaseAsync(string id, string owner, DateTimeOffset leaseUntil, CancellationToken ct = default);

    /// <summary>Ends the job (succeeded, failed or cancelled) if <paramref name="owner"/> still holds it.</summary>
    Task<bool> FinishJobAsync(string id, string owner, JobState state, string? error, CancellationToken ct = default);

    /// <summary>Gives the lease up without finishing (shutdown), so the job resumes at once elsewhere.</summary>
    Task ReleaseJobAsync(string id, string owner, CancellationToken ct = default);

    /// <summary>Active jobs whose lease is free or lapsed and which nobody touched since <paramref name="untouchedSince"/>.</summary>
    Task<IReadOnlyList<JobRecord>> ListOrphanedJobsAsync(DateTimeOffset untouchedSince, int limit, CancellationToken ct = default);

    /// <summary>Failures ordered by item number then item, after <paramref name="afterItemNo"/>.</summary>
    Task<IReadOnlyList<JobFailure>> ListFailuresAsync(string id, long? afterItemNo, int limit, CancellationToken ct = default);
}
