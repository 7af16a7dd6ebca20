using System.Text;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Server.Jobs.Reencryption;

/// <summary>
/// How a ciphertext sits in an Odoo field, so a rewrapped one is written back the same way:
/// the text form (<c>kb:…</c>) in a Char/Text field, or in a Binary field (read and written as
/// base64 over JSON-RPC) holding either that text or the raw ciphertext bytes.
/// </summary>
public enum StoredForm
{
    Text,
    Base64OfText,
    Base64OfBytes,
}

public static class StoredCiphertext
{
    private static readonly byte[] Prefix = Encoding.ASCII.GetBytes(Ciphertext.TextPrefix);

    /// <summary>Parses the stored value; <c>ciphertext_malformed</c> when it is not a KeyBridge ciphertext in any of the forms.</summary>
    public static (Ciphertext.Parsed Parsed, StoredForm Form) Decode(string value)
    {
        if (value.StartsWith(Ciphertext.TextPrefix, StringComparison.Ordinal))
        {
            return (Ciphertext.Parse(value), StoredForm.Text);
        }
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw new KeyBridgeException(KeyBridgeError.CiphertextMalformed, "the value is not a KeyBridge ciphertext (neither 'kb:…' text nor base64)");
        }
        return bytes.AsSpan().StartsWith(Prefix)
            ? (Ciphertext.Parse(Encoding.ASCII.GetString(bytes)), StoredForm.Base64OfText)
            : (Ciphertext.Parse(Ciphertext.TextPrefix + Base64Url.Encode(bytes)), StoredForm.Base64OfBytes);
    }

    /// <summary>
    /// A MOSIP keymanager ciphertext as OpenG2P stores it: the bytes in a Binary field (base64 over JSON-RPC), or the
    /// base64url text <c>/encrypt</c> returned, in a text field. Null when the value is not one (e.g. a KeyBridge ciphertext).
    /// Its replacement is written as the KeyBridge text (as bytes in a Binary field), which <c>/v1/keymanager/decrypt</c> reads.
    /// </summary>
    public static (byte[] Bytes, StoredForm Form)? DecodeMosip(string value)
    {
        if (value.StartsWith(Ciphertext.TextPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        try
        {
            var bytes = Convert.FromBase64String(value);
            return MosipCiphertext.LooksLike(bytes) && !bytes.AsSpan().StartsWith(Prefix) ? (bytes, StoredForm.Base64OfText) : null;
        }
        catch (FormatException)
        {
        }
        return OpenG2P.KeyBridge.Server.Mosip.MosipBase64.TryDecode(value, out var text) && MosipCiphertext.LooksLike(text) ? (text, StoredForm.Text) : null;
    }

    /// <summary>A ciphertext (text form) in the given stored form.</summary>
    public static string Encode(string ciphertext, StoredForm form) => form switch
    {
        StoredForm.Text => ciphertext,
        StoredForm.Base64OfText => Convert.ToBase64String(Encoding.ASCII.GetBytes(ciphertext)),
        _ => Convert.ToBase64String(Ciphertext.Parse(ciphertext).Bytes),
    };
}
