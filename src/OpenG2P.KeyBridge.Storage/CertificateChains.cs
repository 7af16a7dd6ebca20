using System.Formats.Asn1;

namespace OpenG2P.KeyBridge.Storage;

/// <summary>A certificate chain stored as one blob: the DER certificates concatenated (DER is self-delimiting).</summary>
internal static class CertificateChains
{
    public static byte[]? Join(IReadOnlyList<byte[]> chain) => chain.Count == 0 ? null : chain.SelectMany(c => c).ToArray();

    public static IReadOnlyList<byte[]> Split(byte[]? blob)
    {
        var certificates = new List<byte[]>();
        var rest = blob.AsSpan();
        while (!rest.IsEmpty)
        {
            AsnDecoder.ReadEncodedValue(rest, AsnEncodingRules.DER, out _, out _, out var length);
            certificates.Add(rest[..length].ToArray());
            rest = rest[length..];
        }
        return certificates;
    }
}
