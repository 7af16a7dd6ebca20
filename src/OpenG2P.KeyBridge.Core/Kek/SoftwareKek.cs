using System.Security.Cryptography;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Kek;

/// <summary>
/// A 256-bit KEK held in process memory, loaded from a file or an environment value.
/// Blob layout: 0x01 ‖ nonce (12) ‖ AES-256-GCM ciphertext ‖ tag (16), associated data as given.
/// </summary>
public sealed class SoftwareKek : IKekProvider, IDisposable
{
    private const byte BlobVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public SoftwareKek(byte[] key)
    {
        if (key.Length != 32)
        {
            throw new KeyBridgeException(KeyBridgeError.KekUnavailable, "the software KEK must be exactly 32 bytes");
        }
        _key = (byte[])key.Clone();
        KekId = "software:" + Convert.ToHexStringLower(SHA256.HashData(_key).AsSpan(0, 8));
    }

    public string KekId { get; }

    public byte[] Wrap(ReadOnlySpan<byte> material, ReadOnlySpan<byte> associatedData)
    {
        var blob = new byte[1 + NonceSize + material.Length + TagSize];
        blob[0] = BlobVersion;
        var nonce = blob.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(_key, TagSize);
        gcm.Encrypt(nonce, material, blob.AsSpan(1 + NonceSize, material.Length), blob.AsSpan(blob.Length - TagSize), associatedData);
        return blob;
    }

    public byte[] Unwrap(ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> associatedData)
    {
        if (wrapped.Length < 1 + NonceSize + TagSize || wrapped[0] != BlobVersion)
        {
            throw new KeyBridgeException(KeyBridgeError.KeyMaterialCorrupt, "stored key material has an unknown layout");
        }
        var plain = new byte[wrapped.Length - 1 - NonceSize - TagSize];
        try
        {
            using var gcm = new AesGcm(_key, TagSize);
            gcm.Decrypt(wrapped.Slice(1, NonceSize), wrapped.Slice(1 + NonceSize, plain.Length), wrapped[^TagSize..], plain, associatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(plain);
            throw new KeyBridgeException(KeyBridgeError.KeyMaterialCorrupt,
                "stored key material does not authenticate under this KEK (wrong KEK, or the row was altered)");
        }
        return plain;
    }

    public bool IsHealthy() => true;

    /// <summary>
    /// A copy of the key bytes, for the recovery ceremony only (the shares carry the software KEK, since wrapped
    /// material is useless without it). The caller zeroes the copy.
    /// </summary>
    public byte[] ExportForRecovery() => (byte[])_key.Clone();

    /// <summary>
    /// Loads the KEK from a base64 value, or from a file (raw 32 bytes or base64 text). When the
    /// file is missing and <paramref name="createIfMissing"/> is set, a new random KEK is written
    /// with owner-only permissions (0600).
    /// </summary>
    public static SoftwareKek Load(string? base64Value, string filePath, bool createIfMissing)
    {
        if (!string.IsNullOrWhiteSpace(base64Value))
        {
            return new SoftwareKek(DecodeKey(base64Value.Trim(), "Kek:Software:Key"));
        }
        if (File.Exists(filePath))
        {
            var bytes = File.ReadAllBytes(filePath);
            return new SoftwareKek(bytes.Length == 32 ? bytes : DecodeKey(System.Text.Encoding.ASCII.GetString(bytes).Trim(), filePath));
        }
        if (!createIfMissing)
        {
            throw new KeyBridgeException(KeyBridgeError.KekUnavailable,
                $"the software KEK file '{filePath}' does not exist and creating it is not allowed");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(filePath))!);
        var key = RandomNumberGenerator.GetBytes(32);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var fs = new FileStream(filePath, options))
        {
            fs.Write(key);
            fs.Flush(flushToDisk: true);
        }
        var kek = new SoftwareKek(key);
        CryptographicOperations.ZeroMemory(key);
        return kek;
    }

    /// <summary>A KEK from base64 text, e.g. one of <c>Kek:Software:PreviousKeys</c>; <paramref name="source"/> names it in errors.</summary>
    public static SoftwareKek FromBase64(string text, string source)
    {
        var key = DecodeKey(text.Trim(), source);
        try
        {
            return new SoftwareKek(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static byte[] DecodeKey(string text, string source)
    {
        try
        {
            var key = Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/').PadRight((text.Length + 3) / 4 * 4, '='));
            if (key.Length == 32)
            {
                return key;
            }
        }
        catch (FormatException)
        {
        }
        throw new KeyBridgeException(KeyBridgeError.KekUnavailable, $"the software KEK from {source} is not 32 bytes of base64");
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);
}
