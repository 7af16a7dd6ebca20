using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenG2P.KeyBridge.Backup;

/// <summary>What the shares of one ceremony rebuild: the backup key alone (PKCS#11 KEK), or the backup key and the software KEK.</summary>
public enum RecoveryKind
{
    BackupKey = 1,
    BackupKeyAndKek = 2,
}

/// <summary>
/// The public record of one recovery ceremony: who holds shares, how many are needed, and a check value
/// per share. Stored in the settings table (<see cref="SettingName"/>) and copied into every bundle's
/// header, so a restore can tell a share from another ceremony, or a damaged one, by name. It holds no
/// secret: the backup key itself is the internal key <see cref="BackupKeyName"/> (wrapped by the KEK).
/// </summary>
public sealed record RecoveryCeremony
{
    public const string SettingName = "recovery.ceremony";
    public const string BackupKeyName = "keybridge.backup";

    /// <summary>32 hex digits.</summary>
    public required string Id { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required int Threshold { get; init; }

    public required IReadOnlyList<string> Custodians { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<RecoveryKind>))]
    public required RecoveryKind Kind { get; init; }

    /// <summary>Which version of <see cref="BackupKeyName"/> the shares rebuild.</summary>
    public required int BackupKeyVersion { get; init; }

    /// <summary><see cref="KeyIdOf"/> of the backup key, to confirm what the shares rebuilt.</summary>
    public required string BackupKeyId { get; init; }

    /// <summary>The KEK when the ceremony ran: the one inside the shares (software), or the token's (PKCS#11).</summary>
    public required string KekId { get; init; }

    /// <summary>Share index ("1".."n") → <see cref="RecoveryShare.Check"/>.</summary>
    public required IReadOnlyDictionary<string, string> ShareChecks { get; init; }

    [JsonIgnore]
    public int Shares => Custodians.Count;

    public static string KeyIdOf(ReadOnlySpan<byte> backupKey)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData("keybridge/backup-key/v1\n"u8);
        h.AppendData(backupKey);
        return Convert.ToHexStringLower(h.GetHashAndReset().AsSpan(0, 8));
    }

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static RecoveryCeremony FromJson(string json) =>
        JsonSerializer.Deserialize<RecoveryCeremony>(json, Json) ?? throw new JsonException("empty ceremony record");

    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The secret the shares carry: the backup key, followed by the KEK for <see cref="RecoveryKind.BackupKeyAndKek"/>.</summary>
    public static byte[] SecretOf(ReadOnlySpan<byte> backupKey, ReadOnlySpan<byte> kek) => [.. backupKey, .. kek];

    internal static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
