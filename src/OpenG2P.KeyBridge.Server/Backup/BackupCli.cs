using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Audit;
using OpenG2P.KeyBridge.Backup;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Kek;
using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Backup;

/// <summary>
/// <c>… backup …</c> and <c>… recovery …</c>: backups and restores against the configured store directly (no server needed:
/// a fresh instance has no admin yet, and a restore must happen before the first start). Configuration is the server's
/// (appsettings, <c>Section__Key</c> environment variables, <c>--Section:Key=value</c> arguments).
/// </summary>
public static class BackupCli
{
    private const string Usage = """
        usage: OpenG2P.KeyBridge.Server backup|recovery <command> [options] [--Section:Key=value ...]

          backup create --out FILE                  write a bundle of the configured store (after recovery init)
          backup inspect --in FILE                  print a bundle's header (needs no key)
          backup verify --in FILE [--share S ...]   check a bundle: with shares (as a restore would), else with this store's backup key
          backup restore --in FILE --share S ...    restore into the configured store, which must be empty
                         [--force] [--dry-run]      --force replaces a store's contents; --dry-run only reports
          recovery init --threshold M --custodian NAME ... --out DIR [--force]
                                                    split the backup key (and a software KEK) into one share file per custodian
          recovery status                           print the current ceremony (no secrets)

        S is a share file or the share text (kbshare1.…). The configuration is the server's: Storage:*, Kek:*, Backup:*.
        exit status: 0 done, 1 refused or failed (the reason is printed), 2 usage
        """;

    private static readonly JsonSerializerOptions Pretty = new(RecoveryCeremony.Json) { WriteIndented = true };

    public static bool Handles(string[] args) => args.Length > 0 && args[0] is "backup" or "recovery";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var (positional, options, config) = Parse(args);
        if (positional.Count < 2 || options.ContainsKey("help"))
        {
            await stderr.WriteLineAsync(Usage);
            return 2;
        }
        try
        {
            return await RunCommandAsync($"{positional[0]} {positional[1]}", options, config, stdout, stderr);
        }
        catch (KeyBridgeException e)
        {
            await stderr.WriteLineAsync($"error: {e.Error.Name}: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or OptionsValidationException)
        {
            var inner = e is InvalidOperationException { InnerException: KeyBridgeException kb } ? $"{kb.Error.Name}: {kb.Message}" : e.Message;
            await stderr.WriteLineAsync($"error: {inner}");
            return 1;
        }
    }

    private static async Task<int> RunCommandAsync(string command, Dictionary<string, List<string>> o, List<string> config, TextWriter stdout,
        TextWriter stderr)
    {
        string? One(string name) => o.TryGetValue(name, out var v) && v.Count > 0 && v[^1].Length > 0 ? v[^1] : null;
        bool Flag(string name) => o.ContainsKey(name);
        IReadOnlyList<RecoveryShare> Shares() => (o.GetValueOrDefault("share") ?? []).Select(ReadShare).ToList();
        async Task<int> Print(object value)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(value, Pretty));
            return 0;
        }
        async Task<int> UsageError(string why)
        {
            await stderr.WriteLineAsync($"{why}\n\n{Usage}");
            return 2;
        }

        switch (command)
        {
            case "backup inspect" when One("in") is { } file:
                return await Print(BackupBundle.ReadHeader(await File.ReadAllBytesAsync(file)));
            case "backup create" when One("out") is { } file:
            {
                await using var host = CliHost.Build(config);
                var (bundle, header) = await host.Backups.CreateAsync();
                PrivateFiles.Write(file, bundle);
                await host.AuditAsync("backup.create", header.BundleId, header.Manifest.Keys);
                return await Print(new { file = Path.GetFullPath(file), bytes = bundle.Length, bundle = BundleSummary.Of(header) });
            }
            case "backup verify" when One("in") is { } file:
            {
                var bundle = await File.ReadAllBytesAsync(file);
                var shares = Shares();
                await using var host = CliHost.Build(config);
                var (report, _) = await host.Backups.VerifyAsync(bundle, shares.Count > 0 ? shares : null);
                return await Print(report);
            }
            case "backup restore" when One("in") is { } file:
            {
                var bundle = await File.ReadAllBytesAsync(file);
                var shares = Shares();
                if (shares.Count == 0)
                {
                    return await UsageError("a restore needs the custodians' shares (--share FILE, once per share)");
                }
                using var opened = BackupRestorer.Open(bundle, shares);
                await using var host = CliHost.Build(config);
                var (target, installed) = host.TargetKekFor(opened, Flag("dry-run"));
                var report = await BackupRestorer.RestoreAsync(opened, host.BackupStore, host.Store, host.AuditStore, target, Flag("force"),
                    Flag("dry-run"), TimeProvider.System, CancellationToken.None);
                if (installed is not null)
                {
                    report = report with { Notes = [$"installed the KEK from the shares as {installed} (0600); keep it with the server", .. report.Notes] };
                }
                await Print(report);
                return report.Restored || Flag("dry-run") ? 0 : 1;
            }
            case "recovery init" when One("out") is { } folder:
            {
                if (!int.TryParse(One("threshold"), NumberStyles.None, CultureInfo.InvariantCulture, out var threshold))
                {
                    return await UsageError("--threshold M is required");
                }
                await using var host = CliHost.Build(config);
                var (ceremony, shares) = await host.Backups.Ceremonies.InitAsync(threshold, o.GetValueOrDefault("custodian") ?? [], Flag("force"));
                var files = shares.Select(s => WriteShareFile(folder, ceremony, s)).ToList();
                await host.AuditAsync("recovery.init", ceremony.Id, ceremony.Shares);
                return await Print(new { ceremony = ceremony.Id, ceremony.Threshold, ceremony.Shares, kek_in_shares = ceremony.Kind == RecoveryKind.BackupKeyAndKek, files });
            }
            case "recovery status":
            {
                await using var host = CliHost.Build(config);
                return await Print((object?)await host.Backups.Ceremonies.CurrentAsync() ?? new { ceremony = (string?)null });
            }
            default:
                return await UsageError($"unknown command or missing option: {command}");
        }
    }

    private static RecoveryShare ReadShare(string argument) =>
        argument.StartsWith(RecoveryShare.Prefix, StringComparison.Ordinal)
            ? RecoveryShare.Parse(argument, "the share given on the command line")
            : File.Exists(argument) ? RecoveryShare.Parse(File.ReadAllText(argument), $"share file '{argument}'")
            : throw new KeyBridgeException(KeyBridgeError.ShareInvalid, $"share file '{argument}' does not exist");

    private static string WriteShareFile(string folder, RecoveryCeremony ceremony, RecoveryShare share)
    {
        var safe = new string(share.Custodian.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray()).Trim('-');
        var path = Path.GetFullPath(Path.Combine(folder, $"share-{share.Index}-{(safe.Length == 0 ? "custodian" : safe)}.txt"));
        var text = new StringBuilder()
            .AppendLine("# KeyBridge recovery share: give it to its custodian only, and keep no other copy.")
            .AppendLine(CultureInfo.InvariantCulture, $"# custodian: {share.Custodian}")
            .AppendLine(CultureInfo.InvariantCulture, $"# ceremony:  {ceremony.Id} ({ceremony.CreatedAt:u})")
            .AppendLine(CultureInfo.InvariantCulture, $"# share {share.Index} of {share.Total}; any {share.Threshold} shares open this ceremony's backups")
            .AppendLine(share.Encode())
            .ToString();
        PrivateFiles.Write(path, Encoding.UTF8.GetBytes(text));
        return path;
    }

    private static (List<string> Positional, Dictionary<string, List<string>> Options, List<string> Config) Parse(string[] args)
    {
        var positional = new List<string>();
        var options = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var config = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(a);
                continue;
            }
            var eq = a.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? a[2..eq] : a[2..];
            if (name is "force" or "dry-run" or "help")
            {
                options[name] = [""];
                continue;
            }
            var value = eq > 0 ? a[(eq + 1)..] : i + 1 < args.Length ? args[++i] : "";
            if (name.Contains(':', StringComparison.Ordinal))
            {
                config.Add($"--{name}={value}");
            }
            else
            {
                (options.TryGetValue(name, out var list) ? list : options[name] = []).Add(value);
            }
        }
        return (positional, options, config);
    }
}
