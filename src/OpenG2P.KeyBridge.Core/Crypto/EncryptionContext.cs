using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Crypto;

/// <summary>
/// Caller context bound to a ciphertext as associated data. A flat object whose values are
/// strings, integers or booleans, encoded canonically (see docs/ciphertext-format.md): entries
/// sorted by the UTF-8 bytes of their names, each as
/// u16 name length ‖ name ‖ type ('s','i','b') ‖ u32 value length ‖ value.
/// </summary>
public sealed class EncryptionContext
{
    public const int MaxEntries = 32;
    public const int MaxEncodedBytes = 4096;

    public static EncryptionContext Empty { get; } = new([]);

    private readonly SortedDictionary<string, (char Type, string Value)> _entries;

    private EncryptionContext(SortedDictionary<string, (char Type, string Value)> entries)
    {
        _entries = entries;
        Encoded = Encode(entries);
    }

    /// <summary>The canonical bytes appended to the ciphertext header as associated data.</summary>
    public byte[] Encoded { get; }

    public bool IsEmpty => _entries.Count == 0;

    public bool Contains(string name) => _entries.ContainsKey(name);

    public static EncryptionContext FromJson(JsonElement? element)
    {
        if (element is null || element.Value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return Empty;
        }
        var e = element.Value;
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("'context' must be a JSON object");
        }
        var entries = new SortedDictionary<string, (char, string)>(Utf8Order.Instance);
        foreach (var p in e.EnumerateObject())
        {
            if (p.Name.Length == 0)
            {
                throw Invalid("context field names must not be empty");
            }
            (char, string) value = p.Value.ValueKind switch
            {
                JsonValueKind.String => ('s', p.Value.GetString()!),
                JsonValueKind.True => ('b', "true"),
                JsonValueKind.False => ('b', "false"),
                JsonValueKind.Number when p.Value.TryGetInt64(out var n) => ('i', n.ToString(CultureInfo.InvariantCulture)),
                _ => throw Invalid($"context field '{Printable(p.Name)}' must be a string, an integer or a boolean"),
            };
            if (!entries.TryAdd(p.Name, value))
            {
                throw Invalid($"context field '{Printable(p.Name)}' appears twice");
            }
            if (entries.Count > MaxEntries)
            {
                throw Invalid($"context has more than {MaxEntries} fields");
            }
        }
        var ctx = new EncryptionContext(entries);
        return ctx.Encoded.Length > MaxEncodedBytes ? throw Invalid($"context is larger than {MaxEncodedBytes} bytes") : ctx;
    }

    private static byte[] Encode(SortedDictionary<string, (char Type, string Value)> entries)
    {
        if (entries.Count == 0)
        {
            return [];
        }
        using var ms = new MemoryStream();
        Span<byte> len = stackalloc byte[4];
        foreach (var (name, (type, value)) in entries)
        {
            var n = Encoding.UTF8.GetBytes(name);
            var v = Encoding.UTF8.GetBytes(value);
            BinaryPrimitives.WriteUInt16BigEndian(len, checked((ushort)n.Length));
            ms.Write(len[..2]);
            ms.Write(n);
            ms.WriteByte((byte)type);
            BinaryPrimitives.WriteUInt32BigEndian(len, (uint)v.Length);
            ms.Write(len);
            ms.Write(v);
        }
        return ms.ToArray();
    }

    private static string Printable(string s) => s.Length > 40 ? s[..40] + "…" : s;

    private static KeyBridgeException Invalid(string message) => new(KeyBridgeError.InvalidContext, message);

    private sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        // Ordinal UTF-16 order differs from UTF-8 byte order only for supplementary characters;
        // compare by code point so the documented UTF-8 byte order holds exactly.
        public int Compare(string? x, string? y)
        {
            var a = x.AsSpan().EnumerateRunes();
            var b = y.AsSpan().EnumerateRunes();
            while (true)
            {
                var ha = a.MoveNext();
                var hb = b.MoveNext();
                if (!ha || !hb)
                {
                    return ha.CompareTo(hb);
                }
                var c = a.Current.Value.CompareTo(b.Current.Value);
                if (c != 0)
                {
                    return c;
                }
            }
        }
    }
}
