using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Jobs;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Jobs.Reencryption;
using OpenG2P.KeyBridge.Server.Rpc.Methods;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Jobs;

/// <summary>What the job.* methods do: validate and start jobs, report them, cancel them.</summary>
public sealed partial class JobService(IJobStore store, JobLauncher launcher, JobSecrets secrets, KeyManager keys, TimeProvider time)
{
    public const int MaxBatchSize = 5000;

    [GeneratedRegex("^[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex ModelName();

    [GeneratedRegex("^[a-z_][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex FieldName();

    public async Task<JobView> StartReencryptionAsync(Caller caller, JobStartReencryptionParams p, string? key, CancellationToken ct)
    {
        var odoo = p.Odoo ?? throw Invalid("'odoo' is required: {url, db, login, password}");
        var url = ValidUrl(odoo.Url);
        var storage = p.Storage ?? "field";
        if (storage is not ("field" or "blob"))
        {
            throw Invalid("'storage' must be 'field' or 'blob'");
        }
        var fields = p.Fields ?? (storage == "blob" ? ["encrypted_val"] : throw Invalid("'fields' is required"));
        if (fields.Count is < 1 or > 50 || fields.Any(f => f is null || f.Length > 100 || !FieldName().IsMatch(f) || f == "id")
            || fields.Distinct(StringComparer.Ordinal).Count() != fields.Count)
        {
            throw Invalid("'fields' must list 1-50 distinct Odoo field names (lower-case, not 'id')");
        }
        if (storage == "blob" && fields.Count != 1)
        {
            throw Invalid("with storage 'blob', 'fields' names the one blob column (default encrypted_val)");
        }
        var context = p.Context ?? "record";
        if (context is not ("record" or "none" or "mosip"))
        {
            throw Invalid("'context' must be 'record', 'none' or 'mosip'");
        }
        var (mosipSalt, mosipAad) = MosipParams(p.Mosip);
        if ((p.Mosip is not null || context == "mosip") && key is null)
        {
            throw Invalid("reading MOSIP ciphertexts needs 'key': the aes-256-gcm key they move to");
        }
        if (context == "mosip" && p.Mosip is null)
        {
            throw Invalid("context 'mosip' needs 'mosip': {salt, aad} as OpenG2P's keymanager provider sends them");
        }
        if (p.BatchSize is < 1 or > MaxBatchSize)
        {
            throw Invalid($"'batch_size' must be between 1 and {MaxBatchSize}");
        }
        if (p.MaxRecordsPerSecond is { } rps && (double.IsNaN(rps) || rps <= 0 || rps > 1_000_000))
        {
            throw Invalid("'max_records_per_second' must be a positive number");
        }
        if (p.RaiseMinDecryptionVersion && key is null)
        {
            throw Invalid("'raise_min_decryption_version' needs 'key': the key whose old versions are retired");
        }
        if (key is not null)
        {
            var k = await keys.GetAsync(key, ct);
            if (k.Type != KeyType.Aes256Gcm)
            {
                throw new KeyBridgeException(KeyBridgeError.UnsupportedOperation, $"key '{key}' is of type {k.Type.ToName()}; re-encryption needs aes-256-gcm");
            }
        }
        var spec = new ReencryptionSpec
        {
            Odoo = new OdooEndpoint(url.ToString(), Required(odoo.Db, "odoo.db", 200), Required(odoo.Login, "odoo.login", 200)),
            Model = p.Model is { Length: <= 100 } m && ModelName().IsMatch(m) ? m : throw Invalid("'model' must be an Odoo model name such as res.partner"),
            Fields = fields,
            Context = context,
            MosipSalt = mosipSalt,
            MosipAad = mosipAad,
            Key = key,
            Domain = ValidDomain(p.Domain),
            BatchSize = p.BatchSize ?? 200,
            MaxRecordsPerSecond = p.MaxRecordsPerSecond,
            RaiseMinDecryptionVersion = p.RaiseMinDecryptionVersion,
            Storage = storage,
            KeyGrants = caller.HasRole(Roles.Admin) ? [] : caller.KeyPatterns,
        };
        var password = Required(odoo.Password, "odoo.password", 4096);
        var id = NewId();
        return await StartAsync(new JobRecord
        {
            Id = id,
            Kind = ReencryptionJob.KindName,
            Parameters = spec.Serialize(),
            Secret = await secrets.ProtectAsync(id, password, ct),
            CreatedBy = caller.ClientId,
            CreatedAt = time.GetUtcNow(),
        }, ct);
    }

    /// <summary>The provider's salt and aad, checked and kept as canonical base64url ("" when one is empty): they are not secrets, only needed to decrypt.</summary>
    private static (string? Salt, string? Aad) MosipParams(MosipJobParams? mosip)
    {
        if (mosip is null)
        {
            return (null, null);
        }
        return (Canonical(mosip.Salt, "mosip.salt"), Canonical(mosip.Aad, "mosip.aad"));

        static string Canonical(string? value, string field) =>
            string.IsNullOrWhiteSpace(value) ? ""
            : OpenG2P.KeyBridge.Server.Mosip.MosipBase64.TryDecode(value, out var bytes) ? OpenG2P.KeyBridge.Crypto.Base64Url.Encode(bytes)
            : throw Invalid($"'{field}' is not base64url");
    }

    public Task<JobView> StartKekRotationAsync(Caller caller, CancellationToken ct) =>
        StartAsync(new JobRecord
        {
            Id = NewId(),
            Kind = KekRotationJob.KindName,
            Parameters = "{}",
            CreatedBy = caller.ClientId,
            CreatedAt = time.GetUtcNow(),
        }, ct);

    public async Task<JobView> StatusAsync(JobStatusParams p, CancellationToken ct)
    {
        if (p.FailuresLimit is < 0 or > 1000)
        {
            throw Invalid("'failures_limit' must be between 0 and 1000");
        }
        var job = await GetAsync(p.Id, ct);
        var failures = p.FailuresLimit == 0 ? [] : await store.ListFailuresAsync(job.Id, p.FailuresAfter, p.FailuresLimit, ct);
        return View(job) with
        {
            Failures = [.. failures.Select(f => new JobFailureView(f.Item, job.Kind == ReencryptionJob.KindName ? f.ItemNo : null, f.Reason))],
        };
    }

    public async Task<JobListResult> ListAsync(JobListParams p, CancellationToken ct)
    {
        if (p.Limit is < 1 or > 200)
        {
            throw Invalid("'limit' must be between 1 and 200");
        }
        JobState? state = null;
        if (p.State is { } s)
        {
            try
            {
                state = JobStates.Parse(s);
            }
            catch (FormatException)
            {
                throw Invalid("'state' must be queued, running, succeeded, failed or cancelled");
            }
        }
        var jobs = await store.ListJobsAsync(p.Kind, state, p.Before, p.Limit, ct);
        return new JobListResult([.. jobs.Select(View)], jobs.Count == p.Limit ? jobs[^1].Id : null);
    }

    public async Task<JobView> CancelAsync(string? id, CancellationToken ct)
    {
        var job = await GetAsync(id, ct);
        return View(job.State.IsFinal() ? job : await store.RequestCancelAsync(job.Id, ct) ?? job);
    }

    private async Task<JobRecord> GetAsync(string? id, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 100)
        {
            throw Invalid("'id' is required");
        }
        return await store.GetJobAsync(id, ct) ?? throw new KeyBridgeException(KeyBridgeError.JobNotFound, $"job '{id}' does not exist");
    }

    private async Task<JobView> StartAsync(JobRecord job, CancellationToken ct) => View(await launcher.StartAsync(job, ct));

    public JobView View(JobRecord job)
    {
        var p = job.Progress;
        var end = job.FinishedAt ?? time.GetUtcNow();
        var seconds = job.RunStartedAt is { } started ? (end - started).TotalSeconds : 0;
        var rate = seconds > 0 ? Math.Round((p.Done - job.RunDoneAtStart) / seconds, 2) : 0;
        long? eta = job.State.IsFinal() ? 0 : rate > 0 && p.Total is { } total ? (long)Math.Ceiling(Math.Max(0, total - p.Done) / rate) : null;
        return new JobView
        {
            Id = job.Id,
            Kind = job.Kind,
            State = job.State.ToName(),
            Done = p.Done,
            Total = p.Total,
            Failed = p.Failed,
            Changed = p.Changed,
            Rate = rate,
            EtaSeconds = eta,
            Checkpoint = p.Cursor,
            MinVersion = p.MinVersion,
            CancelRequested = job.CancelRequested,
            Error = job.Error,
            CreatedBy = job.CreatedBy,
            CreatedAt = job.CreatedAt,
            StartedAt = job.StartedAt,
            FinishedAt = job.FinishedAt,
            HangfireJobId = job.HangfireId,
            Parameters = JsonDocument.Parse(job.Parameters).RootElement.Clone(),
        };
    }

    private static string NewId() => "job-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static Uri ValidUrl(string? url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
        {
            throw Invalid("'odoo.url' must be an absolute http or https URL, e.g. https://odoo.example.org");
        }
        if (u.UserInfo.Length > 0 || u.Query.Length > 0 || u.Fragment.Length > 0)
        {
            throw Invalid("'odoo.url' must not carry credentials, a query or a fragment; give them in 'odoo'");
        }
        return u;
    }

    private static JsonArray? ValidDomain(JsonElement? domain)
    {
        if (domain is not { } d || d.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }
        if (d.ValueKind != JsonValueKind.Array || d.GetRawText().Length > 20_000)
        {
            throw Invalid("'domain' must be an Odoo domain: a JSON array such as [[\"is_registrant\", \"=\", true]]");
        }
        return JsonNode.Parse(d.GetRawText())!.AsArray();
    }

    private static string Required(string? value, string field, int max) =>
        string.IsNullOrEmpty(value) || value.Length > max ? throw Invalid($"'{field}' is required (at most {max} characters)") : value;

    private static KeyBridgeException Invalid(string message) => new(KeyBridgeError.InvalidParams, message);
}
