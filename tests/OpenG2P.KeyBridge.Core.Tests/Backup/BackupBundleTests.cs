using System.Security.Cryptography;
using System.Text.Json;
using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Auth;
using OpenG2P.KeyBridge.Backup;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Core.Tests.Backup;

/// <summary>The bundle file: a faithful round trip, a readable header, and every change to any byte refused.</summary>
public sealed class BackupBundleTests
{
    private static readonly DateTimeOffset T = new(2026, 3, 1, 12, 0, 0, 123, TimeSpan.Zero);

    private static StoreSnapshot Snapshot() => new()
    {
        Keys =
        [
            new KeyRecord
            {
                Name = "registry-pii", Type = KeyType.Aes256Gcm, CreatedAt = T, UpdatedAt = T.AddDays(1),
                Policy = new KeyPolicy { RotationPeriod = TimeSpan.FromDays(30), DeletionAllowed = true, MinDecryptionVersion = 2, RequiredContext = ["model", "field"] },
                Versions =
                [
                    new KeyVersionRecord { Version = 1, State = VersionState.Destroyed, CreatedAt = T, KekId = "software:aa", DestroyedAt = T.AddHours(1) },
                    new KeyVersionRecord { Version = 2, State = VersionState.Revoked, CreatedAt = T, KekId = "software:aa", WrappedMaterial = [1, 2, 3], RevokedAt = T, DestroyAt = T.AddDays(7) },
                    new KeyVersionRecord { Version = 3, State = VersionState.Active, CreatedAt = T, KekId = "software:aa", WrappedMaterial = [4, 5, 6] },
                ],
            },
            new KeyRecord
            {
                Name = "voucher-signing", Type = KeyType.Ed25519, CreatedAt = T, UpdatedAt = T, DeleteAt = T.AddDays(3),
                Policy = new KeyPolicy { SigningAlgorithm = SignatureAlgorithm.EdDSA },
                Versions =
                [
                    new KeyVersionRecord
                    {
                        Version = 1, State = VersionState.Active, CreatedAt = T, KekId = "software:aa", WrappedMaterial = [7], PublicMaterial = [8, 9],
                        Certificate = new VersionCertificate([0x30, 1], [[0x30, 2], [0x30, 3]], T),
                    },
                ],
            },
        ],
        Clients = [new ClientRecord { ClientId = "admin", SecretHash = "pbkdf2$x", Roles = ["admin"], Keys = ["registry-*"], CreatedAt = T, UpdatedAt = T, TokensValidAfter = T }],
        Settings = [new StoreSetting("recovery.ceremony", "{}")],
        AuditHead = new AuditHead(42, "ab12"),
        Ledgers = [new LedgerPointer("vouchers", 1000)],
    };

    private static BackupHeader Header(StoreSnapshot s) => new()
    {
        BundleId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
        CreatedAt = T,
        KeybridgeVersion = "test",
        Source = new BackupSource("sqlite", "software:aa"),
        Recovery = new RecoveryCeremony
        {
            Id = RecoveryCeremony.NewId(), CreatedAt = T, Threshold = 2, Custodians = ["a", "b"], Kind = RecoveryKind.BackupKeyAndKek,
            BackupKeyVersion = 1, BackupKeyId = "00", KekId = "software:aa", ShareChecks = new Dictionary<string, string> { ["1"] = "x", ["2"] = "y" },
        },
        Manifest = new BackupManifest { Sections = [], Keys = s.Keys.Count, Versions = s.VersionCount, Clients = s.Clients.Count, AuditHead = s.AuditHead },
    };

    [Fact]
    public void A_bundle_opens_to_exactly_the_snapshot_it_was_made_from()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var snapshot = Snapshot();

        var bundle = BackupBundle.Write(Header(snapshot), BackupSections.FromSnapshot(snapshot), key);
        var (header, sections) = BackupBundle.Open(bundle, key);
        var back = BackupSections.ToSnapshot(sections);

        Assert.Equal(Describe(snapshot), Describe(back));
        Assert.Equal(["keys", "clients", "settings", "audit", "ledgers"], header.Manifest.Sections.Select(x => x.Name));
        Assert.Equal([2, 1, 1, 1, 1], header.Manifest.Sections.Select(x => x.Count));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(sections["keys"])), header.Manifest.Sections[0].Sha256);
    }

    [Fact]
    public void The_header_is_readable_without_the_key_and_holds_no_key_material()
    {
        var snapshot = Snapshot();
        var bundle = BackupBundle.Write(Header(snapshot), BackupSections.FromSnapshot(snapshot), RandomNumberGenerator.GetBytes(32));

        var header = BackupBundle.ReadHeader(bundle);

        Assert.Equal((2, 4, 1, 42L), (header.Manifest.Keys, header.Manifest.Versions, header.Manifest.Clients, header.Manifest.AuditHead.Seq));
        Assert.DoesNotContain("registry-pii", System.Text.Encoding.UTF8.GetString(bundle));
    }

    [Fact]
    public void Changing_any_single_byte_makes_the_bundle_fail_to_open()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var snapshot = Snapshot();
        var bundle = BackupBundle.Write(Header(snapshot), BackupSections.FromSnapshot(snapshot), key);

        for (var i = 0; i < bundle.Length; i++)
        {
            var changed = (byte[])bundle.Clone();
            changed[i] ^= 0x01;
            var e = Assert.Throws<KeyBridgeException>(() => BackupBundle.Open(changed, key));
            Assert.True(e.Error == KeyBridgeError.BackupAuthenticationFailed || e.Error == KeyBridgeError.BackupMalformed, $"byte {i}: {e.Error.Name}");
        }
    }

    [Fact]
    public void Truncated_extended_foreign_and_wrongly_keyed_bundles_fail_with_their_own_errors()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var snapshot = Snapshot();
        var bundle = BackupBundle.Write(Header(snapshot), BackupSections.FromSnapshot(snapshot), key);

        Assert.Equal(KeyBridgeError.BackupMalformed, Assert.Throws<KeyBridgeException>(() => BackupBundle.Open(bundle[..^1], key)).Error);
        Assert.Equal(KeyBridgeError.BackupMalformed, Assert.Throws<KeyBridgeException>(() => BackupBundle.Open([.. bundle, 0], key)).Error);
        Assert.Equal(KeyBridgeError.BackupMalformed, Assert.Throws<KeyBridgeException>(() => BackupBundle.Open("not a bundle at all, really"u8, key)).Error);
        Assert.Equal(KeyBridgeError.BackupMalformed, Assert.Throws<KeyBridgeException>(() => BackupBundle.Open(bundle[..20], key)).Error);
        var wrong = Assert.Throws<KeyBridgeException>(() => BackupBundle.Open(bundle, RandomNumberGenerator.GetBytes(32)));
        Assert.Equal(KeyBridgeError.BackupAuthenticationFailed, wrong.Error);
    }

    private static string Describe(StoreSnapshot s) => JsonSerializer.Serialize(s);
}
