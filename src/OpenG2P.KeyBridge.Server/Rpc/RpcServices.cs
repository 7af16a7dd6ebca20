using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Certificates;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Operations;
using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Signing;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>The singletons RPC targets need, bundled so a per-request target is one allocation.</summary>
public sealed class RpcServices(
    DataCrypto data,
    MacOperations macs,
    SignatureOperations signatures,
    CertificateAuthority certificates,
    JwksCache jwks,
    KeyManager keys,
    KeyRing ring,
    RpcCatalog catalog,
    IOptions<DefaultsOptions> defaults,
    IOptions<LimitsOptions> limits,
    IOptions<SigningOptions> signing,
    TimeProvider time,
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

    public DefaultsOptions Defaults { get; } = defaults.Value;

    public LimitsOptions Limits { get; } = limits.Value;

    public SigningOptions Signing { get; } = signing.Value;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;
}
