using OpenG2P.KeyBridge.Jobs;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Jobs;

/// <summary>A job a handler knows how to run (one per kind).</summary>
public interface IJobHandler
{
    string Kind { get; }

    /// <summary>Runs the job from its checkpoint; returns Succeeded or Cancelled, throws <see cref="JobFailedException"/> to fail it.</summary>
    Task<JobState> RunAsync(JobRun run, CancellationToken ct);
}

/// <summary>An expected, explained failure: the job ends failed with this message (which must hold no secret).</summary>
public sealed class JobFailedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Another worker took the job over (this one's lease lapsed); stop without touching its state.</summary>
public sealed class LeaseLostException() : Exception("the job's lease was taken over by another worker");

/// <summary>One worker's hold on one job: the record as claimed, and fenced checkpoints.</summary>
public sealed class JobRun(JobRecord job, string owner, IJobStore store, JobMetrics metrics, TimeSpan lease, TimeProvider time)
{
    public JobRecord Job { get; } = job;

    public string Owner { get; } = owner;

    public JobProgress Progress { get; private set; } = job.Progress;

    private readonly long _runDoneAtStart = job.Progress.Done;
    private readonly long _runStarted = time.GetTimestamp();

    /// <summary>
    /// Saves progress after a page: the failures of items in (<paramref name="fromItemNo"/>, <paramref name="toItemNo"/>]
    /// replace what an interrupted earlier attempt at that page recorded. Returns true when a cancel was requested.
    /// </summary>
    public async Task<bool> CheckpointAsync(JobProgress progress, long fromItemNo, long toItemNo, IReadOnlyList<JobFailure> failures, CancellationToken ct)
    {
        var cancel = await store.CheckpointAsync(Job.Id, Owner, time.GetUtcNow() + lease, progress, fromItemNo, toItemNo, failures, ct)
            ?? throw new LeaseLostException();
        Progress = progress;
        metrics.Progress(Job.Id, Job.Kind, progress.Done, progress.Total ?? progress.Done, Rate);
        return cancel;
    }

    /// <summary>Items per second in this run.</summary>
    public double Rate
    {
        get
        {
            var seconds = time.GetElapsedTime(_runStarted).TotalSeconds;
            return seconds <= 0 ? 0 : (Progress.Done - _runDoneAtStart) / seconds;
        }
    }

    /// <summary>Failed items so far, as the store counts them (distinct items over every run).</summary>
    public async Task<long> FailedCountAsync(CancellationToken ct) =>
        (await store.GetJobAsync(Job.Id, ct))?.Progress.Failed ?? 0;
}
