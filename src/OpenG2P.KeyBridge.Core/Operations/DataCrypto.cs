using System.Security.Cryptography;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Mosip;

namespace OpenG2P.KeyBridge.Operations;

/// <summary>Result of one data operation, with the key version used (for the audit record).</summary>
public readonly record struct Used<T>(T Value, string Key, int Version);

/// <summary>
/// Symmetric data operations: encrypt, decrypt, rewrap, data keys. Also reads MOSIP keymanager ciphertexts
/// (<see cref="MosipCiphertext"/>) with key versions imported from a MOSIP keystore, so that data encrypted
/// before the switch can be decrypted and moved to KeyBridge's format.
/// </summary>
public sealed partial class DataCrypto(KeyRing ring, MosipKeyIndex? mosipKeys = null)
{
    public async ValueTask<Used<string>> EncryptAsync(string keyName, ReadOnlyMemory<byte> plaintext, EncryptionContext context, CancellationToken ct = default)
    {
        var key = await ring.GetAsync(keyName, ct).ConfigureAwait(false);
        RequireType(key, KeyType.Aes256Gcm, "encrypt");
        RequireContext(key, context);
        var version = KeyRing.LatestForUse(key);
        return new(EncryptWith(key, version, plaintext.Span, context), key.Name, version.Version);
    }

    public ValueTask<Used<byte[]>> DecryptAsync(string ciphertext, EncryptionContext context, CancellationToken ct = default) =>
        DecryptAsync(Ciphertext.Parse(ciphertext), context, ct);

    public async ValueTask<Used<byte[]>> DecryptAsync(Ciphertext.Parsed parsed, EncryptionContext context, CancellationToken ct = default)
    {
        var key = await ring.GetAsync(parsed.KeyName, ct).ConfigureAwait(false);
        RequireType(key, KeyType.Aes256Gcm, "decrypt");
        RequireContext(key, context);
        var version = KeyRing.ForDecryption(key, parsed.KeyVersion);
        using var lease = ring.Lease(key, version);
        var aes = lease.RentAesGcm();
        try
        {
            return new(Ciphertext.Decrypt(parsed, aes, context), key.Name, version.Version);
        }
        finally
        {
            lease.ReturnAesGcm(aes);
        }
    }

    /// <summary>Decrypts and re-encrypts under the latest version; the plaintext never leaves this method.</summary>
    public async ValueTask<Used<string>> RewrapAsync(Ciphertext.Parsed parsed, EncryptionContext context, CancellationToken ct = default)
    {
        var plain = (await DecryptAsync(parsed, context, ct).ConfigureAwait(false)).Value;
        try
        {
            var key = await ring.GetAsync(parsed.KeyName, ct).ConfigureAwait(false);
            var version = KeyRing.LatestForUse(key);
            return new(EncryptWith(key, version, plain, context), key.Name, version.Version);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>A fresh random data key, returned wrapped (a KeyBridge ciphertext) and optionally in plaintext.</summary>
    public async ValueTask<Used<(string Wrapped, byte[]? Plaintext)>> GenerateDataKeyAsync(string keyName, int bits, bool withPlaintext, EncryptionContext context, CancellationToken ct = default)
    {
        if (bits is not (128 or 192 or 256 or 512))
        {
            throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'bits' must be 128, 192, 256 or 512");
        }
        var dataKey = RandomNumberGenerator.GetBytes(bits / 8);
        try
        {
            var wrapped = await EncryptAsync(keyName, dataKey, context, ct).ConfigureAwait(false);
            return new((wrapped.Value, withPlaintext ? (byte[])dataKey.Clone() : null), wrapped.Key, wrapped.Version);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private string EncryptWith(KeyRecord key, KeyVersionRecord version, ReadOnlySpan<byte> plaintext, EncryptionContext context)
    {
        using var lease = ring.Lease(key, version);
        var aes = lease.RentAesGcm();
        try
        {
            return Ciphertext.Encrypt(key.Name, version.Version, aes, plaintext, context);
        }
        finally
        {
            lease.ReturnAesGcm(aes);
        }
    }

    internal static void RequireType(KeyRecord key, KeyType type, string operation)
    {
        if (key.Type != type)
        {
            throw new KeyBridgeException(KeyBridgeError.UnsupportedOperation,
                $"key '{key.Name}' is of type {key.Type.ToName()}, which does not support {operation}");
        }
    }

    private static void RequireContext(KeyRecord key, EncryptionContext context)
    {
        foreach (var field in key.Policy.RequiredContext)
        {
            if (!context.Contains(field))
            {
                throw new KeyBridgeException(KeyBridgeError.ContextRequired,
                    $"key '{key.Name}' requires context fields [{string.Join(", ", key.Policy.RequiredContext)}]; '{field}' is missing");
            }
        }
    }
}
