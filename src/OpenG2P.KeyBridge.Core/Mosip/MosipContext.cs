using System.Text.Json;
using OpenG2P.KeyBridge.Crypto;

namespace OpenG2P.KeyBridge.Mosip;

/// <summary>
/// The context the MOSIP-compatible <c>/encrypt</c> binds to a KeyBridge ciphertext: the caller's <c>aad</c>, as
/// <c>{"mosip_aad": base64url(aad)}</c> (empty when none is sent). MOSIP authenticates its aad too, so decrypting
/// with another aad fails as it does there. The salt is not bound: KeyBridge draws its own nonce, and binding a
/// fixed salt would only add a secret-like value to keep.
/// </summary>
public static class MosipContext
{
    public const string AadField = "mosip_aad";

    public static EncryptionContext ForAad(ReadOnlySpan<byte> aad) =>
        aad.IsEmpty
            ? EncryptionContext.Empty
            : EncryptionContext.FromJson(JsonSerializer.SerializeToElement(new Dictionary<string, string> { [AadField] = Base64Url.Encode(aad) }));
}
