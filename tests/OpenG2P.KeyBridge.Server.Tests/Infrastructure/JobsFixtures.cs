using System.Text.Json;
using OpenG2P.KeyBridge.Auth;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Tests.Infrastructure;

/// <summary>Settings that make jobs quick to observe in tests: short leases, polling and back-off.</summary>
public static class JobSettings
{
    public static Dictionary<string, string?> Fast() => new()
    {
        ["Jobs:SchedulePollingSeconds"] = "1",
        ["Jobs:MinRotationPeriodSeconds"] = "1",
        ["Jobs:LeaseSeconds"] = "3",
        ["Jobs:RecoverySeconds"] = "1",
        ["Jobs:OdooTimeoutSeconds"] = "2",
        ["Jobs:OdooRetries"] = "3",
        ["Jobs:OdooRetryDelayMilliseconds"] = "50",
    };
}

public sealed class JobsSqliteFixture : SqliteServerFixture
{
    protected override async Task<Dictionary<string, string?>> SettingsAsync()
    {
        var settings = await base.SettingsAsync();
        foreach (var (k, v) in JobSettings.Fast())
        {
            settings[k] = v;
        }
        return settings;
    }
}

public sealed class JobsPostgresFixture : PostgresServerFixture
{
    protected override async Task<Dictionary<string, string?>> SettingsAsync()
    {
        var settings = await base.SettingsAsync();
        foreach (var (k, v) in JobSettings.Fast())
        {
            settings[k] = v;
        }
        return settings;
    }
}

/// <summary>A client made for one test, with its secret and a logged-in RPC client.</summary>
public sealed record TestClient(string Id, string Secret, RpcClient Rpc);

public static class JobTesting
{
    /// <summary>Creates a client directly in the server's store (client management arrives with the access-control work).</summary>
    public static async Task<TestClient> NewClientAsync(this ServerFixture fx, params string[] roles) =>
        await NewClientAsync(fx.OpenStore(), fx.Server.BaseAddress, roles);

    public static async Task<TestClient> NewClientAsync(IKeyStore store, Uri server, params string[] roles)
    {
        var id = ServerFixture.UniqueName("client");
        var secret = SecretHasher.NewSecret();
        var now = DateTimeOffset.UtcNow;
        await store.CreateClientAsync(new ClientRecord
        {
            ClientId = id,
            SecretHash = SecretHasher.Hash(secret),
            Roles = roles,
            CreatedAt = now,
            UpdatedAt = now,
        });
        if (store is IAsyncDisposable d)
        {
            await d.DisposeAsync();
        }
        return new TestClient(id, secret, await RpcClient.LoginAsync(server, id, secret));
    }

    /// <summary>Polls job.status until the job ends (bounded, so a hung job fails the test instead of hanging it).</summary>
    public static async Task<JsonElement> WaitForJobAsync(this RpcClient rpc, string id, int failuresLimit = 100, int maxSeconds = 180)
    {
        var deadline = DateTime.UtcNow.AddSeconds(maxSeconds);
        while (true)
        {
            var status = await rpc.ResultAsync("job.status", new { id, failures_limit = failuresLimit });
            if (status.Str("state") is "succeeded" or "failed" or "cancelled")
            {
                return status;
            }
            Assert.True(DateTime.UtcNow < deadline, $"job {id} did not end in {maxSeconds} s: {status}");
            await Task.Delay(200);
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds (bounded).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int maxSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(maxSeconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for: {what}");
            await Task.Delay(200);
        }
    }
}
