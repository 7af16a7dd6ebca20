using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpenG2P.KeyBridge.Crypto;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Jobs;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Operations;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Jobs;

/// <summary>
/// Job credentials (the Odoo password or API key) encrypted under the internal key
/// <c>keybridge.jobs</c>, bound to the job id, so a copied row cannot be replayed under another job.
/// </summary>
public sealed class JobSecrets(DataCrypto data, KeyManager keys, IKeyStore store)
{
    public const string KeyName = "keybridge.jobs";

    /// <summary>Creates the internal key when missing (idempotent; several nodes may race).</summary>
    public async Task EnsureKeyAsync(CancellationToken ct)
    {
        if (await store.GetKeyAsync(KeyName, ct) is not null)
        {
            return;
        }
        try
        {
            await keys.CreateAsync(KeyName, KeyType.Aes256Gcm, new KeyPolicy(), ct);
        }
        catch (KeyBridgeException e) when (e.Error == KeyBridgeError.KeyExists)
        {
        }
    }

    public async Task<string> ProtectAsync(string jobId, string secret, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        try
        {
            return (await data.EncryptAsync(KeyName, bytes, Context(jobId), ct)).Value;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public async Task<string> RevealAsync(JobRecord job, CancellationToken ct)
    {
        if (job.Secret is null)
        {
            throw new JobFailedException("the job has no stored credentials");
        }
        var bytes = (await data.DecryptAsync(job.Secret, Context(job.Id), ct)).Value;
        try
        {
            return Encoding.UTF8.GetString(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static EncryptionContext Context(string jobId) =>
        EncryptionContext.FromJson(JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["job"] = jobId }));
}

/// <summary>The one HTTP client jobs use to reach Odoo (timeouts are per request, set by the Odoo client).</summary>
public sealed class OdooTransport : IDisposable
{
    public HttpClient Http { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public void Dispose() => Http.Dispose();
}
