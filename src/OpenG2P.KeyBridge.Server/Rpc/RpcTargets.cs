using OpenG2P.KeyBridge.Server.Rpc.Methods;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>
/// The RPC target classes. A new feature adds its class here; the catalog, the dispatcher and
/// rpc.discover follow. Targets are singletons: every method takes its parameters object <c>p</c>
/// and the call's <see cref="RpcContext"/> <c>ctx</c>.
/// </summary>
public static class RpcTargets
{
    public static IReadOnlyList<Type> Types { get; } =
    [
        typeof(DataMethods), typeof(MacMethods), typeof(SigningMethods), typeof(CertificateMethods), typeof(KeyMethods), typeof(SystemMethods), typeof(ClientMethods), typeof(AuditMethods), typeof(JobMethods), typeof(VoucherMethods),
        typeof(KeyDeletionMethods), typeof(BackupMethods), typeof(MosipMethods),
    ];

    public static object[] Create(RpcServices s) =>
    [
        new DataMethods(s), new MacMethods(s), new SigningMethods(s), new CertificateMethods(s), new KeyMethods(s), new SystemMethods(s), new ClientMethods(s), new AuditMethods(s), new JobMethods(s), new VoucherMethods(s),
        new KeyDeletionMethods(s), new BackupMethods(s), new MosipMethods(s),
    ];
}
