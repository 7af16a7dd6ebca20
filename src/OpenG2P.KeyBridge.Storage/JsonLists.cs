using System.Buffers;
using System.Text;
using System.Text.Json;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>String lists (roles, key patterns, required context) stored as a JSON array in a text column.</summary>
internal static class JsonLists
{
    public static string Write(IReadOnlyList<string> items)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var item in items)
            {
                w.WriteStringValue(item);
            }
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static IReadOnlyList<string> Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var items = new List<string>(doc.RootElement.GetArrayLength());
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            items.Add(e.GetString() ?? throw new FormatException("stored string list contains a null"));
        }
        return items;
    }
}
