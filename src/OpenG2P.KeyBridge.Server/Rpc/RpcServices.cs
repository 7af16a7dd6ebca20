using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Certificates;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Operations;
using OpenG2P.KeyBridge.Server.Audit;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Server.Jobs;
using OpenG2P.KeyBridge.Storage;
using OpenG2P.KeyBridge.Signing;
using OpenG2P.KeyBridge.Server.Monitoring;
using OpenG2P.KeyBridge.Server.Vouchers;
using OpenG2P.KeyBridge.Vouchers;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>The singletons RPC targets need, bundled so a per-call target is one allocation.</summary>
public sealed class RpcServices(
    DataCrypto data,
    MacOperations macs,
    SignatureOperations signatures,
    CertificateAuthority certificates,
    JwksCache jwks,
    KeyManager keys,
    KeyRing ring,
    RpcCatalog catalog,
    IKeyStore store,
    IAuditStore audit,
    AuditVerifier auditVerifier,
    ClientDirectory clients,
    TimeProvider time,
    IOptions<DefaultsOptions> defaults,
    IOptions<LimitsOptions> limits,
    JobService jobs,
    IOptions<SigningOptions> signing,
    VoucherOperations vouchers,
    IOptions<VoucherOptions> voucherOptions,
    KeyBridgeMetrics metrics,
    Backup.BackupService backups,
    KeyDestruction destruction,
    Mosip.Import.MosipKeystoreImporter mosipImporter,
    ILogger<RpcServices> logger)
{
    public DataCrypto Data { get; } = data;

    public MacOperations Macs { get; } = macs;

    public SignatureOperations Signatures { get; } = signatures;

    public CertificateAuthority Certificates { get; } = certificates;

    public JwksCache Jwks { get; } = jwks;

    public KeyManager Keys { get; } = keys;

    public KeyRing Ring { get; } = ring;

    public RpcCatalog Catalog { get; } = catalog;

    public IKeyStore Store { get; } = store;

    public IAuditStore Audit { get; } = audit;

    public AuditVerifier AuditVerifier { get; } = auditVerifier;

    public ClientDirectory Clients { get; } = clients;

    public TimeProvider Time { get; } = time;

    public DefaultsOptions Defaults { get; } = defaults.Value;

    public LimitsOptions Limits { get; } = limits.Value;

    public JobService Jobs { get; } = jobs;
    public SigningOptions Signing { get; } = signing.Value;

    public VoucherOperations Vouchers { get; } = vouchers;

    public VoucherOptions VoucherOptions { get; } = voucherOptions.Value;

    public KeyBridgeMetrics Metrics { get; } = metrics;
    public Backup.BackupService Backups { get; } = backups;

    public KeyDestruction Destruction { get; } = destruction;
    public Mosip.Import.MosipKeystoreImporter MosipImporter { get; } = mosipImporter;

    public ILogger Logger { get; } = logger;
}
