using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Signing;
using static OpenG2P.KeyBridge.Storage.Tests.TestData;

namespace OpenG2P.KeyBridge.Storage.Tests;

public abstract partial class KeyStoreContract
{
    [Fact]
    public async Task A_certificate_attaches_to_one_version_with_its_chain()
    {
        var name = Unique("cert");
        await Store.CreateKeyAsync(Key(name, type: KeyType.EcdsaP256), Material(publicMaterial: [1, 2, 3]));
        await Store.AddVersionAsync(name, _ => Material(publicMaterial: [4, 5, 6]));
        var (leaf, issuer, root) = (Certificate("leaf"), Certificate("issuer"), Certificate("root"));
        var attached = new VersionCertificate(leaf, [issuer, root], Now());

        var updated = await Store.AttachCertificateAsync(name, 2, attached);
        var read = (await Store.GetKeyAsync(name))!;

        Assert.Equal(Describe(updated), Describe(read));
        Assert.Null(read.Versions[0].Certificate);
        Assert.Equal(Describe(attached), Describe(read.Versions[1].Certificate!));
        Assert.Equal(Describe(attached), Describe((await Fixture.OtherNode.GetCertificateAsync(name, 2))!));
        Assert.Null(await Store.GetCertificateAsync(name, 1));
        Assert.Null(await Store.GetCertificateAsync(Unique("missing"), 1));
    }

    [Fact]
    public async Task Attaching_again_replaces_the_certificate_and_an_empty_chain_reads_back_empty()
    {
        var name = Unique("recert");
        await Store.CreateKeyAsync(Key(name, type: KeyType.Ed25519), Material(publicMaterial: [1]));
        await Store.AttachCertificateAsync(name, 1, new VersionCertificate(Certificate("first"), [Certificate("ca")], Now()));

        var second = new VersionCertificate(Certificate("second"), [], Now().AddSeconds(1));
        await Store.AttachCertificateAsync(name, 1, second);

        var read = (await Store.GetKeyAsync(name))!.Versions[0].Certificate!;
        Assert.Equal(Describe(second), Describe(read));
        Assert.Empty(read.Chain);
    }

    [Fact]
    public async Task Attaching_to_an_unknown_key_or_version_fails_with_its_error()
    {
        var name = Unique("nocert");
        await Store.CreateKeyAsync(Key(name, type: KeyType.EcdsaP256), Material(publicMaterial: [1]));
        var cert = new VersionCertificate(Certificate("x"), [], Now());

        await FailsWith(KeyBridgeError.VersionNotFound, () => Store.AttachCertificateAsync(name, 2, cert));
        await FailsWith(KeyBridgeError.KeyNotFound, () => Store.AttachCertificateAsync(Unique("missing"), 1, cert));
        Assert.Null((await Store.GetKeyAsync(name))!.Versions[0].Certificate);
    }

    [Fact]
    public async Task A_destroyed_version_keeps_its_certificate_and_listing_reads_certificates_too()
    {
        var prefix = Unique("certlist");
        var name = prefix + "-a";
        await Store.CreateKeyAsync(Key(name, type: KeyType.EcdsaP256), Material(publicMaterial: [1]));
        await Store.AddVersionAsync(name, _ => Material(publicMaterial: [2]));
        var cert = new VersionCertificate(Certificate("old"), [], Now());
        await Store.AttachCertificateAsync(name, 1, cert);

        await Store.SetVersionStateAsync(name, 1, VersionState.Destroyed);
        var listed = (await Store.ListKeysAsync(prefix, null, 10)).Single();

        Assert.Equal(Describe(cert), Describe(listed.Versions[0].Certificate!));
        Assert.Null(listed.Versions[0].WrappedMaterial);
        Assert.Null(listed.Versions[1].Certificate);
    }

    [Fact]
    public async Task The_signing_algorithm_of_a_key_is_stored_and_can_change()
    {
        var name = Unique("alg");
        await Store.CreateKeyAsync(Key(name, new KeyPolicy { SigningAlgorithm = SignatureAlgorithm.PS256 }, KeyType.Rsa2048), Material(publicMaterial: [1]));
        Assert.Equal(SignatureAlgorithm.PS256, (await Store.GetKeyAsync(name))!.Policy.SigningAlgorithm);

        await Store.UpdatePolicyAsync(name, new KeyPolicy { SigningAlgorithm = SignatureAlgorithm.RS256 });
        Assert.Equal(SignatureAlgorithm.RS256, (await Fixture.OtherNode.GetKeyAsync(name))!.Policy.SigningAlgorithm);
        await Store.UpdatePolicyAsync(name, new KeyPolicy());
        Assert.Null((await Store.GetKeyAsync(name))!.Policy.SigningAlgorithm);
    }

    /// <summary>A real DER certificate, so chains are split by their ASN.1 lengths as stored ones are.</summary>
    private static byte[] Certificate(string cn)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        return cert.RawData;
    }
}
