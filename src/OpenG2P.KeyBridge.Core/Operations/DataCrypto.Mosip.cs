using System.Security.Cryptography;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Operations;

/// <summary>A MOSIP ciphertext moved to KeyBridge's format, and the imported version that decrypted it.</summary>
public readonly record struct MosipRewrap(Used<string> Ciphertext, string FromKey, int FromVersion);

public sealed partial class DataCrypto
{
    /// <summary>
    /// Decrypts a MOSIP ciphertext (its bytes, not base64) with the imported key version whose certificate thumbprint it
    /// names, given the salt and aad the caller encrypted with (empty when none were sent). <paramref name="authorize"/>
    /// may refuse (throw) the key before it is used. Retired, revoked and destroyed versions are refused like any other.
    /// </summary>
    public async ValueTask<Used<byte[]>> DecryptMosipAsync(ReadOnlyMemory<byte> ciphertext, ReadOnlyMemory<byte> salt, ReadOnlyMemory<byte> aad,
        Action<string>? authorize = null, CancellationToken ct = default)
    {
        var index = mosipKeys ?? throw new KeyBridgeException(KeyBridgeError.UnsupportedOperation, "MOSIP ciphertexts are not supported by this node");
        var parsed = MosipCiphertext.Parse(ciphertext.Span);
        var entry = await index.FindAsync(parsed.Thumbprint, ct).ConfigureAwait(false)
            ?? throw new KeyBridgeException(KeyBridgeError.KeyNotFound,
                $"no imported MOSIP key has the certificate thumbprint {Convert.ToHexString(parsed.Thumbprint)}; import its keystore with mosip.import_keystore");
        authorize?.Invoke(entry.KeyName);
        var key = await ring.GetAsync(entry.KeyName, ct).ConfigureAwait(false);
        if (!key.Type.IsRsa())
        {
            throw new KeyBridgeException(KeyBridgeError.UnsupportedOperation, $"key '{key.Name}' is of type {key.Type.ToName()}, not an RSA key that decrypts MOSIP data");
        }
        var version = KeyRing.ForDecryption(key, entry.Version);
        var aesKey = UnwrapDataKey(key, version, parsed.WrappedKey);
        try
        {
            return new(MosipCiphertext.DecryptData(parsed, aesKey, salt.Span, aad.Span), key.Name, version.Version);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(aesKey);
        }
    }

    /// <summary>Decrypts a MOSIP ciphertext and encrypts its plaintext as a KeyBridge ciphertext of <paramref name="targetKey"/>; the plaintext never leaves this method.</summary>
    public async ValueTask<MosipRewrap> RewrapMosipAsync(ReadOnlyMemory<byte> ciphertext, ReadOnlyMemory<byte> salt, ReadOnlyMemory<byte> aad,
        string targetKey, EncryptionContext context, Action<string>? authorize = null, CancellationToken ct = default)
    {
        var plain = await DecryptMosipAsync(ciphertext, salt, aad, authorize, ct).ConfigureAwait(false);
        try
        {
            authorize?.Invoke(targetKey);
            return new(await EncryptAsync(targetKey, plain.Value, context, ct).ConfigureAwait(false), plain.Key, plain.Version);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain.Value);
        }
    }

    /// <summary>RSA-OAEP (SHA-256, MGF1-SHA-256, empty label) with the version's private key, pooled per version.</summary>
    private byte[] UnwrapDataKey(KeyRecord key, KeyVersionRecord version, byte[] wrapped)
    {
        if (key.Policy.HsmResident)
        {
            throw new KeyBridgeException(KeyBridgeError.HsmUnavailable, $"key '{key.Name}' is HSM-resident and this build has no PKCS#11 decryptor");
        }
        using var lease = ring.Lease(key, version);
        var rsa = lease.Rent(RsaPrivateKey.Load);
        try
        {
            return rsa.Key.Decrypt(wrapped, RSAEncryptionPadding.OaepSHA256);
        }
        catch (CryptographicException)
        {
            throw new KeyBridgeException(KeyBridgeError.CiphertextMalformed,
                $"the MOSIP ciphertext's wrapped key does not decrypt with version {version.Version} of key '{key.Name}'");
        }
        finally
        {
            lease.Return(rsa);
        }
    }

    private sealed class RsaPrivateKey(RSA key) : IDisposable
    {
        public RSA Key => key;

        public static RsaPrivateKey Load(byte[] pkcs8)
        {
            var rsa = RSA.Create();
            try
            {
                rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                return new RsaPrivateKey(rsa);
            }
            catch (CryptographicException e)
            {
                rsa.Dispose();
                throw new KeyBridgeException(KeyBridgeError.KeyMaterialCorrupt, "stored RSA key material does not decode", e);
            }
        }

        public void Dispose() => key.Dispose();
    }
}
