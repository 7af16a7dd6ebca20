using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Backup;

/// <summary>
/// The bundle file (docs/backup-format.md):
/// <c>"KBBACKUP" ‖ 0x01 ‖ header length (uint32, big-endian) ‖ header (UTF-8 JSON) ‖ nonce (12) ‖ body ‖ tag (16)</c>.
/// The body is the sections' bytes one after another, encrypted with AES-256-GCM under
/// HKDF-SHA256(backup key, salt = bundle id, info = "keybridge/backup/v1"); everything before the nonce
/// is the associated data, so the header cannot be changed without the tag failing.
/// </summary>
public static class BackupBundle
{
    private static readonly byte[] Magic = "KBBACKUP"u8.ToArray();
    private const byte LayoutVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int MaxHeaderBytes = 1 << 20;
    private static readonly byte[] KdfInfo = "keybridge/backup/v1"u8.ToArray();

    /// <summary>Writes the bundle; <paramref name="header"/>'s manifest sections are filled in from <paramref name="sections"/>.</summary>
    public static byte[] Write(BackupHeader header, IReadOnlyList<BackupSection> sections, ReadOnlySpan<byte> backupKey)
    {
        var entries = sections.Select(s => new BackupSectionEntry(s.Name, s.Count, s.Bytes.Length, Convert.ToHexStringLower(SHA256.HashData(s.Bytes)))).ToList();
        header = header with { Manifest = header.Manifest with { Sections = entries } };
        var headerBytes = JsonSerializer.SerializeToUtf8Bytes(header, RecoveryCeremony.Json);
        var bodyLength = sections.Sum(s => (long)s.Bytes.Length);
        var prefixLength = Magic.Length + 1 + 4 + headerBytes.Length;
        var file = new byte[checked(prefixLength + NonceSize + bodyLength + TagSize)];
        Magic.CopyTo(file, 0);
        file[Magic.Length] = LayoutVersion;
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(Magic.Length + 1), (uint)headerBytes.Length);
        headerBytes.CopyTo(file, Magic.Length + 5);
        var nonce = file.AsSpan(prefixLength, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var body = new byte[bodyLength];
        var offset = 0;
        foreach (var s in sections)
        {
            s.Bytes.CopyTo(body, offset);
            offset += s.Bytes.Length;
        }
        var key = BundleKey(backupKey, header.BundleId);
        try
        {
            using var gcm = new AesGcm(key, TagSize);
            gcm.Encrypt(nonce, body, file.AsSpan(prefixLength + NonceSize, body.Length), file.AsSpan(file.Length - TagSize),
                file.AsSpan(0, prefixLength));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(body);
        }
        return file;
    }

    /// <summary>The header, checked for shape and length only (nothing is authenticated yet); <c>backup_malformed</c> otherwise.</summary>
    public static BackupHeader ReadHeader(ReadOnlySpan<byte> file) => Parse(file).Header;

    /// <summary>
    /// Authenticates and decrypts the bundle: <c>backup_malformed</c> for a file that is not a bundle of this format (or is
    /// truncated or extended), <c>backup_authentication_failed</c> when it does not authenticate under the backup key (a changed
    /// byte, or another ceremony's key). Returns the header and each section's bytes by name.
    /// </summary>
    public static (BackupHeader Header, IReadOnlyDictionary<string, byte[]> Sections) Open(ReadOnlySpan<byte> file, ReadOnlySpan<byte> backupKey)
    {
        var (header, prefixLength) = Parse(file);
        var nonce = file.Slice(prefixLength, NonceSize);
        var cipher = file.Slice(prefixLength + NonceSize, file.Length - prefixLength - NonceSize - TagSize);
        var body = new byte[cipher.Length];
        var key = BundleKey(backupKey, header.BundleId);
        try
        {
            using var gcm = new AesGcm(key, TagSize);
            gcm.Decrypt(nonce, cipher, file[^TagSize..], body, file[..prefixLength]);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new KeyBridgeException(KeyBridgeError.BackupAuthenticationFailed,
                $"bundle {header.BundleId} does not authenticate under the backup key: it was changed or damaged, or the key is another ceremony's");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
        var sections = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var offset = 0;
        foreach (var entry in header.Manifest.Sections)
        {
            var bytes = body.AsSpan(offset, (int)entry.Bytes).ToArray();
            offset += (int)entry.Bytes;
            if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != entry.Sha256)
            {
                throw new KeyBridgeException(KeyBridgeError.BackupAuthenticationFailed,
                    $"section '{entry.Name}' of bundle {header.BundleId} does not match its SHA-256 in the manifest");
            }
            if (BackupSections.Required.Contains(entry.Name))
            {
                sections[entry.Name] = bytes;
            }
        }
        CryptographicOperations.ZeroMemory(body);
        return (header, sections);
    }

    private static (BackupHeader Header, int PrefixLength) Parse(ReadOnlySpan<byte> file)
    {
        if (file.Length < Magic.Length + 5 + NonceSize + TagSize || !file.StartsWith(Magic))
        {
            throw Malformed("the file is not a KeyBridge backup bundle (it does not start with KBBACKUP)");
        }
        if (file[Magic.Length] != LayoutVersion)
        {
            throw Malformed($"the bundle layout version {file[Magic.Length]} is not supported by this KeyBridge");
        }
        var headerLength = BinaryPrimitives.ReadUInt32BigEndian(file.Slice(Magic.Length + 1, 4));
        var prefixLength = Magic.Length + 5 + (long)headerLength;
        if (headerLength > MaxHeaderBytes || prefixLength + NonceSize + TagSize > file.Length)
        {
            throw Malformed("the bundle is truncated (its header runs past the end of the file)");
        }
        BackupHeader header;
        try
        {
            header = JsonSerializer.Deserialize<BackupHeader>(file.Slice(Magic.Length + 5, (int)headerLength), RecoveryCeremony.Json)
                ?? throw new JsonException("null header");
        }
        catch (JsonException e)
        {
            throw Malformed($"the bundle's header is not valid: {e.Message}");
        }
        if (header.Format != BackupHeader.FormatName || header.FormatVersion != BackupHeader.CurrentFormatVersion)
        {
            throw Malformed($"format '{header.Format}' version {header.FormatVersion} is not supported by this KeyBridge");
        }
        if (header.BundleId.Length != 32 || !header.BundleId.All(Uri.IsHexDigit))
        {
            throw Malformed("the bundle id is not 32 hex digits");
        }
        foreach (var s in header.Manifest.Sections.Where(s => !s.Optional && !BackupSections.Required.Contains(s.Name)))
        {
            throw Malformed($"section '{s.Name}' is not understood by this KeyBridge (written by a newer version?)");
        }
        foreach (var name in BackupSections.Required.Where(n => header.Manifest.Sections.Count(s => s.Name == n) != 1))
        {
            throw Malformed($"the manifest does not list section '{name}' exactly once");
        }
        var bodyLength = file.Length - prefixLength - NonceSize - TagSize;
        if (header.Manifest.Sections.Any(s => s.Bytes < 0) || header.Manifest.Sections.Sum(s => s.Bytes) != bodyLength)
        {
            throw Malformed("the bundle is truncated or extended: its length does not match the manifest");
        }
        return (header, (int)prefixLength);
    }

    private static byte[] BundleKey(ReadOnlySpan<byte> backupKey, string bundleId)
    {
        var key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, backupKey, key, Convert.FromHexString(bundleId), KdfInfo);
        return key;
    }

    private static KeyBridgeException Malformed(string message) => new(KeyBridgeError.BackupMalformed, message);
}
