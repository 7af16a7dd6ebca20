using System.Security.Cryptography;

namespace OpenG2P.KeyBridge.Backup;

/// <summary>
/// Shamir's secret sharing over GF(256), byte by byte: each secret byte is the constant term of its
/// own random polynomial of degree threshold − 1, and share i is the polynomials evaluated at x = i
/// (1..n). Any <c>threshold</c> shares give the secret by Lagrange interpolation at x = 0; fewer give
/// no information about it (for every candidate secret exactly one polynomial fits them).
/// </summary>
public static class Shamir
{
    public const int MaxShares = 255;

    /// <summary>Splits <paramref name="secret"/>; element i of the result is the share at x = i + 1.</summary>
    /// <param name="random">Fills the random coefficients; tests pass known ones, callers leave it null for a CSPRNG.</param>
    public static byte[][] Split(ReadOnlySpan<byte> secret, int threshold, int shares, Action<Span<byte>>? random = null)
    {
        if (secret.IsEmpty)
        {
            throw new ArgumentException("the secret is empty", nameof(secret));
        }
        if (threshold < 2 || shares < threshold || shares > MaxShares)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), $"need 2 <= threshold <= shares <= {MaxShares}");
        }
        random ??= RandomNumberGenerator.Fill;
        var result = new byte[shares][];
        for (var i = 0; i < shares; i++)
        {
            result[i] = new byte[secret.Length];
        }
        var coefficients = new byte[threshold];
        try
        {
            for (var b = 0; b < secret.Length; b++)
            {
                coefficients[0] = secret[b];
                random(coefficients.AsSpan(1));
                for (var i = 0; i < shares; i++)
                {
                    result[i][b] = Evaluate(coefficients, (byte)(i + 1));
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(coefficients);
        }
        return result;
    }

    /// <summary>
    /// The secret from shares (x, y): Lagrange interpolation at 0. Every share must have a distinct non-zero x
    /// and the same length. With fewer shares than the threshold the result is a wrong value, not an error —
    /// callers check what they rebuilt (see <see cref="RecoveryShares"/>).
    /// </summary>
    public static byte[] Combine(IReadOnlyList<(byte X, byte[] Y)> shares)
    {
        ArgumentNullException.ThrowIfNull(shares);
        if (shares.Count == 0)
        {
            throw new ArgumentException("no shares", nameof(shares));
        }
        var length = shares[0].Y.Length;
        if (shares.Any(s => s.X == 0 || s.Y.Length != length) || shares.Select(s => s.X).Distinct().Count() != shares.Count)
        {
            throw new ArgumentException("shares need distinct non-zero x and equal lengths", nameof(shares));
        }
        // Lagrange basis at 0: l_j(0) = prod_{m != j} x_m / (x_m - x_j); subtraction is XOR in GF(2^8).
        var basis = new byte[shares.Count];
        for (var j = 0; j < shares.Count; j++)
        {
            byte l = 1;
            for (var m = 0; m < shares.Count; m++)
            {
                if (m != j)
                {
                    l = Gf256.Mul(l, Gf256.Div(shares[m].X, Gf256.Add(shares[m].X, shares[j].X)));
                }
            }
            basis[j] = l;
        }
        var secret = new byte[length];
        for (var b = 0; b < length; b++)
        {
            byte value = 0;
            for (var j = 0; j < shares.Count; j++)
            {
                value ^= Gf256.Mul(basis[j], shares[j].Y[b]);
            }
            secret[b] = value;
        }
        return secret;
    }

    /// <summary>The polynomial with these coefficients (constant term first) at <paramref name="x"/>, by Horner's rule.</summary>
    internal static byte Evaluate(ReadOnlySpan<byte> coefficients, byte x)
    {
        byte y = 0;
        for (var k = coefficients.Length - 1; k >= 0; k--)
        {
            y = Gf256.Add(Gf256.Mul(y, x), coefficients[k]);
        }
        return y;
    }
}
