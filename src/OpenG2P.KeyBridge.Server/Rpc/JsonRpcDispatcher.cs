using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Audit;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Monitoring;
using OpenG2P.KeyBridge.Server.Security;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>
/// Turns one JSON-RPC body (single request, batch array or notification) into the response
/// body, per JSON-RPC 2.0. Protocol checks, method lookup and the role check happen here;
/// each call is dispatched through StreamJsonRpc, audited (durably, before its response is
/// released) and counted in the metrics.
/// </summary>
public sealed class JsonRpcDispatcher(
    RpcServices services, AuditLog audit, AnomalyDetector anomalies, KeyBridgeMetrics metrics, TimeProvider time, ILogger<JsonRpcDispatcher> logger)
{
    private static readonly JsonRpcTargetOptions TargetOptions = new() { DisposeOnDisconnect = false };

    internal static readonly JsonSerializerOptions DataOptions = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        // Responses are application/json, never embedded in HTML: no need to escape quotes or '+'.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Returns the response body, or null when nothing is to be sent (only notifications).</summary>
    public async Task<byte[]?> DispatchAsync(ReadOnlyMemory<byte> body, RequestInfo request, CancellationToken ct)
    {
        List<Envelope.Element> elements;
        bool isBatch;
        try
        {
            (elements, isBatch) = Envelope.Split(body.Span);
        }
        catch (JsonException)
        {
            return Error(RequestId.Null, KeyBridgeError.ParseError, "the body is not valid JSON", request.RequestId);
        }
        if (isBatch && elements.Count == 0)
        {
            return Error(RequestId.Null, KeyBridgeError.InvalidRequest, "an empty batch is not a valid request", request.RequestId);
        }
        if (elements.Count > services.Limits.MaxBatchItems)
        {
            return Error(RequestId.Null, KeyBridgeError.BatchTooLarge,
                $"the batch has {elements.Count} requests; the limit is {services.Limits.MaxBatchItems}", request.RequestId);
        }
        var outputs = new Task<byte[]?>[elements.Count];
        for (var i = 0; i < elements.Count; i++)
        {
            outputs[i] = DispatchElementAsync(body.Slice(elements[i].Start, elements[i].Length), request, ct);
        }
        return Assemble(await Task.WhenAll(outputs), isBatch);
    }

    private async Task<byte[]?> DispatchElementAsync(ReadOnlyMemory<byte> element, RequestInfo request, CancellationToken ct)
    {
        var check = Envelope.Check(element.Span);
        var id = check.Id ?? RequestId.Null;
        if (check.Error is not null)
        {
            // Invalid requests are answered even without an id.
            return Error(id, KeyBridgeError.InvalidRequest, check.Error, request.RequestId);
        }
        if (!services.Catalog.Methods.TryGetValue(check.Method!, out var method))
        {
            return check.IsNotification ? null
                : Error(id, KeyBridgeError.MethodNotFound, $"method '{Printable(check.Method!)}' does not exist; rpc.discover lists every method", request.RequestId);
        }
        var started = Stopwatch.GetTimestamp();
        var ctx = new RpcContext(request, method.Name);
        byte[]? output;
        string outcome;
        string? errorName;
        if (check.ParamsByPosition || !Allowed(request.Caller, method))
        {
            var (error, message) = check.ParamsByPosition
                ? (KeyBridgeError.InvalidParams, "'params' must be an object: KeyBridge takes parameters by name")
                : (KeyBridgeError.Forbidden, $"client '{request.Caller.ClientId}' has no role that may call '{method.Name}'");
            output = Error(id, error, message, request.RequestId);
            (outcome, errorName) = (error == KeyBridgeError.Forbidden ? "denied" : "error", error.Name);
        }
        else
        {
            (output, errorName) = await InvokeAsync(element, id, ctx, ct);
            outcome = errorName is not null ? "error" : ctx.FailedItems > 0 ? (ctx.FailedItems == ctx.ItemCount ? "error" : "partial") : "ok";
            errorName ??= ctx.FirstItemError;
        }

        try
        {
            await audit.WriteAsync(new AuditEntry
            {
                Time = time.GetUtcNow(),
                ClientId = request.Caller.ClientId,
                Method = method.Name,
                Keys = ctx.Keys.Count == 0 ? null : string.Join(',', ctx.Keys),
                Versions = ctx.Versions.Count == 0 ? null : string.Join(',', ctx.Versions),
                Outcome = outcome,
                ErrorName = errorName,
                RequestId = request.RequestId,
                RemoteAddress = request.RemoteAddress,
                ItemCount = ctx.ItemCount,
            });
        }
        catch (KeyBridgeException e)
        {
            // No audit record, no result: a call whose use of a key cannot be recorded must not succeed.
            (output, outcome) = (Error(id, e.Error, e.Message, request.RequestId), "error");
        }
        if (method.Name == "decrypt_data" && outcome is "ok" or "partial")
        {
            await anomalies.DecryptedAsync(new RequestInfoLike(request.Caller.ClientId, request.RequestId, request.RemoteAddress),
                ctx.Keys, ctx.ItemCount - ctx.FailedItems);
        }
        metrics.Request(method.Name, outcome, Stopwatch.GetElapsedTime(started).TotalSeconds);
        foreach (var key in ctx.Keys)
        {
            metrics.KeyUsed(key, method.Name, outcome, ctx.ItemCount);
        }
        return check.IsNotification ? null : output;
    }

    /// <summary>Runs one request through StreamJsonRpc; returns the serialized response and the error name if it failed.</summary>
    private async Task<(byte[]? Output, string? ErrorName)> InvokeAsync(ReadOnlyMemory<byte> element, RequestId id, RpcContext ctx, CancellationToken ct)
    {
        var formatter = NewFormatter();
        if (formatter.Deserialize(new ReadOnlySequence<byte>(element)) is not JsonRpcRequest request)
        {
            return (Error(id, KeyBridgeError.InvalidRequest, "not a request object", ctx.RequestId), KeyBridgeError.InvalidRequest.Name);
        }
        byte[]? output = null;
        string? errorName = null;
        var handler = new BatchMessageHandler(formatter, [request], [id], (_, message) =>
        {
            output = Serialize(formatter, message, ctx.RequestId);
            if (message is JsonRpcError { Error.Data: RpcErrorData data })
            {
                errorName = data.Name;
            }
        });
        using (var rpc = new KeyBridgeJsonRpc(handler, ctx, logger))
        {
            foreach (var target in RpcTargets.Create(ctx, services))
            {
                rpc.AddLocalRpcTarget(target, TargetOptions);
            }
            rpc.StartListening();
            await handler.Completion.WaitAsync(ct);
        }
        return (output, errorName);
    }

    public static bool Allowed(Caller caller, RpcCatalog.Method method) =>
        caller.HasRole(Roles.Admin) || method.Roles.Contains(Roles.Any) || method.Roles.Any(caller.HasRole);

    /// <summary>A complete error response body (used for protocol errors and by the HTTP layer).</summary>
    public static byte[] Error(RequestId id, KeyBridgeError error, string message, string? requestId)
    {
        var response = new JsonRpcError
        {
            RequestId = id,
            Error = new JsonRpcError.ErrorDetail
            {
                Code = (JsonRpcErrorCode)error.Code,
                Message = message,
                Data = new RpcErrorData(error.Name, requestId),
            },
        };
        var buffer = new ArrayBufferWriter<byte>(256);
        NewFormatter().Serialize(buffer, response);
        return buffer.WrittenSpan.ToArray();
    }

    private static SystemTextJsonFormatter NewFormatter() => new() { JsonSerializerOptions = DataOptions };

    private static byte[] Serialize(SystemTextJsonFormatter formatter, JsonRpcMessage message, string requestId)
    {
        if (message is JsonRpcError { Error: { } detail } && detail.Data is not RpcErrorData)
        {
            // Errors raised inside StreamJsonRpc itself: give them our shape.
            var error = KeyBridgeError.All.FirstOrDefault(e => e.Code == (int)detail.Code) ?? KeyBridgeError.InternalError;
            detail.Data = new RpcErrorData(error.Name, requestId);
            if (error == KeyBridgeError.InvalidParams)
            {
                detail.Message = "parameters do not match the method's schema (wrong type or unknown field); rpc.discover describes them";
            }
        }
        var buffer = new ArrayBufferWriter<byte>(256);
        formatter.Serialize(buffer, message);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[]? Assemble(byte[]?[] outputs, bool isBatch)
    {
        if (!isBatch)
        {
            return outputs[0];
        }
        var present = outputs.Where(o => o is not null).ToList();
        if (present.Count == 0)
        {
            return null;
        }
        var result = new byte[2 + present.Sum(o => o!.Length) + present.Count - 1];
        var pos = 0;
        result[pos++] = (byte)'[';
        for (var i = 0; i < present.Count; i++)
        {
            if (i > 0)
            {
                result[pos++] = (byte)',';
            }
            present[i]!.CopyTo(result, pos);
            pos += present[i]!.Length;
        }
        result[pos] = (byte)']';
        return result;
    }

    private static string Printable(string s) => s.Length > 64 ? s[..64] + "…" : s;
}
