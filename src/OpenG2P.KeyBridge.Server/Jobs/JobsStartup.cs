using Hangfire;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Server.Jobs.Rotation;

namespace OpenG2P.KeyBridge.Server.Jobs;

/// <summary>
/// Start-up of the jobs feature (after migrations): the internal credentials key, one rotation
/// schedule per key with a period (and none for the others), a catch-up run for rotations that fell
/// due while the service was down, and the hook that keeps schedules in line with key changes.
/// </summary>
public sealed class JobsStartup(KeyManager keys, RotationSchedule schedule, JobSecrets secrets, IBackgroundJobClient hangfire) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        keys.PolicyChanged += schedule.OnPolicyChanged;
        await secrets.EnsureKeyAsync(cancellationToken);
        await schedule.SyncAllAsync(cancellationToken);
        hangfire.Enqueue<RotationJobs>(j => j.RotateDueKeysAsync(CancellationToken.None));
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        keys.PolicyChanged -= schedule.OnPolicyChanged;
        return Task.CompletedTask;
    }
}
