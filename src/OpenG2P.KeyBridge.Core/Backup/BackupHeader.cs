using System.Reflection;
using OpenG2P.KeyBridge.Audit;

namespace OpenG2P.KeyBridge.Backup;

/// <summary>
/// The bundle's header: readable without the backup key (so an operator can see what a file is and which
/// ceremony's shares open it) and authenticated with the body, so a changed header fails like a changed body.
/// </summary>
public sealed record BackupHeader
{
    public const string FormatName = "keybridge-backup";
    public const int CurrentFormatVersion = 1;

    public string Format { get; init; } = FormatName;

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>32 hex digits; also the salt of the bundle's encryption key.</summary>
    public required string BundleId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string KeybridgeVersion { get; init; }

    public required BackupSource Source { get; init; }

    /// <summary>The ceremony whose shares rebuild the backup key (and, in software-KEK mode, the KEK).</summary>
    public required RecoveryCeremony Recovery { get; init; }

    public required BackupManifest Manifest { get; init; }

    public static string CurrentKeybridgeVersion { get; } =
        typeof(BackupHeader).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(BackupHeader).Assembly.GetName().Version?.ToString() ?? "unknown";
}

/// <summary>Where the bundle came from: the store provider and the KEK that wraps its material.</summary>
public sealed record BackupSource(string Storage, string KekId);

public sealed record BackupManifest
{
    /// <summary>The sections in body order: each one's item count, length and SHA-256 (hex) of its plaintext bytes.</summary>
    public required IReadOnlyList<BackupSectionEntry> Sections { get; init; }

    public required int Keys { get; init; }

    public required int Versions { get; init; }

    public required int Clients { get; init; }

    public required AuditHead AuditHead { get; init; }
}

/// <summary>A section in the manifest. An <see cref="Optional"/> section may be skipped by a KeyBridge that does not know it.</summary>
public sealed record BackupSectionEntry(string Name, int Count, long Bytes, string Sha256, bool Optional = false);
