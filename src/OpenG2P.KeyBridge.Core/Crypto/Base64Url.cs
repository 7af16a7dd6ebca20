using System.Buffers.Text;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Crypto;

/// <summary>base64url without padding on output; padding accepted on input.</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    /// <summary>Decodes base64url (padding optional). Throws <c>invalid_base64</c> naming the field.</summary>
    public static byte[] Decode(string? value, string field)
    {
        if (value is null)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, $"'{field}' is required");
        }
        var trimmed = value.AsSpan().TrimEnd('=');
        if (value.Length - trimmed.Length > 2 || !System.Buffers.Text.Base64Url.IsValid(trimmed, out _))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidBase64, $"'{field}' is not valid base64url");
        }
        try
        {
            return System.Buffers.Text.Base64Url.DecodeFromChars(trimmed);
        }
        catch (FormatException)
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidBase64, $"'{field}' is not valid base64url");
        }
    }

    /// <summary>Strict decode for formats we produce ourselves: no padding, canonical trailing bits.</summary>
    public static bool TryDecodeCanonical(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length % 4 == 1 || !System.Buffers.Text.Base64Url.IsValid(text, out var len) || text.Contains('='))
        {
            return false;
        }
        bytes = new byte[len];
        if (System.Buffers.Text.Base64Url.DecodeFromChars(text, bytes, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != len)
        {
            return false;
        }
        // Re-encoding must give the same text: rejects non-zero trailing bits (a re-encoded or altered form).
        return text.SequenceEqual(Encode(bytes));
    }
}
