using System.Globalization;
using System.Text.RegularExpressions;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Vouchers;

/// <summary>Checks of the text fields a voucher carries or is handled with.</summary>
public static partial class VoucherFields
{
    public const int MaxReferenceLength = 128;

    // Opaque ids only: no spaces and no '@', so a name or an e-mail address does not slip in as a "reference".
    [GeneratedRegex("^[A-Za-z0-9._:/+=-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ReferenceShape();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339Shape();

    /// <summary>A program, beneficiary, redeemer or idempotency key: 1-128 letters, digits and <c>. _ : / + = -</c>.</summary>
    public static string Reference(string? value, string field) =>
        ReferenceOptional(value, field) ?? throw new KeyBridgeException(KeyBridgeError.InvalidParams, $"'{field}' is required");

    public static string? ReferenceOptional(string? value, string field)
    {
        if (value is null)
        {
            return null;
        }
        if (value.Length is 0 or > MaxReferenceLength || !ReferenceShape().IsMatch(value))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams,
                $"'{field}' must be 1-{MaxReferenceLength} letters, digits or . _ : / + = - (an opaque reference, not a name)");
        }
        return value;
    }

    /// <summary>A program name, as programs are named (e.g. <c>Cash Transfer 2026</c>): 1-128 characters, no control characters, no outer spaces.</summary>
    public static string? Program(string? value, string field = "program")
    {
        if (value is not null && (value.Length is 0 or > MaxReferenceLength || value.Any(char.IsControl) || value.Trim().Length != value.Length))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams,
                $"'{field}' must be 1-{MaxReferenceLength} characters without control characters or leading and trailing spaces");
        }
        return value;
    }

    /// <summary>Free text such as a revocation reason: at most 200 characters, no control characters.</summary>
    public static string? Note(string? value, string field)
    {
        if (value is not null && (value.Length > 200 || value.Any(char.IsControl)))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, $"'{field}' must be at most 200 characters without control characters");
        }
        return value;
    }

    /// <summary>An RFC 3339 timestamp, truncated to whole seconds (JWT NumericDate).</summary>
    public static DateTimeOffset? Time(string? value, string field)
    {
        if (value is null)
        {
            return null;
        }
        if (!Rfc3339Shape().IsMatch(value)
            || !DateTimeOffset.TryParse(value.ToUpperInvariant(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var t))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, $"'{field}' must be an RFC 3339 timestamp such as 2026-06-30T23:59:59Z");
        }
        return DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());
    }
}
