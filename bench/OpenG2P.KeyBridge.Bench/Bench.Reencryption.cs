using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace OpenG2P.KeyBridge.Bench;

public sealed partial class Bench
{
    /// <summary>
    /// The re-encryption job end to end: seeds the fake Odoo with <paramref name="records"/> ciphertexts of a
    /// fresh key (through encrypt_data batches), rotates the key, runs <c>job.start_reencryption</c> and
    /// polls <c>job.status</c> until it ends. Records/second counts from the start call to the end.
    /// </summary>
    private async Task ReencryptionAsync(ServerProcess server, RpcClient client, RpcClient admin, string config, int records,
        Func<Task>? beforeJob = null, string? note = null)
    {
        var id = $"{config}/reencryption";
        var name = $"re-encryption job, {records:N0} records through the fake Odoo";
        Log($"  re-encryption: seeding {records:N0} records");
        var key = "bench-reenc-" + Guid.NewGuid().ToString("N")[..8];
        await admin.CallAsync("key.create", new { name = key, type = "aes-256-gcm" });
        var values = new string?[records + 1];
        var seeded = Stopwatch.GetTimestamp();
        const int page = 1000;
        await Parallel.ForEachAsync(Enumerable.Range(0, (records + page - 1) / page), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (chunk, _) =>
        {
            var first = chunk * page + 1;
            var last = Math.Min(records, first + page - 1);
            var items = Enumerable.Range(first, last - first + 1)
                .Select(i => new { text = $"Registrant {i}", context = Context(i) }).ToList();
            var result = await client.CallAsync("encrypt_data", new { key, items });
            var n = first;
            foreach (var item in result.GetProperty("items").EnumerateArray())
            {
                values[n++] = item.GetProperty("ciphertext").GetString();
            }
        });
        Log($"  re-encryption: seeded in {Plan.Seconds(Stopwatch.GetElapsedTime(seeded).TotalSeconds)} s; rotating {key}");
        await admin.CallAsync("key.rotate", new { name = key });
        if (beforeJob is not null)
        {
            await beforeJob();
        }

        await using var odoo = new FakeOdoo(values);
        await odoo.StartAsync();
        var cpu0 = server.CpuSeconds();
        var started = Stopwatch.GetTimestamp();
        var job = await client.CallAsync("job.start_reencryption", new Dictionary<string, object?>
        {
            ["odoo"] = new { url = odoo.Url, db = FakeOdoo.Database, login = FakeOdoo.Login, password = FakeOdoo.Password },
            ["model"] = FakeOdoo.Model,
            ["fields"] = new[] { FakeOdoo.Field },
            ["key"] = key,
            ["batch_size"] = 1000,
        });
        var jobId = Str(job, "id");
        JsonElement status;
        var deadline = Stopwatch.GetTimestamp() + (long)TimeSpan.FromMinutes(plan.Quick ? 5 : 15).TotalSeconds * Stopwatch.Frequency;
        var lastLog = Stopwatch.GetTimestamp();
        while (true)
        {
            status = await client.CallAsync("job.status", new { id = jobId, failures_limit = 5 });
            if (Str(status, "state") is "succeeded" or "failed" or "cancelled")
            {
                break;
            }
            if (Stopwatch.GetTimestamp() > deadline)
            {
                await client.CallAsync("job.cancel", new { id = jobId });
                _results.Scenarios.Add(ScenarioResult.Skipped(id, config, name, $"the job did not finish in the time allowed (done {status.GetProperty("done").GetInt64():N0})"));
                return;
            }
            if (Stopwatch.GetElapsedTime(lastLog).TotalSeconds >= 15)
            {
                Log($"  re-encryption: {status.GetProperty("done").GetInt64():N0} of {records:N0} ({status.GetProperty("rate").GetDouble():N0}/s)");
                lastLog = Stopwatch.GetTimestamp();
            }
            await Task.Delay(250);
        }
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = server.CpuSeconds() - cpu0;
        var done = status.GetProperty("done").GetInt64();
        var changed = status.GetProperty("changed").GetInt64();
        var failed = status.GetProperty("failed").GetInt64();

        // Every record must now be at version 2 (the version is in the ciphertext header: 0x01, n, name, u32 version).
        var stale = 0;
        for (var i = 1; i <= records; i += Math.Max(1, records / 500))
        {
            var bytes = System.Buffers.Text.Base64Url.DecodeFromChars(odoo.Value(i)!.AsSpan(3));
            var version = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(2 + bytes[1], 4));
            stale += version == 2 ? 0 : 1;
        }
        var state = Str(status, "state");
        var ok = state == "succeeded" && failed == 0 && changed == records && stale == 0;
        var result = new ScenarioResult
        {
            Id = id,
            Config = config,
            Name = name,
            Concurrency = 1,
            ItemsPerRequest = 1,
            Requests = odoo.Calls,
            Items = done,
            Errors = failed + stale,
            Seconds = Math.Round(seconds, 2),
            RequestsPerSecond = Math.Round(odoo.Calls / seconds, 1),
            ItemsPerSecond = Math.Round(done / seconds, 1),
            CpuSecondsPer1000 = done > 0 ? Math.Round(cpu / (done / 1000.0), 4) : null,
            Generator = "job.start_reencryption (Odoo calls counted as requests)",
            Note = string.Join("; ", new[]
            {
                ok ? null : $"state {state}, changed {changed:N0}, failed {failed:N0}, sampled records not at version 2: {stale}",
                note,
            }.Where(x => x is not null)) is { Length: > 0 } n ? n : null,
        };
        _results.Scenarios.Add(result);
        Log(string.Create(CultureInfo.InvariantCulture, $"  {id}: {done:N0} records in {seconds:0.0} s = {result.ItemsPerSecond:N0} records/s ({state}, changed {changed:N0}, failed {failed:N0}, stale {stale})"));
    }
}
