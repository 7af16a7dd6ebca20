using System.Text.Json;

namespace OpenG2P.KeyBridge.Bench;

/// <summary>
/// A fast in-memory Odoo for the re-encryption benchmark: answers Odoo's external JSON-RPC
/// (<c>common.login</c>, and <c>object.execute_kw</c> with <c>search_count</c>, <c>search_read</c>
/// paged by <c>[["id", ">", n]]</c>, and <c>write</c>) from an array of one encrypted field per record.
/// </summary>
public sealed class FakeOdoo : IAsyncDisposable
{
    public const string Database = "bench";
    public const string Login = "keybridge-job";
    public const string Password = "bench-odoo-password";
    public const string Model = "res.partner";
    public const string Field = "name";

    private readonly string?[] _values;
    private readonly WebApplication _app;
    private long _writes;
    private long _calls;

    public FakeOdoo(string?[] values)
    {
        _values = values;
        Port = ServerProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        _app = builder.Build();
        _app.MapPost("/jsonrpc", HandleAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Record ids run from 1 to <see cref="Count"/>; index 0 is unused.</summary>
    public int Count => _values.Length - 1;

    public long Writes => Interlocked.Read(ref _writes);

    public long Calls => Interlocked.Read(ref _calls);

    public string? Value(int id) => _values[id];

    public Task StartAsync() => _app.StartAsync();

    private async Task HandleAsync(HttpContext http)
    {
        Interlocked.Increment(ref _calls);
        using var doc = await JsonDocument.ParseAsync(http.Request.Body);
        var root = doc.RootElement;
        var p = root.GetProperty("params");
        var service = p.GetProperty("service").GetString();
        var method = p.GetProperty("method").GetString();
        var args = p.GetProperty("args");
        http.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(http.Response.BodyWriter);
        w.WriteStartObject();
        w.WriteString("jsonrpc", "2.0");
        w.WritePropertyName("id");
        root.GetProperty("id").WriteTo(w);
        if (service == "common" && method == "login")
        {
            var ok = args[0].GetString() == Database && args[1].GetString() == Login && args[2].GetString() == Password;
            if (ok)
            {
                w.WriteNumber("result", 2);
            }
            else
            {
                w.WriteBoolean("result", false);
            }
        }
        else if (service == "object" && method == "execute_kw" && args[2].GetString() == Password && args[3].GetString() == Model)
        {
            var call = args[4].GetString();
            var callArgs = args[5];
            var kwargs = args.GetArrayLength() > 6 ? args[6] : default;
            switch (call)
            {
                case "search_count":
                    w.WriteNumber("result", Count);
                    break;
                case "search_read":
                    WritePage(w, callArgs[0], kwargs);
                    break;
                case "write":
                    foreach (var id in callArgs[0].EnumerateArray())
                    {
                        _values[id.GetInt32()] = callArgs[1].GetProperty(Field).GetString();
                    }
                    Interlocked.Increment(ref _writes);
                    w.WriteBoolean("result", true);
                    break;
                default:
                    WriteError(w, $"fake Odoo does not implement {call}");
                    break;
            }
        }
        else
        {
            WriteError(w, "access denied");
        }
        w.WriteEndObject();
        await w.FlushAsync();
    }

    private void WritePage(Utf8JsonWriter w, JsonElement domain, JsonElement kwargs)
    {
        var after = 0;
        foreach (var term in domain.EnumerateArray())
        {
            if (term.ValueKind == JsonValueKind.Array && term[0].GetString() == "id" && term[1].GetString() == ">")
            {
                after = (int)Math.Min(int.MaxValue, term[2].GetInt64());
            }
        }
        var limit = kwargs.ValueKind == JsonValueKind.Object && kwargs.TryGetProperty("limit", out var l) ? l.GetInt32() : 80;
        w.WritePropertyName("result");
        w.WriteStartArray();
        for (var id = after + 1; id <= Count && id <= after + limit; id++)
        {
            w.WriteStartObject();
            w.WriteNumber("id", id);
            if (_values[id] is { } v)
            {
                w.WriteString(Field, v);
            }
            else
            {
                w.WriteBoolean(Field, false);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteError(Utf8JsonWriter w, string message)
    {
        w.WritePropertyName("error");
        w.WriteStartObject();
        w.WriteNumber("code", 200);
        w.WriteString("message", "Odoo Server Error");
        w.WritePropertyName("data");
        w.WriteStartObject();
        w.WriteString("name", "odoo.exceptions.AccessError");
        w.WriteString("message", message);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
