using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using OpenG2P.KeyBridge.Errors;
using StreamJsonRpc.Protocol;

namespace OpenG2P.KeyBridge.Server.Rpc;

/// <summary>The <c>error.data</c> object of every KeyBridge error.</summary>
public sealed record RpcErrorData(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("request_id")] string? RequestId)
{
    /// <summary>Error-specific members beside name and request_id (<see cref="KeyBridgeException.Details"/>).</summary>
    [JsonExtensionData]
    public Dictionary<string, object>? Details { get; init; }
}

/// <summary>A per-item error inside a batch result; the same shape as a JSON-RPC error object.</summary>
public sealed record ItemError(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("data")] RpcErrorData Data);

/// <summary>The one place where exceptions become error objects.</summary>
public static partial class RpcErrors
{
    public static JsonRpcError.ErrorDetail ToDetail(Exception exception, string? requestId, ILogger logger)
    {
        var (error, message) = Classify(exception, requestId, logger);
        return new JsonRpcError.ErrorDetail
        {
            Code = (JsonRpcErrorCode)error.Code,
            Message = message,
            Data = new RpcErrorData(error.Name, requestId) { Details = DetailsOf(exception) },
        };
    }

    public static ItemError ToItemError(Exception exception, string? requestId, ILogger logger)
    {
        var (error, message) = Classify(exception, requestId, logger);
        return new ItemError(error.Code, message, new RpcErrorData(error.Name, requestId) { Details = DetailsOf(exception) });
    }

    public static ItemError ToItemError(KeyBridgeError error, string message, string? requestId) =>
        new(error.Code, message, new RpcErrorData(error.Name, requestId));

    private static Dictionary<string, object>? DetailsOf(Exception exception) =>
        (exception is AggregateException { InnerExceptions.Count: 1 } agg ? agg.InnerExceptions[0] : exception) is KeyBridgeException { Details: { } d }
            ? new Dictionary<string, object>(d, StringComparer.Ordinal)
            : null;

    private static (KeyBridgeError, string) Classify(Exception exception, string? requestId, ILogger logger)
    {
        var e = exception is AggregateException { InnerExceptions.Count: 1 } agg ? agg.InnerExceptions[0] : exception;
        switch (e)
        {
            case KeyBridgeException kb:
                return (kb.Error, kb.Message);
            case System.Text.Json.JsonException json:
                // Raised while StreamJsonRpc binds the params object to the method's parameter type.
                return (KeyBridgeError.InvalidParams,
                    $"parameters do not match the method's schema (wrong type or unknown field near '{json.Path ?? "$"}'); rpc.discover describes them");
            case OperationCanceledException:
                return (KeyBridgeError.InternalError, "the request was cancelled");
            default:
                // Unexpected: log the type and stack for operators (exception messages from our code carry no secrets),
                // and answer with a generic message that points at the request id.
                LogUnexpected(logger, e, requestId ?? "-");
                return (KeyBridgeError.InternalError, $"internal error; the server log has details under request id {requestId}");
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Unexpected failure in request {RequestId}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string requestId);
}
