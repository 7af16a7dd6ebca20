using OpenG2P.KeyBridge.Server.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddKeyBridge();

var app = builder.Build();
app.MapKeyBridge();
return await app.RunKeyBridgeAsync();

/// <summary>Entry point; public so integration tests can reference the assembly.</summary>
public partial class Program;
