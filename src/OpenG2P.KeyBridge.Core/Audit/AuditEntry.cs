namespace OpenG2P.KeyBridge.Audit;

/// <summary>
/// What happened in one call: who, what, which key versions, and how it ended. Never holds
/// plaintext, ciphertext, tokens or key material.
/// </summary>
public sealed record AuditEntry
{
    public required DateTimeOffset Time { get; init; }

    /// <summary>The authenticated client, or the claimed one for a failed authentication, or null.</summary>
    public string? ClientId { get; init; }

    public required string Method { get; init; }

    /// <summary>Key names used, comma-separated in first-use order.</summary>
    public string? Keys { get; init; }

    /// <summary>Key versions used, as <c>name:version</c>, comma-separated.</summary>
    public string? Versions { get; init; }

    /// <summary><c>ok</c>, <c>partial</c> (some batch items failed), <c>error</c>, <c>denied</c> or <c>alert</c>.</summary>
    public required string Outcome { get; init; }

    public string? ErrorName { get; init; }

    public string? RequestId { get; init; }

    public string? RemoteAddress { get; init; }

    public int ItemCount { get; init; } = 1;
}

/// <summary>An entry as stored: numbered and linked into the hash chain.</summary>
public sealed record AuditRecord
{
    public required long Seq { get; init; }

    public required AuditEntry Entry { get; init; }

    /// <summary>Hex HMAC of the previous record ("" for the first).</summary>
    public required string PrevHash { get; init; }

    /// <summary>Hex HMAC-SHA256 over the previous hash and this record's canonical bytes.</summary>
    public required string Hash { get; init; }

    /// <summary>Version of the <c>keybridge.audit-chain</c> key that made <see cref="Hash"/>.</summary>
    public required int ChainKeyVersion { get; init; }
}

/// <summary>The newest record's number and hash, kept in its own row so truncation is detectable.</summary>
public sealed record AuditHead(long Seq, string Hash);

public sealed record AuditQuery
{
    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public string? ClientId { get; init; }

    public string? Key { get; init; }

    public string? Method { get; init; }

    public string? Outcome { get; init; }

    public string? RequestId { get; init; }

    /// <summary>Keyset paging: records with a larger sequence number.</summary>
    public long AfterSeq { get; init; }

    public int Limit { get; init; } = 100;
}
