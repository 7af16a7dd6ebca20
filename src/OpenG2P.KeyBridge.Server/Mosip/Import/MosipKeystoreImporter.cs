using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenG2P.KeyBridge.Certificates;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Mosip;
using OpenG2P.KeyBridge.Signing;
using OpenG2P.KeyBridge.Storage;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;

namespace OpenG2P.KeyBridge.Server.Mosip.Import;

/// <summary>A key version made from a MOSIP key.</summary>
public sealed record ImportedKey(string ApplicationId, string ReferenceId, string Alias, string Key, int Version, string Thumbprint, string? KeyId);

/// <summary>A <c>key_alias</c> row that was not imported, and why.</summary>
public sealed record SkippedKey(string ApplicationId, string ReferenceId, string Alias, string Reason);

public sealed record ImportResult(IReadOnlyList<ImportedKey> Imported, IReadOnlyList<SkippedKey> Skipped);

/// <summary>
/// Brings a MOSIP keymanager's RSA keys into KeyBridge: the private keys of its PKCS12 keystore (master keys, KERNEL/SIGN,
/// ROOT) and the base keys its <c>key_store</c> table holds wrapped by a master key
/// (<c>RSA-OAEP(master, aes) ‖ "#KEY_SPLITTER#" ‖ GCM(PKCS#8) ‖ IV</c>). Each becomes a version of the id's key
/// (<see cref="MosipKeyMap.ImportName"/>, or the bound key for a signing id bound to an RSA key), in generation order,
/// KEK-wrapped like any other, with its certificate attached and its thumbprint and kid recorded. Rows already imported
/// are skipped, so running the import again is safe.
/// </summary>
public sealed class MosipKeystoreImporter(KeyManager keys, IMosipKeyStore index, MosipKeyMap map, TimeProvider time)
{
    public async Task<ImportResult> ImportAsync(byte[] pkcs12, string password, IReadOnlyList<KeyAliasRow> aliases, IReadOnlyList<KeyStoreRow> stores,
        Action<string> authorize, CancellationToken ct = default)
    {
        var keystore = Load(pkcs12, password);
        var byId = stores.GroupBy(s => s.Id, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase);
        var imported = new List<ImportedKey>();
        var skipped = new List<SkippedKey>();
        foreach (var row in aliases.OrderBy(a => a.GeneratedAt).ThenBy(a => a.Id, StringComparer.Ordinal))
        {
            var id = new MosipId(row.ApplicationId.Trim(), row.ReferenceId);
            byte[]? pkcs8 = null;
            try
            {
                var (privateKey, certificate, chain) = Resolve(row, keystore, byId);
                pkcs8 = privateKey;
                imported.Add(await ImportOneAsync(row, id, pkcs8, certificate, chain, authorize, ct));
            }
            catch (SkipException e)
            {
                skipped.Add(new SkippedKey(id.ApplicationId, id.ReferenceId, row.Id, e.Message));
            }
            finally
            {
                if (pkcs8 is not null)
                {
                    CryptographicOperations.ZeroMemory(pkcs8);
                }
            }
        }
        return new ImportResult(imported, skipped);
    }

    private async Task<ImportedKey> ImportOneAsync(KeyAliasRow row, MosipId id, byte[] pkcs8, byte[] certificate, IReadOnlyList<byte[]> chain,
        Action<string> authorize, CancellationToken ct)
    {
        var thumbprint = SHA256.HashData(certificate);
        if (await index.FindMosipKeyByThumbprintAsync(thumbprint, ct) is { } known)
        {
            throw new SkipException($"already imported as version {known.Version} of key '{known.KeyName}'");
        }
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        }
        catch (CryptographicException)
        {
            throw new SkipException("the private key is not an RSA key");
        }
        using (var cert = X509CertificateLoader.LoadCertificate(certificate))
        using (var certKey = cert.GetRSAPublicKey())
        {
            if (certKey is null || !certKey.ExportParameters(false).Modulus.AsSpan().SequenceEqual(rsa.ExportParameters(false).Modulus))
            {
                throw new SkipException("the certificate does not carry this private key's public key");
            }
        }
        var type = rsa.KeySize switch
        {
            2048 => KeyType.Rsa2048,
            3072 => KeyType.Rsa3072,
            4096 => KeyType.Rsa4096,
            _ => throw new SkipException($"RSA-{rsa.KeySize} keys are not supported"),
        };
        var bound = map.Find(id);
        var name = bound is not null && MosipKeyMap.IsSigningId(id) && bound.Type.IsRsa() ? bound.KeyName : MosipKeyMap.ImportName(id);
        authorize(name);
        KeyVersionRecord version;
        try
        {
            (_, version) = await keys.ImportVersionAsync(name, type, pkcs8, rsa.ExportSubjectPublicKeyInfo(), ct);
        }
        catch (KeyBridgeException e) when (e.Error == KeyBridgeError.UnsupportedOperation)
        {
            throw new SkipException(e.Message);
        }
        var now = time.GetUtcNow();
        var kid = row.UniqueIdentifier is { } u && u.Length % 2 == 0 && u.All(Uri.IsHexDigit) ? MosipKeyIds.FromUniqueIdentifier(u) : null;
        await index.AddMosipKeyAsync(new MosipKeyRecord
        {
            Thumbprint = thumbprint,
            KeyName = name,
            Version = version.Version,
            ApplicationId = id.ApplicationId,
            ReferenceId = id.ReferenceId,
            Alias = row.Id,
            UniqueIdentifier = row.UniqueIdentifier,
            KeyId = kid,
            GeneratedAt = row.GeneratedAt,
            ExpiresAt = row.ExpiresAt,
            ImportedAt = now,
        }, ct);
        // Attached after the index row, so the change it signals rebuilds the JWKS with the MOSIP kid already known.
        await keys.AttachCertificateAsync(name, version.Version, new VersionCertificate(certificate, chain, now), ct);
        return new ImportedKey(id.ApplicationId, id.ReferenceId, row.Id, name, version.Version, Convert.ToHexString(thumbprint), kid);
    }

    /// <summary>The alias's PKCS#8 private key, certificate and issuer chain: from the keystore, or unwrapped from <c>key_store</c> with its master key.</summary>
    private static (byte[] Pkcs8, byte[] Certificate, IReadOnlyList<byte[]> Chain) Resolve(KeyAliasRow row, Dictionary<string, KeystoreEntry> keystore,
        Dictionary<string, KeyStoreRow> stores)
    {
        if (keystore.TryGetValue(row.Id, out var entry))
        {
            return (entry.Pkcs8(), entry.Chain[0], entry.Chain.Skip(1).ToList());
        }
        if (!stores.TryGetValue(row.Id, out var stored))
        {
            throw new SkipException("neither the keystore nor key_store holds this alias");
        }
        if (stored.PrivateKey.Trim() is "" or "NA")
        {
            throw new SkipException("key_store holds only a certificate for this alias (another domain's key): nothing to decrypt with");
        }
        if (string.Equals(stored.MasterKey, stored.Id, StringComparison.OrdinalIgnoreCase) || !keystore.TryGetValue(stored.MasterKey, out var master))
        {
            throw new SkipException($"its master key '{stored.MasterKey}' is not in the keystore");
        }
        byte[] certificate;
        try
        {
            certificate = stored.CertificateData is { } pem ? CertificatePem.ReadAll(pem)[0] : throw new SkipException("key_store has no certificate for this alias");
        }
        catch (KeyBridgeException e)
        {
            throw new SkipException("key_store.certificate_data: " + e.Message);
        }
        return (Unwrap(stored.PrivateKey, master), certificate, []);
    }

    /// <summary>MOSIP's <c>KeymanagerUtil.encryptKey</c> layout: the wrapped AES key, the splitter, then AES-GCM(PKCS#8) with its 16-byte IV at the end.</summary>
    private static byte[] Unwrap(string wrapped, KeystoreEntry master)
    {
        if (!MosipBase64.TryDecode(wrapped, out var bytes))
        {
            throw new SkipException("key_store.private_key is not base64");
        }
        var split = bytes.AsSpan().IndexOf(MosipCiphertext.KeySplitter);
        if (split <= 0)
        {
            throw new SkipException("key_store.private_key has no '#KEY_SPLITTER#'");
        }
        var masterPkcs8 = master.Pkcs8();
        byte[] aesKey;
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(masterPkcs8, out _);
            aesKey = rsa.Decrypt(bytes.AsSpan(0, split), RSAEncryptionPadding.OaepSHA256);
        }
        catch (CryptographicException)
        {
            throw new SkipException("key_store.private_key does not decrypt with its master key");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(masterPkcs8);
        }
        try
        {
            var data = new MosipCiphertext.Parsed(false, [], [], bytes[(split + MosipCiphertext.KeySplitter.Length)..]);
            return MosipCiphertext.DecryptData(data, aesKey, [], []);
        }
        catch (KeyBridgeException)
        {
            throw new SkipException("key_store.private_key does not authenticate under its master key");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(aesKey);
        }
    }

    private static Dictionary<string, KeystoreEntry> Load(byte[] pkcs12, string password)
    {
        var store = new Pkcs12StoreBuilder().Build();
        try
        {
            using var stream = new MemoryStream(pkcs12, writable: false);
            store.Load(stream, password.ToCharArray());
        }
        catch (Exception e) when (e is IOException or Org.BouncyCastle.Security.GeneralSecurityException or Org.BouncyCastle.Crypto.CryptoException
            or ArgumentException or InvalidOperationException or Org.BouncyCastle.Asn1.Asn1Exception)
        {
            throw new KeyBridgeException(KeyBridgeError.KeystoreUnreadable, "the keystore cannot be read: not a PKCS12 file, or the password is wrong");
        }
        var entries = new Dictionary<string, KeystoreEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var alias in store.Aliases)
        {
            if (!store.IsKeyEntry(alias) || store.GetKey(alias)?.Key is not RsaPrivateCrtKeyParameters key)
            {
                continue; // symmetric keys, EC keys and certificate-only entries are not imported
            }
            var chain = store.GetCertificateChain(alias)?.Select(c => c.Certificate.GetEncoded()).ToList();
            if (chain is not { Count: > 0 })
            {
                continue;
            }
            entries[alias] = new KeystoreEntry(key, chain);
        }
        return entries;
    }

    private sealed record KeystoreEntry(RsaPrivateCrtKeyParameters Key, IReadOnlyList<byte[]> Chain)
    {
        public byte[] Pkcs8() => PrivateKeyInfoFactory.CreatePrivateKeyInfo(Key).GetDerEncoded();
    }

    private sealed class SkipException(string reason) : Exception(reason);
}
