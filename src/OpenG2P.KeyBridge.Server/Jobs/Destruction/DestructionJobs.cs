using System.ComponentModel;
using Hangfire;
using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Server.Audit;

namespace OpenG2P.KeyBridge.Server.Jobs.Destruction;

/// <summary>
/// The Hangfire entry point that runs scheduled destructions once they are due. It takes no arguments and is safe to run
/// twice or on several nodes at once: each destruction runs once (see <see cref="KeyDestruction.ExecuteDueAsync"/>).
/// </summary>
public sealed partial class DestructionJobs(KeyDestruction destruction, AuditLog audit, TimeProvider time, ILogger<DestructionJobs> logger)
{
    /// <summary>The recurring safety net (every minute): catches destructions whose one-off job was lost, e.g. with in-memory Hangfire storage.</summary>
    public const string RecurringId = "keys:destruction";

    [AutomaticRetry(Attempts = 0)]
    [DisplayName("Run due key destructions")]
    public async Task RunDueAsync(CancellationToken ct)
    {
        foreach (var (key, version) in await destruction.ExecuteDueAsync(ct))
        {
            // Audited like a call, with the key and version, by KeyBridge itself: the request that scheduled it is audited too.
            await audit.WriteAsync(new AuditEntry
            {
                Time = time.GetUtcNow(),
                ClientId = "keybridge",
                Method = version is null ? "key.delete.executed" : "key.destroy_version.executed",
                Keys = key.Name,
                Versions = version is { } v ? $"{key.Name}:{v}" : string.Join(",", key.Versions.Select(x => $"{key.Name}:{x.Version}")),
                Outcome = "ok",
                ItemCount = version is null ? key.Versions.Count : 1,
            });
            if (version is { } n)
            {
                LogVersionDestroyed(logger, key.Name, n);
            }
            else
            {
                LogKeyDeleted(logger, key.Name);
            }
        }
    }

    [LoggerMessage(EventId = 7040, Level = LogLevel.Warning, Message = "Scheduled destruction ran: version {Version} of key {Key} erased")]
    private static partial void LogVersionDestroyed(ILogger logger, string key, int version);

    [LoggerMessage(EventId = 7041, Level = LogLevel.Warning, Message = "Scheduled deletion ran: key {Key} deleted, all its material erased")]
    private static partial void LogKeyDeleted(ILogger logger, string key);
}
