namespace OpenG2P.KeyBridge.Mosip;

/// <summary>
/// A key version imported from a MOSIP keymanager, with what MOSIP knew about it: its certificate thumbprint
/// (what MOSIP ciphertexts name), its application and reference ids, its <c>key_alias</c> row's alias and
/// unique identifier (from which its JWS <c>kid</c> is derived) and its validity.
/// </summary>
public sealed record MosipKeyRecord
{
    /// <summary>SHA-256 of the certificate's DER encoding, 32 bytes (MOSIP's <c>cert_thumbprint</c>, there in hex).</summary>
    public required byte[] Thumbprint { get; init; }

    public required string KeyName { get; init; }

    public required int Version { get; init; }

    public required string ApplicationId { get; init; }

    /// <summary>"" for master keys.</summary>
    public required string ReferenceId { get; init; }

    /// <summary>MOSIP's alias (the <c>key_alias.id</c> UUID).</summary>
    public string? Alias { get; init; }

    /// <summary>MOSIP's <c>uni_ident</c>: upper-case hex.</summary>
    public string? UniqueIdentifier { get; init; }

    /// <summary>The <c>keyId</c>/<c>kid</c> MOSIP published for this key (<see cref="MosipKeyIds.FromUniqueIdentifier"/>).</summary>
    public string? KeyId { get; init; }

    public required DateTimeOffset GeneratedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public required DateTimeOffset ImportedAt { get; init; }

    public string ThumbprintHex => Convert.ToHexString(Thumbprint);
}
