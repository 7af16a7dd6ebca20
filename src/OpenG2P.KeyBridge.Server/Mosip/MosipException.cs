namespace OpenG2P.KeyBridge.Server.Mosip;

/// <summary>
/// A failure answered in MOSIP's envelope: <c>errors: [{errorCode, message}]</c> with <c>response: null</c>. Business
/// errors keep HTTP 200, as MOSIP does; authentication, authorization, limits and infrastructure use their statuses.
/// <paramref name="Name"/> is the KeyBridge error name recorded in the audit log.
/// </summary>
public sealed class MosipException(string code, string message, string name, int status = StatusCodes.Status200OK) : Exception(message)
{
    public string Code { get; } = code;

    public string Name { get; } = name;

    public int Status { get; } = status;
}

/// <summary>MOSIP's error codes used by KeyBridge (mosip/keymanager: KeymanagerErrorConstant, CryptomanagerErrorCode, SignatureErrorCode).</summary>
public static class MosipCodes
{
    public const string AuthenticationFailed = "KER-ATH-401";
    public const string Forbidden = "KER-ATH-403";
    public const string CertificateNotValid = "KER-KMS-001";
    public const string ApplicationIdNotValid = "KER-KMS-002";
    public const string NoUniqueAlias = "KER-KMS-003";
    public const string InvalidRequest = "KER-KMS-005";
    public const string ReferenceIdNotSupported = "KER-KMS-010";
    public const string KeyGenerationNotDone = "KER-KMS-012";
    public const string CertificateParsingError = "KER-KMS-013";
    public const string KeyNotMatching = "KER-KMS-014";
    public const string GenerationNotAllowed = "KER-KMS-016";
    public const string CertificateNotFound = "KER-KMS-017";
    public const string SymmetricKeyDecryptionFailed = "KER-KMS-019";
    public const string SigningNotAllowed = "KER-KMS-020";
    public const string RevokeNotAllowed = "KER-KMS-021";
    public const string KeyNotFoundByThumbprint = "KER-KMS-025";
    public const string InternalError = "KER-KMS-500";
    public const string InvalidData = "KER-CRY-003";
    public const string EmptyField = "KER-CRY-004";
    public const string TimestampFormat = "KER-CRY-007";
    public const string EncryptNotAllowed = "KER-CRY-011";
    public const string DecryptNotAllowed = "KER-CRY-012";
    public const string DataCorrupt = "KER-FSE-004";
    public const string InvalidSignInput = "KER-JWS-102";
    public const string InvalidVerifyInput = "KER-JWS-106";
    public const string SignNotAllowed = "KER-JWS-108";
}
