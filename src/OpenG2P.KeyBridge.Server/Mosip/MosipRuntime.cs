using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Audit;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Server.Monitoring;
using OpenG2P.KeyBridge.Server.Rpc;
using OpenG2P.KeyBridge.Server.Security;

namespace OpenG2P.KeyBridge.Server.Mosip;

/// <summary>One MOSIP call in progress: the parsed request (null for GET), its query and the audit notes.</summary>
public sealed class MosipCall(HttpContext http, MosipRequest? request, RpcContext context)
{
    public MosipRequest Request => request ?? throw new InvalidOperationException("this endpoint has no request body");

    public RpcContext Context { get; } = context;

    public string? Query(string name) => http.Request.Query.TryGetValue(name, out var v) ? v.ToString() : null;
}

/// <summary>
/// What every <c>/v1/keymanager</c> call goes through, as the JSON-RPC dispatcher does for its methods: authentication
/// (bearer header or MOSIP's <c>Authorization</c> cookie), the rate limit, the role check, the body limit, the
/// operation, a durable audit record (awaited before the response is released), the decryption-anomaly check and the
/// metrics; then MOSIP's response envelope.
/// </summary>
public sealed partial class MosipRuntime(
    BearerAuthenticator auth,
    ClientRateLimiter rateLimiter,
    AuditLog audit,
    AnomalyDetector anomalies,
    KeyBridgeMetrics metrics,
    TimeProvider time,
    IOptions<LimitsOptions> limits,
    IOptions<MosipOptions> options,
    ILogger<MosipRuntime> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public async Task<IActionResult> RunAsync(HttpContext http, string operation, string[] roles, bool hasBody, Func<MosipCall, Task<object>> work)
    {
        if (!options.Value.Enabled)
        {
            return new NotFoundResult();
        }
        var started = Stopwatch.GetTimestamp();
        var requestId = RequestIds.For(http);
        var authenticated = await auth.AuthenticateAsync(http, requestId, acceptCookie: true);
        if (authenticated.Caller is not { } caller)
        {
            return Envelope(null, null, StatusCodes.Status401Unauthorized, null, MosipCodes.AuthenticationFailed, authenticated.Error!);
        }
        if (!rateLimiter.TryAcquire(caller.ClientId))
        {
            metrics.RateLimited();
            http.Response.Headers.RetryAfter = "1";
            return Envelope(null, null, StatusCodes.Status429TooManyRequests, null, KeyBridgeError.RateLimited.Name,
                $"client '{caller.ClientId}' exceeded its request rate; retry after a second");
        }
        var context = new RpcContext(new RequestInfo(caller, requestId, http.Connection.RemoteIpAddress?.ToString()), operation);
        MosipRequest? request = null;
        object? response = null;
        MosipException? failure = null;
        var outcome = "ok";
        if (!caller.HasRole(Roles.Admin) && !roles.Contains(Roles.Any) && !roles.Any(caller.HasRole))
        {
            failure = new MosipException(MosipCodes.Forbidden, $"client '{caller.ClientId}' has no role that may call {operation}",
                KeyBridgeError.Forbidden.Name, StatusCodes.Status403Forbidden);
            outcome = "denied";
        }
        else
        {
            try
            {
                if (hasBody)
                {
                    var body = await JsonRpcEndpoint.ReadBodyAsync(http.Request, limits.Value.MaxRequestBytes, http.RequestAborted)
                        ?? throw new MosipException(KeyBridgeError.PayloadTooLarge.Name,
                            $"the request body is larger than {limits.Value.MaxRequestBytes} bytes", KeyBridgeError.PayloadTooLarge.Name,
                            StatusCodes.Status413PayloadTooLarge);
                    request = MosipRequest.Parse(body);
                }
                response = await work(new MosipCall(http, request, context));
            }
            catch (MosipException e)
            {
                failure = e;
            }
            catch (KeyBridgeException e)
            {
                failure = MosipErrors.From(e, operation);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogUnexpected(logger, e, operation, requestId);
                failure = new MosipException(MosipCodes.InternalError, $"internal error; the server log has details under request id {requestId}",
                    KeyBridgeError.InternalError.Name, StatusCodes.Status500InternalServerError);
            }
            if (failure is not null)
            {
                outcome = failure.Status is StatusCodes.Status403Forbidden ? "denied" : "error";
            }
        }

        try
        {
            await audit.WriteAsync(new AuditEntry
            {
                Time = time.GetUtcNow(),
                ClientId = caller.ClientId,
                Method = operation,
                Keys = context.Keys.Count == 0 ? null : string.Join(',', context.Keys),
                Versions = context.Versions.Count == 0 ? null : string.Join(',', context.Versions),
                Outcome = outcome,
                ErrorName = failure?.Name,
                RequestId = requestId,
                RemoteAddress = context.RemoteAddress,
            });
        }
        catch (KeyBridgeException e)
        {
            // No audit record, no result: a use of a key that cannot be recorded must not succeed.
            (failure, outcome, response) = (new MosipException(e.Error.Name, e.Message, e.Error.Name, StatusCodes.Status503ServiceUnavailable), "error", null);
        }
        if (operation == MosipOperations.Decrypt && outcome == "ok")
        {
            await anomalies.DecryptedAsync(new RequestInfoLike(caller.ClientId, requestId, context.RemoteAddress), context.Keys, 1);
        }
        metrics.Request(operation, outcome, Stopwatch.GetElapsedTime(started).TotalSeconds);
        foreach (var key in context.Keys)
        {
            metrics.KeyUsed(key, operation, outcome);
        }
        return failure is null
            ? Envelope(request, response, StatusCodes.Status200OK, null, null, null)
            : Envelope(request, null, failure.Status, null, failure.Code, failure.Message);
    }

    /// <summary>MOSIP's <c>ResponseWrapper</c>: id and version echo the request's, <c>responsetime</c> in MOSIP's format, <c>errors</c> null on success.</summary>
    private ContentResult Envelope(MosipRequest? request, object? response, int status, object? metadata, string? code, string? message)
    {
        var body = new MosipResponse(request?.Id, request?.Version, MosipTime.Write(time.GetUtcNow()), metadata, response,
            code is null ? null : [new MosipError(code, message ?? "")]);
        return new ContentResult
        {
            StatusCode = status,
            ContentType = "application/json",
            Content = JsonSerializer.Serialize(body, Json),
        };
    }

    private sealed record MosipResponse(string? Id, string? Version, string Responsetime, object? Metadata, object? Response, IReadOnlyList<MosipError>? Errors);

    private sealed record MosipError(string ErrorCode, string Message);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Error, Message = "Unexpected failure in {Operation}, request {RequestId}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string operation, string requestId);
}
