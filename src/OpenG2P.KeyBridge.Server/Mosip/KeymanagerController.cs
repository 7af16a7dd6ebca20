using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using OpenG2P.KeyBridge.Certificates;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Server.Mosip;

/// <summary>
/// MOSIP's key administration endpoints: certificate lists, master keys, CSRs, certificate upload, symmetric keys and
/// revocation (MOSIP's meaning: the current key stops being used for new data and signatures, as a rotation does, but
/// still decrypts and verifies).
/// </summary>
[ApiController]
[Route("v1/keymanager")]
public sealed class KeymanagerController(MosipRuntime runtime, MosipKeys mosipKeys, KeyManager keys, CertificateAuthority ca, TimeProvider time)
    : ControllerBase
{
    private const string GenerationSuccess = "Generation Success";
    private const string KeyExists = "Key Exists.";
    private const string UploadSuccess = "Upload Success";
    private const string KeyRevoked = "Key Revoked";

    [HttpGet("getAllCertificates")]
    public Task<IActionResult> GetAllCertificatesAsync() =>
        runtime.RunAsync(HttpContext, MosipOperations.GetAllCertificates, [Roles.Any], hasBody: false, async call =>
        {
            var binding = await mosipKeys.RequireAsync(QueryId(call), HttpContext.RequestAborted);
            if (binding.Type.IsSigningType())
            {
                NoteLatest(call, await mosipKeys.GetOrCreateAsync(binding, HttpContext.RequestAborted)); // created on first use, as MOSIP does
            }
            var certificates = await mosipKeys.CertificatesAsync(binding, HttpContext.RequestAborted);
            return new AllCertificatesResponse([.. certificates.Select(c => new CertificateItem(CertificatePem.Write(c.Certificate),
                MosipTime.Write(c.IssuedAt), MosipTime.Write(c.ExpiryAt), c.KeyId))]);
        });

    [HttpGet("getCertificate")]
    public Task<IActionResult> GetCertificateAsync() =>
        runtime.RunAsync(HttpContext, MosipOperations.GetCertificate, [Roles.Any], hasBody: false, async call =>
        {
            var id = QueryId(call);
            var binding = await mosipKeys.RequireAsync(id, HttpContext.RequestAborted);
            // A data id's bound key is AES and has no certificate; its imported RSA key does (and still decrypts).
            var key = binding.Type.IsSigningType()
                ? await mosipKeys.GetOrCreateAsync(binding, HttpContext.RequestAborted)
                : await mosipKeys.ImportedKeyAsync(id, HttpContext.RequestAborted)
                    ?? throw new MosipException(MosipCodes.KeyGenerationNotDone,
                        $"{id} encrypts in KeyBridge's format with key '{binding.KeyName}', which has no certificate", KeyBridgeError.CertificateNotFound.Name);
            NoteLatest(call, key);
            return Pair(CurrentVersion(key), csr: null);
        });

    [HttpPost("generateMasterKey/{objectType}")]
    public Task<IActionResult> GenerateMasterKeyAsync(string objectType) =>
        runtime.RunAsync(HttpContext, MosipOperations.GenerateMasterKey, [Roles.KeyAdmin], hasBody: true, async call =>
        {
            var r = call.Request;
            if (objectType is not ("CERTIFICATE" or "CSR"))
            {
                throw new MosipException(MosipCodes.InvalidRequest, "objectType must be CERTIFICATE or CSR", KeyBridgeError.InvalidParams.Name);
            }
            var id = new MosipId(r.Required("applicationId", MosipCodes.InvalidRequest).Trim(), r.String("referenceId")?.Trim() ?? "");
            if (!(id.ReferenceId.Length == 0 || (id.ApplicationId == MosipKeyMap.SignApplicationId && id.ReferenceId == MosipKeyMap.SignReferenceId)))
            {
                throw new MosipException(MosipCodes.ReferenceIdNotSupported, "a master key has reference id \"\" (or SIGN for KERNEL)",
                    KeyBridgeError.InvalidParams.Name);
            }
            // An explicit key-admin request may create the master key of an application the map does not list yet.
            var binding = await mosipKeys.FindAsync(id, HttpContext.RequestAborted) ?? MosipKeyMap.Default(id);
            var key = await SigningKeyAsync(binding, r.Bool("force") ?? false, Subject(r, id));
            NoteLatest(call, key);
            var version = CurrentVersion(key);
            if (objectType == "CERTIFICATE")
            {
                return Pair(version, csr: null);
            }
            var (_, _, request) = await ca.CreateCsrAsync(key.Name, version.Version, Subject(r, id), HttpContext.RequestAborted);
            return Pair(version, request);
        });

    [HttpPost("generateCSR")]
    public Task<IActionResult> GenerateCsrAsync() =>
        runtime.RunAsync(HttpContext, MosipOperations.GenerateCsr, [Roles.KeyAdmin], hasBody: true, async call =>
        {
            var r = call.Request;
            var id = new MosipId(r.Required("applicationId", MosipCodes.InvalidRequest).Trim(), r.String("referenceId")?.Trim() ?? "");
            var binding = await mosipKeys.RequireAsync(id, HttpContext.RequestAborted);
            var key = await SigningKeyAsync(binding, force: false, subject: null);
            NoteLatest(call, key);
            var version = CurrentVersion(key);
            var (_, _, request) = await ca.CreateCsrAsync(key.Name, version.Version, Subject(r, id), HttpContext.RequestAborted);
            var (issued, expiry) = Validity(version);
            return new CsrResponse(Pem("CERTIFICATE REQUEST", request), issued, expiry, Now());
        });

    [HttpPost("uploadCertificate")]
    public Task<IActionResult> UploadCertificateAsync() =>
        runtime.RunAsync(HttpContext, MosipOperations.UploadCertificate, [Roles.KeyAdmin], hasBody: true, async call =>
        {
            var r = call.Request;
            var id = new MosipId(r.Required("applicationId", MosipCodes.InvalidRequest).Trim(), r.String("referenceId")?.Trim() ?? "");
            var pem = r.Required("certificateData", MosipCodes.InvalidRequest);
            var binding = await mosipKeys.RequireAsync(id, HttpContext.RequestAborted);
            var key = await SigningKeyAsync(binding, force: false, subject: null);
            var version = CurrentVersion(key);
            call.Context.RequireKey(key.Name);
            await ca.ImportAsync(key.Name, version.Version, pem, HttpContext.RequestAborted);
            call.Context.NoteVersion(key.Name, version.Version);
            return new StatusResponse(UploadSuccess, Now());
        });

    [HttpPost("generateSymmetricKey")]
    public Task<IActionResult> GenerateSymmetricKeyAsync() =>
        runtime.RunAsync(HttpContext, MosipOperations.GenerateSymmetricKey, [Roles.KeyAdmin], hasBody: true, async call =>
        {
            var r = call.Request;
            var id = new MosipId(r.Required("applicationId", MosipCodes.InvalidRequest).Trim(), r.Required("referenceId", MosipCodes.InvalidRequest).Trim());
            var binding = await mosipKeys.FindAsync(id, HttpContext.RequestAborted) ?? MosipKeyMap.Default(id);
            if (binding.Type != KeyType.Aes256Gcm)
            {
                throw new MosipException(MosipCodes.GenerationNotAllowed, $"{id} is bound to a {binding.Type.ToName()} key, not a symmetric one",
                    KeyBridgeError.UnsupportedOperation.Name);
            }
            call.Context.RequireKey(binding.KeyName);
            KeyRecord? existing;
            try
            {
                existing = await keys.GetAsync(binding.KeyName, HttpContext.RequestAborted);
            }
            catch (KeyBridgeException e) when (e.Error == KeyBridgeError.KeyNotFound)
            {
                existing = null;
            }
            if (existing is not null && existing.Type != KeyType.Aes256Gcm)
            {
                throw new MosipException(MosipCodes.GenerationNotAllowed, $"key '{existing.Name}' is not a symmetric key", KeyBridgeError.UnsupportedOperation.Name);
            }
            string status;
            if (existing is null)
            {
                NoteLatest(call, await mosipKeys.GetOrCreateAsync(binding, HttpContext.RequestAborted));
                status = GenerationSuccess;
            }
            else if (r.Bool("force") ?? false)
            {
                var rotated = await keys.RotateAsync(existing.Name, HttpContext.RequestAborted);
                call.Context.NoteVersion(existing.Name, rotated.Version);
                status = GenerationSuccess;
            }
            else
            {
                status = KeyExists;
            }
            return new StatusResponse(status, Now());
        });

    [HttpPut("revokeKey")]
    public Task<IActionResult> RevokeKeyAsync() =>
        runtime.RunAsync(HttpContext, MosipOperations.RevokeKey, [Roles.KeyAdmin], hasBody: true, async call =>
        {
            var r = call.Request;
            var id = new MosipId(r.Required("applicationId", MosipCodes.InvalidRequest).Trim(), r.String("referenceId")?.Trim() ?? "");
            _ = r.Bool("disableAutoGen"); // read, not used: as in MOSIP
            if (id.ApplicationId == MosipKeyMap.SignApplicationId && id.ReferenceId == MosipKeyMap.SignReferenceId)
            {
                throw new MosipException(MosipCodes.RevokeNotAllowed, "the KERNEL/SIGN key cannot be revoked", KeyBridgeError.UnsupportedOperation.Name);
            }
            var binding = await mosipKeys.RequireAsync(id, HttpContext.RequestAborted);
            call.Context.RequireKey(binding.KeyName);
            KeyRecord key;
            try
            {
                key = await keys.GetAsync(binding.KeyName, HttpContext.RequestAborted);
            }
            catch (KeyBridgeException e) when (e.Error == KeyBridgeError.KeyNotFound)
            {
                throw new MosipException(MosipCodes.NoUniqueAlias, $"{id} has no current key to revoke", KeyBridgeError.KeyNotFound.Name);
            }
            // MOSIP's revoke ends the current key's use for new data; the old version keeps decrypting and verifying.
            var rotated = await keys.RotateAsync(key.Name, HttpContext.RequestAborted);
            call.Context.NoteVersion(key.Name, rotated.Version);
            await mosipKeys.EnsureCertifiedAsync(await keys.GetAsync(key.Name, HttpContext.RequestAborted), null, HttpContext.RequestAborted);
            return new StatusResponse(KeyRevoked, Now());
        });

    /// <summary>The bound signing key: created (with a certificate with the given subject) when missing, or rotated when <paramref name="force"/>.</summary>
    private async Task<KeyRecord> SigningKeyAsync(MosipKeyBinding binding, bool force, string? subject)
    {
        if (!binding.Type.IsSigningType())
        {
            throw new MosipException(MosipCodes.GenerationNotAllowed, $"{binding.Id} is bound to an {binding.Type.ToName()} data key, which has no certificate",
                KeyBridgeError.UnsupportedOperation.Name);
        }
        var ct = HttpContext.RequestAborted;
        KeyRecord key;
        try
        {
            key = await keys.GetAsync(binding.KeyName, ct);
            if (force)
            {
                await keys.RotateAsync(key.Name, ct);
                key = await keys.GetAsync(key.Name, ct);
            }
        }
        catch (KeyBridgeException e) when (e.Error == KeyBridgeError.KeyNotFound)
        {
            try
            {
                key = await keys.CreateAsync(binding.KeyName, binding.Type, new KeyPolicy(), ct);
            }
            catch (KeyBridgeException again) when (again.Error == KeyBridgeError.KeyExists)
            {
                key = await keys.GetAsync(binding.KeyName, ct);
            }
        }
        return await mosipKeys.EnsureCertifiedAsync(key, subject, ct);
    }

    private static KeyVersionRecord CurrentVersion(KeyRecord key) =>
        key.LatestUsableVersion() is { Certificate: not null } v
            ? v
            : throw new MosipException(MosipCodes.NoUniqueAlias, $"key '{key.Name}' has no current version with a certificate", KeyBridgeError.NoActiveVersion.Name);

    private static void NoteLatest(MosipCall call, KeyRecord key)
    {
        call.Context.RequireKey(key.Name);
        if (key.LatestUsableVersion() is { } v)
        {
            call.Context.NoteVersion(key.Name, v.Version);
        }
    }

    private KeyPairResponse Pair(KeyVersionRecord version, byte[]? csr)
    {
        var (issued, expiry) = Validity(version);
        return new KeyPairResponse(csr is null ? CertificatePem.Write(version.Certificate!.Certificate) : null,
            csr is null ? null : Pem("CERTIFICATE REQUEST", csr), issued, expiry, Now());
    }

    private static (string IssuedAt, string ExpiryAt) Validity(KeyVersionRecord version)
    {
        using var cert = X509CertificateLoader.LoadCertificate(version.Certificate!.Certificate);
        return (MosipTime.Write(new DateTimeOffset(cert.NotBefore.ToUniversalTime())), MosipTime.Write(new DateTimeOffset(cert.NotAfter.ToUniversalTime())));
    }

    private static MosipId QueryId(MosipCall call)
    {
        var app = call.Query("applicationId");
        if (string.IsNullOrWhiteSpace(app))
        {
            throw new MosipException(MosipCodes.InvalidRequest, "applicationId should not be null or empty", KeyBridgeError.InvalidParams.Name);
        }
        return new MosipId(app.Trim(), call.Query("referenceId")?.Trim() ?? "");
    }

    /// <summary>The certificate subject from MOSIP's request fields (commonName, organizationUnit, organization, location, state, country); null when none is given.</summary>
    private static string? Subject(MosipRequest r, MosipId id)
    {
        var parts = new List<string>();
        foreach (var (field, attribute) in new[] { ("commonName", "CN"), ("organizationUnit", "OU"), ("organization", "O"), ("location", "L"), ("state", "S"), ("country", "C") })
        {
            if (r.String(field) is { } value && !string.IsNullOrWhiteSpace(value))
            {
                parts.Add($"{attribute}=\"{value.Trim().Replace("\"", "\"\"", StringComparison.Ordinal)}\"");
            }
        }
        if (parts.Count > 0 && !parts[0].StartsWith("CN=", StringComparison.Ordinal))
        {
            parts.Insert(0, $"CN=\"{id}\"");
        }
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    private static string Pem(string label, byte[] der) => PemEncoding.WriteString(label, der) + "\n";

    private string Now() => MosipTime.Write(time.GetUtcNow());

    private sealed record CertificateItem(string CertificateData, string IssuedAt, string ExpiryAt, string KeyId);

    private sealed record AllCertificatesResponse(IReadOnlyList<CertificateItem> AllCertificates);

    private sealed record KeyPairResponse(string? Certificate, string? CertSignRequest, string IssuedAt, string ExpiryAt, string Timestamp);

    private sealed record CsrResponse(string CertSignRequest, string IssuedAt, string ExpiryAt, string Timestamp);

    private sealed record StatusResponse(string Status, string Timestamp);
}
