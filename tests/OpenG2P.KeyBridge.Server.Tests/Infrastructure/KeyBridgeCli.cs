using System.Diagnostics;
using System.Text.Json;

namespace OpenG2P.KeyBridge.Server.Tests.Infrastructure;

/// <summary>The server binary's command line (<c>backup …</c>, <c>recovery …</c>), run as an operator would, with settings in the environment.</summary>
public static class KeyBridgeCli
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(IDictionary<string, string?> settings, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in settings)
        {
            psi.Environment[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        }
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, (await stdout).Trim(), (await stderr).Trim());
    }

    /// <summary>Runs a command that must succeed and returns its JSON report.</summary>
    public static async Task<JsonElement> ReportAsync(IDictionary<string, string?> settings, params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync(settings, args);
        Assert.True(code == 0, $"{string.Join(' ', args)} exited {code}: {stderr}\n{stdout}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    /// <summary>Runs a command that must be refused with <paramref name="errorName"/> (exit status 1, the name on stderr).</summary>
    public static async Task FailsAsync(string errorName, IDictionary<string, string?> settings, params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync(settings, args);
        Assert.True(code == 1 && stderr.Contains($"error: {errorName}:", StringComparison.Ordinal),
            $"{string.Join(' ', args)}: expected {errorName}, got exit {code}: {stderr}\n{stdout}");
    }
}
