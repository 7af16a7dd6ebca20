using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Crypto;

/// <summary>
/// KeyBridge ciphertext, format version 1 (docs/ciphertext-format.md):
/// <code>
/// 0x01 ‖ n (1 byte) ‖ key name (n bytes, ASCII) ‖ key version (u32 BE) ‖ nonce (12) ‖ ciphertext ‖ tag (16)
/// </code>
/// The associated data is the header (everything before the nonce) followed by the canonical
/// context encoding. The text form is <c>kb:</c> followed by the unpadded base64url of the bytes.
/// </summary>
public static class Ciphertext
{
    public const byte FormatVersion = 1;
    public const string TextPrefix = "kb:";
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int MaxKeyNameBytes = 100;

    /// <summary>A parsed, structurally valid ciphertext; it has not been authenticated yet.</summary>
    public readonly record struct Parsed(string KeyName, int KeyVersion, byte[] Bytes, int HeaderLength)
    {
        public ReadOnlySpan<byte> Header => Bytes.AsSpan(0, HeaderLength);

        public ReadOnlySpan<byte> Nonce => Bytes.AsSpan(HeaderLength, NonceSize);

        public ReadOnlySpan<byte> Body => Bytes.AsSpan(HeaderLength + NonceSize, Bytes.Length - HeaderLength - NonceSize - TagSize);

        public ReadOnlySpan<byte> Tag => Bytes.AsSpan(Bytes.Length - TagSize);
    }

    public static string Encrypt(string keyName, int keyVersion, AesGcm aes, ReadOnlySpan<byte> plaintext, EncryptionContext context)
    {
        var nameLength = keyName.Length; // validated ASCII key names: one byte per char
        var headerLength = 2 + nameLength + 4;
        var bytes = new byte[headerLength + NonceSize + plaintext.Length + TagSize];
        bytes[0] = FormatVersion;
        bytes[1] = (byte)nameLength;
        Encoding.ASCII.GetBytes(keyName, bytes.AsSpan(2, nameLength));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(2 + nameLength, 4), (uint)keyVersion);
        var nonce = bytes.AsSpan(headerLength, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var aad = AssociatedData(bytes.AsSpan(0, headerLength), context, stackalloc byte[256]);
        aes.Encrypt(nonce, plaintext, bytes.AsSpan(headerLength + NonceSize, plaintext.Length), bytes.AsSpan(bytes.Length - TagSize), aad);
        return string.Concat(TextPrefix, Base64Url.Encode(bytes));
    }

    /// <summary>Authenticates and decrypts; throws <c>context_mismatch</c> when the tag does not verify.</summary>
    public static byte[] Decrypt(in Parsed parsed, AesGcm aes, EncryptionContext context)
    {
        var plain = new byte[parsed.Body.Length];
        var aad = AssociatedData(parsed.Header, context, stackalloc byte[256]);
        try
        {
            aes.Decrypt(parsed.Nonce, parsed.Body, parsed.Tag, plain, aad);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new KeyBridgeException(KeyBridgeError.ContextMismatch,
                "ciphertext does not authenticate: the context differs from the one used to encrypt, or the ciphertext was altered");
        }
        return plain;
    }

    /// <summary>Strict parse of the text form: any deviation is <c>ciphertext_malformed</c>.</summary>
    public static Parsed Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw Malformed("'ciphertext' is required");
        }
        if (!text.StartsWith(TextPrefix, StringComparison.Ordinal))
        {
            throw Malformed($"ciphertext must start with '{TextPrefix}'");
        }
        if (!Base64Url.TryDecodeCanonical(text.AsSpan(TextPrefix.Length), out var bytes))
        {
            throw Malformed("ciphertext is not canonical unpadded base64url");
        }
        if (bytes.Length < 2 || bytes[0] != FormatVersion)
        {
            throw Malformed("unknown ciphertext format version");
        }
        int n = bytes[1];
        var headerLength = 2 + n + 4;
        if (n == 0 || n > MaxKeyNameBytes || bytes.Length < headerLength + NonceSize + TagSize)
        {
            throw Malformed("ciphertext is truncated");
        }
        var nameBytes = bytes.AsSpan(2, n);
        foreach (var b in nameBytes)
        {
            if (!(b is >= (byte)'a' and <= (byte)'z' || b is >= (byte)'0' and <= (byte)'9' || b is (byte)'.' or (byte)'_' or (byte)'-'))
            {
                throw Malformed("ciphertext names an invalid key");
            }
        }
        var version = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(2 + n, 4));
        if (version is 0 or > int.MaxValue)
        {
            throw Malformed("ciphertext names an invalid key version");
        }
        return new Parsed(Encoding.ASCII.GetString(nameBytes), (int)version, bytes, headerLength);
    }

    private static ReadOnlySpan<byte> AssociatedData(ReadOnlySpan<byte> header, EncryptionContext context, Span<byte> scratch)
    {
        var ctx = context.Encoded;
        var total = header.Length + ctx.Length;
        var buffer = total <= scratch.Length ? scratch[..total] : new byte[total];
        header.CopyTo(buffer);
        ctx.CopyTo(buffer[header.Length..]);
        return buffer;
    }

    private static KeyBridgeException Malformed(string message) => new(KeyBridgeError.CiphertextMalformed, message);
}
