using System.Globalization;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Server.Rpc.Methods;

public sealed record KeyCreateParams
{
    public string? Name { get; init; }

    public string? Type { get; init; }

    /// <summary>Duration such as "30d", "12h", "90m" or "3600s"; "0" or absent for manual rotation.</summary>
    public string? RotationPeriod { get; init; }

    public bool Exportable { get; init; }

    public bool DeletionAllowed { get; init; }

    public bool HsmResident { get; init; }

    public List<string>? RequiredContext { get; init; }

    /// <summary>Signing keys: the default algorithm (RSA: RS256 or PS256).</summary>
    public string? Algorithm { get; init; }
}

public sealed record KeyConfigureParams
{
    public string? Name { get; init; }

    public string? RotationPeriod { get; init; }

    public bool? Exportable { get; init; }

    public bool? DeletionAllowed { get; init; }

    public int? MinDecryptionVersion { get; init; }

    public List<string>? RequiredContext { get; init; }

    public string? Algorithm { get; init; }
}

public sealed record KeyNameParams
{
    public string? Name { get; init; }
}

public sealed record KeyVersionParams
{
    public string? Name { get; init; }

    public int? Version { get; init; }
}

public sealed record KeyListParams
{
    public string? Prefix { get; init; }

    /// <summary>Return keys whose name sorts after this one (the previous page's <c>next_after</c>).</summary>
    public string? After { get; init; }

    public int Limit { get; init; } = 100;
}

public sealed record KeyExportParams
{
    public string? Name { get; init; }

    public int? Version { get; init; }

    /// <summary><c>jwk</c>, <c>pem</c> or <c>certificate</c>.</summary>
    public string? Format { get; init; }

    /// <summary>Signing keys: include the private key (jwk or pem); only for keys created exportable.</summary>
    public bool Private { get; init; }
}

public sealed record PolicyView(
    string? RotationPeriod, bool Exportable, bool DeletionAllowed, int MinDecryptionVersion, bool HsmResident, IReadOnlyList<string> RequiredContext,
    string? Algorithm);

/// <summary>
/// A version; <c>kid</c> and <c>has_certificate</c> only for signing keys; <c>destroy_at</c> (when its scheduled
/// destruction runs) only while its state is <c>pending_destruction</c>.
/// </summary>
public sealed record VersionView(
    int Version, string State, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? DestroyedAt, string? Kid = null,
    bool? HasCertificate = null, DateTimeOffset? DestroyAt = null)
{
    public static VersionView From(KeyRecord k, KeyVersionRecord v)
    {
        var signing = k.Type.IsSigningType();
        return new(v.Version, k.EffectiveState(v).ToName(), v.CreatedAt, v.RevokedAt, v.DestroyedAt,
            signing ? KeyIds.Format(k.Name, v.Version) : null, signing ? v.Certificate is not null : null, k.DestructionDue(v));
    }
}

/// <summary>A key; <c>delete_at</c> while its deletion is scheduled, <c>deleted_at</c> once it ran.</summary>
public sealed record KeyView(
    string Name, string Type, int LatestVersion, PolicyView Policy, IReadOnlyList<VersionView> Versions, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? DeleteAt = null, DateTimeOffset? DeletedAt = null)
{
    public static KeyView From(KeyRecord k) => new(
        k.Name,
        k.Type.ToName(),
        k.LatestVersion,
        new PolicyView(Durations.Format(k.Policy.RotationPeriod), k.Policy.Exportable, k.Policy.DeletionAllowed,
            k.Policy.MinDecryptionVersion, k.Policy.HsmResident, k.Policy.RequiredContext,
            k.Type.IsSigningType() ? SignatureAlgorithms.DefaultFor(k).ToName() : null),
        k.Versions.Select(v => VersionView.From(k, v)).ToList(),
        k.CreatedAt,
        k.UpdatedAt,
        k.DeleteAt,
        k.DeletedAt);
}

public sealed record KeyListResult(IReadOnlyList<KeyView> Keys, string? NextAfter);

public sealed record ExportResult(string Name, int Version, string Format, object Key);

/// <summary>Durations on the wire: an integer with a unit, s, m, h or d ("30d").</summary>
public static class Durations
{
    public static TimeSpan? Parse(string? text, string field)
    {
        if (string.IsNullOrEmpty(text) || text == "0")
        {
            return null;
        }
        var unit = text[^1];
        if (long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 && n < 100_000_000)
        {
            switch (unit)
            {
                case 's': return TimeSpan.FromSeconds(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'd': return TimeSpan.FromDays(n);
            }
        }
        throw new KeyBridgeException(KeyBridgeError.InvalidParams, $"'{field}' must be a duration such as \"30d\", \"12h\", \"90m\" or \"3600s\"");
    }

    public static string? Format(TimeSpan? t)
    {
        if (t is not { } d)
        {
            return null;
        }
        var s = (long)d.TotalSeconds;
        return s % 86400 == 0 ? $"{s / 86400}d" : s % 3600 == 0 ? $"{s / 3600}h" : s % 60 == 0 ? $"{s / 60}m" : $"{s}s";
    }
}
