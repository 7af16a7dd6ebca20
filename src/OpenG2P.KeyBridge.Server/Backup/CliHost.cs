using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Kek;
using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Backup;

/// <summary>
/// The server's own services, built from its configuration but never started (no HTTP, no jobs), so the command line
/// reaches the store and the KEK exactly as the server would.
/// </summary>
internal sealed class CliHost(WebApplication app) : IAsyncDisposable
{
    public static CliHost Build(IReadOnlyList<string> configArgs)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. configArgs] });
        // The command prints its own report; library logging would only interleave with it.
        builder.Logging.ClearProviders();
        builder.AddKeyBridge();
        return new CliHost(builder.Build());
    }

    public IServiceProvider Services => app.Services;

    public BackupService Backups => Services.GetRequiredService<BackupService>();

    public IKeyStore Store => Services.GetRequiredService<IKeyStore>();

    public IBackupStore BackupStore => Services.GetRequiredService<IBackupStore>();

    public IAuditStore AuditStore => Services.GetRequiredService<IAuditStore>();

    public async Task AuditAsync(string method, string reference, int items)
    {
        await Store.MigrateAsync();
        await DirectAudit.WriteAsync(Store, AuditStore, Services.GetRequiredService<IKekProvider>(), new AuditEntry
        {
            Time = DateTimeOffset.UtcNow,
            ClientId = DirectAudit.Operator,
            Method = method,
            Outcome = "ok",
            RequestId = reference,
            ItemCount = items,
        }, CancellationToken.None);
    }

    /// <summary>
    /// The KEK the restored material will be wrapped by. In software mode with no KEK configured yet (no
    /// <c>Kek:Software:Key</c>, no key file), that is the KEK the shares carried: it is installed as the key file (0600),
    /// except on a dry run. Otherwise the configured KEK (file, environment or token), and material is rewrapped under it.
    /// </summary>
    public (IKekProvider Kek, string? Installed) TargetKekFor(OpenedBundle opened, bool dryRun)
    {
        var kek = Services.GetRequiredService<IOptions<KekOptions>>().Value;
        var storage = Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var file = kek.Software.KeyFile ?? Path.Combine(storage.DataDirectory, "kek.key");
        if (kek.Provider == "software" && string.IsNullOrWhiteSpace(kek.Software.Key) && !File.Exists(file))
        {
            if (dryRun)
            {
                return (opened.RecoveredKek ?? new SoftwareKek(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), null);
            }
            if (opened.RecoveredKek is null)
            {
                // Else the server's configuration would make a new random KEK file that can open nothing in this bundle.
                throw new KeyBridgeException(KeyBridgeError.BackupKekUnavailable,
                    $"the bundle's material is wrapped by the token KEK {opened.Header.Source.KekId}, which the shares do not carry: "
                    + "configure Kek:Provider=pkcs11 with that token (or its restored backup)");
            }
            PrivateFiles.Write(file, opened.RecoveredKekBytes);
            return (Services.GetRequiredService<IKekProvider>(), Path.GetFullPath(file));
        }
        return (Services.GetRequiredService<IKekProvider>(), null);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
