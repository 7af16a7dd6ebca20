using Hangfire;
using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Server.Jobs.Destruction;

/// <summary>
/// Runs scheduled destructions on time: a one-off job at each due time (scheduled when the destruction is requested), a
/// recurring check every minute as a safety net, and a catch-up at start-up for what fell due while the service was down.
/// </summary>
public sealed partial class DestructionSchedule(KeyDestruction destruction, IRecurringJobManager recurring, IBackgroundJobClient jobs, TimeProvider time,
    ILogger<DestructionSchedule> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        destruction.Scheduled += OnScheduled;
        recurring.AddOrUpdate<DestructionJobs>(DestructionJobs.RecurringId, j => j.RunDueAsync(CancellationToken.None), "* * * * *",
            new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        jobs.Enqueue<DestructionJobs>(j => j.RunDueAsync(CancellationToken.None));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        destruction.Scheduled -= OnScheduled;
        return Task.CompletedTask;
    }

    /// <summary>Never throws: the schedule is stored, and the recurring check runs it even if this one-off job is lost.</summary>
    private void OnScheduled(DateTimeOffset due)
    {
        try
        {
            // A second late, so the job finds it due whatever the database's timestamp rounding.
            var at = due.AddSeconds(1);
            jobs.Schedule<DestructionJobs>(j => j.RunDueAsync(CancellationToken.None), at > time.GetUtcNow() ? at : time.GetUtcNow());
        }
        catch (Exception e)
        {
            LogScheduleFailed(logger, e);
        }
    }

    [LoggerMessage(EventId = 7042, Level = LogLevel.Warning, Message = "Could not schedule the destruction job; the recurring check will run it")]
    private static partial void LogScheduleFailed(ILogger logger, Exception exception);
}
