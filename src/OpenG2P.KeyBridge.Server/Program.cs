using OpenG2P.KeyBridge.Server.Backup;
using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Server.Jobs.Cli;

if (BackupCli.Handles(args))
{
    return await BackupCli.RunAsync(args, Console.Out, Console.Error);
}

if (JobCli.Handles(args))
{
    return await JobCli.RunAsync(args, Console.Out, Console.Error);
}
return await KeyBridgeStartup.RunAsync(args);

/// <summary>Entry point; public so integration tests can reference the assembly.</summary>
public partial class Program;
