using System.ComponentModel;
using Hangfire;
using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Jobs;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Jobs;

/// <summary>
/// The Hangfire entry point of every KeyBridge job: takes the job's lease, keeps it alive, runs the
/// handler of its kind from the checkpoint and records how it ended. Safe to run twice: a second
/// run of a job that is finished, or held by a live worker, does nothing.
/// </summary>
public sealed class JobRunner(
    IJobStore store,
    IEnumerable<IJobHandler> handlers,
    JobMetrics metrics,
    IOptions<JobsOptions> options,
    TimeProvider time,
    ILogger<JobRunner> logger)
{
    private static readonly string Node = $"{Environment.MachineName}:{Environment.ProcessId}";

    [AutomaticRetry(Attempts = 0)]
    [DisplayName("KeyBridge job {0}")]
    public async Task RunAsync(string jobId, CancellationToken shutdown)
    {
        var lease = TimeSpan.FromSeconds(options.Value.LeaseSeconds);
        var owner = $"{Node}:{Guid.NewGuid():N}";
        var job = await store.TryClaimAsync(jobId, owner, time.GetUtcNow() + lease, shutdown);
        if (job is null)
        {
            JobsLog.JobNotClaimable(logger, jobId);
            return;
        }
        JobsLog.JobClaimed(logger, jobId, job.Kind, owner);
        if (job.CancelRequested)
        {
            await EndAsync(job, owner, JobState.Cancelled, null);
            return;
        }
        var handler = handlers.FirstOrDefault(h => h.Kind == job.Kind);
        if (handler is null)
        {
            await EndAsync(job, owner, JobState.Failed, $"this node cannot run jobs of kind '{job.Kind}'");
            return;
        }

        using var lost = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown, lost.Token);
        using var stopRenewing = new CancellationTokenSource();
        var renewal = RenewAsync(jobId, owner, lease, lost, stopRenewing.Token);
        var run = new JobRun(job, owner, store, metrics, lease, time);
        try
        {
            var state = await handler.RunAsync(run, linked.Token);
            await EndAsync(job, owner, state, null, run);
        }
        catch (Exception e) when (e is LeaseLostException || (e is OperationCanceledException && lost.IsCancellationRequested))
        {
            JobsLog.LeaseLost(logger, jobId);
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // Shutting down: give the lease up so the job resumes from its checkpoint at once elsewhere (or after restart).
            JobsLog.JobReleased(logger, jobId);
            await store.ReleaseJobAsync(jobId, owner, CancellationToken.None);
        }
        catch (JobFailedException e)
        {
            JobsLog.JobFailed(logger, jobId, e.Message);
            await EndAsync(job, owner, JobState.Failed, e.Message, run);
        }
        catch (KeyBridgeException e)
        {
            JobsLog.JobFailed(logger, jobId, e.Message);
            await EndAsync(job, owner, JobState.Failed, $"{e.Error.Name}: {e.Message}", run);
        }
        catch (Exception e)
        {
            JobsLog.JobCrashed(logger, e, jobId);
            await EndAsync(job, owner, JobState.Failed, $"internal error ({e.GetType().Name}); the server log has details", run);
        }
        finally
        {
            await stopRenewing.CancelAsync();
            await renewal;
            metrics.Ended(jobId);
        }
    }

    private async Task EndAsync(JobRecord job, string owner, JobState state, string? error, JobRun? run = null)
    {
        await store.FinishJobAsync(job.Id, owner, state, error, CancellationToken.None);
        var p = run?.Progress ?? job.Progress;
        var failed = run is null ? p.Failed : await run.FailedCountAsync(CancellationToken.None);
        JobsLog.JobEnded(logger, job.Id, state.ToName(), p.Done, p.Changed, failed);
    }

    /// <summary>Renews the lease a few times per lease period, so a slow page (retries, throttling) does not lose it.</summary>
    private async Task RenewAsync(string jobId, string owner, TimeSpan lease, CancellationTokenSource lost, CancellationToken stop)
    {
        while (true)
        {
            try
            {
                await Task.Delay(lease / 3, time, stop);
                if (await store.RenewLeaseAsync(jobId, owner, time.GetUtcNow() + lease, stop) is null)
                {
                    await lost.CancelAsync();
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (KeyBridgeException)
            {
                // Storage briefly unavailable: try again; the next checkpoint reports a lease that was really lost.
            }
        }
    }
}
