namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>
/// The roles allowed to call an RPC method (any one suffices; <c>admin</c> is always allowed).
/// This attribute is the single source of the authorisation matrix: the dispatcher enforces it
/// and <c>rpc.discover</c> publishes it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RpcAccessAttribute(params string[] roles) : Attribute
{
    public IReadOnlyList<string> Roles { get; } = roles;
}

/// <summary>One-line description of an RPC method, published by <c>rpc.discover</c>.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RpcSummaryAttribute(string summary, Type? result = null) : Attribute
{
    public string Summary { get; } = summary;

    /// <summary>The result of a single-item call (batch calls return <c>{"items": [...]}</c> of these).</summary>
    public Type? Result { get; } = result;
}
