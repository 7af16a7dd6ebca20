using System.Reflection;
using StreamJsonRpc;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>Every RPC method, found once by reflection over the target classes.</summary>
public sealed class RpcCatalog
{
    public sealed record Method(string Name, Type Target, MethodInfo Info, IReadOnlyList<string> Roles, string Summary, Type Params, Type Result);

    public RpcCatalog(IEnumerable<Type> targets)
    {
        var methods = new Dictionary<string, Method>(StringComparer.Ordinal);
        foreach (var target in targets)
        {
            foreach (var m in target.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                var rpc = m.GetCustomAttribute<JsonRpcMethodAttribute>();
                if (rpc?.Name is null)
                {
                    continue;
                }
                var access = m.GetCustomAttribute<RpcAccessAttribute>()
                    ?? throw new InvalidOperationException($"RPC method {rpc.Name} has no [RpcAccess]: every method must declare its roles");
                var parameters = m.GetParameters();
                if (parameters.Length != 2 || parameters[0].Name != "p" || parameters[1].Name != "ctx" || parameters[1].ParameterType != typeof(RpcContext))
                {
                    throw new InvalidOperationException($"RPC method {rpc.Name} must take (TParams p, RpcContext ctx)");
                }
                var summary = m.GetCustomAttribute<RpcSummaryAttribute>();
                var result = summary?.Result ?? (m.ReturnType.IsGenericType ? m.ReturnType.GetGenericArguments()[0] : m.ReturnType);
                methods.Add(rpc.Name, new Method(rpc.Name, target, m, access.Roles,
                    summary?.Summary ?? "", parameters[0].ParameterType, result));
            }
        }
        Methods = methods;
    }

    public IReadOnlyDictionary<string, Method> Methods { get; }
}
