using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenG2P.KeyBridge.Server.Jobs.Odoo;

/// <summary>Where and as whom a job reaches Odoo. The password never leaves this object except in request bodies.</summary>
public sealed record OdooTarget(Uri Url, string Database, string Login, string Password)
{
    public override string ToString() => $"{Url} (database {Database}, user {Login})";
}

/// <summary>Retry policy for transient failures (timeouts, connection errors, HTTP 5xx).</summary>
public sealed record OdooRetryPolicy(TimeSpan Timeout, int Retries, TimeSpan FirstDelay);

/// <summary>
/// Odoo's external JSON-RPC API (<c>POST /jsonrpc</c>, services <c>common</c> and <c>object</c>).
/// Odoo reports errors as HTTP 200 with an <c>error</c> object: code 100 (session expired) logs in
/// again; code 404 and access errors (<c>odoo.exceptions.AccessError</c>/<c>AccessDenied</c>) fail
/// the job; any other error is returned to the caller as <see cref="OdooCallException"/>. Timeouts,
/// connection failures and HTTP 5xx are retried with exponential back-off.
/// </summary>
public sealed class OdooClient(HttpClient http, OdooTarget target, OdooRetryPolicy retry, ILogger logger)
{
    private static readonly HashSet<string> AccessErrors = new(StringComparer.Ordinal)
    {
        "odoo.exceptions.AccessError", "odoo.exceptions.AccessDenied",
    };

    private readonly Uri _endpoint = new(target.Url.ToString().TrimEnd('/') + "/jsonrpc");
    private int? _uid;
    private int _requestId;

    /// <summary><c>common.login</c>: the user id, or a job failure when Odoo refuses the credentials.</summary>
    public async Task<int> LoginAsync(CancellationToken ct)
    {
        var result = await CallAsync("common", "login", [target.Database, target.Login, target.Password], ct);
        if (result.ValueKind == JsonValueKind.Number && result.TryGetInt32(out var uid))
        {
            _uid = uid;
            return uid;
        }
        throw new JobFailedException($"Odoo refused the login of user '{target.Login}' on database '{target.Database}' (wrong login or password/API key)");
    }

    public async Task<long> SearchCountAsync(string model, JsonArray domain, CancellationToken ct)
    {
        var result = await ExecuteAsync(model, "search_count", [domain.DeepClone()], new JsonObject { ["context"] = Context() }, ct);
        return result.ValueKind == JsonValueKind.Number ? result.GetInt64() : throw Unexpected("search_count");
    }

    /// <summary>One page: records matching <paramref name="domain"/>, ordered by id, with the given fields.</summary>
    public async Task<IReadOnlyList<JsonElement>> SearchReadAsync(string model, JsonArray domain, IReadOnlyList<string> fields, int limit, CancellationToken ct)
    {
        var result = await ExecuteAsync(model, "search_read", [domain.DeepClone()], new JsonObject
        {
            ["fields"] = new JsonArray([.. fields.Select(f => (JsonNode)JsonValue.Create(f))]),
            ["order"] = "id asc",
            ["limit"] = limit,
            ["context"] = Context(),
        }, ct);
        return result.ValueKind == JsonValueKind.Array ? [.. result.EnumerateArray()] : throw Unexpected("search_read");
    }

    public async Task WriteAsync(string model, long id, IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        var vals = new JsonObject();
        foreach (var (field, value) in values)
        {
            vals[field] = value;
        }
        await ExecuteAsync(model, "write", [new JsonArray(id), vals], new JsonObject(), ct);
    }

    // Archived records (active = False) must be re-encrypted too: Odoo hides them unless told otherwise.
    private static JsonObject Context() => new() { ["active_test"] = false };

    private async Task<JsonElement> ExecuteAsync(string model, string method, JsonArray args, JsonObject kwargs, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var uid = _uid ?? await LoginAsync(ct);
            try
            {
                return await CallAsync("object", "execute_kw",
                    [target.Database, uid, target.Password, model, method, args.DeepClone(), kwargs.DeepClone()], ct);
            }
            catch (OdooSessionExpiredException) when (attempt < 3)
            {
                JobsLog.OdooRelogin(logger);
                _uid = null;
            }
            catch (OdooSessionExpiredException)
            {
                throw new JobFailedException("Odoo kept answering 'session expired' after logging in again");
            }
        }
    }

    private async Task<JsonElement> CallAsync(string service, string method, JsonArray args, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["method"] = "call",
            ["params"] = new JsonObject { ["service"] = service, ["method"] = method, ["args"] = args },
            ["id"] = Interlocked.Increment(ref _requestId),
        }.ToJsonString();
        for (var attempt = 1; ; attempt++)
        {
            string reason;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(retry.Timeout);
                try
                {
                    using var content = new StringContent(body, Encoding.UTF8, "application/json");
                    using var response = await http.PostAsync(_endpoint, content, timeout.Token);
                    if ((int)response.StatusCode >= 500)
                    {
                        reason = $"HTTP {(int)response.StatusCode}";
                    }
                    else if (response.StatusCode != HttpStatusCode.OK)
                    {
                        throw new JobFailedException($"Odoo answered HTTP {(int)response.StatusCode} at {_endpoint}; check the URL");
                    }
                    else
                    {
                        return Interpret(await response.Content.ReadAsByteArrayAsync(timeout.Token), service, method);
                    }
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    reason = $"no answer within {retry.Timeout.TotalSeconds:0.#} s";
                }
                catch (HttpRequestException e)
                {
                    reason = e.HttpRequestError.ToString();
                }
            }
            if (attempt > retry.Retries)
            {
                throw new JobFailedException($"Odoo {service}.{method} failed {attempt} times (last: {reason}); giving up");
            }
            var delay = retry.FirstDelay * Math.Pow(2, attempt - 1) * (0.8 + Random.Shared.NextDouble() * 0.4);
            JobsLog.OdooRetry(logger, service, method, attempt, reason, (long)delay.TotalMilliseconds);
            await Task.Delay(delay, ct);
        }
    }

    private static JsonElement Interpret(byte[] response, string service, string method)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(response).RootElement;
        }
        catch (JsonException)
        {
            throw new JobFailedException($"Odoo's answer to {service}.{method} is not JSON; is the URL an Odoo server?");
        }
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            var code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 0;
            var data = error.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
            var name = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("name", out var nm) ? nm.GetString() ?? "" : "";
            var message = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
                ? m.GetString()!
                : error.TryGetProperty("message", out var top) ? top.GetString() ?? "" : "";
            message = message.Length > 300 ? message[..300] + "…" : message;
            if (code == 100)
            {
                throw new OdooSessionExpiredException();
            }
            if (code == 404)
            {
                throw new JobFailedException($"Odoo answered 404 Not Found to {service}.{method}: {message}");
            }
            if (AccessErrors.Contains(name))
            {
                throw new JobFailedException($"Odoo refused access ({name}) to {service}.{method}: {message}");
            }
            throw new OdooCallException(name.Length > 0 ? name : $"code {code}", message);
        }
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("result", out var result))
        {
            throw new JobFailedException($"Odoo's answer to {service}.{method} has neither 'result' nor 'error'");
        }
        return result.Clone();
    }

    private static JobFailedException Unexpected(string method) => new($"Odoo's answer to {method} has an unexpected shape");
}
