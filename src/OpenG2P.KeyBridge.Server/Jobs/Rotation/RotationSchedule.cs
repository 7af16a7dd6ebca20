using Hangfire;
using Hangfire.Storage;
using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Server.Jobs.Rotation;

/// <summary>
/// Keeps one Hangfire recurring job, <c>rotate:&lt;key&gt;</c>, per key with a rotation period. The
/// recurring job only checks; the rotation itself happens when the latest version is at least one
/// period old (<see cref="KeyManager.RotateIfDueAsync"/>), so a late, repeated or concurrent check
/// never rotates twice, and the first check after a downtime catches up.
/// </summary>
public sealed class RotationSchedule(IRecurringJobManager recurring, JobStorage storage, KeyManager keys, ILogger<RotationSchedule> logger)
{
    public const string Prefix = "rotate:";

    public static string RecurringId(string keyName) => Prefix + keyName;

    /// <summary>
    /// How often a key is checked: often enough that a rotation is late by a small fraction of its period.
    /// Sub-minute periods (allowed only by a lowered <c>Jobs:MinRotationPeriodSeconds</c>) use seconds cron.
    /// </summary>
    public static string CronFor(TimeSpan period)
    {
        if (period < TimeSpan.FromMinutes(1))
        {
            var seconds = Math.Clamp((int)(period.TotalSeconds / 2), 1, 30);
            return seconds == 1 ? "* * * * * *" : $"*/{seconds} * * * * *";
        }
        if (period < TimeSpan.FromHours(1))
        {
            return "* * * * *";
        }
        return period < TimeSpan.FromDays(1) ? "*/10 * * * *" : "0 * * * *";
    }

    /// <summary>Adds, updates or removes the key's recurring check to match its policy.</summary>
    public void Apply(KeyRecord key)
    {
        var id = RecurringId(key.Name);
        if (key.Policy.RotationPeriod is { } period)
        {
            var cron = CronFor(period);
            recurring.AddOrUpdate<RotationJobs>(id, j => j.RotateKeyAsync(key.Name), cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
            JobsLog.ScheduleSet(logger, id, cron);
        }
        else
        {
            Remove(key.Name);
        }
    }

    public void Remove(string keyName)
    {
        var id = RecurringId(keyName);
        using var connection = storage.GetConnection();
        if (connection.GetAllEntriesFromHash("recurring-job:" + id) is not null)
        {
            recurring.RemoveIfExists(id);
            JobsLog.ScheduleRemoved(logger, id);
        }
    }

    /// <summary>The policy-change hook: never throws, since the key change itself is already stored.</summary>
    public void OnPolicyChanged(KeyRecord key)
    {
        try
        {
            Apply(key);
        }
        catch (Exception e)
        {
            // The next start-up (or the next configure call) brings the schedule back in line.
            JobsLog.ScheduleFailed(logger, e, key.Name);
        }
    }

    /// <summary>At start-up: a schedule for every key with a period, none for the others.</summary>
    public async Task SyncAllAsync(CancellationToken ct)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        string? after = null;
        while (true)
        {
            var page = await keys.ListAsync(null, after, 500, ct);
            foreach (var key in page)
            {
                if (key.Policy.RotationPeriod is not null)
                {
                    wanted.Add(RecurringId(key.Name));
                    Apply(key);
                }
            }
            if (page.Count < 500)
            {
                break;
            }
            after = page[^1].Name;
        }
        using var connection = storage.GetConnection();
        foreach (var job in connection.GetRecurringJobs())
        {
            if (job.Id.StartsWith(Prefix, StringComparison.Ordinal) && !wanted.Contains(job.Id))
            {
                recurring.RemoveIfExists(job.Id);
                JobsLog.ScheduleRemoved(logger, job.Id);
            }
        }
    }
}
