using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Backup;

/// <summary>
/// One custodian's share, as text: <c>kbshare1.</c> + base64url of
/// <c>0x01 ‖ ceremony id (16) ‖ threshold ‖ shares ‖ index ‖ kind ‖ len ‖ custodian (UTF-8) ‖ len ‖ value ‖ check (8)</c>,
/// where check is the first 8 bytes of SHA-256 over everything before it (catches a mistyped or
/// truncated share). See docs/backup-format.md.
/// </summary>
public sealed partial record RecoveryShare(string CeremonyId, int Threshold, int Total, int Index, RecoveryKind Kind, string Custodian, byte[] Value)
{
    public const string Prefix = "kbshare1.";
    private const byte FormatVersion = 1;
    public const int MaxCustodianBytes = 100;

    /// <summary>
    /// Binds the share's value to its ceremony and index; the ceremony record keeps it, so a share whose value was
    /// altered (even with a recomputed check) is recognised before anything is rebuilt from it.
    /// </summary>
    public string Check
    {
        get
        {
            using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            h.AppendData("keybridge/share/v1\n"u8);
            h.AppendData(Convert.FromHexString(CeremonyId));
            h.AppendData([(byte)Index]);
            h.AppendData(Value);
            return Convert.ToHexStringLower(h.GetHashAndReset().AsSpan(0, 8));
        }
    }

    public string Encode()
    {
        var name = Encoding.UTF8.GetBytes(Custodian);
        var body = new List<byte> { FormatVersion };
        body.AddRange(Convert.FromHexString(CeremonyId));
        body.AddRange([(byte)Threshold, (byte)Total, (byte)Index, (byte)Kind, (byte)name.Length]);
        body.AddRange(name);
        body.Add((byte)Value.Length);
        body.AddRange(Value);
        var bytes = body.ToArray();
        return Prefix + Base64Url.Encode([.. bytes, .. SHA256.HashData(bytes).AsSpan(0, 8)]);
    }

    /// <summary>Finds and decodes the share in <paramref name="text"/> (a share file may carry other lines); <c>share_invalid</c> when there is none or it is damaged.</summary>
    public static RecoveryShare Parse(string text, string source)
    {
        var found = Token().Matches(text ?? "");
        if (found.Count != 1)
        {
            throw Invalid(source, found.Count == 0 ? "holds no KeyBridge recovery share (kbshare1.…)" : "holds more than one share");
        }
        if (!Base64Url.TryDecodeCanonical(found[0].Value.AsSpan(Prefix.Length), out var raw))
        {
            throw Invalid(source, "is damaged: it is not valid base64url (a character was changed, added or lost)");
        }
        if (raw.Length < 1 + 16 + 5 + 1 + 8 || raw[0] != FormatVersion)
        {
            throw Invalid(source, "is too short or of an unknown version");
        }
        var body = raw.AsSpan(0, raw.Length - 8);
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(body).AsSpan(0, 8), raw.AsSpan(raw.Length - 8)))
        {
            throw Invalid(source, "is damaged: its check digits do not match (a character was changed, added or lost)");
        }
        var p = 17;
        int threshold = body[p], total = body[p + 1], index = body[p + 2], kind = body[p + 3], nameLength = body[p + 4];
        p += 5;
        if (p + nameLength + 1 > body.Length)
        {
            throw Invalid(source, "is truncated");
        }
        var custodian = Encoding.UTF8.GetString(body.Slice(p, nameLength));
        p += nameLength;
        int valueLength = body[p++];
        if (p + valueLength != body.Length || valueLength == 0 || threshold < 2 || total < threshold || index < 1 || index > total
            || !Enum.IsDefined((RecoveryKind)kind))
        {
            throw Invalid(source, "has inconsistent fields");
        }
        return new RecoveryShare(Convert.ToHexStringLower(body.Slice(1, 16)), threshold, total, index, (RecoveryKind)kind, custodian,
            body.Slice(p, valueLength).ToArray());
    }

    public override string ToString() => $"share {Index} of {Total} ({Custodian})";

    private static KeyBridgeException Invalid(string source, string what) => new(KeyBridgeError.ShareInvalid, $"{source} {what}");

    [GeneratedRegex(@"kbshare1\.[A-Za-z0-9_-]+")]
    private static partial Regex Token();
}
