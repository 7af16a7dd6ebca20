using System.Net;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>The Hangfire dashboard at /hangfire: admin and job-operator only, by bearer token or the sign-in cookie; and the job CLI.</summary>
public sealed class DashboardTests(JobsSqliteFixture fx) : IClassFixture<JobsSqliteFixture>
{
    private HttpClient Http(bool redirects = false) =>
        new(new HttpClientHandler { AllowAutoRedirect = redirects, UseCookies = false }) { BaseAddress = fx.Server.BaseAddress };

    private async Task<string> FinishedJobAsync()
    {
        var started = await fx.Admin.ResultAsync("job.start_kek_rotation");
        var status = await fx.Admin.WaitForJobAsync(started.Str("id"));
        Assert.Equal("succeeded", status.Str("state"));
        return status.Str("id");
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string path, string? token = null, string? cookie = null, string? accept = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }
        if (accept is not null)
        {
            request.Headers.Add("Accept", accept);
        }
        return await http.SendAsync(request);
    }

    [Fact]
    public async Task The_dashboard_is_refused_without_an_admin_or_job_operator_credential()
    {
        using var http = Http();
        var encrypter = await fx.NewClientAsync("encrypter");

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, "hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, "hangfire/keybridge-jobs", token: "not.a.token")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(http, "hangfire/keybridge-jobs", token: encrypter.Rpc.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, "hangfire/stats", cookie: "keybridge_dashboard=forged")).StatusCode);
        var browser = await GetAsync(http, "hangfire", accept: "text/html");
        Assert.Equal(HttpStatusCode.Redirect, browser.StatusCode);
        Assert.Equal("/hangfire/login", browser.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_job_operator_token_shows_the_jobs_and_their_progress()
    {
        var id = await FinishedJobAsync();
        var operatorClient = await fx.NewClientAsync("job-operator");
        using var http = Http();

        var home = await GetAsync(http, "hangfire", token: operatorClient.Rpc.Token);
        var page = await GetAsync(http, "hangfire/keybridge-jobs", token: operatorClient.Rpc.Token);
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains($"data-job=\"{id}\" data-state=\"succeeded\"", html);
        Assert.Contains("style=\"width: 100.0%\"", html);
        var detail = await (await GetAsync(http, $"hangfire/keybridge-jobs?id={id}", token: operatorClient.Rpc.Token)).Content.ReadAsStringAsync();
        Assert.Contains("Failed items (0)", detail);
    }

    [Fact]
    public async Task A_browser_signs_in_with_a_client_id_and_secret_and_gets_an_http_only_strict_cookie()
    {
        var id = await FinishedJobAsync();
        var operatorClient = await fx.NewClientAsync("job-operator");
        var encrypter = await fx.NewClientAsync("encrypter");
        using var http = Http();

        var form = await GetAsync(http, "hangfire/login");
        Assert.Contains("name=\"client_secret\"", await form.Content.ReadAsStringAsync());
        var wrong = await http.PostAsync("hangfire/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = operatorClient.Id, ["client_secret"] = "wrong",
        }));
        var noRole = await http.PostAsync("hangfire/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = encrypter.Id, ["client_secret"] = encrypter.Secret,
        }));
        var ok = await http.PostAsync("hangfire/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = operatorClient.Id, ["client_secret"] = operatorClient.Secret,
        }));

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.Unauthorized, noRole.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        var setCookie = ok.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/hangfire", setCookie, StringComparison.OrdinalIgnoreCase);
        var cookie = setCookie.Split(';')[0];
        var page = await GetAsync(http, "hangfire/keybridge-jobs", cookie: cookie, accept: "text/html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(id, await page.Content.ReadAsStringAsync());
        Assert.DoesNotContain(operatorClient.Secret, fx.Server.Output);
    }

    [Fact]
    public async Task The_cli_watches_a_finished_job_and_exits_zero()
    {
        var id = await FinishedJobAsync();
        var operatorClient = await fx.NewClientAsync("job-operator");

        var (code, output, error) = await Repo.RunAsync("dotnet", typeof(Program).Assembly.Location, "job", "watch", id,
            "--url", fx.Server.BaseAddress.ToString(), "--client-id", operatorClient.Id, "--client-secret", operatorClient.Secret);

        Assert.True(code == 0, $"exit {code}: {output}\n{error}");
        Assert.Contains("100.0%", output);
        Assert.Contains($"job {id} succeeded", output);
    }

    [Fact]
    public async Task The_cli_reports_a_missing_job_and_bad_usage()
    {
        var operatorClient = await fx.NewClientAsync("job-operator");

        var missing = await Repo.RunAsync("dotnet", typeof(Program).Assembly.Location, "job", "watch", "job-0000000000000000",
            "--url", fx.Server.BaseAddress.ToString(), "--client-id", operatorClient.Id, "--client-secret", operatorClient.Secret);
        var usage = await Repo.RunAsync("dotnet", typeof(Program).Assembly.Location, "job");

        Assert.Equal(2, missing.Code);
        Assert.Contains("job_not_found", missing.Err);
        Assert.Equal(2, usage.Code);
        Assert.Contains("job watch <id>", usage.Err);
    }
}
