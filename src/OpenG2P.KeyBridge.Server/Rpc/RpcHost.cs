using Microsoft.Extensions.Logging;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>
/// The node's one StreamJsonRpc <see cref="JsonRpc"/>, with the RPC target singletons. Each call
/// carries its <see cref="RpcContext"/> as the named argument <c>ctx</c> and its already-validated
/// parameters object as <c>p</c>; invocations run on the thread pool, so calls are concurrent.
/// </summary>
public sealed class RpcHost : IDisposable
{
    private readonly ChannelMessageHandler _handler = new();
    private readonly JsonRpc _rpc;

    public RpcHost(RpcServices services, ILogger<RpcHost> logger)
    {
        _rpc = new KeyBridgeJsonRpc(_handler, logger)
        {
            // Post each invocation to the thread pool instead of running it on the reader loop.
            SynchronizationContext = new ThreadPoolContext(),
        };
        foreach (var target in RpcTargets.Create(services))
        {
            _rpc.AddLocalRpcTarget(target, new JsonRpcTargetOptions { DisposeOnDisconnect = false });
        }
        _rpc.StartListening();
    }

    public Task<JsonRpcMessage> InvokeAsync(string method, object parameters, RpcContext ctx) =>
        _handler.SendAsync(new JsonRpcRequest
        {
            Method = method,
            NamedArguments = new Dictionary<string, object?> { ["p"] = parameters, ["ctx"] = ctx },
        });

    public void Dispose()
    {
        _handler.Complete();
        _rpc.Dispose();
    }
}

/// <summary>StreamJsonRpc's <see cref="JsonRpc"/> with KeyBridge's error contract.</summary>
internal sealed class KeyBridgeJsonRpc(IJsonRpcMessageHandler handler, ILogger logger) : JsonRpc(handler)
{
    protected override JsonRpcError.ErrorDetail CreateErrorDetails(JsonRpcRequest request, Exception exception)
    {
        var ctx = request.NamedArguments is { } args && args.TryGetValue("ctx", out var c) ? c as RpcContext : null;
        return RpcErrors.ToDetail(exception, ctx?.RequestId, logger);
    }
}

/// <summary>
/// Runs each posted invocation on the thread pool, queued locally to the posting thread: the
/// reader loop runs on the HTTP request's thread (see ChannelMessageHandler), which is about to
/// wait for the answer, so that thread usually picks the invocation up next.
/// </summary>
internal sealed class ThreadPoolContext : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state) =>
        ThreadPool.QueueUserWorkItem(static s => s.d(s.state), (d, state), preferLocal: true);

    public override SynchronizationContext CreateCopy() => this;
}
