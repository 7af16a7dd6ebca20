using System.Security.Cryptography;
using OpenG2P.KeyBridge.Backup;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Core.Tests.Backup;

/// <summary>Shares as custodians hold them: labelled, checked, bound to one ceremony, useless below the threshold.</summary>
public sealed class RecoverySharesTests
{
    private static readonly string[] Custodians = ["Amina (finance)", "Bo", "Chidi", "Dana", "Émile"];

    private static (RecoveryCeremony Ceremony, IReadOnlyList<RecoveryShare> Shares, byte[] Secret) NewCeremony(int threshold = 3)
    {
        var backupKey = RandomNumberGenerator.GetBytes(32);
        var secret = RecoveryCeremony.SecretOf(backupKey, RandomNumberGenerator.GetBytes(32));
        var (ceremony, shares) = RecoveryShares.Create(secret, RecoveryKind.BackupKeyAndKek, threshold, Custodians, 1,
            RecoveryCeremony.KeyIdOf(backupKey), "software:test", DateTimeOffset.UtcNow);
        return (ceremony, shares, secret);
    }

    [Fact]
    public void Any_threshold_shares_rebuild_the_secret_through_their_text_form()
    {
        var (ceremony, shares, secret) = NewCeremony();
        var texts = shares.Select(s => s.Encode()).ToList();

        foreach (var subset in ShamirTests.Subsets(5, 3).Concat(ShamirTests.Subsets(5, 4)).Concat(ShamirTests.Subsets(5, 5)))
        {
            var parsed = subset.Select(i => RecoveryShare.Parse($"# a share file\n{texts[i]}\n", $"share {i}")).ToList();
            Assert.Equal(secret, RecoveryShares.Recover(parsed, ceremony));
        }
        var second = RecoveryShare.Parse(texts[1], "s");
        Assert.Equal(("Bo", 2, 5, 3, RecoveryKind.BackupKeyAndKek, ceremony.Id), (second.Custodian, second.Index, second.Total, second.Threshold, second.Kind, second.CeremonyId));
    }

    [Fact]
    public void Fewer_shares_than_the_threshold_are_refused_even_when_one_is_repeated()
    {
        var (ceremony, shares, _) = NewCeremony();

        var e = Assert.Throws<KeyBridgeException>(() => RecoveryShares.Recover([shares[0], shares[3]], ceremony));
        Assert.Equal(KeyBridgeError.SharesInsufficient, e.Error);
        Assert.Contains("needs 3", e.Message);
        Assert.Equal(KeyBridgeError.SharesInsufficient,
            Assert.Throws<KeyBridgeException>(() => RecoveryShares.Recover([shares[0], shares[3], shares[0]], ceremony)).Error);
    }

    [Fact]
    public void A_share_of_another_ceremony_is_refused_by_name()
    {
        var (ceremony, shares, _) = NewCeremony();
        var (_, otherShares, _) = NewCeremony();

        var e = Assert.Throws<KeyBridgeException>(() => RecoveryShares.Recover([shares[0], shares[1], otherShares[2]], ceremony));

        Assert.Equal(KeyBridgeError.ShareCeremonyMismatch, e.Error);
        Assert.Contains(ceremony.Id, e.Message);
    }

    [Fact]
    public void A_mistyped_or_truncated_share_is_refused_before_anything_is_combined()
    {
        var text = NewCeremony().Shares[0].Encode();
        var i = text.Length / 2;
        var typo = text[..i] + (text[i] == 'A' ? 'B' : 'A') + text[(i + 1)..];

        Assert.Equal(KeyBridgeError.ShareInvalid, Assert.Throws<KeyBridgeException>(() => RecoveryShare.Parse(typo, "s")).Error);
        Assert.Equal(KeyBridgeError.ShareInvalid, Assert.Throws<KeyBridgeException>(() => RecoveryShare.Parse(text[..^6], "s")).Error);
        Assert.Equal(KeyBridgeError.ShareInvalid, Assert.Throws<KeyBridgeException>(() => RecoveryShare.Parse("hello", "s")).Error);
        Assert.Equal(KeyBridgeError.ShareInvalid, Assert.Throws<KeyBridgeException>(() => RecoveryShare.Parse(text + "\n" + text, "s")).Error);
    }

    [Fact]
    public void A_share_altered_with_recomputed_check_digits_is_recognised_by_the_ceremony_record()
    {
        var (ceremony, shares, _) = NewCeremony();
        var forged = shares[1] with { Value = RandomNumberGenerator.GetBytes(64) };
        var reparsed = RecoveryShare.Parse(forged.Encode(), "forged");

        var e = Assert.Throws<KeyBridgeException>(() => RecoveryShares.Recover([shares[0], reparsed, shares[2]], ceremony));

        Assert.Equal(KeyBridgeError.ShareInvalid, e.Error);
        Assert.Contains("share 2 of 5 (Bo)", e.Message);
    }

    [Fact]
    public void The_text_form_is_prefix_and_canonical_base64url()
    {
        var text = NewCeremony().Shares[4].Encode();

        Assert.StartsWith(RecoveryShare.Prefix, text);
        Assert.True(Base64Url.TryDecodeCanonical(text.AsSpan(RecoveryShare.Prefix.Length), out _));
        Assert.Equal("Émile", RecoveryShare.Parse(text, "s").Custodian);
    }
}
