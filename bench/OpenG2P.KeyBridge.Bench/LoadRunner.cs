using System.Diagnostics;
using System.Net;

namespace OpenG2P.KeyBridge.Bench;

/// <summary>The measured outcome of one load loop.</summary>
public sealed record LoadOutcome(long Requests, long Errors, double Seconds, double P50Ms, double P99Ms, string? FirstError);

/// <summary>
/// Closed-loop load from this process: <c>concurrency</c> workers, each on its own keep-alive
/// connection, send request bodies back to back until the time or the request budget is spent.
/// </summary>
public static class LoadRunner
{
    public static async Task<LoadOutcome> RunAsync(RpcClient client, IReadOnlyList<byte[]> bodies, int concurrency, TimeSpan duration,
        long maxRequests, Func<byte[], bool>? isError = null)
    {
        isError ??= DefaultIsError;
        long issued = 0;
        long errors = 0;
        string? firstError = null;
        var latencies = new List<double>[concurrency];
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<double>(4096);
            var i = w;
            while (Stopwatch.GetTimestamp() < stopAt && Interlocked.Increment(ref issued) <= maxRequests)
            {
                var body = bodies[i++ % bodies.Count];
                var t0 = Stopwatch.GetTimestamp();
                HttpStatusCode status;
                byte[] response;
                try
                {
                    (status, response) = await client.PostAsync(body);
                }
                catch (HttpRequestException e)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, e.Message, null);
                    continue;
                }
                mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                if (status != HttpStatusCode.OK || isError(response))
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"HTTP {(int)status}: {System.Text.Encoding.UTF8.GetString(response.AsSpan(0, Math.Min(300, response.Length)))}", null);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = latencies.Where(l => l is not null).SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new LoadOutcome(all.Length, Interlocked.Read(ref errors), seconds, Percentile(all, 0.50), Percentile(all, 0.99), firstError);
    }

    /// <summary>A JSON-RPC error anywhere in the answer (top level or a failed batch item).</summary>
    public static bool DefaultIsError(byte[] response) => response.AsSpan().IndexOf("\"error\":"u8) >= 0;

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
