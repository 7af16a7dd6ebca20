using System.Collections.Concurrent;
using System.Threading.Channels;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>
/// The in-process "transport" of the one long-lived <see cref="JsonRpc"/>: requests are queued
/// objects (never re-serialized), and each response is handed back to the caller waiting for its
/// internal id. Building a JsonRpc per HTTP request costs far more than the dispatch itself.
/// </summary>
internal sealed class ChannelMessageHandler() : MessageHandlerBase(new SystemTextJsonFormatter())
{
    // Synchronous continuations: the waiting reader loop resumes on the caller's thread inside
    // TryWrite (it only hands the request to the dispatch context, see RpcHost), saving a
    // thread-pool hop per call.
    private readonly Channel<JsonRpcRequest> _inbound = Channel.CreateUnbounded<JsonRpcRequest>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonRpcMessage>> _pending = new();
    private long _nextId;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    /// <summary>Queues the request under a fresh internal id and completes with its result or error message.</summary>
    public Task<JsonRpcMessage> SendAsync(JsonRpcRequest request)
    {
        var id = Interlocked.Increment(ref _nextId);
        var done = new TaskCompletionSource<JsonRpcMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = done;
        request.RequestId = new RequestId(id);
        if (!_inbound.Writer.TryWrite(request))
        {
            _pending.TryRemove(id, out _);
            done.SetException(new ObjectDisposedException(nameof(ChannelMessageHandler)));
        }
        return done.Task;
    }

    public void Complete() => _inbound.Writer.TryComplete();

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        while (await _inbound.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_inbound.Reader.TryRead(out var request))
            {
                return request;
            }
        }
        return null;
    }

    protected override ValueTask WriteCoreAsync(JsonRpcMessage content, CancellationToken cancellationToken)
    {
        var id = content switch
        {
            JsonRpcResult r => r.RequestId,
            JsonRpcError e => e.RequestId,
            _ => default,
        };
        if (id.Number is { } n && _pending.TryRemove(n, out var done))
        {
            done.TrySetResult(content);
        }
        return default;
    }

    protected override ValueTask FlushAsync(CancellationToken cancellationToken) => default;
}
