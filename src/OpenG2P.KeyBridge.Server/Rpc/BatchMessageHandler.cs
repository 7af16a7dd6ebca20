using System.Buffers;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>
/// Feeds the requests of one HTTP body (or WebSocket message) to a <see cref="JsonRpc"/> and
/// collects its responses. Request ids are replaced by slot numbers on the way in, so duplicate
/// or odd client ids cannot confuse dispatch, and restored on the way out. Notifications are
/// dispatched as requests whose responses are dropped, so the caller knows when they finished.
/// </summary>
internal sealed class BatchMessageHandler : MessageHandlerBase
{
    private readonly JsonRpcRequest[] _requests;
    private readonly RequestId?[] _originalIds; // null: notification
    private readonly Action<int, JsonRpcMessage> _onResponse;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _next;
    private int _pending;

    public BatchMessageHandler(IJsonRpcMessageFormatter formatter, JsonRpcRequest[] requests, RequestId?[] originalIds, Action<int, JsonRpcMessage> onResponse)
        : base(formatter)
    {
        _requests = requests;
        _originalIds = originalIds;
        _onResponse = onResponse;
        _pending = requests.Length;
        for (var i = 0; i < requests.Length; i++)
        {
            requests[i].RequestId = new RequestId(i + 1);
        }
        if (requests.Length == 0)
        {
            _done.SetResult();
        }
    }

    public Task Completion => _done.Task;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    protected override ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        if (_next < _requests.Length)
        {
            return new ValueTask<JsonRpcMessage?>(_requests[_next++]);
        }
        // Keep the "stream" open until every response is written; end-of-stream would cancel in-flight calls.
        return WaitThenEndAsync(cancellationToken);
    }

    private async ValueTask<JsonRpcMessage?> WaitThenEndAsync(CancellationToken ct)
    {
        await _done.Task.WaitAsync(ct).ConfigureAwait(false);
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
        if (id.Number is { } n && n >= 1 && n <= _requests.Length)
        {
            var slot = (int)n - 1;
            if (_originalIds[slot] is { } original)
            {
                switch (content)
                {
                    case JsonRpcResult r: r.RequestId = original; break;
                    case JsonRpcError e: e.RequestId = original; break;
                }
                _onResponse(slot, content);
            }
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _done.TrySetResult();
            }
        }
        return default;
    }

    protected override ValueTask FlushAsync(CancellationToken cancellationToken) => default;
}
