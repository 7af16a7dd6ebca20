using OpenG2P.KeyBridge.Server.Rpc.Methods;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>The RPC target classes. A new feature adds its class here; the catalog, the dispatcher and rpc.discover follow.</summary>
public static class RpcTargets
{
    public static IReadOnlyList<Type> Types { get; } =
    [
        typeof(DataMethods), typeof(MacMethods), typeof(SigningMethods), typeof(CertificateMethods), typeof(KeyMethods), typeof(SystemMethods),
    ];

    public static object[] Create(RpcContext ctx, RpcServices s) =>
    [
        new DataMethods(ctx, s), new MacMethods(ctx, s), new SigningMethods(ctx, s), new CertificateMethods(ctx, s), new KeyMethods(ctx, s),
        new SystemMethods(ctx, s),
    ];
}
