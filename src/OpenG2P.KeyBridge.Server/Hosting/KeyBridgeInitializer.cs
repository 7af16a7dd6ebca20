using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Auth;
using OpenG2P.KeyBridge.Certificates;
using OpenG2P.KeyBridge.Errors;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Hosting;

/// <summary>
/// Start-up work before the first request: schema migrations, the internal token-signing key,
/// the root CA (key and self-signed certificate), the default keys (the signing key with a
/// certificate from the root), and the bootstrap <c>admin</c> client. Every step is idempotent and safe
/// when several nodes start at once.
/// </summary>
public sealed partial class KeyBridgeInitializer(
    IKeyStore store,
    KeyManager keys,
    CertificateAuthority certificates,
    IOptions<BootstrapOptions> bootstrap,
    IOptions<DefaultsOptions> defaults,
    IOptions<Vouchers.VoucherOptions> vouchers,
    TimeProvider time,
    ILogger<KeyBridgeInitializer> logger)
{
    public const string AdminClientId = "admin";

    public async Task InitializeAsync(CancellationToken ct = default)
    {
        await store.MigrateAsync(ct);
        await EnsureKeyAsync(TokenService.SigningKeyName, KeyType.HmacSha256, ct);
        await EnsureKeyAsync(Audit.AuditLog.ChainKeyName, KeyType.HmacSha256, ct);
        await EnsureKeyAsync(defaults.Value.EncryptionKey, KeyType.Aes256Gcm, ct);
        await certificates.EnsureRootAsync(ct);
        if (await EnsureKeyAsync(defaults.Value.SigningKey, KeyTypes.Parse(defaults.Value.SigningKeyType), ct))
        {
            // So that include_certificate works for the default key from the start.
            await certificates.IssueAsync(defaults.Value.SigningKey, null, null, null, ct);
        }
        // Voucher keys: the default one and any a program is mapped to.
        var voucherType = KeyTypes.Parse(vouchers.Value.SigningKeyType);
        foreach (var name in vouchers.Value.ProgramKeys.Values.Prepend(vouchers.Value.SigningKey).Distinct(StringComparer.Ordinal))
        {
            await EnsureKeyAsync(name, voucherType, ct);
        }
        await EnsureAdminAsync(ct);
    }

    /// <summary>Creates the key if it does not exist; true when this call created it.</summary>
    private async Task<bool> EnsureKeyAsync(string name, KeyType type, CancellationToken ct)
    {
        if (await store.GetKeyAsync(name, ct) is not null)
        {
            return false;
        }
        try
        {
            await keys.CreateAsync(name, type, new KeyPolicy(), ct);
            LogKeyCreated(logger, name, type.ToName());
            return true;
        }
        catch (KeyBridgeException e) when (e.Error == KeyBridgeError.KeyExists)
        {
            // Another node created it first.
            return false;
        }
    }

    private async Task EnsureAdminAsync(CancellationToken ct)
    {
        if (await store.GetClientAsync(AdminClientId, ct) is not null)
        {
            return;
        }
        var configured = bootstrap.Value.AdminSecret;
        var secret = string.IsNullOrEmpty(configured) ? SecretHasher.NewSecret() : configured;
        var now = time.GetUtcNow();
        try
        {
            await store.CreateClientAsync(new ClientRecord
            {
                ClientId = AdminClientId,
                SecretHash = SecretHasher.Hash(secret),
                Roles = [Roles.Admin],
                CreatedAt = now,
                UpdatedAt = now,
            }, ct);
        }
        catch (KeyBridgeException e) when (e.Error == KeyBridgeError.ClientExists)
        {
            return;
        }
        if (string.IsNullOrEmpty(configured))
        {
            // Shown once, on the console only (never through the logger), so the operator can sign in.
            Console.Out.WriteLine("==================================================================");
            Console.Out.WriteLine(" KeyBridge bootstrap admin client (shown once; store it safely):");
            Console.Out.WriteLine($"   client_id:     {AdminClientId}");
            Console.Out.WriteLine($"   client_secret: {secret}");
            Console.Out.WriteLine("==================================================================");
            Console.Out.Flush();
        }
        LogAdminCreated(logger, AdminClientId, string.IsNullOrEmpty(configured) ? "generated" : "Bootstrap:AdminSecret");
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Created key {Name} ({Type})")]
    private static partial void LogKeyCreated(ILogger logger, string name, string type);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Created bootstrap client {ClientId}; secret from {Source}")]
    private static partial void LogAdminCreated(ILogger logger, string clientId, string source);
}
