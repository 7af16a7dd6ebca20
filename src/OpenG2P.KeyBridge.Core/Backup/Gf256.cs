namespace OpenG2P.KeyBridge.Backup;

/// <summary>
/// Arithmetic in GF(2^8) with the AES reduction polynomial x^8 + x^4 + x^3 + x + 1 (0x11B), as in
/// FIPS-197 §4. Multiplication is a fixed eight-round shift-and-add with masks instead of branches or
/// table lookups, so its timing does not depend on the (secret) operands.
/// </summary>
public static class Gf256
{
    public static byte Add(byte a, byte b) => (byte)(a ^ b);

    public static byte Mul(byte a, byte b)
    {
        int product = 0, x = a, y = b;
        for (var i = 0; i < 8; i++)
        {
            product ^= x & -(y & 1);
            // xtime: multiply x by {02}, reducing by 0x11B when the top bit falls out.
            x = (x << 1) ^ (0x11B & -((x >> 7) & 1));
            y >>= 1;
        }
        return (byte)product;
    }

    /// <summary>The multiplicative inverse, a^254 (every non-zero a has a^255 = 1); 0 has none.</summary>
    public static byte Inverse(byte a)
    {
        if (a == 0)
        {
            throw new DivideByZeroException("0 has no inverse in GF(256)");
        }
        // 254 = 0b11111110: square-and-multiply with a fixed sequence of operations.
        var a2 = Mul(a, a);
        var a3 = Mul(a2, a);
        var a6 = Mul(a3, a3);
        var a7 = Mul(a6, a);
        var a14 = Mul(a7, a7);
        var a15 = Mul(a14, a);
        var a30 = Mul(a15, a15);
        var a31 = Mul(a30, a);
        var a62 = Mul(a31, a31);
        var a63 = Mul(a62, a);
        var a126 = Mul(a63, a63);
        var a127 = Mul(a126, a);
        return Mul(a127, a127);
    }

    public static byte Div(byte a, byte b) => Mul(a, Inverse(b));
}
