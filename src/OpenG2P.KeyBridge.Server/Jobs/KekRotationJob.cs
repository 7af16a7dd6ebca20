using System.Security.Cryptography;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Jobs;
using OpenG2P.KeyBridge.Kek;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Jobs;

/// <summary>
/// KEK rotation: rewraps every stored key version that a previous KEK wrapped under the current
/// KEK (<c>Kek:Software:PreviousKeys</c> names the previous ones). Each rewrap is a compare-and-set
/// on the version's KEK id, so the job is resumable and safe to run twice or on two nodes; the
/// checkpoint is the last (key, version) handled.
/// </summary>
public sealed class KekRotationJob(IKeyStore store, IKekProvider kek, JobMetrics metrics, Microsoft.Extensions.Options.IOptions<JobsOptions> options)
    : IJobHandler
{
    public const string KindName = "kek_rotation";
    private const int PageSize = 100;

    public string Kind => KindName;

    public async Task<JobState> RunAsync(JobRun run, CancellationToken ct)
    {
        var progress = run.Progress;
        if (progress.Total is null)
        {
            progress = progress with { Total = await store.CountVersionsNotWrappedByAsync(kek.KekId, ct) };
            if (await run.CheckpointAsync(progress, 0, 0, [], ct))
            {
                return JobState.Cancelled;
            }
        }
        var (afterName, afterVersion) = ParseCursor(progress.Cursor);
        var rate = options.Value.KekRotationRecordsPerSecond;
        while (true)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var page = await store.ListVersionsNotWrappedByAsync(kek.KekId, afterName, afterVersion, PageSize, ct);
            if (page.Count == 0)
            {
                return JobState.Succeeded;
            }
            var failures = new List<JobFailure>();
            var changed = 0;
            foreach (var v in page)
            {
                try
                {
                    if (await RewrapAsync(v, ct))
                    {
                        changed++;
                    }
                }
                catch (KeyBridgeException e)
                {
                    failures.Add(new JobFailure($"{v.KeyName}:v{v.Version}", 0, $"{e.Error.Name}: {e.Message}"));
                }
            }
            (afterName, afterVersion) = (page[^1].KeyName, page[^1].Version);
            progress = progress with
            {
                Cursor = $"{afterVersion}:{afterName}",
                Done = progress.Done + page.Count,
                Changed = progress.Changed + changed,
                Total = Math.Max(progress.Total ?? 0, progress.Done + page.Count),
            };
            metrics.Records(Kind, "changed", changed);
            metrics.Records(Kind, "failed", failures.Count);
            if (await run.CheckpointAsync(progress, 0, 0, failures, ct))
            {
                return JobState.Cancelled;
            }
            if (rate > 0)
            {
                // Spare the HSM: a page of N versions takes at least N / rate seconds.
                var due = TimeSpan.FromSeconds((double)page.Count / rate) - System.Diagnostics.Stopwatch.GetElapsedTime(started);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, ct);
                }
            }
        }
    }

    private async Task<bool> RewrapAsync(WrappedVersion v, CancellationToken ct)
    {
        if (v.KekId == OpenG2P.KeyBridge.Hsm.HsmObjectRef.KekId)
        {
            return false; // an HSM-resident key pair: nothing is wrapped, the token holds it
        }
        var source = KekSet.Find(kek, v.KekId)
            ?? throw new KeyBridgeException(KeyBridgeError.KekUnavailable,
                $"no configured KEK has id '{v.KekId ?? "(none)"}'; add it to Kek:Software:PreviousKeys");
        var context = KeyRing.WrapContext(v.KeyName, v.Version);
        var material = source.Unwrap(v.WrappedMaterial, context);
        try
        {
            var wrapped = kek.Wrap(material, context);
            // False: rewrapped or destroyed meanwhile (another run, another node): nothing left to do for it.
            return await store.RewrapVersionAsync(v.KeyName, v.Version, v.KekId!, wrapped, kek.KekId, ct);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    private static (string? Name, int Version) ParseCursor(string? cursor)
    {
        if (cursor is null)
        {
            return (null, 0);
        }
        var colon = cursor.IndexOf(':', StringComparison.Ordinal);
        return (cursor[(colon + 1)..], int.Parse(cursor.AsSpan(0, colon), System.Globalization.CultureInfo.InvariantCulture));
    }
}
