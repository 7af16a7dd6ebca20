using System.Diagnostics;
using System.Threading.Channels;
using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Server.Monitoring;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Audit;

/// <summary>
/// Writes audit records in groups: callers await <see cref="WriteAsync"/>, which completes once
/// their record is committed, so a response is never sent before its record is durable. One
/// writer loop per node takes everything queued, extends the chain in one transaction and
/// releases all waiters — throughput comes from grouping, not from skipping durability.
/// </summary>
public sealed partial class AuditLog(IAuditStore store, KeyRing ring, KeyBridgeMetrics metrics, ILogger<AuditLog> logger)
    : BackgroundService
{
    public const string ChainKeyName = "keybridge.audit-chain";
    private const int MaxGroup = 2000;

    private readonly Channel<(AuditEntry Entry, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(AuditEntry, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Queues the entry and completes when it is durable; throws <c>storage_unavailable</c> when it could not be written.</summary>
    public Task WriteAsync(AuditEntry entry)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((entry, done)))
        {
            done.SetException(new InvalidOperationException("the audit log is shut down"));
        }
        return done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var group = new List<(AuditEntry Entry, TaskCompletionSource Done)>(MaxGroup);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (group.Count < MaxGroup && reader.TryRead(out var item))
            {
                group.Add(item);
            }
            await FlushAsync(group);
            group.Clear();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Let queued records reach the database before the process ends.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task FlushAsync(List<(AuditEntry Entry, TaskCompletionSource Done)> group)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var key = await ring.GetAsync(ChainKeyName);
            var version = KeyRing.LatestForUse(key);
            using (var lease = ring.Lease(key, version))
            {
                // One HMAC keyed once per group: keying per record cost more than the hashing.
                using var hmac = System.Security.Cryptography.IncrementalHash.CreateHMAC(
                    System.Security.Cryptography.HashAlgorithmName.SHA256, lease.Material);
                await store.AppendAsync(group.Select(g => g.Entry).ToList(),
                    (seq, prev, e) => (AuditChain.Link(hmac, seq, prev, e), version.Version));
            }
            metrics.AuditWritten(group.Count, Stopwatch.GetElapsedTime(started).TotalSeconds);
            foreach (var (_, done) in group)
            {
                done.TrySetResult();
            }
        }
        catch (Exception e)
        {
            LogWriteFailed(logger, e, group.Count);
            metrics.AuditFailed(group.Count);
            foreach (var (_, done) in group)
            {
                done.TrySetException(new OpenG2P.KeyBridge.Errors.KeyBridgeException(OpenG2P.KeyBridge.Errors.KeyBridgeError.StorageUnavailable,
                    "the audit record could not be written, so the call's result is withheld; check the database"));
            }
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Writing {Count} audit records failed")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count);
}
