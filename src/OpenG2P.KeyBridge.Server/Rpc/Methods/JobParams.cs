using System.Text.Json;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

/// <summary>How the job reaches Odoo; <c>password</c> may be a password or an API key and is stored encrypted.</summary>
public sealed record OdooParams
{
    public string? Url { get; init; }

    public string? Db { get; init; }

    public string? Login { get; init; }

    public string? Password { get; init; }
}

public sealed record JobStartReencryptionParams
{
    public OdooParams? Odoo { get; init; }

    public string? Model { get; init; }

    public List<string>? Fields { get; init; }

    /// <summary><c>record</c> (default), <c>none</c>, or <c>mosip</c> (bound to <c>mosip.aad</c> as <c>/v1/keymanager/encrypt</c> does).</summary>
    public string? Context { get; init; }

    /// <summary>The salt and aad OpenG2P's keymanager provider encrypted with, to read MOSIP ciphertexts and move them to <c>key</c>.</summary>
    public MosipJobParams? Mosip { get; init; }

    public string? Key { get; init; }

    /// <summary>An Odoo domain, e.g. <c>[["is_registrant", "=", true]]</c>.</summary>
    public JsonElement? Domain { get; init; }

    public int? BatchSize { get; init; }

    public double? MaxRecordsPerSecond { get; init; }

    public bool RaiseMinDecryptionVersion { get; init; }

    /// <summary><c>field</c> (default) or <c>blob</c>.</summary>
    public string? Storage { get; init; }
}

/// <summary>A MOSIP keymanager provider's fixed salt and aad (its <c>keymanager_encrypt_salt</c> / <c>_aad</c>), base64url as OpenG2P stores them.</summary>
public sealed record MosipJobParams
{
    public string? Salt { get; init; }

    public string? Aad { get; init; }
}

public sealed record JobIdParams
{
    public string? Id { get; init; }
}

public sealed record JobStatusParams
{
    public string? Id { get; init; }

    /// <summary>Most failures to return (0-1000, default 100).</summary>
    public int FailuresLimit { get; init; } = 100;

    /// <summary>Return failures of records after this Odoo id (paging).</summary>
    public long? FailuresAfter { get; init; }
}

public sealed record JobListParams
{
    public string? Kind { get; init; }

    public string? State { get; init; }

    /// <summary>Continue after this job (the previous page's <c>next_before</c>).</summary>
    public string? Before { get; init; }

    public int Limit { get; init; } = 50;
}

public sealed record JobFailureView(string Item, long? Id, string Reason);

public sealed record JobView
{
    public required string Id { get; init; }

    public required string Kind { get; init; }

    public required string State { get; init; }

    public long Done { get; init; }

    public long? Total { get; init; }

    public long Failed { get; init; }

    /// <summary>Records (or key versions) rewritten.</summary>
    public long Changed { get; init; }

    /// <summary>Items per second in the current (or last) run.</summary>
    public double Rate { get; init; }

    public long? EtaSeconds { get; init; }

    public string? Checkpoint { get; init; }

    public int? MinVersion { get; init; }

    public bool CancelRequested { get; init; }

    public string? Error { get; init; }

    public required string CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public string? HangfireJobId { get; init; }

    public JsonElement Parameters { get; init; }

    public IReadOnlyList<JobFailureView>? Failures { get; init; }
}

public sealed record JobListResult(IReadOnlyList<JobView> Jobs, string? NextBefore);
