using System.Text.Json;

namespace OpenG2P.KeyBridge.Server.Mosip;

/// <summary>
/// MOSIP's request envelope, <c>{id, version, requesttime, metadata, request}</c>, and typed reads of the
/// <c>request</c> object's fields. Unknown fields are ignored, as MOSIP's JSON binding does.
/// </summary>
public sealed class MosipRequest
{
    private readonly JsonElement _request;

    private MosipRequest(string? id, string? version, JsonElement request)
    {
        Id = id;
        Version = version;
        _request = request;
    }

    /// <summary>Echoed in the response envelope, as MOSIP does.</summary>
    public string? Id { get; }

    public string? Version { get; }

    public static MosipRequest Parse(ReadOnlyMemory<byte> body)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(body);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw Invalid("the body is not valid JSON");
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("the body must be a JSON object {id, version, requesttime, metadata, request}");
        }
        if (!root.TryGetProperty("request", out var request) || request.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("'request' must be an object");
        }
        return new MosipRequest(Text(root, "id"), Text(root, "version"), request);
    }

    /// <summary>The field's text, or null when absent or null; another JSON type is an invalid request.</summary>
    public string? String(string field)
    {
        if (!_request.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw Invalid($"'{field}' must be a string");
    }

    /// <summary>A non-blank text field; blank or missing is <paramref name="code"/> ("should not be null or empty").</summary>
    public string Required(string field, string code) =>
        String(field) is { } s && !string.IsNullOrWhiteSpace(s)
            ? s
            : throw new MosipException(code, $"{field} should not be null or empty", "invalid_params");

    public bool? Bool(string field)
    {
        if (!_request.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            // Jackson also binds the strings "true" and "false" to a Boolean.
            JsonValueKind.String when bool.TryParse(v.GetString(), out var b) => b,
            _ => throw Invalid($"'{field}' must be a boolean"),
        };
    }

    /// <summary>A base64 field (URL-safe or standard, padding optional); null when absent or blank; <paramref name="code"/> when it does not decode.</summary>
    public byte[]? Base64(string field, string code)
    {
        var text = String(field);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return MosipBase64.TryDecode(text, out var bytes)
            ? bytes
            : throw new MosipException(code, $"{field} is not base64 encoded", "invalid_base64");
    }

    /// <summary><c>timeStamp</c> in MOSIP's format (ISO-8601 spellings accepted); missing is KER-CRY-004, unreadable KER-CRY-007.</summary>
    public DateTimeOffset TimeStamp()
    {
        var text = Required("timeStamp", MosipCodes.EmptyField);
        return MosipTime.TryParse(text, out var t)
            ? t
            : throw new MosipException(MosipCodes.TimestampFormat, "timeStamp should be in ISO 8601 format yyyy-MM-ddTHH:mm:ss.SSSZ", "invalid_params");
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static MosipException Invalid(string message) => new(MosipCodes.InvalidRequest, message, "invalid_params");
}
