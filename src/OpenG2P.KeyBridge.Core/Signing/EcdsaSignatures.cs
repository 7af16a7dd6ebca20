using System.Formats.Asn1;
using System.Numerics;

namespace OpenG2P.KeyBridge.Signing;

/// <summary>Converts ECDSA P-256 signatures between IEEE P1363 (r ‖ s, 64 bytes) and DER (SEQUENCE { INTEGER r, INTEGER s }).</summary>
public static class EcdsaSignatures
{
    public const int P256FieldSize = 32;

    public static byte[] ToDer(ReadOnlySpan<byte> p1363)
    {
        if (p1363.Length != 2 * P256FieldSize)
        {
            throw new ArgumentException("a P-256 signature in IEEE P1363 form is 64 bytes", nameof(p1363));
        }
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteInteger(new BigInteger(p1363[..P256FieldSize], isUnsigned: true, isBigEndian: true));
            w.WriteInteger(new BigInteger(p1363[P256FieldSize..], isUnsigned: true, isBigEndian: true));
        }
        return w.Encode();
    }
}
