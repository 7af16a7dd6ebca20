using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Jobs;

namespace OpenG2P.KeyBridge.Server.Hosting;

public static class KeyBridgeStartup
{
    /// <summary>
    /// Builds the host, initializes (migrations, internal keys, bootstrap client) and serves. A
    /// configuration or HSM problem at start-up ends the process with one clear error line and
    /// exit code 1, not a stack trace.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            // Configuration is read once (IOptions): watching appsettings*.json would put a recursive file
            // watcher on the content root, which fires on every write of a SQLite data folder under it.
            var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
            builder.AddKeyBridge();
            builder.AddKeyBridgeJobs();

            var app = builder.Build();
            app.MapKeyBridge();
            app.MapKeyBridgeJobs();
            await app.Services.GetRequiredService<KeyBridgeInitializer>().InitializeAsync();
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (Describe(e) is { } reason)
        {
            await Console.Error.WriteLineAsync("KeyBridge could not start: " + reason);
            return 1;
        }
    }

    private static string? Describe(Exception e) => e switch
    {
        KeyBridgeException kb => $"{kb.Error.Name}: {kb.Message}",
        OptionsValidationException o => string.Join("; ", o.Failures),
        InvalidOperationException { InnerException: { } inner } when Describe(inner) is { } r => r,
        InvalidOperationException i => i.Message,
        IOException io => io.Message,
        UnauthorizedAccessException u => u.Message,
        _ => null,
    };
}
