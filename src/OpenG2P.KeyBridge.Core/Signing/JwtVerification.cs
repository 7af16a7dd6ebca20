using System.Text.Json;

namespace OpenG2P.KeyBridge.Signing;

/// <summary>
/// The outcome of checking a JWS: <see cref="Valid"/>, or a <see cref="Reason"/> from <see cref="JwtReasons"/>.
/// Claims and payload are only given for a valid token; key, version and kid as far as they were found.
/// </summary>
public sealed record JwtVerification(
    bool Valid,
    string? Reason,
    string? Message,
    string? Kid,
    string? Key,
    int? Version,
    SignatureAlgorithm? Algorithm,
    JsonElement? Claims,
    byte[]? Payload)
{
    public static JwtVerification Invalid(string reason, string message, string? kid = null, string? key = null, int? version = null,
        SignatureAlgorithm? algorithm = null) =>
        new(false, reason, message, kid, key, version, algorithm, null, null);
}

/// <summary>Why <c>jwt_verify</c> answered <c>valid: false</c> (stable names, documented in docs/api.md).</summary>
public static class JwtReasons
{
    /// <summary>Not a compact JWS, a header that is not a JSON object (or repeats a member), <c>crit</c>, unreadable exp/nbf, or a detached payload missing or doubled.</summary>
    public const string Malformed = "malformed";

    /// <summary>No <c>kid</c>, or one that names no signing key version of this KeyBridge.</summary>
    public const string UnknownKid = "unknown_kid";

    /// <summary>The caller named a key with <c>key</c>, and the token's kid belongs to another one.</summary>
    public const string KeyMismatch = "key_mismatch";

    /// <summary>The header's <c>alg</c> is not one the kid's key signs with (this covers <c>none</c> and HMAC algorithms).</summary>
    public const string AlgorithmMismatch = "algorithm_mismatch";

    public const string BadSignature = "bad_signature";

    public const string Revoked = "revoked";

    /// <summary>The version is below the key's <c>min_decryption_version</c>.</summary>
    public const string Retired = "retired";

    public const string Destroyed = "destroyed";

    /// <summary>The kid's version is scheduled for destruction (or its key for deletion): refused until that is cancelled.</summary>
    public const string PendingDestruction = "pending_destruction";

    public const string Expired = "expired";

    public const string NotYetValid = "not_yet_valid";

    public static IReadOnlyList<string> All { get; } =
        [Malformed, UnknownKid, KeyMismatch, Revoked, Retired, Destroyed, PendingDestruction, AlgorithmMismatch, BadSignature, Expired, NotYetValid];
}
