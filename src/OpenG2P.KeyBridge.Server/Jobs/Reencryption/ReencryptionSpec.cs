using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace OpenG2P.KeyBridge.Server.Jobs.Reencryption;

/// <summary>Where the job reaches Odoo (the password is stored apart, encrypted).</summary>
public sealed record OdooEndpoint(string Url, string Db, string Login);

/// <summary>A re-encryption job's parameters as stored with the job and shown by <c>job.status</c>: no secret in here.</summary>
public sealed record ReencryptionSpec
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public required OdooEndpoint Odoo { get; init; }

    public required string Model { get; init; }

    public required IReadOnlyList<string> Fields { get; init; }

    /// <summary><c>record</c>: each ciphertext bound to {"model","field","id"}; <c>none</c>: no context; <c>mosip</c>: bound to <see cref="MosipAad"/> as /v1/keymanager/encrypt binds it.</summary>
    public string Context { get; init; } = "record";

    /// <summary>MOSIP ciphertexts are read with this salt and aad (base64url; null when not expected) and moved to <see cref="Key"/>.</summary>
    public string? MosipSalt { get; init; }

    public string? MosipAad { get; init; }

    public bool ReadsMosip => MosipSalt is not null || MosipAad is not null;

    /// <summary>Only ciphertexts of this key are expected (and its min_decryption_version may be raised); null: any key.</summary>
    public string? Key { get; init; }

    /// <summary>Odoo domain (a JSON array) ANDed with the paging condition.</summary>
    public JsonArray? Domain { get; init; }

    public int BatchSize { get; init; } = 200;

    public double? MaxRecordsPerSecond { get; init; }

    public bool RaiseMinDecryptionVersion { get; init; }

    /// <summary><c>field</c>: one ciphertext per field; <c>blob</c>: OpenG2P's <c>encrypted_val</c> holding all fields as one ciphertext.</summary>
    public string Storage { get; init; } = "field";

    /// <summary>The starting client's key grants (empty: every key), checked against each ciphertext's key.</summary>
    public IReadOnlyList<string> KeyGrants { get; init; } = [];

    public string Serialize() => JsonSerializer.Serialize(this, Json);

    public static ReencryptionSpec Deserialize(string json) =>
        JsonSerializer.Deserialize<ReencryptionSpec>(json, Json) ?? throw new JsonException("empty job parameters");
}
