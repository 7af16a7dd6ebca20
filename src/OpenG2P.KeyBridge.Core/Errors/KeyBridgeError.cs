namespace OpenG2P.KeyBridge.Errors;

/// <summary>
/// One entry of the documented error table: a stable symbolic name, a JSON-RPC error code
/// outside the reserved range, and the HTTP status used by the REST surfaces.
/// </summary>
public sealed record KeyBridgeError(string Name, int Code, int HttpStatus)
{
    // Protocol errors (JSON-RPC 2.0 reserved codes).
    public static readonly KeyBridgeError ParseError = new("parse_error", -32700, 400);
    public static readonly KeyBridgeError InvalidRequest = new("invalid_request", -32600, 400);
    public static readonly KeyBridgeError MethodNotFound = new("method_not_found", -32601, 404);
    public static readonly KeyBridgeError InvalidParams = new("invalid_params", -32602, 400);
    public static readonly KeyBridgeError InternalError = new("internal_error", -32603, 500);

    // Access (1xxx).
    public static readonly KeyBridgeError AuthenticationFailed = new("authentication_failed", 1001, 401);
    public static readonly KeyBridgeError Forbidden = new("forbidden", 1002, 403);
    public static readonly KeyBridgeError RateLimited = new("rate_limited", 1003, 429);
    public static readonly KeyBridgeError PayloadTooLarge = new("payload_too_large", 1004, 413);
    public static readonly KeyBridgeError BatchTooLarge = new("batch_too_large", 1005, 400);
    public static readonly KeyBridgeError ClientNotFound = new("client_not_found", 1006, 404);
    public static readonly KeyBridgeError ClientExists = new("client_exists", 1007, 409);

    // Keys and versions (2xxx).
    public static readonly KeyBridgeError KeyNotFound = new("key_not_found", 2001, 404);
    public static readonly KeyBridgeError KeyExists = new("key_exists", 2002, 409);
    public static readonly KeyBridgeError VersionNotFound = new("version_not_found", 2003, 404);
    public static readonly KeyBridgeError VersionRetired = new("version_retired", 2004, 400);
    public static readonly KeyBridgeError VersionRevoked = new("version_revoked", 2005, 400);
    public static readonly KeyBridgeError VersionDestroyed = new("version_destroyed", 2006, 400);
    public static readonly KeyBridgeError UnsupportedOperation = new("unsupported_operation", 2007, 400);
    public static readonly KeyBridgeError NotExportable = new("not_exportable", 2008, 403);
    public static readonly KeyBridgeError DeletionNotAllowed = new("deletion_not_allowed", 2009, 403);
    public static readonly KeyBridgeError InvalidPolicy = new("invalid_policy", 2010, 400);
    public static readonly KeyBridgeError NoActiveVersion = new("no_active_version", 2011, 400);
    public static readonly KeyBridgeError CertificateNotFound = new("certificate_not_found", 2012, 404);

    // Data (3xxx).
    public static readonly KeyBridgeError CiphertextMalformed = new("ciphertext_malformed", 3001, 400);
    public static readonly KeyBridgeError ContextMismatch = new("context_mismatch", 3002, 400);
    public static readonly KeyBridgeError ContextRequired = new("context_required", 3003, 400);
    public static readonly KeyBridgeError InvalidBase64 = new("invalid_base64", 3004, 400);
    public static readonly KeyBridgeError InvalidContext = new("invalid_context", 3005, 400);
    public static readonly KeyBridgeError MacMalformed = new("mac_malformed", 3006, 400);
    public static readonly KeyBridgeError CertificateMalformed = new("certificate_malformed", 3007, 400);
    public static readonly KeyBridgeError CertificateMismatch = new("certificate_mismatch", 3008, 400);
    public static readonly KeyBridgeError CertificateExpired = new("certificate_expired", 3009, 400);

    // Infrastructure (4xxx).
    public static readonly KeyBridgeError HsmUnavailable = new("hsm_unavailable", 4001, 503);
    public static readonly KeyBridgeError StorageUnavailable = new("storage_unavailable", 4002, 503);
    public static readonly KeyBridgeError KekUnavailable = new("kek_unavailable", 4003, 503);
    public static readonly KeyBridgeError KeyMaterialCorrupt = new("key_material_corrupt", 4004, 500);
    public static readonly KeyBridgeError UnsupportedByHsm = new("unsupported_by_hsm", 4005, 400);

    // Vouchers (5xxx).
    public static readonly KeyBridgeError VoucherNotFound = new("voucher_not_found", 5001, 404);
    public static readonly KeyBridgeError VoucherAlreadyRedeemed = new("voucher_already_redeemed", 5002, 409);
    public static readonly KeyBridgeError VoucherRevoked = new("voucher_revoked", 5003, 409);
    public static readonly KeyBridgeError VoucherExpired = new("voucher_expired", 5004, 409);
    public static readonly KeyBridgeError VoucherNotYetValid = new("voucher_not_yet_valid", 5005, 409);
    public static readonly KeyBridgeError VoucherInvalid = new("voucher_invalid", 5006, 400);
    public static readonly KeyBridgeError IdempotencyConflict = new("idempotency_conflict", 5007, 409);

    // MOSIP keymanager compatibility (6xxx).
    public static readonly KeyBridgeError KeystoreUnreadable = new("keystore_unreadable", 6001, 400);
    public static readonly KeyBridgeError KeymgrRowsMalformed = new("keymgr_rows_malformed", 6002, 400);

    // Jobs (7xxx).
    public static readonly KeyBridgeError JobNotFound = new("job_not_found", 7001, 404);

    // Backup, recovery and deletion safety (8xxx).
    public static readonly KeyBridgeError BackupMalformed = new("backup_malformed", 8001, 400);
    public static readonly KeyBridgeError BackupAuthenticationFailed = new("backup_authentication_failed", 8002, 400);
    public static readonly KeyBridgeError SharesInsufficient = new("shares_insufficient", 8003, 400);
    public static readonly KeyBridgeError ShareInvalid = new("share_invalid", 8004, 400);
    public static readonly KeyBridgeError ShareCeremonyMismatch = new("share_ceremony_mismatch", 8005, 400);
    public static readonly KeyBridgeError RecoveryNotInitialized = new("recovery_not_initialized", 8006, 409);
    public static readonly KeyBridgeError RecoveryAlreadyInitialized = new("recovery_already_initialized", 8007, 409);
    public static readonly KeyBridgeError RestoreTargetNotEmpty = new("restore_target_not_empty", 8008, 409);
    public static readonly KeyBridgeError RecoveryOutdated = new("recovery_outdated", 8009, 409);
    public static readonly KeyBridgeError BackupKekUnavailable = new("backup_kek_unavailable", 8010, 400);
    public static readonly KeyBridgeError VersionPendingDestruction = new("version_pending_destruction", 8011, 400);
    public static readonly KeyBridgeError DestructionNotPending = new("destruction_not_pending", 8012, 409);
    public static readonly KeyBridgeError KeyDeleted = new("key_deleted", 8013, 400);

    /// <summary>Every documented error, for the error table and for tests.</summary>
    public static IReadOnlyList<KeyBridgeError> All { get; } =
    [
        ParseError, InvalidRequest, MethodNotFound, InvalidParams, InternalError,
        AuthenticationFailed, Forbidden, RateLimited, PayloadTooLarge, BatchTooLarge, ClientNotFound, ClientExists,
        KeyNotFound, KeyExists, VersionNotFound, VersionRetired, VersionRevoked, VersionDestroyed,
        UnsupportedOperation, NotExportable, DeletionNotAllowed, InvalidPolicy, NoActiveVersion, CertificateNotFound,
        CiphertextMalformed, ContextMismatch, ContextRequired, InvalidBase64, InvalidContext, MacMalformed,
        CertificateMalformed, CertificateMismatch, CertificateExpired,
        HsmUnavailable, StorageUnavailable, KekUnavailable, KeyMaterialCorrupt, UnsupportedByHsm,
        VoucherNotFound, VoucherAlreadyRedeemed, VoucherRevoked, VoucherExpired, VoucherNotYetValid, VoucherInvalid, IdempotencyConflict,
        KeystoreUnreadable, KeymgrRowsMalformed,
        JobNotFound,
        BackupMalformed, BackupAuthenticationFailed, SharesInsufficient, ShareInvalid, ShareCeremonyMismatch,
        RecoveryNotInitialized, RecoveryAlreadyInitialized, RestoreTargetNotEmpty, RecoveryOutdated, BackupKekUnavailable,
        VersionPendingDestruction, DestructionNotPending, KeyDeleted,
    ];
}

/// <summary>
/// An expected failure with a documented error name. Its message is shown to callers, so it
/// must never contain plaintext, key material or secrets.
/// </summary>
public sealed class KeyBridgeException(KeyBridgeError error, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public KeyBridgeError Error { get; } = error;

    /// <summary>Extra members of <c>error.data</c> (snake_case names), e.g. when and by whom a voucher was redeemed. Same rules as the message.</summary>
    public IReadOnlyDictionary<string, object>? Details { get; init; }
}
