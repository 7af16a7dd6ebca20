using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Certificates;

/// <summary>
/// X.509 for signing keys: KeyBridge's own root CA (the internal signing key <see cref="RootKeyName"/>,
/// rotatable like any key, with a self-signed certificate per version), certificates it issues for key
/// versions, PKCS#10 requests for an external CA, and import of what that CA signs.
/// </summary>
public sealed class CertificateAuthority(KeyManager keys, SignerSource signers, TimeProvider time, CertificateSettings settings)
{
    public const string RootKeyName = KeyNames.InternalPrefix + "root-ca";

    /// <summary>Clock skew allowance: certificates are valid from a few minutes before they are made.</summary>
    private static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    /// <summary>Creates the root CA key if missing, and a self-signed certificate for its latest version if that has none (first start, or after a rotation).</summary>
    public async Task<KeyRecord> EnsureRootAsync(CancellationToken ct = default)
    {
        KeyRecord root;
        try
        {
            root = await keys.GetAsync(RootKeyName, ct).ConfigureAwait(false);
        }
        catch (KeyBridgeException e) when (e.Error == KeyBridgeError.KeyNotFound)
        {
            try
            {
                root = await keys.CreateAsync(RootKeyName, KeyType.EcdsaP256, new KeyPolicy(), ct).ConfigureAwait(false);
            }
            catch (KeyBridgeException again) when (again.Error == KeyBridgeError.KeyExists)
            {
                root = await keys.GetAsync(RootKeyName, ct).ConfigureAwait(false); // another node created it first
            }
        }
        var version = KeyRing.LatestForUse(root);
        if (version.Certificate is not null)
        {
            return root;
        }
        var subject = new X500DistinguishedName($"CN={settings.RootName} v{version.Version}");
        var request = Request(subject, root, version);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = time.GetUtcNow();
        byte[] der;
        using (var signer = signers.Acquire(root, version))
        {
            using var cert = request.Create(subject, new SignerSignatureGenerator(signer.Signer, SigningPublicKey.Of(root, version)),
                now - Backdate, now + settings.RootValidity, NewSerial());
            der = cert.RawData;
        }
        return await keys.AttachCertificateAsync(RootKeyName, version.Version, new VersionCertificate(der, [], now), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Issues a certificate from the root for a key version (default: the latest), with a positive random
    /// serial, digitalSignature + nonRepudiation key usage, not a CA, and a validity of two rotation periods
    /// (the version signs for one and its signatures are verified for about another) or the configured default,
    /// never past the root's own expiry. It replaces any certificate the version had.
    /// </summary>
    public async Task<IssuedCertificate> IssueAsync(string name, int? version, string? subject, TimeSpan? validity, CancellationToken ct = default)
    {
        var root = await EnsureRootAsync(ct).ConfigureAwait(false);
        var rootVersion = KeyRing.LatestForUse(root);
        var rootDer = rootVersion.Certificate!.Certificate;
        using var rootCert = X509CertificateLoader.LoadCertificate(rootDer);

        var key = await keys.GetAsync(name, ct).ConfigureAwait(false);
        var v = UsableVersion(key, version);
        var request = Request(Subject(subject, key, v), key, v);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(rootCert, true, false));

        var now = time.GetUtcNow();
        var rootEnd = new DateTimeOffset(rootCert.NotAfter.ToUniversalTime());
        var remaining = rootEnd - now;
        if (remaining <= TimeSpan.Zero)
        {
            throw new KeyBridgeException(KeyBridgeError.CertificateExpired,
                $"the root CA certificate has expired; rotate '{RootKeyName}' to get a new one");
        }
        // Compared before adding, so that a very long rotation period cannot overflow.
        var lifetime = validity ?? (key.Policy.RotationPeriod is { } r ? (r >= remaining / 2 ? remaining : 2 * r) : settings.DefaultValidity);
        var notAfter = lifetime >= remaining ? rootEnd : now + lifetime;
        byte[] der;
        using (var signer = signers.Acquire(root, rootVersion))
        {
            using var cert = request.Create(rootCert.SubjectName, new SignerSignatureGenerator(signer.Signer, SigningPublicKey.Of(root, rootVersion)),
                now - Backdate, notAfter, NewSerial());
            der = cert.RawData;
        }
        await keys.AttachCertificateAsync(key.Name, v.Version, new VersionCertificate(der, [rootDer], now), ct).ConfigureAwait(false);
        return new IssuedCertificate(key.Name, v.Version, der, [rootDer]);
    }

    /// <summary>A PKCS#10 request (DER) for a key version, signed by that version's own key, for an external CA.</summary>
    public async Task<(string Key, int Version, byte[] Request)> CreateCsrAsync(string name, int? version, string? subject, CancellationToken ct = default)
    {
        var key = await keys.GetAsync(name, ct).ConfigureAwait(false);
        var v = UsableVersion(key, version);
        var request = Request(Subject(subject, key, v), key, v);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        using var signer = signers.Acquire(key, v);
        return (key.Name, v.Version, request.CreateSigningRequest(new SignerSignatureGenerator(signer.Signer, SigningPublicKey.Of(key, v))));
    }

    /// <summary>
    /// Attaches a CA-signed certificate (PEM: the certificate, then optionally its chain) to a key version after
    /// checking that it carries exactly that version's public key (<c>certificate_mismatch</c> otherwise).
    /// </summary>
    public async Task<IssuedCertificate> ImportAsync(string name, int? version, string? pem, CancellationToken ct = default)
    {
        var certificates = CertificatePem.ReadAll(pem);
        var key = await keys.GetAsync(name, ct).ConfigureAwait(false);
        var v = UsableVersion(key, version);
        using (var leaf = X509CertificateLoader.LoadCertificate(certificates[0]))
        {
            if (!SamePublicKey(leaf.PublicKey, PublicKey.CreateFromSubjectPublicKeyInfo(SigningPublicKey.Of(key, v).SubjectPublicKeyInfo, out _)))
            {
                throw new KeyBridgeException(KeyBridgeError.CertificateMismatch,
                    $"the certificate's public key is not the public key of version {v.Version} of key '{key.Name}'");
            }
            if (leaf.NotAfter.ToUniversalTime() <= time.GetUtcNow().UtcDateTime)
            {
                throw new KeyBridgeException(KeyBridgeError.CertificateExpired, "the certificate has expired");
            }
        }
        var chain = certificates.Skip(1).ToList();
        await keys.AttachCertificateAsync(key.Name, v.Version, new VersionCertificate(certificates[0], chain, time.GetUtcNow()), ct).ConfigureAwait(false);
        return new IssuedCertificate(key.Name, v.Version, certificates[0], chain);
    }

    private static CertificateRequest Request(X500DistinguishedName subject, KeyRecord key, KeyVersionRecord version)
    {
        var publicKey = PublicKey.CreateFromSubjectPublicKeyInfo(SigningPublicKey.Of(key, version).SubjectPublicKeyInfo, out _);
        var request = new CertificateRequest(subject, publicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, false));
        return request;
    }

    private static KeyVersionRecord UsableVersion(KeyRecord key, int? version)
    {
        SignatureAlgorithms.RequireSigningKey(key, "certificates");
        return version is { } n ? KeyRing.ForDecryption(key, n) : KeyRing.LatestForUse(key);
    }

    private static X500DistinguishedName Subject(string? subject, KeyRecord key, KeyVersionRecord version)
    {
        if (subject is null)
        {
            return new X500DistinguishedName($"CN={KeyIds.Format(key.Name, version.Version)}");
        }
        try
        {
            var dn = new X500DistinguishedName(subject);
            if (dn.RawData.Length > 2)
            {
                return dn;
            }
        }
        catch (CryptographicException)
        {
        }
        throw new KeyBridgeException(KeyBridgeError.InvalidParams, "'subject' must be a distinguished name such as \"CN=Voucher signing, O=OpenG2P\"");
    }

    /// <summary>Same algorithm and same key bits (and curve, for EC). Encodings of absent-vs-NULL RSA parameters do not matter.</summary>
    private static bool SamePublicKey(PublicKey a, PublicKey b) =>
        a.Oid.Value == b.Oid.Value
        && a.EncodedKeyValue.RawData.AsSpan().SequenceEqual(b.EncodedKeyValue.RawData)
        && (a.Oid.Value != "1.2.840.10045.2.1" || (a.EncodedParameters?.RawData ?? []).AsSpan().SequenceEqual(b.EncodedParameters?.RawData ?? []));

    /// <summary>16 random bytes, top bit clear and first byte non-zero: a positive, minimally encoded serial (RFC 5280 §4.1.2.2).</summary>
    private static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        return serial;
    }
}
