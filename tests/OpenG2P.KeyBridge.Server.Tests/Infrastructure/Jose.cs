using System.Text;
using System.Text.Json;

namespace OpenG2P.KeyBridge.Server.Tests.Infrastructure;

/// <summary>Hand-made JWS pieces for tamper tests: what an attacker could build without KeyBridge.</summary>
public static class Jose
{
    public static string B64(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    public static byte[] Unb64(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight((s.Length + 3) / 4 * 4, '='));
    }

    /// <summary>A compact JWS with this header and payload, signed by <paramref name="sign"/> over the signing input.</summary>
    public static string Make(object header, string payloadJson, Func<byte[], byte[]> sign)
    {
        var input = B64(JsonSerializer.Serialize(header)) + "." + B64(payloadJson);
        return input + "." + B64(sign(Encoding.ASCII.GetBytes(input)));
    }

    public static JsonElement Header(string jws) => JsonDocument.Parse(Unb64(jws.Split('.')[0])).RootElement;

    /// <summary>The same token with one bit of part <paramref name="part"/> flipped (in the decoded bytes, re-encoded canonically).</summary>
    public static string FlipBit(string jws, int part, int byteIndex = 5, int bit = 0)
    {
        var parts = jws.Split('.');
        var bytes = Unb64(parts[part]);
        bytes[byteIndex] ^= (byte)(1 << bit);
        parts[part] = B64(bytes);
        return string.Join('.', parts);
    }
}
