using System.Globalization;
using System.Security.Cryptography;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Backup;

/// <summary>Splitting the recovery secret for a ceremony, and rebuilding it from shares with every check a restore needs.</summary>
public static class RecoveryShares
{
    public const int MaxCustodians = 64;

    /// <summary>The shares of a new ceremony (one per custodian, index = position + 1) and the ceremony's public record.</summary>
    public static (RecoveryCeremony Ceremony, IReadOnlyList<RecoveryShare> Shares) Create(ReadOnlySpan<byte> secret, RecoveryKind kind, int threshold,
        IReadOnlyList<string> custodians, int backupKeyVersion, string backupKeyId, string kekId, DateTimeOffset now)
    {
        var id = RecoveryCeremony.NewId();
        var values = Shamir.Split(secret, threshold, custodians.Count);
        var shares = custodians.Select((c, i) => new RecoveryShare(id, threshold, custodians.Count, i + 1, kind, c, values[i])).ToList();
        var ceremony = new RecoveryCeremony
        {
            Id = id,
            CreatedAt = now,
            Threshold = threshold,
            Custodians = custodians,
            Kind = kind,
            BackupKeyVersion = backupKeyVersion,
            BackupKeyId = backupKeyId,
            KekId = kekId,
            ShareChecks = shares.ToDictionary(s => s.Index.ToString(CultureInfo.InvariantCulture), s => s.Check),
        };
        return (ceremony, shares);
    }

    /// <summary>
    /// Rebuilds the secret of <paramref name="ceremony"/> (as recorded in a bundle or in the store). Refuses, each with
    /// its own error and before combining anything: a share of another ceremony (<c>share_ceremony_mismatch</c>), a
    /// share that is not the one the ceremony issued at its index or two different shares at one index
    /// (<c>share_invalid</c>), and fewer distinct shares than the threshold (<c>shares_insufficient</c>).
    /// </summary>
    public static byte[] Recover(IReadOnlyList<RecoveryShare> shares, RecoveryCeremony ceremony)
    {
        var byIndex = new Dictionary<int, RecoveryShare>();
        foreach (var s in shares)
        {
            if (s.CeremonyId != ceremony.Id)
            {
                throw new KeyBridgeException(KeyBridgeError.ShareCeremonyMismatch,
                    $"{s} belongs to recovery ceremony {s.CeremonyId}, not to ceremony {ceremony.Id} of this bundle");
            }
            var expected = ceremony.ShareChecks.GetValueOrDefault(s.Index.ToString(CultureInfo.InvariantCulture));
            if (s.Threshold != ceremony.Threshold || s.Total != ceremony.Shares || s.Kind != ceremony.Kind || expected is null
                || !CryptographicOperations.FixedTimeEquals(Convert.FromHexString(expected), Convert.FromHexString(s.Check)))
            {
                throw new KeyBridgeException(KeyBridgeError.ShareInvalid,
                    $"{s} is not the share ceremony {ceremony.Id} issued at index {s.Index}: it was altered");
            }
            if (byIndex.TryGetValue(s.Index, out var seen) && !seen.Value.AsSpan().SequenceEqual(s.Value))
            {
                throw new KeyBridgeException(KeyBridgeError.ShareInvalid, $"two different shares were given for index {s.Index}");
            }
            byIndex[s.Index] = s;
        }
        if (byIndex.Count < ceremony.Threshold)
        {
            throw new KeyBridgeException(KeyBridgeError.SharesInsufficient,
                $"ceremony {ceremony.Id} needs {ceremony.Threshold} of its {ceremony.Shares} shares; {byIndex.Count} distinct share(s) were given");
        }
        // Exactly threshold shares: more add nothing (they all lie on the same polynomial, as their checks confirm).
        var used = byIndex.Values.OrderBy(s => s.Index).Take(ceremony.Threshold).Select(s => ((byte)s.Index, s.Value)).ToList();
        var secret = Shamir.Combine(used);
        var expectedLength = ceremony.Kind == RecoveryKind.BackupKeyAndKek ? 64 : 32;
        if (secret.Length != expectedLength || RecoveryCeremony.KeyIdOf(secret.AsSpan(0, 32)) != ceremony.BackupKeyId)
        {
            CryptographicOperations.ZeroMemory(secret);
            throw new KeyBridgeException(KeyBridgeError.ShareInvalid, $"the shares do not rebuild the backup key of ceremony {ceremony.Id}");
        }
        return secret;
    }
}
