using System.Diagnostics;

namespace OpenG2P.KeyBridge.Server.Tests.Infrastructure;

public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OpenG2P.KeyBridge.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    /// <summary>Runs a program and returns its exit code, stdout and stderr.</summary>
    public static Task<(int Code, string Out, string Err)> RunAsync(string file, params string[] args) =>
        RunWithEnvAsync(new Dictionary<string, string>(), file, args);

    public static async Task<(int Code, string Out, string Err)> RunWithEnvAsync(IDictionary<string, string> env, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, (await stdout).Trim(), (await stderr).Trim());
    }

    /// <summary>Debian's python3, which has python3-cryptography (and later PyJWT) from apt.</summary>
    public const string Python = "/usr/bin/python3";
}
