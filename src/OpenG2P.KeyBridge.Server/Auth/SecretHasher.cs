using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenG2P.KeyBridge.Crypto;

namespace OpenG2P.KeyBridge.Server.Auth;

/// <summary>Client secrets are stored as PBKDF2-SHA256 hashes: <c>pbkdf2-sha256$iterations$salt$hash</c>.</summary>
public static class SecretHasher
{
    private const int Iterations = 100_000;

    public static string NewSecret() => Base64Url.Encode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256${Iterations}${Base64Url.Encode(salt)}${Base64Url.Encode(hash)}";
    }

    public static bool Verify(string secret, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != "pbkdf2-sha256"
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 1
            || !Base64Url.TryDecodeCanonical(parts[2], out var salt) || !Base64Url.TryDecodeCanonical(parts[3], out var expected))
        {
            return false;
        }
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
