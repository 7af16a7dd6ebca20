using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;

namespace OpenG2P.KeyBridge.Operations;

public enum BlindIndexNormalization
{
    None,
    Casefold,
    Digits,
    Trim,
}

/// <summary>HMAC-SHA256 MACs (<c>kb:v{version}:{base64url}</c>) and blind indexes for exact-match search.</summary>
public sealed class MacOperations(KeyRing ring)
{
    private static readonly byte[] BlindIndexDomain = "keybridge/blind-index/v1\0"u8.ToArray();

    public async ValueTask<Used<string>> MacAsync(string keyName, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        var key = await ring.GetAsync(keyName, ct).ConfigureAwait(false);
        DataCrypto.RequireType(key, KeyType.HmacSha256, "hmac");
        var version = KeyRing.LatestForUse(key);
        var mac = Compute(key, version, [], data.Span);
        return new($"kb:v{version.Version.ToString(CultureInfo.InvariantCulture)}:{Base64Url.Encode(mac)}", key.Name, version.Version);
    }

    public async ValueTask<Used<bool>> VerifyAsync(string keyName, ReadOnlyMemory<byte> data, string? mac, CancellationToken ct = default)
    {
        var (versionNumber, expected) = ParseMac(mac);
        var key = await ring.GetAsync(keyName, ct).ConfigureAwait(false);
        DataCrypto.RequireType(key, KeyType.HmacSha256, "verify_hmac");
        var version = KeyRing.ForDecryption(key, versionNumber);
        var actual = Compute(key, version, [], data.Span);
        return new(CryptographicOperations.FixedTimeEquals(actual, expected), key.Name, version.Version);
    }

    public async ValueTask<Used<string[]>> BlindIndexAsync(string keyName, IReadOnlyList<string> values, BlindIndexNormalization normalization, CancellationToken ct = default)
    {
        var key = await ring.GetAsync(keyName, ct).ConfigureAwait(false);
        DataCrypto.RequireType(key, KeyType.HmacSha256, "blind_index");
        var version = KeyRing.LatestForUse(key);
        var tokens = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            var normalized = Normalize(values[i], normalization);
            tokens[i] = Base64Url.Encode(Compute(key, version, BlindIndexDomain, Encoding.UTF8.GetBytes(normalized)));
        }
        return new(tokens, key.Name, version.Version);
    }

    public static string Normalize(string value, BlindIndexNormalization n) => n switch
    {
        BlindIndexNormalization.None => value,
        BlindIndexNormalization.Trim => value.Trim(),
        BlindIndexNormalization.Casefold => value.Trim().Normalize(NormalizationForm.FormKC).ToUpperInvariant().ToLowerInvariant(),
        BlindIndexNormalization.Digits => new string(value.Where(char.IsAsciiDigit).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(n)),
    };

    private byte[] Compute(KeyRecord key, KeyVersionRecord version, ReadOnlySpan<byte> domain, ReadOnlySpan<byte> data)
    {
        using var lease = ring.Lease(key, version);
        using var h = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, lease.Material);
        h.AppendData(domain);
        h.AppendData(data);
        return h.GetHashAndReset();
    }

    private static (int Version, byte[] Mac) ParseMac(string? mac)
    {
        if (mac is not null && mac.StartsWith("kb:v", StringComparison.Ordinal))
        {
            var colon = mac.IndexOf(':', 4);
            if (colon > 4
                && int.TryParse(mac.AsSpan(4, colon - 4), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
                && Base64Url.TryDecodeCanonical(mac.AsSpan(colon + 1), out var bytes) && bytes.Length == 32)
            {
                return (v, bytes);
            }
        }
        throw new KeyBridgeException(KeyBridgeError.MacMalformed, "'mac' must have the form kb:v<version>:<base64url>");
    }
}
