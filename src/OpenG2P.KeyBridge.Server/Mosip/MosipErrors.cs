using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Server.Mosip;

/// <summary>
/// The one place where KeyBridge errors become MOSIP error codes (docs/migrating-from-mosip.md lists the table).
/// Where MOSIP has no equivalent (e.g. a revoked version, which MOSIP does not know), the errorCode is the KeyBridge
/// error name itself.
/// </summary>
public static class MosipErrors
{
    public static MosipException From(KeyBridgeException e, string operation)
    {
        var error = e.Error;
        var (code, status) = error.Name switch
        {
            "forbidden" => operation switch
            {
                // A key grant refused inside the operation (the role check happens before, with 403).
                MosipOperations.Decrypt => (MosipCodes.DecryptNotAllowed, StatusCodes.Status200OK),
                MosipOperations.JwtSign => (MosipCodes.SignNotAllowed, StatusCodes.Status200OK),
                _ => (MosipCodes.Forbidden, StatusCodes.Status403Forbidden),
            },
            "authentication_failed" => (MosipCodes.AuthenticationFailed, StatusCodes.Status401Unauthorized),
            "ciphertext_malformed" or "invalid_base64" => (MosipCodes.InvalidData, StatusCodes.Status200OK),
            "context_mismatch" => (MosipCodes.DataCorrupt, StatusCodes.Status200OK),
            "key_not_found" => (operation == MosipOperations.Decrypt ? MosipCodes.KeyNotFoundByThumbprint : MosipCodes.KeyGenerationNotDone,
                StatusCodes.Status200OK),
            "certificate_mismatch" => (MosipCodes.KeyNotMatching, StatusCodes.Status200OK),
            "certificate_malformed" => (MosipCodes.CertificateParsingError, StatusCodes.Status200OK),
            "certificate_expired" => (MosipCodes.CertificateNotValid, StatusCodes.Status200OK),
            "certificate_not_found" => (MosipCodes.CertificateNotFound, StatusCodes.Status200OK),
            "invalid_params" or "invalid_context" => (operation == MosipOperations.JwtSign ? MosipCodes.InvalidSignInput : MosipCodes.InvalidRequest,
                StatusCodes.Status200OK),
            "rate_limited" or "payload_too_large" => (error.Name, error.HttpStatus),
            "storage_unavailable" or "kek_unavailable" or "hsm_unavailable" => (error.Name, StatusCodes.Status503ServiceUnavailable),
            "key_material_corrupt" or "internal_error" => (MosipCodes.InternalError, StatusCodes.Status500InternalServerError),
            _ => (error.Name, StatusCodes.Status200OK),
        };
        return new MosipException(code, e.Message, error.Name, status);
    }
}

/// <summary>The audit and metrics method names of the MOSIP-compatible endpoints.</summary>
public static class MosipOperations
{
    public const string Encrypt = "mosip.encrypt";
    public const string Decrypt = "mosip.decrypt";
    public const string JwtSign = "mosip.jwtSign";
    public const string JwtVerify = "mosip.jwtVerify";
    public const string GetAllCertificates = "mosip.getAllCertificates";
    public const string GetCertificate = "mosip.getCertificate";
    public const string GenerateMasterKey = "mosip.generateMasterKey";
    public const string GenerateCsr = "mosip.generateCSR";
    public const string UploadCertificate = "mosip.uploadCertificate";
    public const string GenerateSymmetricKey = "mosip.generateSymmetricKey";
    public const string RevokeKey = "mosip.revokeKey";
}
