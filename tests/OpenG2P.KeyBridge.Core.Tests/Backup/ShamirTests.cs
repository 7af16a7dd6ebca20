using System.Security.Cryptography;
using OpenG2P.KeyBridge.Backup;

namespace OpenG2P.KeyBridge.Core.Tests.Backup;

/// <summary>
/// Shamir over GF(256): published known-answer vectors, every threshold-subset of shares rebuilds the secret, smaller
/// subsets do not, and fewer shares than the threshold leave every candidate secret exactly as likely (exhaustively).
/// </summary>
public sealed class ShamirTests
{
    /// <summary>
    /// Vectors TV011B_1…6 (polynomial 0x11B, shares at x = 1..n) as published with BouncyCastle's ShamirSecretSplitterTest:
    /// secret, the random coefficients in the order they are drawn (a1, a2, … for each secret byte in turn), threshold, shares.
    /// </summary>
    public static TheoryData<string, string, int, string[]> Vectors => new()
    {
        { "7465737400", "A87B3491B5", 2, ["DC1E47E5B5", "3F931B4D71"] },
        { "53414D5443", "395D396C87", 2, ["6A1C7438C4", "21FB3F8C56", "18A606E0D1", "B72EA9FF69"] },
        { "53414D5443", "273A1A28AB9979BC0637", 3, ["4E737F9172", "F5D5526093", "E8E760A5A2", "429F849E06"] },
        { "53414D5443", "1A224C1EE9760A73A09D0577443467", 4, ["27C094BB54", "B969F9F40E", "7EC7CD3250", "ABAF81828D"] },
        { "546573742044617461", "7FB4E8581EB75DC945", 2,
            ["2BD19B2C3EF33CBD24", "AA16B8C41C31DBFDEB", "D5A2509C02868634AE", "B383FE0F58AE0E7D6E", "CC371657461953B42B",
             "4DF035BF64DBB4F4E4", "3244DDE77A6CE93DA1", "81B27282D08BBF667F", "FE069ADACE3CE2AF3A"] },
        { "0102030405060708090A0B0C0D0E0F", "EC96740540B3E1FC9A914F6E5F7CCA51DB723202C9B881004F66A2807197", 3,
            ["7B73F0190E272493A03A7A8D242CE9", "ACFE7900583B52D877665415106787", "D68F8A1D531A7143DE562594394561",
             "3F99DDF4889BE16A29E2773E106863", "45E82EE983BAC2F180D206BF394A85"] },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Known_answer_vectors_split_and_combine(string secretHex, string randomHex, int threshold, string[] sharesHex)
    {
        var secret = Convert.FromHexString(secretHex);
        var random = new Queue<byte>(Convert.FromHexString(randomHex));

        var shares = Shamir.Split(secret, threshold, sharesHex.Length, span =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = random.Dequeue();
            }
        });

        Assert.Empty(random);
        Assert.Equal(sharesHex, shares.Select(Convert.ToHexString));
        foreach (var subset in Subsets(sharesHex.Length, threshold))
        {
            Assert.Equal(secret, Shamir.Combine(subset.Select(i => ((byte)(i + 1), Convert.FromHexString(sharesHex[i]))).ToList()));
        }
    }

    [Fact]
    public void Every_subset_of_at_least_threshold_shares_rebuilds_the_secret_and_every_smaller_one_does_not()
    {
        for (var n = 2; n <= 7; n++)
        {
            for (var m = 2; m <= n; m++)
            {
                var secret = RandomNumberGenerator.GetBytes(64);
                var shares = Shamir.Split(secret, m, n);
                for (var size = 1; size <= n; size++)
                {
                    foreach (var subset in Subsets(n, size))
                    {
                        var rebuilt = Shamir.Combine(subset.Select(i => ((byte)(i + 1), shares[i])).ToList());
                        // Below the threshold a match has probability 2^-512: it would mean the shares leak the secret.
                        Assert.True(size >= m == rebuilt.AsSpan().SequenceEqual(secret), $"n={n} m={m} subset={string.Join(",", subset)}");
                    }
                }
            }
        }
    }

    /// <summary>Candidate secrets for the secrecy tests: both ends, single bits and arbitrary values.</summary>
    private static readonly byte[] Candidates = [0x00, 0x01, 0x02, 0x53, 0x80, 0xAA, 0xCA, 0xFF];

    [Fact]
    public void One_share_of_a_two_of_n_split_is_equally_consistent_with_every_secret()
    {
        // For every candidate secret s and every x, a1 -> s + a1·x hits each share value exactly once: whatever share a
        // custodian holds, exactly one coefficient explains it for each secret, so the share says nothing about the secret.
        var poly = new byte[2];
        foreach (var s in Candidates)
        {
            for (var x = 1; x < 256; x++)
            {
                var seen = new int[256];
                for (var a1 = 0; a1 < 256; a1++)
                {
                    (poly[0], poly[1]) = (s, (byte)a1);
                    seen[Shamir.Evaluate(poly, (byte)x)]++;
                }
                Assert.Equal(-1, Array.FindIndex(seen, count => count != 1));
            }
        }
    }

    [Fact]
    public void Two_shares_of_a_three_of_n_split_are_equally_consistent_with_every_secret()
    {
        // Exhaustively over the coefficients: for each candidate secret, (a1, a2) -> (share at x1, share at x2) is a bijection
        // onto all 65,536 pairs, so every pair of shares is explained by exactly one polynomial for every secret.
        var poly = new byte[3];
        foreach (var (x1, x2) in new (byte, byte)[] { (1, 2), (3, 200), (254, 255) })
        {
            foreach (var s in Candidates)
            {
                var seen = new byte[256 * 256];
                for (var a1 = 0; a1 < 256; a1++)
                {
                    for (var a2 = 0; a2 < 256; a2++)
                    {
                        (poly[0], poly[1], poly[2]) = (s, (byte)a1, (byte)a2);
                        seen[(Shamir.Evaluate(poly, x1) << 8) | Shamir.Evaluate(poly, x2)]++;
                    }
                }
                Assert.Equal(-1, Array.FindIndex(seen, count => count != 1));
            }
        }
    }

    [Fact]
    public void Bad_parameters_and_inconsistent_shares_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Shamir.Split([1, 2], 1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Shamir.Split([1, 2], 4, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Shamir.Split([1, 2], 2, 256));
        Assert.Throws<ArgumentException>(() => Shamir.Split([], 2, 3));
        var shares = Shamir.Split([1, 2, 3], 2, 3);
        Assert.Throws<ArgumentException>(() => Shamir.Combine([(1, shares[0]), (1, shares[0])]));
        Assert.Throws<ArgumentException>(() => Shamir.Combine([(0, shares[0]), (2, shares[1])]));
        Assert.Throws<ArgumentException>(() => Shamir.Combine([(1, shares[0]), (2, [1, 2])]));
    }

    internal static IEnumerable<int[]> Subsets(int n, int size)
    {
        for (var mask = 0; mask < 1 << n; mask++)
        {
            if (System.Numerics.BitOperations.PopCount((uint)mask) == size)
            {
                yield return Enumerable.Range(0, n).Where(i => (mask & (1 << i)) != 0).ToArray();
            }
        }
    }
}
