using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenG2P.KeyBridge.Server.Jobs.Cli;

/// <summary>
/// <c>keybridge job …</c>: start and watch jobs from a terminal, with a live progress bar, through the
/// JSON-RPC API (so it works against any node). Credentials come from options or the environment
/// (<c>KEYBRIDGE_URL</c>, <c>KEYBRIDGE_CLIENT_ID</c>, <c>KEYBRIDGE_CLIENT_SECRET</c>; prefer the
/// environment for the secret, since command lines are visible to other users).
/// </summary>
public static class JobCli
{
    private const string Usage = """
        usage: OpenG2P.KeyBridge.Server job <command> [options]

          job watch <id>                        show a live progress bar until the job ends
          job status <id>                       print the job (JSON), with its failed records
          job list                              print recent jobs (JSON)
          job cancel <id>                       stop the job after its current page
          job start-reencryption <file|->       start a re-encryption (params as JSON, see docs/jobs.md), then watch
          job start-kek-rotation                start a KEK rotation (admin), then watch

        options: --url URL (KEYBRIDGE_URL, default http://127.0.0.1:8080)
                 --client-id ID (KEYBRIDGE_CLIENT_ID)   --client-secret SECRET (KEYBRIDGE_CLIENT_SECRET)
                 --interval SECONDS (default 2)         --no-watch (start commands only)
        exit status: 0 succeeded, 1 failed or cancelled, 2 usage or connection error
        """;

    public static bool Handles(string[] args) => args.Length > 0 && args[0] == "job";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var (positional, options) = Parse(args.Skip(1));
        if (positional.Count == 0 || options.ContainsKey("help"))
        {
            await stderr.WriteLineAsync(Usage);
            return 2;
        }
        var url = Option(options, "url", "KEYBRIDGE_URL") ?? "http://127.0.0.1:8080";
        var clientId = Option(options, "client-id", "KEYBRIDGE_CLIENT_ID");
        var secret = Option(options, "client-secret", "KEYBRIDGE_CLIENT_SECRET");
        if (clientId is null || secret is null || !Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var baseUri))
        {
            await stderr.WriteLineAsync("a valid --url, --client-id and --client-secret (or KEYBRIDGE_* variables) are needed\n\n" + Usage);
            return 2;
        }
        var interval = TimeSpan.FromSeconds(double.TryParse(Option(options, "interval", null), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 2);
        using var api = new ApiClient(baseUri, clientId, secret);
        try
        {
            var command = positional[0];
            var arg = positional.Count > 1 ? positional[1] : null;
            JsonNode? started = null;
            switch (command)
            {
                case "watch" when arg is not null:
                    return await WatchAsync(api, arg, interval, stdout);
                case "status" when arg is not null:
                    await stdout.WriteLineAsync((await api.CallAsync("job.status", new JsonObject { ["id"] = arg })).ToJsonString(Pretty));
                    return 0;
                case "list":
                    await stdout.WriteLineAsync((await api.CallAsync("job.list", new JsonObject())).ToJsonString(Pretty));
                    return 0;
                case "cancel" when arg is not null:
                    await stdout.WriteLineAsync((await api.CallAsync("job.cancel", new JsonObject { ["id"] = arg })).ToJsonString(Pretty));
                    return 0;
                case "start-reencryption" when arg is not null:
                    var text = arg == "-" ? await Console.In.ReadToEndAsync() : await File.ReadAllTextAsync(arg);
                    started = await api.CallAsync("job.start_reencryption", JsonNode.Parse(text)!.AsObject());
                    break;
                case "start-kek-rotation":
                    started = await api.CallAsync("job.start_kek_rotation", new JsonObject());
                    break;
                default:
                    await stderr.WriteLineAsync(Usage);
                    return 2;
            }
            var id = started!["id"]!.GetValue<string>();
            await stdout.WriteLineAsync($"started job {id}");
            return options.ContainsKey("no-watch") ? 0 : await WatchAsync(api, id, interval, stdout);
        }
        catch (CliException e)
        {
            await stderr.WriteLineAsync("error: " + e.Message);
            return 2;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException or TaskCanceledException)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
    }

    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true };

    private static async Task<int> WatchAsync(ApiClient api, string id, TimeSpan interval, TextWriter stdout)
    {
        // On a terminal the bar redraws in place; into a file or pipe each change is one line.
        var live = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
        string? previous = null;
        while (true)
        {
            var job = await api.CallAsync("job.status", new JsonObject { ["id"] = id, ["failures_limit"] = 10 });
            var state = job["state"]!.GetValue<string>();
            var line = ProgressLine(job);
            if (line != previous)
            {
                await stdout.WriteAsync(live ? "\r" + line.PadRight(100) : line + "\n");
                previous = line;
            }
            if (state is "succeeded" or "failed" or "cancelled")
            {
                if (live)
                {
                    await stdout.WriteLineAsync();
                }
                await stdout.WriteLineAsync(Summary(job));
                return state == "succeeded" ? 0 : 1;
            }
            await Task.Delay(interval);
        }
    }

    /// <summary><c>[##########----------]  50.0%  2500/5000  failed 0  812.3/s  ETA 00:00:03  running</c></summary>
    public static string ProgressLine(JsonNode job)
    {
        var done = job["done"]!.GetValue<long>();
        var total = job["total"]?.GetValue<long>();
        var state = job["state"]!.GetValue<string>();
        var fraction = total is > 0 ? Math.Min(1.0, (double)done / total.Value) : state == "succeeded" ? 1.0 : 0.0;
        const int width = 30;
        var filled = (int)Math.Round(fraction * width);
        var eta = job["eta_seconds"]?.GetValue<long>() is { } e ? TimeSpan.FromSeconds(e).ToString("c", CultureInfo.InvariantCulture) : "--:--:--";
        return string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('-', width - filled)}] {fraction * 100,5:0.0}%  {done}/{(total?.ToString(CultureInfo.InvariantCulture) ?? "?")}  failed {job["failed"]!.GetValue<long>()}  {job["rate"]!.GetValue<double>():0.0}/s  ETA {eta}  {state}");
    }

    private static string Summary(JsonNode job)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"job {job["id"]} {job["state"]}: {job["done"]} done, {job["changed"]} changed, {job["failed"]} failed");
        if (job["error"] is { } error)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\nerror: {error}");
        }
        foreach (var f in job["failures"]?.AsArray() ?? [])
        {
            sb.Append(CultureInfo.InvariantCulture, $"\n  failed {f!["item"]}: {f["reason"]}");
        }
        return sb.ToString();
    }

    private static (List<string> Positional, Dictionary<string, string> Options) Parse(IEnumerable<string> args)
    {
        var positional = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var a = e.Current;
            if (a is "--no-watch" or "--help" or "-h")
            {
                options[a.TrimStart('-') == "h" ? "help" : a.TrimStart('-')] = "";
            }
            else if (a.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = a.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    options[a[2..eq]] = a[(eq + 1)..];
                }
                else
                {
                    options[a[2..]] = e.MoveNext() ? e.Current : "";
                }
            }
            else
            {
                positional.Add(a);
            }
        }
        return (positional, options);
    }

    private static string? Option(Dictionary<string, string> options, string name, string? variable) =>
        options.TryGetValue(name, out var v) && v.Length > 0 ? v
        : variable is not null && Environment.GetEnvironmentVariable(variable) is { Length: > 0 } env ? env : null;

    private sealed class CliException(string message) : Exception(message);

    /// <summary>A minimal JSON-RPC client: client-credentials token, fetched again when it expires.</summary>
    private sealed class ApiClient(Uri baseUri, string clientId, string secret) : IDisposable
    {
        private readonly HttpClient _http = new() { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(60) };
        private string? _token;
        private int _id;

        public async Task<JsonNode> CallAsync(string method, JsonObject parameters)
        {
            for (var attempt = 0; ; attempt++)
            {
                _token ??= await TokenAsync();
                var body = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = ++_id, ["method"] = method, ["params"] = parameters.DeepClone() };
                using var request = new HttpRequestMessage(HttpMethod.Post, "jsonrpc") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
                using var response = await _http.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
                {
                    _token = null;
                    continue;
                }
                var reply = JsonNode.Parse(await response.Content.ReadAsStringAsync())
                    ?? throw new CliException($"empty answer (HTTP {(int)response.StatusCode})");
                if (reply["error"] is { } error)
                {
                    throw new CliException($"{method}: {error["data"]?["name"]}: {error["message"]}");
                }
                return reply["result"] ?? throw new CliException($"{method}: no result");
            }
        }

        private async Task<string> TokenAsync()
        {
            using var response = await _http.PostAsync("oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = clientId,
                ["client_secret"] = secret,
            }));
            var reply = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            return response.IsSuccessStatusCode && reply?["access_token"]?.GetValue<string>() is { } token
                ? token
                : throw new CliException($"sign-in refused (HTTP {(int)response.StatusCode}): {reply?["error_description"]}");
        }

        public void Dispose() => _http.Dispose();
    }
}
