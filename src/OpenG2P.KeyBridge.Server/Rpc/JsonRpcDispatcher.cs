using System.Buffers;
using System.Text.Json;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Auth;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>
/// Turns one JSON-RPC body (single request, batch array or notification) into the response
/// body, per JSON-RPC 2.0. Protocol checks, method lookup and the role check happen here;
/// dispatch to the target methods goes through StreamJsonRpc.
/// </summary>
public sealed class JsonRpcDispatcher(RpcServices services, ILogger<JsonRpcDispatcher> logger)
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
    public async Task<byte[]?> DispatchAsync(ReadOnlyMemory<byte> body, RpcContext ctx, CancellationToken ct)
    {
        List<Envelope.Element> elements;
        bool isBatch;
        try
        {
            (elements, isBatch) = Envelope.Split(body.Span);
        }
        catch (JsonException)
        {
            return Error(RequestId.Null, KeyBridgeError.ParseError, "the body is not valid JSON", ctx);
        }
        if (isBatch && elements.Count == 0)
        {
            return Error(RequestId.Null, KeyBridgeError.InvalidRequest, "an empty batch is not a valid request", ctx);
        }
        if (elements.Count > services.Limits.MaxBatchItems)
        {
            return Error(RequestId.Null, KeyBridgeError.BatchTooLarge,
                $"the batch has {elements.Count} requests; the limit is {services.Limits.MaxBatchItems}", ctx);
        }

        var outputs = new byte[]?[elements.Count];
        var formatter = NewFormatter();
        var requests = new List<JsonRpcRequest>(elements.Count);
        var ids = new List<RequestId?>(elements.Count);
        var slots = new List<int>(elements.Count);
        for (var i = 0; i < elements.Count; i++)
        {
            var element = body.Slice(elements[i].Start, elements[i].Length);
            var check = Envelope.Check(element.Span);
            var id = check.Id ?? RequestId.Null;
            KeyBridgeError? error = null;
            string? message = null;
            if (check.Error is not null)
            {
                (error, message) = (KeyBridgeError.InvalidRequest, check.Error);
            }
            else if (!services.Catalog.Methods.TryGetValue(check.Method!, out var method))
            {
                (error, message) = (KeyBridgeError.MethodNotFound, $"method '{Printable(check.Method!)}' does not exist; rpc.discover lists every method");
            }
            else if (check.ParamsByPosition)
            {
                (error, message) = (KeyBridgeError.InvalidParams, "'params' must be an object: KeyBridge takes parameters by name");
            }
            else if (!Allowed(ctx.Caller, method))
            {
                (error, message) = (KeyBridgeError.Forbidden, $"client '{ctx.Caller.ClientId}' has no role that may call '{method.Name}'");
            }
            if (error is not null)
            {
                // Invalid requests are answered even without an id; valid notifications never are.
                if (!check.IsNotification || check.Error is not null)
                {
                    outputs[i] = Error(id, error, message!, ctx);
                }
                continue;
            }
            if (formatter.Deserialize(new ReadOnlySequence<byte>(element)) is not JsonRpcRequest request)
            {
                outputs[i] = Error(id, KeyBridgeError.InvalidRequest, "not a request object", ctx);
                continue;
            }
            requests.Add(request);
            ids.Add(check.IsNotification ? null : id);
            slots.Add(i);
        }

        if (requests.Count > 0)
        {
            var handler = new BatchMessageHandler(formatter, requests.ToArray(), ids.ToArray(),
                (slot, message) => outputs[slots[slot]] = Serialize(formatter, message, ctx));
            using var rpc = new KeyBridgeJsonRpc(handler, ctx, logger);
            foreach (var target in RpcTargets.Create(ctx, services))
            {
                rpc.AddLocalRpcTarget(target, TargetOptions);
            }
            rpc.StartListening();
            await handler.Completion.WaitAsync(ct);
        }
        return Assemble(outputs, isBatch);
    }

    public static bool Allowed(Caller caller, RpcCatalog.Method method) =>
        caller.HasRole(Roles.Admin) || method.Roles.Contains(Roles.Any) || method.Roles.Any(caller.HasRole);

    /// <summary>A complete error response body (used for protocol errors and by the HTTP layer).</summary>
    public static byte[] Error(RequestId id, KeyBridgeError error, string message, RpcContext? ctx)
    {
        var formatter = NewFormatter();
        var response = new JsonRpcError
        {
            RequestId = id,
            Error = new JsonRpcError.ErrorDetail
            {
                Code = (JsonRpcErrorCode)error.Code,
                Message = message,
                Data = new RpcErrorData(error.Name, ctx?.RequestId),
            },
        };
        var buffer = new ArrayBufferWriter<byte>(256);
        formatter.Serialize(buffer, response);
        return buffer.WrittenSpan.ToArray();
    }

    private static SystemTextJsonFormatter NewFormatter() => new() { JsonSerializerOptions = DataOptions };

    private static byte[] Serialize(SystemTextJsonFormatter formatter, JsonRpcMessage message, RpcContext ctx)
    {
        if (message is JsonRpcError { Error: { } detail } && detail.Data is not RpcErrorData)
        {
            // Errors raised inside StreamJsonRpc (e.g. parameters that do not bind): give them our shape.
            var error = KeyBridgeError.All.FirstOrDefault(e => e.Code == (int)detail.Code) ?? KeyBridgeError.InternalError;
            detail.Data = new RpcErrorData(error.Name, ctx.RequestId);
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
        var total = 2 + present.Sum(o => o!.Length) + present.Count - 1;
        var result = new byte[total];
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
