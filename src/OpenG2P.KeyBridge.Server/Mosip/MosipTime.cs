using System.Globalization;

namespace OpenG2P.KeyBridge.Server.Mosip;

/// <summary>MOSIP's timestamp format, <c>yyyy-MM-dd'T'HH:mm:ss.SSS'Z'</c> (UTC, milliseconds), used in every envelope and DTO.</summary>
public static class MosipTime
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    // What callers send: MOSIP's own format, and the ISO-8601 spellings Python's isoformat() and Java produce.
    private static readonly string[] Accepted =
    [
        Format, "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:sszzz",
    ];

    public static string Write(DateTimeOffset t) => t.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text?.Trim(), Accepted, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
}
