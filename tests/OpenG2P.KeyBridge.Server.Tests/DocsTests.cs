using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Server.Rpc;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>Keeps docs/api.md true: every error and every method is documented.</summary>
public sealed class DocsTests
{
    private static readonly string Api = File.ReadAllText(Repo.PathOf("docs", "api.md"));

    [Fact]
    public void Every_error_is_in_the_error_table_with_its_code()
    {
        foreach (var e in KeyBridgeError.All)
        {
            Assert.Contains($"| {e.Code} | `{e.Name}` |", Api);
        }
    }

    [Fact]
    public void Every_jwt_verify_reason_is_documented()
    {
        foreach (var reason in OpenG2P.KeyBridge.Signing.JwtReasons.All)
        {
            Assert.Contains($"| `{reason}` |", Api);
        }
    }

    [Fact]
    public void Every_method_is_documented_with_its_roles()
    {
        var catalog = new RpcCatalog(RpcTargets.Types);
        foreach (var m in catalog.Methods.Values)
        {
            var row = Api.Split('\n').FirstOrDefault(l => l.StartsWith($"| `{m.Name}` |", StringComparison.Ordinal));
            Assert.True(row is not null, $"{m.Name} is missing from docs/api.md");
            var documented = row!.Split('|', StringSplitOptions.TrimEntries)[^2];
            var expected = m.Roles.Contains("*") ? "any client" : string.Join(", ", m.Roles);
            Assert.Equal(expected, documented);
        }
    }
}
