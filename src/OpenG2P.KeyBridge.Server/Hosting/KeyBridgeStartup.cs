using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Errors;

namespace OpenG2P.KeyBridge.Server.Hosting;

public static partial class KeyBridgeStartup
{
    /// <summary>
    /// Initializes (migrations, internal keys, bootstrap client) and serves. A configuration or
    /// HSM problem at start-up ends the process with one clear error line and exit code 1, not a
    /// stack trace.
    /// </summary>
    public static async Task<int> RunKeyBridgeAsync(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenG2P.KeyBridge.Startup");
        try
        {
            await app.Services.GetRequiredService<KeyBridgeInitializer>().InitializeAsync();
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (Describe(e) is { } reason)
        {
            LogStartFailed(logger, reason);
            await Console.Error.WriteLineAsync("KeyBridge could not start: " + reason);
            return 1;
        }
    }

    private static string? Describe(Exception e) => e switch
    {
        KeyBridgeException kb => $"{kb.Error.Name}: {kb.Message}",
        OptionsValidationException o => string.Join("; ", o.Failures),
        InvalidOperationException { InnerException: KeyBridgeException inner } => Describe(inner),
        InvalidOperationException i => i.Message,
        IOException io => io.Message,
        UnauthorizedAccessException u => u.Message,
        _ => null,
    };

    [LoggerMessage(EventId = 1, Level = LogLevel.Critical, Message = "KeyBridge could not start: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string reason);
}
