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
    RpcServices services, RpcHost host, AuditLog audit, AnomalyDetector anomalies, KeyBridgeMetrics metrics, TimeProvider time)
{
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
            (output, errorName) = await InvokeAsync(element, check, method, id, ctx);
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

    /// <summary>Binds the parameters, runs the call through StreamJsonRpc, and returns the serialized response and the error name if it failed.</summary>
    private async Task<(byte[] Output, string? ErrorName)> InvokeAsync(
        ReadOnlyMemory<byte> element, Envelope.Checked check, RpcCatalog.Method method, RequestId id, RpcContext ctx)
    {
        object parameters;
        try
        {
            parameters = check.ParamsLength > 0
                ? JsonSerializer.Deserialize(element.Span.Slice(check.ParamsStart, check.ParamsLength), method.Params, DataOptions)!
                : Activator.CreateInstance(method.Params)!;
        }
        catch (JsonException e)
        {
            var message = $"parameters do not match the method's schema (wrong type or unknown field near '{e.Path ?? "$"}'); rpc.discover describes them";
            return (Error(id, KeyBridgeError.InvalidParams, message, ctx.RequestId), KeyBridgeError.InvalidParams.Name);
        }
        var response = await host.InvokeAsync(method.Name, parameters, ctx);
        if (response is JsonRpcResult result)
        {
            return (Result(id, result.Result), null);
        }
        var detail = (response as JsonRpcError)?.Error;
        var data = detail?.Data as RpcErrorData;
        var error = data is not null ? null : KeyBridgeError.All.FirstOrDefault(e => e.Code == (int)(detail?.Code ?? 0)) ?? KeyBridgeError.InternalError;
        data ??= new RpcErrorData(error!.Name, ctx.RequestId);
        return (Error(id, (int)(detail?.Code ?? (JsonRpcErrorCode)KeyBridgeError.InternalError.Code), detail?.Message ?? "internal error", data), data.Name);
    }

    public static bool Allowed(Caller caller, RpcCatalog.Method method) =>
        caller.HasRole(Roles.Admin) || method.Roles.Contains(Roles.Any) || method.Roles.Any(caller.HasRole);

    /// <summary>A complete error response body (used for protocol errors and by the HTTP layer).</summary>
    public static byte[] Error(RequestId id, KeyBridgeError error, string message, string? requestId) =>
        Error(id, error.Code, message, new RpcErrorData(error.Name, requestId));

    private static byte[] Error(RequestId id, int code, string message, RpcErrorData data) => Write(id, w =>
    {
        w.WritePropertyName("error");
        w.WriteStartObject();
        w.WriteNumber("code", code);
        w.WriteString("message", message);
        w.WritePropertyName("data");
        JsonSerializer.Serialize(w, data, DataOptions);
        w.WriteEndObject();
    });

    private static byte[] Result(RequestId id, object? result) => Write(id, w =>
    {
        w.WritePropertyName("result");
        JsonSerializer.Serialize(w, result, result?.GetType() ?? typeof(object), DataOptions);
    });

    // One buffer and writer per thread, reused: Utf8JsonWriter asks for room for the worst-case
    // escaping of every string it writes, so a fresh small buffer per response grew (and was
    // garbage) on every call. Write never awaits, so a thread's pair is never shared.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private static byte[] Write(RequestId id, Action<Utf8JsonWriter> body)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var w = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = DataOptions.Encoder, SkipValidation = true });
        w.Reset(buffer);
        try
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WritePropertyName("id");
            if (id.String is { } s)
            {
                w.WriteStringValue(s);
            }
            else if (id.Number is { } n)
            {
                w.WriteNumberValue(n);
            }
            else
            {
                w.WriteNullValue();
            }
            body(w);
            w.WriteEndObject();
            w.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (buffer.Capacity > 1 << 20)
            {
                // Do not pin a large buffer (a big batch's answer) to the thread for good.
                (t_buffer, t_writer) = (null, null);
            }
        }
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
