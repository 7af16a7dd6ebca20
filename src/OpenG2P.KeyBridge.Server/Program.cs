using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Server.Jobs;
using OpenG2P.KeyBridge.Server.Jobs.Cli;

if (JobCli.Handles(args))
{
    return await JobCli.RunAsync(args, Console.Out, Console.Error);
}

// KeyBridge reads its configuration once (IOptions): watching appsettings*.json for changes only
// costs a recursive file watcher on the content root, which fires on every write of a SQLite data
// directory kept under it (the default ./data) — measurable CPU under load.
var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
builder.AddKeyBridge();
builder.AddKeyBridgeJobs();

var app = builder.Build();
app.MapKeyBridge();
app.MapKeyBridgeJobs();
return await app.RunKeyBridgeAsync();

/// <summary>Entry point; public so integration tests can reference the assembly.</summary>
public partial class Program;
