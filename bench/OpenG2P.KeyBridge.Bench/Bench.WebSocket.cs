using System.Diagnostics;
using System.Net.WebSockets;

namespace OpenG2P.KeyBridge.Bench;

public sealed partial class Bench
{
    /// <summary>Single-item encrypt over 16 long-lived WebSocket connections (one request in flight per connection).</summary>
    private async Task WebSocketAsync(ServerProcess server, RpcClient client, string config)
    {
        var body = client.Body("encrypt_data", new { text = References.Plaintext, context = Context(42) });
        await RunWebSocketAsync(server, client.Token, body, 16, plan.ScenarioWarmUp);
        var cpu0 = server.CpuSeconds();
        var outcome = await RunWebSocketAsync(server, client.Token, body, 16, plan.Scenario);
        _results.Scenarios.Add(FromOutcome($"{config}/encrypt-ws-c16", config, "encrypt_data, single item, over WebSocket", outcome, 16, 1,
            server.CpuSeconds() - cpu0, "ClientWebSocket x16"));
    }

    private async Task<LoadOutcome> RunWebSocketAsync(ServerProcess server, string token, byte[] body, int connections, TimeSpan duration)
    {
        var sockets = new List<ClientWebSocket>();
        foreach (var _ in Enumerable.Range(0, connections))
        {
            var ws = new ClientWebSocket();
            ws.Options.SetRequestHeader("Authorization", "Bearer " + token);
            await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/jsonrpc"), CancellationToken.None);
            sockets.Add(ws);
        }
        long issued = 0;
        long errors = 0;
        string? firstError = null;
        var latencies = new List<double>[connections];
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(sockets.Select((ws, w) => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<double>(4096);
            var buffer = new byte[64 * 1024];
            while (Stopwatch.GetTimestamp() < stopAt && Interlocked.Increment(ref issued) <= plan.MaxRequests)
            {
                var t0 = Stopwatch.GetTimestamp();
                await ws.SendAsync(body, WebSocketMessageType.Text, true, CancellationToken.None);
                var length = 0;
                WebSocketReceiveResult r;
                do
                {
                    // Answers are small; a longer one only keeps its last 64 KiB, enough to look for an error.
                    length = length == buffer.Length ? 0 : length;
                    r = await ws.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), CancellationToken.None);
                    length += r.Count;
                }
                while (!r.EndOfMessage);
                mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                if (LoadRunner.DefaultIsError(buffer[..length]))
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, System.Text.Encoding.UTF8.GetString(buffer, 0, Math.Min(300, length)), null);
                }
            }
        })));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        foreach (var ws in sockets)
        {
            try
            {
                await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            }
            catch (WebSocketException)
            {
                // the server may already have closed it
            }
            ws.Dispose();
        }
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new LoadOutcome(all.Length, errors, seconds, LoadRunner.Percentile(all, 0.5), LoadRunner.Percentile(all, 0.99), firstError);
    }
}
