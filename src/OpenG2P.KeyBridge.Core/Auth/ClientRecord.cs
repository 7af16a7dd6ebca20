namespace OpenG2P.KeyBridge.Auth;

/// <summary>An API client. The secret is stored only as a salted hash.</summary>
public sealed record ClientRecord
{
    public required string ClientId { get; init; }

    public required string SecretHash { get; init; }

    public required IReadOnlyList<string> Roles { get; init; }

    /// <summary>Key names or <c>prefix*</c> patterns the roles are limited to; empty means all keys.</summary>
    public IReadOnlyList<string> Keys { get; init; } = [];

    public bool Disabled { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Tokens issued before this instant are refused (set on secret rotation and disabling).</summary>
    public DateTimeOffset? TokensValidAfter { get; init; }
}
