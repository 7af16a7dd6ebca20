using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Server.Audit;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Server.Monitoring;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Security;

/// <summary>
/// Counts decrypted items per client (and per client and key) in one-minute windows. Crossing a
/// threshold raises one alert per window: a warning log, an audit record and a metric, and
/// optionally suspends the client (disabled, tokens ended) until an admin re-enables it.
/// Counts are per node: with N nodes behind a balancer, set thresholds per node.
/// </summary>
public sealed partial class AnomalyDetector(
    IOptions<AnomalyOptions> options, AuditLog audit, KeyBridgeMetrics metrics, IKeyStore store, ClientDirectory clients,
    TimeProvider time, ILogger<AnomalyDetector> logger)
{
    private readonly ConcurrentDictionary<(string Client, string? Key, long Minute), int> _counts = new();

    public async Task DecryptedAsync(RequestInfoLike request, IReadOnlyList<string> keys, int items)
    {
        var o = options.Value;
        if (o.DecryptionsPerMinute <= 0 && o.DecryptionsPerMinutePerKey <= 0)
        {
            return;
        }
        var minute = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        Prune(minute);
        if (o.DecryptionsPerMinute > 0 && Crossed((request.ClientId, null, minute), items, o.DecryptionsPerMinute))
        {
            await AlertAsync(request, null, o.DecryptionsPerMinute, "client");
        }
        if (o.DecryptionsPerMinutePerKey > 0)
        {
            foreach (var key in keys)
            {
                if (Crossed((request.ClientId, key, minute), items, o.DecryptionsPerMinutePerKey))
                {
                    await AlertAsync(request, key, o.DecryptionsPerMinutePerKey, "client_key");
                }
            }
        }
    }

    /// <summary>True only for the call that takes the count over the threshold, so one window raises one alert.</summary>
    private bool Crossed((string, string?, long) bucket, int items, int threshold)
    {
        var after = _counts.AddOrUpdate(bucket, items, (_, c) => c + items);
        return after > threshold && after - items <= threshold;
    }

    private void Prune(long minute)
    {
        if (_counts.Count < 10_000)
        {
            return;
        }
        foreach (var k in _counts.Keys.Where(k => k.Minute < minute))
        {
            _counts.TryRemove(k, out _);
        }
    }

    private async Task AlertAsync(RequestInfoLike request, string? key, int threshold, string kind)
    {
        LogAnomaly(logger, request.ClientId, key ?? "*", threshold);
        metrics.Anomaly(kind);
        await audit.WriteAsync(new AuditEntry
        {
            Time = time.GetUtcNow(),
            ClientId = request.ClientId,
            Method = "anomaly.decrypt_rate",
            Keys = key,
            Outcome = "alert",
            ErrorName = "decrypt_rate_exceeded",
            RequestId = request.RequestId,
            RemoteAddress = request.RemoteAddress,
        });
        if (options.Value.SuspendClient && await store.GetClientAsync(request.ClientId) is { Disabled: false } client)
        {
            await store.UpdateClientAsync(client with { Disabled = true, TokensValidAfter = time.GetUtcNow() });
            clients.Invalidate(client.ClientId);
            LogSuspended(logger, client.ClientId);
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning,
        Message = "Client {ClientId} decrypted more than {Threshold} items in a minute with key {Key}")]
    private static partial void LogAnomaly(ILogger logger, string clientId, string key, int threshold);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Client {ClientId} suspended after a decryption-rate alert")]
    private static partial void LogSuspended(ILogger logger, string clientId);
}

/// <summary>The parts of a request an alert records.</summary>
public readonly record struct RequestInfoLike(string ClientId, string RequestId, string? RemoteAddress);
