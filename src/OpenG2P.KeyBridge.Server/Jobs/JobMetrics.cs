using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OpenG2P.KeyBridge.Server.Jobs;

/// <summary>
/// Job metrics on the <c>OpenG2P.KeyBridge.Jobs</c> meter, for whatever exporter the host wires
/// (the monitoring work publishes them on <c>/metrics</c>): records processed by outcome, scheduled
/// rotations, and the progress of the jobs running on this node.
/// </summary>
public sealed class JobMetrics : IDisposable
{
    public const string MeterName = "OpenG2P.KeyBridge.Jobs";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _records;
    private readonly Counter<long> _rotations;
    private readonly ConcurrentDictionary<string, (string Kind, long Done, long Total, double Rate)> _running = new(StringComparer.Ordinal);

    public JobMetrics()
    {
        _records = _meter.CreateCounter<long>("keybridge.jobs.records", "{record}", "Items processed by jobs, by kind and outcome");
        _rotations = _meter.CreateCounter<long>("keybridge.jobs.rotations", "{rotation}", "Scheduled rotations, by outcome");
        _meter.CreateObservableGauge("keybridge.jobs.done", () => Observe(e => e.Done), "{record}", "Items done by each job running on this node");
        _meter.CreateObservableGauge("keybridge.jobs.total", () => Observe(e => e.Total), "{record}", "Items to do in each job running on this node");
        _meter.CreateObservableGauge("keybridge.jobs.rate", () => Observe(e => e.Rate), "{record}/s", "Items per second of each job running on this node");
    }

    public void Records(string kind, string outcome, long count)
    {
        if (count > 0)
        {
            _records.Add(count, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    public void Rotated(bool ok) => _rotations.Add(1, new KeyValuePair<string, object?>("outcome", ok ? "rotated" : "failed"));

    public void Progress(string jobId, string kind, long done, long total, double rate) => _running[jobId] = (kind, done, total, rate);

    public void Ended(string jobId) => _running.TryRemove(jobId, out _);

    private IEnumerable<Measurement<T>> Observe<T>(Func<(string Kind, long Done, long Total, double Rate), T> pick) where T : struct =>
        _running.Select(kv => new Measurement<T>(pick(kv.Value),
            new KeyValuePair<string, object?>("job", kv.Key), new KeyValuePair<string, object?>("kind", kv.Value.Kind)));

    public void Dispose() => _meter.Dispose();
}
