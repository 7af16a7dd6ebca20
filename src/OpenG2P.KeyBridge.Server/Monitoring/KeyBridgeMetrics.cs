using OpenG2P.KeyBridge.Keys;
using Prometheus;

namespace OpenG2P.KeyBridge.Server.Monitoring;

/// <summary>
/// The Prometheus metrics served at <c>/metrics</c>. Label values are method names, key names,
/// outcomes and error names only — never client data.
/// </summary>
public sealed class KeyBridgeMetrics
{
    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly Counter _requests;
    private readonly Histogram _latency;
    private readonly Counter _keyOperations;
    private readonly Counter _authFailures;
    private readonly Histogram _auditLatency;
    private readonly Counter _auditRecords;
    private readonly Counter _auditFailures;
    private readonly Counter _anomalies;
    private readonly Counter _rateLimited;
    private readonly CollectorRegistry _registry;
    private readonly Counter _vouchers;

    public KeyBridgeMetrics(MaterialCache cache, CollectorRegistry? registry = null)
    {
        var f = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry);
        _requests = f.CreateCounter("keybridge_rpc_requests_total", "JSON-RPC calls by method and outcome.",
            new CounterConfiguration { LabelNames = ["method", "outcome"] });
        _latency = f.CreateHistogram("keybridge_rpc_duration_seconds", "JSON-RPC call latency, audit write included.",
            new HistogramConfiguration { LabelNames = ["method"], Buckets = LatencyBuckets });
        _keyOperations = f.CreateCounter("keybridge_key_operations_total", "Uses of each key by method and outcome (batch items counted).",
            new CounterConfiguration { LabelNames = ["key", "method", "outcome"] });
        _authFailures = f.CreateCounter("keybridge_authentication_failures_total", "Refused tokens and token requests.",
            new CounterConfiguration { LabelNames = ["endpoint"] });
        _auditLatency = f.CreateHistogram("keybridge_audit_write_duration_seconds", "Time to commit one group of audit records.",
            new HistogramConfiguration { Buckets = LatencyBuckets });
        _auditRecords = f.CreateCounter("keybridge_audit_records_total", "Audit records committed.");
        _auditFailures = f.CreateCounter("keybridge_audit_write_failures_total", "Audit records that could not be written.");
        _anomalies = f.CreateCounter("keybridge_anomalies_total", "Decryption-rate anomalies detected, by kind.",
            new CounterConfiguration { LabelNames = ["kind"] });
        _rateLimited = f.CreateCounter("keybridge_rate_limited_total", "Requests refused by the per-client rate limit.");
        _vouchers = f.CreateCounter("keybridge_vouchers_total",
            "Voucher events: issued, replayed (idempotent retries), redeemed, already_redeemed (second attempts), revoked.",
            new CounterConfiguration { LabelNames = ["event"] });
        var hits = f.CreateCounter("keybridge_key_cache_hits_total", "Unwrapped key versions served from memory.");
        var misses = f.CreateCounter("keybridge_key_cache_misses_total", "Key versions unwrapped with the KEK.");
        var entries = f.CreateGauge("keybridge_key_cache_entries", "Unwrapped key versions held in memory.");
        var registryInUse = registry ?? Metrics.DefaultRegistry;
        _registry = registryInUse;
        registryInUse.AddBeforeCollectCallback(() =>
        {
            hits.IncTo(cache.Hits);
            misses.IncTo(cache.Misses);
            entries.Set(cache.Count);
        });
    }

    public void Request(string method, string outcome, double seconds)
    {
        _requests.WithLabels(method, outcome).Inc();
        _latency.WithLabels(method).Observe(seconds);
    }

    public void KeyUsed(string key, string method, string outcome, int count = 1) =>
        _keyOperations.WithLabels(key, method, outcome).Inc(count);

    public void AuthenticationFailed(string endpoint) => _authFailures.WithLabels(endpoint).Inc();

    public void AuditWritten(int count, double seconds)
    {
        _auditRecords.Inc(count);
        _auditLatency.Observe(seconds);
    }

    public void AuditFailed(int count) => _auditFailures.Inc(count);

    public void Anomaly(string kind) => _anomalies.WithLabels(kind).Inc();

    public void RateLimited() => _rateLimited.Inc();

    /// <summary>HSM session pool gauges, registered when the PKCS#11 KEK is in use.</summary>
    public void ObserveHsm(OpenG2P.KeyBridge.Hsm.Pkcs11Token token)
    {
        var f = Metrics.WithCustomRegistry(_registry);
        var open = f.CreateGauge("keybridge_hsm_sessions_open", "PKCS#11 sessions open now.");
        var borrowed = f.CreateGauge("keybridge_hsm_sessions_in_use", "PKCS#11 sessions lent to an operation now.");
        var max = f.CreateGauge("keybridge_hsm_sessions_max_open", "Most PKCS#11 sessions ever open at once (never above the pool size).");
        var size = f.CreateGauge("keybridge_hsm_pool_size", "Configured PKCS#11 session pool size.");
        var up = f.CreateGauge("keybridge_hsm_connected", "1 while the token is reachable.");
        _registry.AddBeforeCollectCallback(() =>
        {
            open.Set(token.OpenSessions);
            borrowed.Set(token.BorrowedSessions);
            max.Set(token.MaxOpenSessions);
            size.Set(token.PoolSize);
            up.Set(token.IsConnected ? 1 : 0);
        });
    }
    public void Voucher(string @event, int count = 1) => _vouchers.WithLabels(@event).Inc(count);
}
