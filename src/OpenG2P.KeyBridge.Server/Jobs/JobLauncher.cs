using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Jobs;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Jobs;

/// <summary>Stores new jobs and hands them to Hangfire; also re-enqueues jobs whose worker died.</summary>
public sealed class JobLauncher(IJobStore store, IBackgroundJobClient hangfire, JobStorage storage, IOptions<JobsOptions> options, TimeProvider time,
    ILogger<JobLauncher> logger)
{
    /// <summary>Saves the (queued) job, then enqueues its run; the job id is all Hangfire ever sees.</summary>
    public async Task<JobRecord> StartAsync(JobRecord job, CancellationToken ct)
    {
        await store.CreateJobAsync(job, ct);
        var hangfireId = hangfire.Enqueue<JobRunner>(r => r.RunAsync(job.Id, CancellationToken.None));
        await store.SetHangfireIdAsync(job.Id, hangfireId, ct);
        return (await store.GetJobAsync(job.Id, ct))!;
    }

    /// <summary>
    /// Enqueues again every active job that no worker holds (its node died, or Hangfire's in-memory
    /// storage forgot it at a restart), unless Hangfire still has it waiting for a worker.
    /// </summary>
    public async Task RecoverAsync(CancellationToken ct)
    {
        var lease = TimeSpan.FromSeconds(options.Value.LeaseSeconds);
        foreach (var job in await store.ListOrphanedJobsAsync(time.GetUtcNow() - lease, 100, ct))
        {
            if (IsWaitingInHangfire(job.HangfireId))
            {
                continue;
            }
            var hangfireId = hangfire.Enqueue<JobRunner>(r => r.RunAsync(job.Id, CancellationToken.None));
            await store.SetHangfireIdAsync(job.Id, hangfireId, ct);
            JobsLog.JobRecovered(logger, job.Id, hangfireId);
        }
    }

    private bool IsWaitingInHangfire(string? hangfireId)
    {
        if (hangfireId is null)
        {
            return false;
        }
        using var connection = storage.GetConnection();
        // "Processing" is not trusted: a dead node's job stays Processing until Hangfire notices; our lease is what says "alive".
        var state = connection.GetStateData(hangfireId)?.Name;
        return state == EnqueuedState.StateName || state == ScheduledState.StateName || state == AwaitingState.StateName;
    }
}

/// <summary>Looks for orphaned jobs at start-up and every <c>Jobs:RecoverySeconds</c>.</summary>
public sealed class JobRecovery(JobLauncher launcher, IOptions<JobsOptions> options, TimeProvider time, ILogger<JobRecovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await launcher.RecoverAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                JobsLog.RecoveryFailed(logger, e);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(options.Value.RecoverySeconds), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
