using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace OpenG2P.KeyBridge.Bench;

/// <summary>
/// Runs Debian's <c>wrk</c> with <c>wrk/jsonrpc.lua</c>: a C load generator costs far less CPU per
/// request than an HttpClient loop, which matters when it shares two cores with the server.
/// </summary>
public static class WrkRunner
{
    public static bool Available { get; } = File.Exists("/usr/bin/wrk");

    public static async Task<LoadOutcome> RunAsync(Uri endpoint, string token, byte[] body, int concurrency, TimeSpan duration, long maxRequests,
        string scratchDirectory)
    {
        var bodyFile = Path.Combine(scratchDirectory, $"wrk-body-{Guid.NewGuid():N}.json");
        await File.WriteAllBytesAsync(bodyFile, body);
        var threads = Math.Min(concurrency, 2);
        var script = Path.Combine(AppContext.BaseDirectory, "wrk", "jsonrpc.lua");
        var psi = new ProcessStartInfo("/usr/bin/wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
        {
            "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", concurrency.ToString(CultureInfo.InvariantCulture),
            "-d", $"{Math.Max(1, (int)Math.Round(duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture)}s",
            "--timeout", "10s", "-s", script, endpoint.ToString(),
        })
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["KB_BODY_FILE"] = bodyFile;
        psi.Environment["KB_TOKEN"] = token;
        psi.Environment["KB_MAX_PER_THREAD"] = Math.Max(1, maxRequests / threads).ToString(CultureInfo.InvariantCulture);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start wrk");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(duration + TimeSpan.FromSeconds(30));
        try
        {
            await p.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill();
            throw new TimeoutException("wrk did not finish in time");
        }
        File.Delete(bodyFile);
        var output = await stdout;
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("KBRESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no result: {output} {await stderr}");
        var r = JsonDocument.Parse(line["KBRESULT ".Length..]).RootElement;
        var requests = r.GetProperty("requests").GetInt64();
        var errors = r.GetProperty("rpc_errors").GetInt64() + r.GetProperty("socket_errors").GetInt64();
        return new LoadOutcome(requests, errors, r.GetProperty("duration_us").GetInt64() / 1e6,
            r.GetProperty("p50_us").GetInt64() / 1000.0, r.GetProperty("p99_us").GetInt64() / 1000.0,
            errors > 0 ? "wrk counted JSON-RPC or socket errors" : null);
    }
}
