namespace OpenG2P.KeyBridge.Server.Mosip;

/// <summary>
/// Base64 as MOSIP reads and writes it (<c>CryptoUtil</c>): output is URL-safe with '=' padding; input is URL-safe
/// or standard base64, padding optional (Java's decoders), surrounding whitespace trimmed.
/// </summary>
public static class MosipBase64
{
    public static string Encode(ReadOnlySpan<byte> data) => Convert.ToBase64String(data).Replace('+', '-').Replace('/', '_');

    public static bool TryDecode(string? text, out byte[] bytes)
    {
        bytes = [];
        var s = text?.Trim() ?? "";
        var urlSafe = s.AsSpan().IndexOfAny('-', '_') >= 0;
        var standard = s.AsSpan().IndexOfAny('+', '/') >= 0;
        if (urlSafe && standard)
        {
            return false; // one alphabet or the other, as each of Java's decoders requires
        }
        var unpadded = s.TrimEnd('=');
        if (s.Length - unpadded.Length > 2 || unpadded.Length % 4 == 1 || unpadded.AsSpan().ContainsAnyExcept(Alphabet))
        {
            return false;
        }
        var normal = unpadded.Replace('-', '+').Replace('_', '/');
        normal = normal.PadRight((normal.Length + 3) / 4 * 4, '=');
        var buffer = new byte[normal.Length / 4 * 3];
        if (!Convert.TryFromBase64String(normal, buffer, out var written))
        {
            return false;
        }
        bytes = buffer.AsSpan(0, written).ToArray();
        return true;
    }

    private static readonly System.Buffers.SearchValues<char> Alphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_");
}
