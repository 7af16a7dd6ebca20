using System.Text.Json;
using StreamJsonRpc;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>
/// A top-level pass over a JSON-RPC body: splits a batch into its elements and checks each
/// request object's envelope, so protocol errors get their JSON-RPC 2.0 codes before dispatch.
/// </summary>
internal static class Envelope
{
    internal readonly record struct Element(int Start, int Length);

    internal sealed record Checked(RequestId? Id, bool IsNotification, string? Method, string? Error, bool ParamsByPosition = false, int ParamsStart = 0, int ParamsLength = 0);

    /// <summary>Returns the elements and whether the body was an array; throws <see cref="JsonException"/> on invalid JSON.</summary>
    public static (List<Element> Elements, bool IsBatch) Split(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read())
        {
            throw new JsonException("empty body");
        }
        var elements = new List<Element>();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            elements.Add(new Element(start, (int)reader.BytesConsumed - start));
            EnsureEnd(ref reader);
            return (elements, false);
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            elements.Add(new Element(start, (int)reader.BytesConsumed - start));
        }
        EnsureEnd(ref reader);
        return (elements, true);
    }

    private static void EnsureEnd(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new JsonException("trailing content after the JSON value");
        }
    }

    /// <summary>Checks one request object: <c>jsonrpc</c> is "2.0", <c>method</c> a string, <c>params</c> an object if present, <c>id</c> a string, integer or null.</summary>
    public static Checked Check(ReadOnlySpan<byte> element)
    {
        var reader = new Utf8JsonReader(element);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return new Checked(RequestId.Null, false, null, "a request must be a JSON object");
        }
        string? version = null, method = null, error = null;
        RequestId? id = null;
        var hasId = false;
        var methodSeen = false;
        var byPosition = false;
        int paramsStart = 0, paramsLength = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "jsonrpc":
                    version = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    break;
                case "method":
                    methodSeen = true;
                    method = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    break;
                case "id":
                    hasId = true;
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        id = new RequestId(reader.GetString());
                    }
                    else if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n))
                    {
                        id = new RequestId(n);
                    }
                    else if (reader.TokenType == JsonTokenType.Null)
                    {
                        id = RequestId.Null;
                    }
                    else
                    {
                        error ??= "'id' must be a string, an integer or null";
                    }
                    break;
                case "params":
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        byPosition = true;
                    }
                    else if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        error ??= "'params' must be an object";
                    }
                    else
                    {
                        paramsStart = (int)reader.TokenStartIndex;
                        reader.Skip();
                        paramsLength = (int)reader.BytesConsumed - paramsStart;
                        continue;
                    }
                    break;
            }
            reader.Skip();
        }
        if (version != "2.0")
        {
            error ??= "'jsonrpc' must be \"2.0\"";
        }
        if (method is null)
        {
            error ??= methodSeen ? "'method' must be a string" : "'method' is required";
        }
        return new Checked(hasId ? id ?? RequestId.Null : null, !hasId, method, error, byPosition, paramsStart, paramsLength);
    }
}
