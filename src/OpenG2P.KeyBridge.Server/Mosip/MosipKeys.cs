using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Certificates;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Mosip;
using OpenG2P.KeyBridge.Signing;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Mosip;

/// <summary>A certificate as <c>getAllCertificates</c> lists it, with the version it belongs to.</summary>
public sealed record MosipCertificate(string KeyName, int Version, byte[] Certificate, DateTimeOffset IssuedAt, DateTimeOffset ExpiryAt, string KeyId);

/// <summary>
/// MOSIP ids → KeyBridge keys for the <c>/v1/keymanager</c> endpoints: resolution through <see cref="MosipKeyMap"/>
/// (and keys a keystore import created), creation on first use as MOSIP does (signing keys with a certificate from
/// KeyBridge's root CA), certificate lists, and MOSIP-form kids (imported: MOSIP's own; new versions:
/// <see cref="MosipKeyIds.ForVersion"/>).
/// </summary>
public sealed class MosipKeys(MosipKeyMap map, KeyRing ring, KeyManager keys, CertificateAuthority ca, IMosipKeyStore imported, IOptions<MosipOptions> options,
    TimeProvider time)
{
    /// <summary>The configured (or built-in) binding, else the key a keystore import made for the id; null when neither.</summary>
    public async Task<MosipKeyBinding?> FindAsync(MosipId id, CancellationToken ct = default)
    {
        if (map.Find(id) is { } binding)
        {
            return binding;
        }
        var name = MosipKeyMap.ImportName(id);
        return await TryGetAsync(name, ct) is { } key ? new MosipKeyBinding(id, name, key.Type) : null;
    }

    /// <summary>The binding, or MOSIP's KER-KMS-002 (application unknown) / KER-KMS-010 (reference unknown).</summary>
    public async Task<MosipKeyBinding> RequireAsync(MosipId id, CancellationToken ct = default) =>
        await FindAsync(id, ct) ?? throw Unknown(id);

    /// <summary>The key that signs for an id; an empty or unknown application id falls back to KERNEL/SIGN, as MOSIP's jwtSign does.</summary>
    public async Task<MosipKeyBinding> ForSigningAsync(string? applicationId, string? referenceId, CancellationToken ct = default)
    {
        if (!string.IsNullOrWhiteSpace(applicationId))
        {
            var id = new MosipId(applicationId.Trim(), referenceId?.Trim() ?? "");
            if (await FindAsync(id, ct) is { } binding)
            {
                return binding;
            }
            if (map.KnowsApplication(id.ApplicationId))
            {
                throw new MosipException(MosipCodes.SigningNotAllowed, $"signing is not allowed for {id}: Mosip:KeyMap has no key for it", KeyBridgeError.KeyNotFound.Name);
            }
        }
        return map.Find(new MosipId(MosipKeyMap.SignApplicationId, MosipKeyMap.SignReferenceId))!;
    }

    /// <summary>
    /// The bound key, created on first use; signing keys' latest version gets a certificate when it has none, and is
    /// replaced by a new version when it ends within <c>Mosip:PreExpireDays</c> (MOSIP's key policy).
    /// </summary>
    public async Task<KeyRecord> GetOrCreateAsync(MosipKeyBinding binding, CancellationToken ct = default)
    {
        var key = await TryGetAsync(binding.KeyName, ct);
        if (key is null)
        {
            try
            {
                key = await keys.CreateAsync(binding.KeyName, binding.Type, new KeyPolicy(), ct);
            }
            catch (KeyBridgeException e) when (e.Error == KeyBridgeError.KeyExists)
            {
                key = await keys.GetAsync(binding.KeyName, ct); // another node created it first
            }
        }
        return await RenewIfExpiringAsync(await EnsureCertifiedAsync(key, null, ct), ct);
    }

    /// <summary>MOSIP's pre-expiry: a new (certified) version when the current one ends within the pre-expiry window.</summary>
    private async Task<KeyRecord> RenewIfExpiringAsync(KeyRecord key, CancellationToken ct)
    {
        if (!key.Type.IsSigningType() || key.LatestUsableVersion() is not { Certificate: { } certificate } latest)
        {
            return key;
        }
        var rows = await ImportedAsync(key.Name, ct);
        rows.TryGetValue(latest.Version, out var row);
        DateTimeOffset end;
        if (row?.ExpiresAt is { } expires)
        {
            end = expires;
        }
        else
        {
            using var cert = X509CertificateLoader.LoadCertificate(certificate.Certificate);
            end = new DateTimeOffset(cert.NotAfter.ToUniversalTime());
        }
        var now = time.GetUtcNow();
        // A version made within the last day is kept even if it ends soon (e.g. the root CA itself expires soon and caps its
        // certificate): renewing it again would not help and would rotate on every call.
        if (end - now > TimeSpan.FromDays(options.Value.PreExpireDays) || now - (row?.GeneratedAt ?? latest.CreatedAt) < TimeSpan.FromDays(1))
        {
            return key;
        }
        await keys.RotateAsync(key.Name, ct);
        return await EnsureCertifiedAsync(await keys.GetAsync(key.Name, ct), null, ct);
    }

    /// <summary>Signing keys: a certificate from the root CA for the latest version if it has none (after creation or rotation).</summary>
    public async Task<KeyRecord> EnsureCertifiedAsync(KeyRecord key, string? subject, CancellationToken ct = default)
    {
        if (!key.Type.IsSigningType() || key.LatestUsableVersion() is not { Certificate: null } latest)
        {
            return key;
        }
        await ca.IssueAsync(key.Name, latest.Version, subject, TimeSpan.FromDays(options.Value.CertificateValidityDays), ct);
        return await keys.GetAsync(key.Name, ct);
    }

    /// <summary>
    /// What <c>getAllCertificates</c> lists for an id, oldest first: every version that still verifies (not retired, revoked
    /// or destroyed) and has a certificate, of the bound key and of the id's imported key when that is another one.
    /// </summary>
    public async Task<List<MosipCertificate>> CertificatesAsync(MosipKeyBinding binding, CancellationToken ct = default)
    {
        var list = new List<MosipCertificate>();
        foreach (var name in KeyNamesOf(binding))
        {
            if (await TryGetAsync(name, ct) is not { } key || !key.Type.IsSigningType())
            {
                continue;
            }
            var rows = await ImportedAsync(name, ct);
            foreach (var v in key.Versions.Where(v => key.EffectiveState(v) == VersionState.Active && v.Certificate is not null))
            {
                rows.TryGetValue(v.Version, out var row);
                using var cert = X509CertificateLoader.LoadCertificate(v.Certificate!.Certificate);
                list.Add(new MosipCertificate(name, v.Version, v.Certificate.Certificate, row?.GeneratedAt ?? v.CreatedAt,
                    row?.ExpiresAt ?? new DateTimeOffset(cert.NotAfter.ToUniversalTime()), row?.KeyId ?? MosipKeyIds.ForVersion(name, v.Version)));
            }
        }
        return [.. list.OrderBy(c => c.IssuedAt).ThenBy(c => c.KeyName, StringComparer.Ordinal).ThenBy(c => c.Version)];
    }

    /// <summary>The MOSIP-form kid of each version of a key: MOSIP's own for imported versions.</summary>
    public async Task<Func<KeyVersionRecord, string>> KidsAsync(KeyRecord key, CancellationToken ct = default)
    {
        var rows = await ImportedAsync(key.Name, ct);
        return v => rows.TryGetValue(v.Version, out var row) && row.KeyId is { } kid ? kid : MosipKeyIds.ForVersion(key.Name, v.Version);
    }

    /// <summary>A MOSIP-form kid → the version it names: any imported MOSIP key, or a version of the id's keys.</summary>
    public async ValueTask<(string Key, int Version)?> ResolveKidAsync(string kid, MosipKeyBinding binding, CancellationToken ct = default)
    {
        if (await imported.FindMosipKeyByKeyIdAsync(kid, ct) is { } row)
        {
            return (row.KeyName, row.Version);
        }
        foreach (var name in KeyNamesOf(binding))
        {
            if (await TryGetAsync(name, ct) is { } key && key.Type.IsSigningType()
                && key.Versions.FirstOrDefault(v => MosipKeyIds.ForVersion(name, v.Version) == kid) is { } version)
            {
                return (name, version.Version);
            }
        }
        return null;
    }

    /// <summary>The id's imported RSA key, if an import made one (for ids whose bound key is an AES data key).</summary>
    public Task<KeyRecord?> ImportedKeyAsync(MosipId id, CancellationToken ct = default) => TryGetAsync(MosipKeyMap.ImportName(id), ct);

    public MosipException Unknown(MosipId id) =>
        map.KnowsApplication(id.ApplicationId)
            ? new MosipException(MosipCodes.ReferenceIdNotSupported,
                $"reference id '{id.ReferenceId}' is not configured for application id '{id.ApplicationId}' (Mosip:KeyMap)", KeyBridgeError.KeyNotFound.Name)
            : new MosipException(MosipCodes.ApplicationIdNotValid,
                $"application id '{id.ApplicationId}' is not configured (Mosip:KeyMap) and no imported MOSIP key has it", KeyBridgeError.KeyNotFound.Name);

    private static IEnumerable<string> KeyNamesOf(MosipKeyBinding binding)
    {
        yield return binding.KeyName;
        var importName = MosipKeyMap.ImportName(binding.Id);
        if (importName != binding.KeyName)
        {
            yield return importName;
        }
    }

    private async Task<Dictionary<int, MosipKeyRecord>> ImportedAsync(string name, CancellationToken ct) =>
        (await imported.ListMosipKeysAsync(name, ct)).GroupBy(r => r.Version).ToDictionary(g => g.Key, g => g.First());

    private async Task<KeyRecord?> TryGetAsync(string name, CancellationToken ct)
    {
        try
        {
            // Cached metadata: these reads are on every encrypt and sign call.
            return await ring.GetAsync(name, ct);
        }
        catch (KeyBridgeException e) when (e.Error == KeyBridgeError.KeyNotFound)
        {
            return null;
        }
    }
}
