using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OpenG2P.KeyBridge.Audit;

/// <summary>
/// The chain: hash = HMAC-SHA256(chain key, prev_hash ‖ canonical record). A keyed MAC (rather
/// than a plain hash) means someone with write access to the database alone cannot rebuild a
/// consistent chain after editing it.
/// </summary>
public static class AuditChain
{
    private static readonly JsonSerializerOptions Canonical = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Link(ReadOnlySpan<byte> chainKey, long seq, string prevHash, AuditEntry e)
    {
        using var h = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, chainKey);
        return Link(h, seq, prevHash, e);
    }

    /// <summary>The same, with an HMAC keyed once and reused for a whole group of records (it resets after each hash).</summary>
    public static string Link(IncrementalHash keyedHmac, long seq, string prevHash, AuditEntry e)
    {
        var fields = new object?[]
        {
            seq, e.Time.ToUnixTimeMilliseconds(), e.ClientId, e.Method, e.Keys, e.Versions, e.Outcome, e.ErrorName,
            e.RequestId, e.RemoteAddress, e.ItemCount,
        };
        var canonical = JsonSerializer.SerializeToUtf8Bytes(fields, Canonical);
        keyedHmac.AppendData(Encoding.ASCII.GetBytes(prevHash));
        keyedHmac.AppendData("\n"u8);
        keyedHmac.AppendData(canonical);
        return Convert.ToHexStringLower(keyedHmac.GetHashAndReset());
    }

    public static string SeqText(long seq) => seq.ToString(CultureInfo.InvariantCulture);
}
