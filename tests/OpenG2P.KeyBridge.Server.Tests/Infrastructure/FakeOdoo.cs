using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace OpenG2P.KeyBridge.Server.Tests.Infrastructure;

/// <summary>One call the fake received, for fault injection: the object method (search_read, write…) and counters.</summary>
public sealed record OdooCall(string Service, string Method, int Number, int MethodNumber, long? WriteId);

/// <summary>What to do instead of (or before) answering a call normally.</summary>
public abstract record OdooFault
{
    public sealed record HttpStatus(int Status) : OdooFault;

    /// <summary>Answer normally after this long (longer than the job's timeout: the job sees a timeout).</summary>
    public sealed record Delay(TimeSpan Time) : OdooFault;

    /// <summary>An Odoo error object (HTTP 200), as Odoo's JSON-RPC dispatcher sends it.</summary>
    public sealed record Error(int Code, string Name, string Message) : OdooFault;

    /// <summary>Ends the session: this call and every later one answer code 100 until the job logs in again.</summary>
    public sealed record ExpireSession : OdooFault;

    /// <summary>Apply the call, then hold the answer until the task completes (the server is killed meanwhile).</summary>
    public sealed record ApplyThenHang(Task Release) : OdooFault;
}

/// <summary>
/// A stateful stand-in for Odoo 17's external JSON-RPC API (<c>POST /jsonrpc</c>, services common and
/// object) on WireMock.Net: it holds records in memory across pages, evaluates the simple domains the
/// job sends, and checks every <c>write</c> (known record and field, and a value <see cref="CheckWrite"/> accepts).
/// </summary>
public sealed class FakeOdoo : IDisposable
{
    public const string Database = "openg2p";
    public const string Login = "keybridge-job";
    public const int Uid = 7;

    private readonly WireMockServer _server;
    private readonly Lock _gate = new();
    private int _calls;
    private readonly ConcurrentDictionary<string, int> _perMethod = new();
    private bool _sessionValid = true;

    public FakeOdoo(string model = "res.partner")
    {
        Model = model;
        _server = WireMockServer.Start();
        _server.Given(Request.Create().WithPath("/jsonrpc").UsingPost())
            .RespondWith(Response.Create().WithCallback(HandleAsync));
    }

    public string Url => _server.Url!;

    public string Model { get; }

    public string Password { get; } = "odoo-password-" + Guid.NewGuid().ToString("N");

    /// <summary>Record id → field → value (null is an empty field, sent as false).</summary>
    public SortedDictionary<long, Dictionary<string, string?>> Records { get; } = [];

    public ConcurrentDictionary<long, int> WritesPerRecord { get; } = new();

    public ConcurrentQueue<string> Problems { get; } = new();

    public int Logins;

    public int Writes => WritesPerRecord.Values.Sum();

    /// <summary>Decides faults per call (null: answer normally).</summary>
    public Func<OdooCall, OdooFault?>? Faults { get; set; }

    /// <summary>Checks a written value; returns a problem description or null.</summary>
    public Func<long, string, string, string?>? CheckWrite { get; set; }

    public Dictionary<string, string?> this[long id]
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, string?>(Records[id]);
            }
        }
    }

    private async Task<IResponseMessage> HandleAsync(IRequestMessage request)
    {
        var text = request.Body ?? (request.BodyAsBytes is { } b ? Encoding.UTF8.GetString(b) : request.BodyAsJson?.ToString() ?? "");
        var body = JsonNode.Parse(text)!;
        var p = body["params"]!;
        var service = p["service"]!.GetValue<string>();
        var method = p["method"]!.GetValue<string>();
        var args = p["args"]!.AsArray();
        var objectMethod = service == "object" ? args[4]!.GetValue<string>() : method;
        var number = Interlocked.Increment(ref _calls);
        var methodNumber = _perMethod.AddOrUpdate(objectMethod, 1, (_, n) => n + 1);
        long? writeId = objectMethod == "write" ? args[5]![0]![0]!.GetValue<long>() : null;
        var fault = Faults?.Invoke(new OdooCall(service, method, number, methodNumber, writeId));
        switch (fault)
        {
            case OdooFault.HttpStatus s:
                return Reply(s.Status, "<html>server error</html>");
            case OdooFault.Error e:
                return ErrorReply(body["id"], e.Code, e.Name, e.Message);
            case OdooFault.ExpireSession:
                lock (_gate)
                {
                    _sessionValid = false;
                }
                break;
            case OdooFault.Delay d:
                await Task.Delay(d.Time);
                break;
        }
        JsonNode? result;
        try
        {
            result = service switch
            {
                "common" when method == "login" => LoginCall(args),
                "object" when method == "execute_kw" => Execute(args),
                _ => throw new OdooError(404, "werkzeug.exceptions.NotFound", "404: Not Found"),
            };
        }
        catch (OdooError e)
        {
            return ErrorReply(body["id"], e.Code, e.Name, e.Message);
        }
        if (fault is OdooFault.ApplyThenHang hang)
        {
            await hang.Release;
        }
        return Reply(200, new JsonObject { ["jsonrpc"] = "2.0", ["id"] = body["id"]?.DeepClone(), ["result"] = result }.ToJsonString());
    }

    private JsonNode LoginCall(JsonArray args)
    {
        Interlocked.Increment(ref Logins);
        if (args[0]!.GetValue<string>() == Database && args[1]!.GetValue<string>() == Login && args[2]!.GetValue<string>() == Password)
        {
            lock (_gate)
            {
                _sessionValid = true;
            }
            return JsonValue.Create(Uid);
        }
        return JsonValue.Create(false);
    }

    private JsonNode? Execute(JsonArray args)
    {
        lock (_gate)
        {
            if (!_sessionValid)
            {
                throw new OdooError(100, "odoo.http.SessionExpiredException", "Session expired");
            }
        }
        if (args[0]!.GetValue<string>() != Database || args[1]!.GetValue<int>() != Uid || args[2]!.GetValue<string>() != Password)
        {
            throw new OdooError(200, "odoo.exceptions.AccessDenied", "Access Denied");
        }
        if (args[3]!.GetValue<string>() != Model)
        {
            throw new OdooError(200, "builtins.KeyError", args[3]!.GetValue<string>());
        }
        var method = args[4]!.GetValue<string>();
        var positional = args[5]!.AsArray();
        var kwargs = args[6]!.AsObject();
        lock (_gate)
        {
            switch (method)
            {
                case "search_count":
                    return Matching(positional[0]!.AsArray()).Count();
                case "search_read":
                    if (kwargs["order"]?.GetValue<string>() != "id asc")
                    {
                        Problems.Enqueue("search_read without order 'id asc'");
                    }
                    var fields = kwargs["fields"]!.AsArray().Select(f => f!.GetValue<string>()).ToList();
                    var limit = kwargs["limit"]?.GetValue<int>() ?? int.MaxValue;
                    return new JsonArray([.. Matching(positional[0]!.AsArray()).Take(limit).Select(kv =>
                    {
                        var row = new JsonObject { ["id"] = kv.Key };
                        foreach (var f in fields)
                        {
                            row[f] = kv.Value.TryGetValue(f, out var v) && v is not null ? JsonValue.Create(v) : JsonValue.Create(false);
                        }
                        return (JsonNode)row;
                    })]);
                case "write":
                    var ids = positional[0]!.AsArray().Select(i => i!.GetValue<long>()).ToList();
                    var vals = positional[1]!.AsObject();
                    foreach (var id in ids)
                    {
                        if (!Records.TryGetValue(id, out var record))
                        {
                            throw new OdooError(200, "odoo.exceptions.MissingError", $"Record does not exist or has been deleted. (Record: {Model}({id},))");
                        }
                        foreach (var (field, value) in vals)
                        {
                            var s = value!.GetValue<string>();
                            if (!record.ContainsKey(field))
                            {
                                Problems.Enqueue($"write to unknown field {field} of record {id}");
                            }
                            else if (CheckWrite?.Invoke(id, field, s) is { } problem)
                            {
                                Problems.Enqueue($"record {id} field {field}: {problem}");
                            }
                            record[field] = s;
                        }
                        WritesPerRecord.AddOrUpdate(id, 1, (_, n) => n + 1);
                    }
                    return true;
                default:
                    throw new OdooError(200, "builtins.AttributeError", $"The method '{method}' does not exist");
            }
        }
    }

    /// <summary>Records matching a domain of [field, op, value] terms (implicitly ANDed), ordered by id.</summary>
    private IEnumerable<KeyValuePair<long, Dictionary<string, string?>>> Matching(JsonArray domain)
    {
        var terms = domain.Where(t => t is JsonArray).Select(t => t!.AsArray()).ToList();
        if (domain.Any(t => t is JsonValue v && v.GetValue<string>() == "|"))
        {
            throw new OdooError(200, "builtins.ValueError", "the fake does not do '|'");
        }
        return Records.Where(kv => terms.All(t => Holds(kv.Key, kv.Value, t[0]!.GetValue<string>(), t[1]!.GetValue<string>(), t[2]!)));
    }

    private static bool Holds(long id, Dictionary<string, string?> record, string field, string op, JsonNode value)
    {
        if (field == "id")
        {
            var n = value.GetValue<long>();
            return op switch { ">" => id > n, ">=" => id >= n, "<" => id < n, "<=" => id <= n, "=" => id == n, "!=" => id != n, _ => throw new OdooError(200, "builtins.ValueError", op) };
        }
        record.TryGetValue(field, out var actual);
        var expected = value.GetValueKind() switch
        {
            JsonValueKind.False => null,
            JsonValueKind.True => "true",
            _ => value.ToString(),
        };
        return op switch { "=" => actual == expected, "!=" => actual != expected, _ => throw new OdooError(200, "builtins.ValueError", op) };
    }

    private static ResponseMessage Reply(int status, string body)
    {
        var message = new ResponseMessage
        {
            StatusCode = status,
            BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
        };
        message.AddHeader("Content-Type", status == 200 ? "application/json" : "text/html");
        return message;
    }

    private static ResponseMessage ErrorReply(JsonNode? id, int code, string name, string message) =>
        Reply(200, new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id?.DeepClone(),
            ["error"] = new JsonObject
            {
                ["code"] = code,
                ["message"] = code == 100 ? "Odoo Session Expired" : code == 404 ? "404: Not Found" : "Odoo Server Error",
                ["data"] = new JsonObject
                {
                    ["name"] = name,
                    ["debug"] = "Traceback (most recent call last): ...",
                    ["message"] = message,
                    ["arguments"] = new JsonArray(message),
                    ["context"] = new JsonObject(),
                },
            },
        }.ToJsonString());

    private sealed class OdooError(int code, string name, string message) : Exception(message)
    {
        public int Code { get; } = code;

        public string Name { get; } = name;
    }

    public void Dispose() => _server.Stop();
}
