using System.Security.Cryptography;
using OpenG2P.KeyBridge.Server.Tests.Infrastructure;

namespace OpenG2P.KeyBridge.Server.Tests;

/// <summary>KEK rotation: a new KEK with the old one as previous, a job that rewraps every version, then the old KEK is dropped.</summary>
public sealed class KekRotationTests
{
    [Fact]
    public async Task Every_stored_version_is_rewrapped_under_the_new_kek_and_the_old_kek_can_then_be_removed()
    {
        var data = Path.Combine(Path.GetTempPath(), "kb-kek-" + Guid.NewGuid().ToString("N"));
        var secret = "kek-admin-" + Guid.NewGuid().ToString("N");
        var oldKek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var newKek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Dictionary<string, string?> Settings(string kek, string? previous)
        {
            var s = JobSettings.Fast();
            s["Bootstrap:AdminSecret"] = secret;
            s["Kek:Software:Key"] = kek;
            if (previous is not null)
            {
                s["Kek:Software:PreviousKeys:0"] = previous;
            }
            return s;
        }
        var key = ServerFixture.UniqueName("kek");
        string ciphertext;
        await using (var first = await KeyBridgeProcess.StartAsync(Settings(oldKek, null), data))
        {
            using var admin = await RpcClient.LoginAsync(first.BaseAddress, "admin", secret);
            await admin.ResultAsync("key.create", new { name = key, type = "aes-256-gcm" });
            await admin.ResultAsync("key.rotate", new { name = key });
            ciphertext = (await admin.ResultAsync("encrypt_data", new { key, text = "kept across KEKs" })).Str("ciphertext");
        }

        await using (var second = await KeyBridgeProcess.StartAsync(Settings(newKek, oldKek), data))
        {
            using var admin = await RpcClient.LoginAsync(second.BaseAddress, "admin", secret);
            // Material still under the old KEK keeps working while the job has not reached it.
            Assert.Equal("kept across KEKs", (await admin.ResultAsync("decrypt_data", new { ciphertext })).Str("text"));
            var operatorClient = await JobTesting.NewClientAsync(new OpenG2P.KeyBridge.Storage.SqliteKeyStore(Path.Combine(data, "keybridge.db")),
                second.BaseAddress, "job-operator");
            Assert.Equal("forbidden", (await operatorClient.Rpc.ErrorAsync("job.start_kek_rotation")).ErrorName());

            var started = await admin.ResultAsync("job.start_kek_rotation");
            var status = await admin.WaitForJobAsync(started.Str("id"));

            Assert.Equal("succeeded", status.Str("state"));
            Assert.Equal(0L, status.GetProperty("failed").GetInt64());
            // The token-signing key (1), the default encryption key (1), this key (2) and the jobs key (1), at least.
            Assert.True(status.GetProperty("changed").GetInt64() >= 4, status.ToString());
            var again = await admin.WaitForJobAsync((await admin.ResultAsync("job.start_kek_rotation")).Str("id"));
            Assert.Equal((0L, 0L), (again.GetProperty("total").GetInt64(), again.GetProperty("changed").GetInt64()));
        }

        await using var third = await KeyBridgeProcess.StartAsync(Settings(newKek, null), data);
        using var after = await RpcClient.LoginAsync(third.BaseAddress, "admin", secret);
        Assert.Equal("kept across KEKs", (await after.ResultAsync("decrypt_data", new { ciphertext })).Str("text"));
        Assert.DoesNotContain(oldKek, third.Output);
    }
}
