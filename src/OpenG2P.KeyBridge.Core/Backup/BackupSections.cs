using System.Text.Json;
using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Auth;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Backup;

/// <summary>One section of a bundle: its name, how many items it holds, and its bytes (UTF-8 JSON).</summary>
public sealed record BackupSection(string Name, int Count, byte[] Bytes);

/// <summary>
/// A <see cref="StoreSnapshot"/> as bundle sections and back. The section layouts are the documented
/// format (docs/backup-format.md), kept apart from the in-memory records so that either can change
/// without the other. Binary fields are standard base64.
/// </summary>
public static class BackupSections
{
    public const string Keys = "keys";
    public const string Clients = "clients";
    public const string Settings = "settings";
    public const string Audit = "audit";
    public const string Ledgers = "ledgers";

    /// <summary>Sections every bundle of this format version has; any other section must be marked optional.</summary>
    public static IReadOnlyList<string> Required { get; } = [Keys, Clients, Settings, Audit, Ledgers];

    public static IReadOnlyList<BackupSection> FromSnapshot(StoreSnapshot s) =>
    [
        new(Keys, s.Keys.Count, Serialize(s.Keys.Select(ToDto).ToList())),
        new(Clients, s.Clients.Count, Serialize(s.Clients.Select(ToDto).ToList())),
        new(Settings, s.Settings.Count, Serialize(s.Settings.Select(x => new SettingDto { Name = x.Name, Value = x.Value }).ToList())),
        new(Audit, 1, Serialize(new AuditDto { Seq = s.AuditHead.Seq, Hash = s.AuditHead.Hash })),
        new(Ledgers, s.Ledgers.Count, Serialize(s.Ledgers.Select(l => new LedgerDto { Table = l.Table, Rows = l.Rows }).ToList())),
    ];

    /// <summary>The snapshot back from authenticated section bytes; <c>backup_malformed</c> when a section does not have its documented layout.</summary>
    public static StoreSnapshot ToSnapshot(IReadOnlyDictionary<string, byte[]> sections)
    {
        try
        {
            var audit = Deserialize<AuditDto>(sections[Audit]);
            return new StoreSnapshot
            {
                Keys = Deserialize<List<KeyDto>>(sections[Keys]).Select(FromDto).ToList(),
                Clients = Deserialize<List<ClientDto>>(sections[Clients]).Select(FromDto).ToList(),
                Settings = Deserialize<List<SettingDto>>(sections[Settings]).Select(x => new StoreSetting(x.Name, x.Value)).ToList(),
                AuditHead = new AuditHead(audit.Seq, audit.Hash),
                Ledgers = Deserialize<List<LedgerDto>>(sections[Ledgers]).Select(l => new LedgerPointer(l.Table, l.Rows)).ToList(),
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or ArgumentException
            or KeyBridgeException { Error.Name: "invalid_params" or "unsupported_operation" })
        {
            throw new KeyBridgeException(KeyBridgeError.BackupMalformed, $"a section of the bundle does not have the documented layout: {e.Message}", e);
        }
    }

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        RespectNullableAnnotations = true,
    };

    private static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Json);

    private static T Deserialize<T>(byte[] bytes) => JsonSerializer.Deserialize<T>(bytes, Json) ?? throw new JsonException("the section is null");

    private static KeyDto ToDto(KeyRecord k) => new()
    {
        Name = k.Name,
        Type = k.Type.ToName(),
        Policy = new PolicyDto
        {
            RotationPeriodMs = k.Policy.RotationPeriod is { } r ? (long)r.TotalMilliseconds : null,
            Exportable = k.Policy.Exportable,
            DeletionAllowed = k.Policy.DeletionAllowed,
            MinDecryptionVersion = k.Policy.MinDecryptionVersion,
            HsmResident = k.Policy.HsmResident,
            RequiredContext = [.. k.Policy.RequiredContext],
            SigningAlgorithm = k.Policy.SigningAlgorithm?.ToName(),
        },
        CreatedAt = k.CreatedAt,
        UpdatedAt = k.UpdatedAt,
        DeleteAt = k.DeleteAt,
        DeletedAt = k.DeletedAt,
        Versions = k.Versions.Select(v => new VersionDto
        {
            Version = v.Version,
            State = v.State.ToName(),
            CreatedAt = v.CreatedAt,
            WrappedMaterial = v.WrappedMaterial,
            KekId = v.KekId,
            PublicMaterial = v.PublicMaterial,
            RevokedAt = v.RevokedAt,
            DestroyedAt = v.DestroyedAt,
            DestroyAt = v.DestroyAt,
            Certificate = v.Certificate is { } c ? new CertificateDto { Der = c.Certificate, Chain = [.. c.Chain], AttachedAt = c.AttachedAt } : null,
        }).ToList(),
    };

    private static KeyRecord FromDto(KeyDto k)
    {
        var versions = k.Versions.Select(v => new KeyVersionRecord
        {
            Version = v.Version,
            State = VersionStates.Parse(v.State) is var s && s is VersionState.Active or VersionState.Revoked or VersionState.Destroyed
                ? s : throw new FormatException($"'{v.State}' is not a stored version state"),
            CreatedAt = v.CreatedAt,
            WrappedMaterial = v.WrappedMaterial,
            KekId = v.KekId,
            PublicMaterial = v.PublicMaterial,
            RevokedAt = v.RevokedAt,
            DestroyedAt = v.DestroyedAt,
            DestroyAt = v.DestroyAt,
            Certificate = v.Certificate is { } c ? new VersionCertificate(c.Der, c.Chain, c.AttachedAt) : null,
        }).ToList();
        // Versions are numbered 1..n without gaps (the stores rely on it), and only destroyed ones lack material.
        if (versions.Count == 0 || versions.Select((v, i) => v.Version != i + 1 || (v.WrappedMaterial is null) != (v.State == VersionState.Destroyed)).Any(bad => bad))
        {
            throw new FormatException($"key '{k.Name}' has versions that are not numbered 1..n, or material that does not match their state");
        }
        return new KeyRecord
        {
            Name = k.Name,
            Type = KeyTypes.Parse(k.Type),
            Policy = new KeyPolicy
            {
                RotationPeriod = k.Policy.RotationPeriodMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
                Exportable = k.Policy.Exportable,
                DeletionAllowed = k.Policy.DeletionAllowed,
                MinDecryptionVersion = k.Policy.MinDecryptionVersion,
                HsmResident = k.Policy.HsmResident,
                RequiredContext = k.Policy.RequiredContext,
                SigningAlgorithm = k.Policy.SigningAlgorithm is null ? null
                    : SignatureAlgorithms.TryParse(k.Policy.SigningAlgorithm, out var a) ? a
                    : throw new FormatException($"unknown signing algorithm '{k.Policy.SigningAlgorithm}'"),
            },
            CreatedAt = k.CreatedAt,
            UpdatedAt = k.UpdatedAt,
            DeleteAt = k.DeleteAt,
            DeletedAt = k.DeletedAt,
            Versions = versions,
        };
    }

    private static ClientDto ToDto(ClientRecord c) => new()
    {
        ClientId = c.ClientId,
        SecretHash = c.SecretHash,
        Roles = [.. c.Roles],
        Keys = [.. c.Keys],
        Disabled = c.Disabled,
        CreatedAt = c.CreatedAt,
        UpdatedAt = c.UpdatedAt,
        TokensValidAfter = c.TokensValidAfter,
    };

    private static ClientRecord FromDto(ClientDto c) => new()
    {
        ClientId = c.ClientId,
        SecretHash = c.SecretHash,
        Roles = c.Roles,
        Keys = c.Keys,
        Disabled = c.Disabled,
        CreatedAt = c.CreatedAt,
        UpdatedAt = c.UpdatedAt,
        TokensValidAfter = c.TokensValidAfter,
    };

    private sealed class KeyDto
    {
        public required string Name { get; init; }
        public required string Type { get; init; }
        public required PolicyDto Policy { get; init; }
        public required DateTimeOffset CreatedAt { get; init; }
        public required DateTimeOffset UpdatedAt { get; init; }
        public DateTimeOffset? DeleteAt { get; init; }
        public DateTimeOffset? DeletedAt { get; init; }
        public required List<VersionDto> Versions { get; init; }
    }

    private sealed class PolicyDto
    {
        public long? RotationPeriodMs { get; init; }
        public required bool Exportable { get; init; }
        public required bool DeletionAllowed { get; init; }
        public required int MinDecryptionVersion { get; init; }
        public required bool HsmResident { get; init; }
        public required List<string> RequiredContext { get; init; }
        public string? SigningAlgorithm { get; init; }
    }

    private sealed class VersionDto
    {
        public required int Version { get; init; }
        public required string State { get; init; }
        public required DateTimeOffset CreatedAt { get; init; }
        public byte[]? WrappedMaterial { get; init; }
        public string? KekId { get; init; }
        public byte[]? PublicMaterial { get; init; }
        public DateTimeOffset? RevokedAt { get; init; }
        public DateTimeOffset? DestroyedAt { get; init; }
        public DateTimeOffset? DestroyAt { get; init; }
        public CertificateDto? Certificate { get; init; }
    }

    private sealed class CertificateDto
    {
        public required byte[] Der { get; init; }
        public required List<byte[]> Chain { get; init; }
        public required DateTimeOffset AttachedAt { get; init; }
    }

    private sealed class ClientDto
    {
        public required string ClientId { get; init; }
        public required string SecretHash { get; init; }
        public required List<string> Roles { get; init; }
        public required List<string> Keys { get; init; }
        public required bool Disabled { get; init; }
        public required DateTimeOffset CreatedAt { get; init; }
        public required DateTimeOffset UpdatedAt { get; init; }
        public DateTimeOffset? TokensValidAfter { get; init; }
    }

    private sealed class SettingDto
    {
        public required string Name { get; init; }
        public required string Value { get; init; }
    }

    private sealed class AuditDto
    {
        public required long Seq { get; init; }
        public required string Hash { get; init; }
    }

    private sealed class LedgerDto
    {
        public required string Table { get; init; }
        public required long Rows { get; init; }
    }
}
