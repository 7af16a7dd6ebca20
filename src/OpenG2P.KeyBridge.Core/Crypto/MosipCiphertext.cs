using OpenG2P.KeyBridge.Errors;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace OpenG2P.KeyBridge.Crypto;

/// <summary>
/// The ciphertexts MOSIP's keymanager <c>/encrypt</c> produces (docs/ciphertext-format.md, "MOSIP formats"),
/// read so that data encrypted before the switch to KeyBridge stays readable:
/// <code>
/// ["VER_R2"] ‖ SHA-256(recipient certificate DER) (32) ‖ RSA-OAEP-SHA256(AES key) ‖ "#KEY_SPLITTER#" ‖ data part
/// </code>
/// The data part has three layouts: with a salt, the salt is the GCM IV and the caller's aad the associated data
/// (neither is stored); with <c>VER_R2</c> (no salt, no aad), 32 random bytes of associated data come first and
/// their first 12 bytes are the nonce; otherwise (aad only) a random 16-byte IV follows the GCM output.
/// KeyBridge only reads this format; it never writes it. Ciphertexts of MOSIP 1.1.3 without a certificate
/// thumbprint would need trying keys in turn and are refused.
/// </summary>
public static class MosipCiphertext
{
    public const int ThumbprintSize = 32;
    public const int TagSize = 16;

    /// <summary>VER_R2 data part: random associated data, whose first bytes are the nonce.</summary>
    public const int VersionedAadSize = 32;
    public const int VersionedNonceSize = 12;

    /// <summary>aad-only data part: the random IV appended after the GCM output (the AES block size).</summary>
    public const int TrailingIvSize = 16;

    public static ReadOnlySpan<byte> KeySplitter => "#KEY_SPLITTER#"u8;

    public static ReadOnlySpan<byte> VersionHeader => "VER_R2"u8;

    /// <summary>A structurally valid MOSIP ciphertext; nothing is authenticated yet.</summary>
    public sealed record Parsed(bool Versioned, byte[] Thumbprint, byte[] WrappedKey, byte[] Data);

    /// <summary>True when the bytes carry MOSIP's key splitter after a non-empty key part (the only marker the format has).</summary>
    public static bool LooksLike(ReadOnlySpan<byte> bytes) => bytes.IndexOf(KeySplitter) > 0;

    /// <summary>Splits the bytes at the first key splitter (as MOSIP does: no length prefix); <c>ciphertext_malformed</c> when they are not a MOSIP ciphertext KeyBridge reads.</summary>
    public static Parsed Parse(ReadOnlySpan<byte> bytes)
    {
        var split = bytes.IndexOf(KeySplitter);
        if (split <= 0)
        {
            throw Malformed("not a MOSIP ciphertext: no '#KEY_SPLITTER#' after a key part");
        }
        var keyPart = bytes[..split];
        var data = bytes[(split + KeySplitter.Length)..];
        var versioned = keyPart.StartsWith(VersionHeader);
        if (versioned)
        {
            keyPart = keyPart[VersionHeader.Length..];
        }
        // RSA-2048, -3072 or -4096 wrapped keys after the thumbprint; anything else is the thumbprint-less 1.1.3 format.
        if (keyPart.Length - ThumbprintSize is not (256 or 384 or 512))
        {
            throw Malformed("the MOSIP ciphertext has no certificate thumbprint before its wrapped key (MOSIP 1.1.3 format), which KeyBridge does not read");
        }
        if (data.Length < TagSize)
        {
            throw Malformed("the MOSIP ciphertext is truncated");
        }
        return new Parsed(versioned, keyPart[..ThumbprintSize].ToArray(), keyPart[ThumbprintSize..].ToArray(), data.ToArray());
    }

    /// <summary>
    /// Decrypts the data part with the unwrapped AES key, choosing the layout as MOSIP's <c>/decrypt</c> does: a salt
    /// wins, then <c>VER_R2</c>, then the aad-only layout. A tag that does not verify (other salt or aad, or altered
    /// bytes) is <c>context_mismatch</c>.
    /// </summary>
    public static byte[] DecryptData(Parsed parsed, ReadOnlySpan<byte> aesKey, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> aad)
    {
        var data = parsed.Data.AsSpan();
        if (!salt.IsEmpty)
        {
            return Gcm(aesKey, salt, aad, data);
        }
        if (parsed.Versioned)
        {
            if (data.Length < VersionedAadSize + TagSize)
            {
                throw Malformed("the MOSIP ciphertext is truncated");
            }
            var random = data[..VersionedAadSize];
            return Gcm(aesKey, random[..VersionedNonceSize], random, data[VersionedAadSize..]);
        }
        if (data.Length < TrailingIvSize + TagSize)
        {
            throw Malformed("the MOSIP ciphertext is truncated");
        }
        return Gcm(aesKey, data[^TrailingIvSize..], aad, data[..^TrailingIvSize]);
    }

    /// <summary>AES-GCM with a 128-bit tag and an IV of any length (MOSIP's salt is 32 bytes; .NET's AesGcm takes only 12).</summary>
    private static byte[] Gcm(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> input)
    {
        if (key.Length is not (16 or 24 or 32))
        {
            throw Malformed("the MOSIP ciphertext's wrapped key is not an AES key");
        }
        var cipher = new GcmBlockCipher(new AesEngine());
        cipher.Init(false, new AeadParameters(new KeyParameter(key), TagSize * 8, iv.ToArray(), aad.IsEmpty ? null : aad.ToArray()));
        var output = new byte[cipher.GetOutputSize(input.Length)];
        try
        {
            var written = cipher.ProcessBytes(input, output);
            written += cipher.DoFinal(output.AsSpan(written));
            return written == output.Length ? output : output[..written];
        }
        catch (InvalidCipherTextException)
        {
            Array.Clear(output);
            throw new KeyBridgeException(KeyBridgeError.ContextMismatch,
                "the MOSIP ciphertext does not authenticate: the salt or aad differ from the ones used to encrypt, or the ciphertext was altered");
        }
    }

    private static KeyBridgeException Malformed(string message) => new(KeyBridgeError.CiphertextMalformed, message);
}
