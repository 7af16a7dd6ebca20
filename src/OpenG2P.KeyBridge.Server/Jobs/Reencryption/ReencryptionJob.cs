using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Jobs;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Mosip;
using OpenG2P.KeyBridge.Operations;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Jobs.Odoo;

namespace OpenG2P.KeyBridge.Server.Jobs.Reencryption;

/// <summary>
/// Re-encrypts Odoo data under the latest key versions. Pages by id (<c>id &gt; last</c>, ordered by
/// id, so records inserted meanwhile never shift a page), rewraps in-process every ciphertext not at
/// its key's latest version, writes changed records back one by one, and checkpoints
/// <c>last_id</c> and the counts after every page. A ciphertext already at the latest version is
/// left alone, so a resumed or repeated run writes nothing twice.
/// </summary>
public sealed class ReencryptionJob(
    DataCrypto data,
    KeyRing ring,
    KeyManager keys,
    JobSecrets secrets,
    OdooTransport transport,
    JobMetrics metrics,
    IOptions<JobsOptions> options,
    TimeProvider time,
    ILogger<ReencryptionJob> logger) : IJobHandler
{
    public const string KindName = "reencryption";

    public string Kind => KindName;

    public async Task<JobState> RunAsync(JobRun run, CancellationToken ct)
    {
        var spec = ReencryptionSpec.Deserialize(run.Job.Parameters);
        var password = await secrets.RevealAsync(run.Job, ct);
        var o = options.Value;
        var odoo = new OdooClient(transport.Http, new OdooTarget(new Uri(spec.Odoo.Url), spec.Odoo.Db, spec.Odoo.Login, password),
            new OdooRetryPolicy(TimeSpan.FromSeconds(o.OdooTimeoutSeconds), o.OdooRetries, TimeSpan.FromMilliseconds(o.OdooRetryDelayMilliseconds)),
            logger);
        await odoo.LoginAsync(ct);

        var progress = run.Progress;
        if (progress.Total is null)
        {
            progress = progress with { Total = await odoo.SearchCountAsync(spec.Model, spec.Domain ?? [], ct) };
            if (await run.CheckpointAsync(progress, 0, 0, [], ct))
            {
                return JobState.Cancelled;
            }
        }
        var last = long.Parse(progress.Cursor ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        var throttle = new Throttle(spec.MaxRecordsPerSecond, time);
        while (true)
        {
            var domain = new JsonArray(new JsonArray("id", ">", last));
            foreach (var term in spec.Domain ?? [])
            {
                domain.Add(term?.DeepClone());
            }
            var records = await odoo.SearchReadAsync(spec.Model, domain, spec.Fields, spec.BatchSize, ct);
            if (records.Count == 0)
            {
                break;
            }
            var page = new PageResult(progress.MinVersion);
            foreach (var record in records)
            {
                await throttle.WaitAsync(ct);
                await ProcessAsync(odoo, spec, record, page, ct);
            }
            var pageLast = records.Max(r => r.GetProperty("id").GetInt64());
            progress = progress with
            {
                Cursor = pageLast.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Done = progress.Done + records.Count,
                Changed = progress.Changed + page.Changed,
                Total = Math.Max(progress.Total ?? 0, progress.Done + records.Count),
                MinVersion = page.MinVersion,
            };
            var cancel = await run.CheckpointAsync(progress, last, pageLast, page.Failures, ct);
            metrics.Records(Kind, "changed", page.Changed);
            metrics.Records(Kind, "unchanged", records.Count - page.Changed - page.Failures.Count);
            metrics.Records(Kind, "failed", page.Failures.Count);
            last = pageLast;
            if (cancel)
            {
                return JobState.Cancelled;
            }
        }

        if (spec.RaiseMinDecryptionVersion && spec.Key is { } key && await run.FailedCountAsync(ct) == 0)
        {
            // Raise to the lowest version the pass left behind, not to "latest": the key may have been rotated meanwhile.
            var target = progress.MinVersion ?? KeyRing.LatestForUse(await keys.GetAsync(key, ct)).Version;
            await keys.ConfigureAsync(key, p => p with { MinDecryptionVersion = Math.Max(p.MinDecryptionVersion, target) }, ct);
            JobsLog.MinVersionRaised(logger, run.Job.Id, key, target);
        }
        return JobState.Succeeded;
    }

    private sealed class PageResult(int? minVersion)
    {
        public int? MinVersion { get; set; } = minVersion;

        public long Changed { get; set; }

        public List<JobFailure> Failures { get; } = [];

        public void Saw(int version) => MinVersion = MinVersion is { } m ? Math.Min(m, version) : version;
    }

    private async Task ProcessAsync(OdooClient odoo, ReencryptionSpec spec, JsonElement record, PageResult page, CancellationToken ct)
    {
        var id = record.GetProperty("id").GetInt64();
        var changes = new Dictionary<string, string>(StringComparer.Ordinal);
        var reasons = new List<string>();
        foreach (var field in spec.Fields)
        {
            try
            {
                if (await RewrapFieldAsync(spec, record, id, field, page, ct) is { } rewrapped)
                {
                    changes[field] = rewrapped;
                }
            }
            catch (KeyBridgeException e)
            {
                reasons.Add($"{field}: {e.Error.Name}: {e.Message}");
            }
        }
        if (changes.Count > 0)
        {
            try
            {
                await odoo.WriteAsync(spec.Model, id, changes, ct);
            }
            catch (OdooCallException e)
            {
                reasons.Add($"write refused by Odoo: {e.Message}");
                changes.Clear();
            }
        }
        if (reasons.Count > 0)
        {
            var text = string.Join("; ", reasons);
            page.Failures.Add(new JobFailure(id.ToString(System.Globalization.CultureInfo.InvariantCulture), id, text.Length > 1000 ? text[..1000] + "…" : text));
        }
        else if (changes.Count > 0)
        {
            page.Changed++;
        }
    }

    /// <summary>The field's new stored value, or null when it is empty or already at the latest version.</summary>
    private async Task<string?> RewrapFieldAsync(ReencryptionSpec spec, JsonElement record, long id, string field, PageResult page, CancellationToken ct)
    {
        if (!record.TryGetProperty(field, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.False
            || (value.ValueKind == JsonValueKind.String && value.GetString()!.Length == 0))
        {
            return null; // Odoo sends false for an empty field: nothing to re-encrypt.
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new KeyBridgeException(KeyBridgeError.CiphertextMalformed, $"expected a string, Odoo sent a {value.ValueKind.ToString().ToLowerInvariant()}");
        }
        var context = spec.Context switch
        {
            "record" => EncryptionContext.FromJson(JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["model"] = spec.Model, ["field"] = field, ["id"] = id })),
            "mosip" => MosipContext.ForAad(Base64Url.Decode(spec.MosipAad ?? "", "mosip.aad")),
            _ => EncryptionContext.Empty,
        };
        if (spec.ReadsMosip && StoredCiphertext.DecodeMosip(value.GetString()!) is { } mosip)
        {
            // A MOSIP ciphertext is always moved: decrypted with the imported MOSIP key, encrypted under the job's key.
            var moved = await data.RewrapMosipAsync(mosip.Bytes, Base64Url.Decode(spec.MosipSalt ?? "", "mosip.salt"),
                Base64Url.Decode(spec.MosipAad ?? "", "mosip.aad"), spec.Key!, context, k => CheckKey(spec, k, target: k == spec.Key), ct);
            Track(spec, page, moved.Ciphertext.Key, moved.Ciphertext.Version);
            return StoredCiphertext.Encode(moved.Ciphertext.Value, mosip.Form);
        }
        var (parsed, form) = StoredCiphertext.Decode(value.GetString()!);
        CheckKey(spec, parsed.KeyName);
        var key = await ring.GetAsync(parsed.KeyName, ct);
        var latest = KeyRing.LatestForUse(key).Version;
        if (parsed.KeyVersion >= latest)
        {
            Track(spec, page, parsed.KeyName, parsed.KeyVersion);
            return null;
        }
        var rewrapped = await data.RewrapAsync(parsed, context, ct);
        Track(spec, page, rewrapped.Key, rewrapped.Version);
        return StoredCiphertext.Encode(rewrapped.Value, form);
    }

    private static void Track(ReencryptionSpec spec, PageResult page, string keyName, int version)
    {
        if (spec.Key == keyName)
        {
            page.Saw(version);
        }
    }

    /// <param name="target">False for the imported MOSIP key that decrypts a MOSIP ciphertext: it is not the job's key, only granted.</param>
    private static void CheckKey(ReencryptionSpec spec, string keyName, bool target = true)
    {
        if (keyName.StartsWith("keybridge.", StringComparison.Ordinal))
        {
            throw new KeyBridgeException(KeyBridgeError.Forbidden, $"key '{keyName}' is internal to KeyBridge");
        }
        if (target && spec.Key is { } expected && keyName != expected)
        {
            throw new KeyBridgeException(KeyBridgeError.Forbidden, $"the ciphertext is under key '{keyName}', not '{expected}'");
        }
        var caller = new Caller("job", new HashSet<string>(), spec.KeyGrants, DateTimeOffset.MaxValue);
        if (!caller.MayUseKey(keyName))
        {
            throw new KeyBridgeException(KeyBridgeError.Forbidden, $"the client that started the job is not granted key '{keyName}'");
        }
    }

    /// <summary>Keeps a run at or below the records-per-second limit.</summary>
    private sealed class Throttle(double? perSecond, TimeProvider time)
    {
        private readonly long _start = time.GetTimestamp();
        private long _count;

        public async Task WaitAsync(CancellationToken ct)
        {
            if (perSecond is not { } rate)
            {
                return;
            }
            var due = TimeSpan.FromSeconds(_count++ / rate) - time.GetElapsedTime(_start);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, time, ct);
            }
        }
    }
}
