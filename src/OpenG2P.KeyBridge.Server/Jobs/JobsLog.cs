namespace OpenG2P.KeyBridge.Server.Jobs;

/// <summary>Log messages of the jobs feature (event ids 7000-7099). Never secrets, plaintext or ciphertext.</summary>
internal static partial class JobsLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Scheduled rotation of key {Key}: version {Version} created")]
    public static partial void KeyRotated(ILogger logger, string key, int version);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "Scheduled rotation of key {Key} failed: {ErrorName}")]
    public static partial void RotationFailed(ILogger logger, Exception exception, string key, string errorName);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Rotation schedule {RecurringId} set to '{Cron}'")]
    public static partial void ScheduleSet(ILogger logger, string recurringId, string cron);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information, Message = "Rotation schedule {RecurringId} removed")]
    public static partial void ScheduleRemoved(ILogger logger, string recurringId);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "Could not update the rotation schedule of key {Key}")]
    public static partial void ScheduleFailed(ILogger logger, Exception exception, string key);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "Job {JobId} ({Kind}) started by worker {Owner}")]
    public static partial void JobClaimed(ILogger logger, string jobId, string kind, string owner);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Information, Message = "Job {JobId} is finished or held by another worker; nothing to do")]
    public static partial void JobNotClaimable(ILogger logger, string jobId);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Information, Message = "Job {JobId} ended: {State} ({Done} done, {Changed} changed, {Failed} failed)")]
    public static partial void JobEnded(ILogger logger, string jobId, string state, long done, long changed, long failed);

    [LoggerMessage(EventId = 7013, Level = LogLevel.Warning, Message = "Job {JobId} failed: {Reason}")]
    public static partial void JobFailed(ILogger logger, string jobId, string reason);

    [LoggerMessage(EventId = 7014, Level = LogLevel.Error, Message = "Job {JobId} failed unexpectedly")]
    public static partial void JobCrashed(ILogger logger, Exception exception, string jobId);

    [LoggerMessage(EventId = 7015, Level = LogLevel.Warning, Message = "Job {JobId}: lease lost to another worker; stopping")]
    public static partial void LeaseLost(ILogger logger, string jobId);

    [LoggerMessage(EventId = 7016, Level = LogLevel.Information, Message = "Job {JobId}: shutting down; the job resumes from its checkpoint")]
    public static partial void JobReleased(ILogger logger, string jobId);

    [LoggerMessage(EventId = 7017, Level = LogLevel.Information, Message = "Job {JobId} had no live worker; enqueued again as {HangfireId}")]
    public static partial void JobRecovered(ILogger logger, string jobId, string hangfireId);

    [LoggerMessage(EventId = 7018, Level = LogLevel.Warning, Message = "Looking for orphaned jobs failed")]
    public static partial void RecoveryFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7020, Level = LogLevel.Warning, Message = "Odoo {Service}.{Method} attempt {Attempt} failed ({Reason}); retrying in {DelayMs} ms")]
    public static partial void OdooRetry(ILogger logger, string service, string method, int attempt, string reason, long delayMs);

    [LoggerMessage(EventId = 7021, Level = LogLevel.Information, Message = "Odoo session expired; logging in again")]
    public static partial void OdooRelogin(ILogger logger);

    [LoggerMessage(EventId = 7022, Level = LogLevel.Information, Message = "Job {JobId}: raised min_decryption_version of key {Key} to {Version}")]
    public static partial void MinVersionRaised(ILogger logger, string jobId, string key, int version);

    [LoggerMessage(EventId = 7030, Level = LogLevel.Warning, Message = "Dashboard sign-in refused for client {ClientId}")]
    public static partial void DashboardLoginRefused(ILogger logger, string clientId);

    [LoggerMessage(EventId = 7031, Level = LogLevel.Information, Message = "Dashboard sign-in for client {ClientId}")]
    public static partial void DashboardLogin(ILogger logger, string clientId);
}
