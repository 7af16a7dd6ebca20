using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Operations;
using OpenG2P.KeyBridge.Server.Auth;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>Who is calling, from where, and where the request came in (one per HTTP request or WebSocket message).</summary>
public sealed record RequestInfo(Caller Caller, string RequestId, string? RemoteAddress);

/// <summary>
/// One JSON-RPC call: the request it belongs to, plus what the call used (keys, versions, batch
/// items), which becomes its audit record. Methods note keys through <see cref="RequireKey"/>
/// and versions through <see cref="Note{T}"/>.
/// </summary>
public sealed class RpcContext(RequestInfo request, string method)
{
    private readonly List<string> _keys = [];
    private readonly List<string> _versions = [];

    public RequestInfo Request { get; } = request;

    public Caller Caller => Request.Caller;

    public string RequestId => Request.RequestId;

    public string? RemoteAddress => Request.RemoteAddress;

    public string Method { get; } = method;

    public IReadOnlyList<string> Keys => _keys;

    public IReadOnlyList<string> Versions => _versions;

    /// <summary>Items in an <c>items</c> batch (1 for a single call).</summary>
    public int ItemCount { get; set; } = 1;

    public int FailedItems { get; set; }

    /// <summary>The error name of the first failed batch item.</summary>
    public string? FirstItemError { get; set; }

    /// <summary>Per-key grant check: throws <c>forbidden</c> when the client's grants do not cover the key.</summary>
    public void RequireKey(string keyName)
    {
        NoteKey(keyName);
        if (!Caller.MayUseKey(keyName))
        {
            throw new KeyBridgeException(KeyBridgeError.Forbidden, $"client '{Caller.ClientId}' is not granted key '{keyName}'");
        }
    }

    public void NoteKey(string keyName)
    {
        lock (_keys)
        {
            if (!_keys.Contains(keyName))
            {
                _keys.Add(keyName);
            }
        }
    }

    public void NoteVersion(string keyName, int version)
    {
        NoteKey(keyName);
        var v = $"{keyName}:{version}";
        lock (_versions)
        {
            if (!_versions.Contains(v))
            {
                _versions.Add(v);
            }
        }
    }

    /// <summary>Records the key version an operation used and returns its value.</summary>
    public T Note<T>(Used<T> used)
    {
        NoteVersion(used.Key, used.Version);
        return used.Value;
    }
}
