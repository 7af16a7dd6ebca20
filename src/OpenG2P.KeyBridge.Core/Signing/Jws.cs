using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenG2P.KeyBridge.Crypto;

namespace OpenG2P.KeyBridge.Signing;

/// <summary>Compact JWS serialization (RFC 7515 §7.1), with detached content (appendix F).</summary>
public static class Jws
{
    /// <summary>Header and JSON payload encoding: compact, and without escaping non-ASCII text (it is base64url-encoded anyway).</summary>
    public static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Builds <c>header.payload.signature</c>. When <paramref name="detached"/>, the payload segment is left empty:
    /// the signature still covers it, and the verifier must supply it.
    /// </summary>
    public static string Create(JsonObject header, ReadOnlySpan<byte> payload, bool detached, Func<byte[], byte[]> sign)
    {
        var encodedHeader = Base64Url.Encode(JsonSerializer.SerializeToUtf8Bytes(header, Json));
        var encodedPayload = Base64Url.Encode(payload);
        var signature = sign(Encoding.ASCII.GetBytes(encodedHeader + "." + encodedPayload));
        return encodedHeader + "." + (detached ? "" : encodedPayload) + "." + Base64Url.Encode(signature);
    }

    /// <summary>
    /// Splits a compact JWS. Every segment must be canonical base64url; the payload segment may be empty
    /// (detached). Returns null with a reason when the text is not a compact JWS.
    /// </summary>
    public static Parsed? Parse(string? compact, out string? problem)
    {
        problem = null;
        var parts = compact?.Split('.');
        if (parts is not { Length: 3 })
        {
            problem = "a compact JWS has exactly three dot-separated parts";
            return null;
        }
        if (parts[0].Length == 0 || !Base64Url.TryDecodeCanonical(parts[0], out var header)
            || !Base64Url.TryDecodeCanonical(parts[1], out var payload)
            || !Base64Url.TryDecodeCanonical(parts[2], out var signature))
        {
            problem = "a JWS part is not canonical unpadded base64url";
            return null;
        }
        return new Parsed(parts[0], header, parts[1], payload, signature);
    }

    /// <summary>One compact JWS, split; <see cref="Payload"/> is empty for a detached JWS.</summary>
    public sealed record Parsed(string EncodedHeader, byte[] Header, string EncodedPayload, byte[] Payload, byte[] Signature)
    {
        public bool IsDetached => EncodedPayload.Length == 0;

        /// <summary>The bytes the signature covers, with <paramref name="detachedPayload"/> standing in for an empty payload segment.</summary>
        public byte[] SigningInput(ReadOnlySpan<byte> detachedPayload) =>
            Encoding.ASCII.GetBytes(EncodedHeader + "." + (IsDetached ? Base64Url.Encode(detachedPayload) : EncodedPayload));
    }
}
