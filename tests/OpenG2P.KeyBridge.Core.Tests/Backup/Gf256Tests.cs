using OpenG2P.KeyBridge.Backup;

namespace OpenG2P.KeyBridge.Core.Tests.Backup;

/// <summary>GF(2^8) with the AES polynomial, checked against FIPS-197's published values and exhaustively against the field laws.</summary>
public sealed class Gf256Tests
{
    [Theory]
    // FIPS-197 §4.2: {57} • {83} = {c1}; §4.2.1: {57} • {13} = {fe} and the xtime chain {57}·{02}…{10}.
    [InlineData(0x57, 0x83, 0xc1)]
    [InlineData(0x57, 0x13, 0xfe)]
    [InlineData(0x57, 0x02, 0xae)]
    [InlineData(0x57, 0x04, 0x47)]
    [InlineData(0x57, 0x08, 0x8e)]
    [InlineData(0x57, 0x10, 0x07)]
    public void Products_match_fips_197(int a, int b, int product)
    {
        Assert.Equal((byte)product, Gf256.Mul((byte)a, (byte)b));
        Assert.Equal((byte)product, Gf256.Mul((byte)b, (byte)a));
    }

    [Fact]
    public void Multiplication_matches_a_plain_reference_for_every_pair()
    {
        for (var a = 0; a < 256; a++)
        {
            for (var b = 0; b < 256; b++)
            {
                Assert.Equal(ReferenceMul(a, b), Gf256.Mul((byte)a, (byte)b));
            }
        }
    }

    [Fact]
    public void Inverses_give_the_aes_sbox_of_fips_197_for_every_byte()
    {
        // The S-box is the inverse (0 for 0) followed by the affine map of FIPS-197 §5.1.1, so every entry checks one inverse.
        for (var x = 0; x < 256; x++)
        {
            var inverse = x == 0 ? (byte)0 : Gf256.Inverse((byte)x);
            Assert.Equal(AesSbox[x], Affine(inverse));
        }
    }

    [Fact]
    public void Every_non_zero_element_times_its_inverse_is_one_and_zero_has_none()
    {
        for (var a = 1; a < 256; a++)
        {
            Assert.Equal(1, Gf256.Mul((byte)a, Gf256.Inverse((byte)a)));
            Assert.Equal((byte)a, Gf256.Div(Gf256.Mul((byte)a, 0x53), 0x53));
        }
        Assert.Throws<DivideByZeroException>(() => Gf256.Inverse(0));
    }

    [Fact]
    public void Field_laws_hold_for_every_triple()
    {
        // The implementation's products, tabulated once, so that 2^24 triples are checked in a moment.
        var mul = new byte[256, 256];
        for (var a = 0; a < 256; a++)
        {
            for (var b = 0; b < 256; b++)
            {
                mul[a, b] = Gf256.Mul((byte)a, (byte)b);
            }
        }
        for (var a = 0; a < 256; a++)
        {
            for (var b = 0; b < 256; b++)
            {
                Assert.Equal(mul[a, b], mul[b, a]);
                for (var c = 0; c < 256; c++)
                {
                    if (mul[mul[a, b], c] != mul[a, mul[b, c]] || mul[a, b ^ c] != (mul[a, b] ^ mul[a, c]))
                    {
                        Assert.Fail($"associativity or distributivity fails for {a}, {b}, {c}");
                    }
                }
            }
        }
    }

    /// <summary>Shift-and-add with branches, written independently of the implementation under test.</summary>
    private static byte ReferenceMul(int a, int b)
    {
        var result = 0;
        while (b != 0)
        {
            if ((b & 1) != 0)
            {
                result ^= a;
            }
            a <<= 1;
            if ((a & 0x100) != 0)
            {
                a ^= 0x11B;
            }
            b >>= 1;
        }
        return (byte)result;
    }

    private static byte Affine(byte b)
    {
        static int Rotl(int x, int n) => ((x << n) | (x >> (8 - n))) & 0xFF;
        return (byte)(b ^ Rotl(b, 1) ^ Rotl(b, 2) ^ Rotl(b, 3) ^ Rotl(b, 4) ^ 0x63);
    }

    /// <summary>FIPS-197 Figure 7.</summary>
    private static readonly byte[] AesSbox = Convert.FromHexString(
        "637c777bf26b6fc53001672bfed7ab76ca82c97dfa5947f0add4a2af9ca472c0b7fd9326363ff7cc34a5e5f171d8311504c723c31896059a071280e2eb27b275"
        + "09832c1a1b6e5aa0523bd6b329e32f8453d100ed20fcb15b6acbbe394a4c58cfd0efaafb434d338545f9027f503c9fa851a3408f929d38f5bcb6da2110fff3d2"
        + "cd0c13ec5f974417c4a77e3d645d197360814fdc222a908846eeb814de5e0bdbe0323a0a4906245cc2d3ac629195e479e7c8376d8dd54ea96c56f4ea657aae08"
        + "ba78252e1ca6b4c6e8dd741f4bbd8b8a703eb5664803f60e613557b986c11d9ee1f8981169d98e949b1e87e9ce5528df8ca1890dbfe6426841992d0fb054bb16");
}
