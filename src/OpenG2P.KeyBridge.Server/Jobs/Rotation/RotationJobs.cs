using System.ComponentModel;
using Hangfire;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Server.Jobs.Rotation;

/// <summary>Hangfire entry points of scheduled rotation. Each takes a key name, never an object, and is safe to run twice.</summary>
public sealed class RotationJobs(KeyManager keys, RotationSchedule schedule, JobMetrics metrics, ILogger<RotationJobs> logger)
{
    /// <summary>The recurring check of one key; a failure fails this key's run only (the next run retries).</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisplayName("Rotate key {0} if due")]
    public async Task RotateKeyAsync(string keyName)
    {
        try
        {
            await RotateOneAsync(keyName, CancellationToken.None);
        }
        catch (KeyBridgeException e) when (e.Error == KeyBridgeError.KeyNotFound)
        {
            schedule.Remove(keyName);
        }
    }

    /// <summary>
    /// At start-up: every key whose rotation fell due while the service was down. One failing key is
    /// reported (logged, and this run marked failed with the list) and does not stop the others.
    /// </summary>
    [AutomaticRetry(Attempts = 0)]
    [DisplayName("Rotate every due key (start-up catch-up)")]
    public async Task RotateDueKeysAsync(CancellationToken ct)
    {
        var failed = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await keys.ListAsync(null, after, 500, ct);
            foreach (var key in page.Where(k => k.Policy.RotationPeriod is not null))
            {
                try
                {
                    await RotateOneAsync(key.Name, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failed.Add(key.Name);
                }
            }
            if (page.Count < 500)
            {
                break;
            }
            after = page[^1].Name;
        }
        if (failed.Count > 0)
        {
            throw new InvalidOperationException($"scheduled rotation failed for {failed.Count} key(s): {string.Join(", ", failed)}; the others were rotated");
        }
    }

    private async Task RotateOneAsync(string keyName, CancellationToken ct)
    {
        try
        {
            var version = await keys.RotateIfDueAsync(keyName, ct);
            if (version is not null)
            {
                metrics.Rotated(true);
                JobsLog.KeyRotated(logger, keyName, version.Version);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException
            && !(e is KeyBridgeException { Error.Name: "key_not_found" }))
        {
            metrics.Rotated(false);
            JobsLog.RotationFailed(logger, e, keyName, e is KeyBridgeException kb ? kb.Error.Name : e.GetType().Name);
            throw;
        }
    }
}
