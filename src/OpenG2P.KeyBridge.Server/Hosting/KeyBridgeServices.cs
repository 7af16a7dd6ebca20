using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Hsm;
using OpenG2P.KeyBridge.Certificates;
using OpenG2P.KeyBridge.Kek;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Operations;
using OpenG2P.KeyBridge.Server.Audit;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Monitoring;
using OpenG2P.KeyBridge.Server.Mosip;
using Prometheus;
using OpenG2P.KeyBridge.Server.Rpc;
using OpenG2P.KeyBridge.Server.Security;
using OpenG2P.KeyBridge.Signing;
using OpenG2P.KeyBridge.Storage;
using OpenG2P.KeyBridge.Server.Vouchers;
using OpenG2P.KeyBridge.Vouchers;

namespace OpenG2P.KeyBridge.Server.Hosting;

public static class KeyBridgeServices
{
    /// <summary>Options, storage, KEK, key model, auth and the JSON-RPC dispatcher.</summary>
    public static WebApplicationBuilder AddKeyBridge(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        Bind<StorageOptions>(services, "Storage");
        Bind<KekOptions>(services, "Kek");
        Bind<BootstrapOptions>(services, "Bootstrap");
        Bind<DefaultsOptions>(services, "Defaults");
        Bind<AuthOptions>(services, "Auth");
        Bind<LimitsOptions>(services, "Limits");
        Bind<CacheOptions>(services, "Cache");
        Bind<AnomalyOptions>(services, "Anomaly");
        Bind<SigningOptions>(services, "Signing");
        Bind<VoucherOptions>(services, "Vouchers");
        Bind<BackupOptions>(services, "Backup");
        Bind<KeysOptions>(services, "Keys");
        Bind<AuditOptions>(services, "Audit");

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => CreateStore(sp.GetRequiredService<IOptions<StorageOptions>>().Value, sp.GetRequiredService<IOptions<AuditOptions>>().Value));
        services.AddSingleton<IKeyStore>(sp => sp.GetRequiredService<SqlKeyStore>());
        services.AddSingleton<IAuditStore>(sp => sp.GetRequiredService<SqlKeyStore>());
        services.AddSingleton<IVoucherStore>(sp => sp.GetRequiredService<SqlKeyStore>());
        services.AddSingleton(sp => CreateToken(sp.GetRequiredService<IOptions<KekOptions>>().Value.Pkcs11));
        services.AddSingleton<IKekProvider>(sp => CreateKek(sp,
            sp.GetRequiredService<IOptions<KekOptions>>().Value, sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.AddSingleton(sp => new MaterialCache(sp.GetRequiredService<IOptions<CacheOptions>>().Value.MaxKeyVersions));
        services.AddSingleton(sp => new KeyRing(sp.GetRequiredService<IKeyStore>(), sp.GetRequiredService<IKekProvider>(),
            sp.GetRequiredService<MaterialCache>(), TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<CacheOptions>>().Value.MetadataSeconds)));
        services.AddSingleton(sp => new HsmAccess(sp.GetRequiredService<IOptions<KekOptions>>().Value.Provider == "pkcs11"
            ? new Pkcs11KeyPairs(sp.GetRequiredService<Pkcs11Token>())
            : null));
        services.AddSingleton<KeyManager>();
        services.AddKeyBridgeMosip();
        services.AddSingleton<DataCrypto>();
        services.AddSingleton<MacOperations>();
        services.AddSingleton<SignerSource>();
        services.AddSingleton<SignatureOperations>();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<SigningOptions>>().Value;
            return new CertificateAuthority(sp.GetRequiredService<KeyManager>(), sp.GetRequiredService<SignerSource>(),
                sp.GetRequiredService<TimeProvider>(),
                new CertificateSettings(o.RootCaName, TimeSpan.FromDays(o.RootCaValidityDays), TimeSpan.FromDays(o.CertificateValidityDays)));
        });
        services.AddSingleton(sp => new JwksCache(sp.GetRequiredService<IKeyStore>(), sp.GetRequiredService<KeyRing>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<CacheOptions>>().Value.MetadataSeconds), sp.GetService<IJwksKidAliases>()));
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<VoucherOptions>>().Value;
            return new VoucherOperations(sp.GetRequiredService<SignatureOperations>(), sp.GetRequiredService<KeyRing>(),
                sp.GetRequiredService<IVoucherStore>(),
                new VoucherSettings { Issuer = o.Issuer, DefaultKey = o.SigningKey, ProgramKeys = o.ProgramKeys, MaxValidity = TimeSpan.FromDays(o.MaxValidityDays) },
                sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(new RpcCatalog(RpcTargets.Types));
        services.AddSingleton<RpcServices>();
        services.AddSingleton<RpcHost>();
        services.AddSingleton<JsonRpcDispatcher>();
        services.AddSingleton<ClientDirectory>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<BearerAuthenticator>();
        services.AddSingleton<OidcTokenValidator>();
        services.AddHttpClient("oidc", c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<KeyBridgeInitializer>();
        services.AddSingleton(sp => (IBackupStore)sp.GetRequiredService<SqlKeyStore>());
        services.AddSingleton(sp => new KeyDeletionPolicy(sp.GetRequiredService<IOptions<KeysOptions>>().Value.DeletionWaitingPeriod));
        services.AddSingleton<KeyDestruction>();
        services.AddSingleton<Backup.RecoveryCeremonies>();
        services.AddSingleton<Backup.BackupService>();
        // Keep process_* metrics; the event-counter and meter adapters publish names that break
        // Prometheus naming rules (promtool flags them).
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
        {
            SuppressEventCounters = true,
            SuppressMeters = true,
            SuppressDebugMetrics = true,
        });
        services.AddSingleton<KeyBridgeMetrics>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AuditVerifier>();
        services.AddSingleton<ClientRateLimiter>();
        services.AddSingleton<AnomalyDetector>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditLog>());
        services.AddControllers();
        services.AddProblemDetails();
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        return builder;
    }

    /// <summary>The HTTP surface: JSON-RPC, OAuth token endpoint, health, the public JWKS.</summary>
    public static WebApplication MapKeyBridge(this WebApplication app)
    {
        app.UseRequestIds();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebSockets();
        app.MapControllers();
        app.MapJsonRpc();
        app.MapMetrics("/metrics");
        return app;
    }

    private static void Bind<T>(IServiceCollection services, string section) where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();

    internal static SqlKeyStore CreateStore(StorageOptions o, AuditOptions? audit = null) => o.Provider switch
    {
        "postgres" => new PostgresKeyStore(o.ConnectionString
            ?? throw new InvalidOperationException("Storage:ConnectionString is required when Storage:Provider is 'postgres'")),
        _ => new SqliteKeyStore(Path.Combine(o.DataDirectory, "keybridge.db"))
        {
            AuditSynchronous = audit is null || audit.SqliteSynchronous == "full" ? SqliteSynchronous.Full : SqliteSynchronous.Normal,
        },
    };

    private static IKekProvider CreateKek(IServiceProvider sp, KekOptions o, StorageOptions storage)
    {
        // Previous KEKs still unwrap material a KEK rotation has not reached yet (job.start_kek_rotation).
        var previous = o.Software.PreviousKeys.Select((k, i) => (IKekProvider)SoftwareKek.FromBase64(k, $"Kek:Software:PreviousKeys:{i}")).ToList();
        if (o.Provider == "pkcs11")
        {
            var token = sp.GetRequiredService<Pkcs11Token>();
            sp.GetRequiredService<KeyBridgeMetrics>().ObserveHsm(token);
            previous.AddRange(o.Pkcs11.PreviousKekLabels.Select(label => new Pkcs11Kek(token, label, createIfMissing: false)));
            var softwareFile = o.Software.KeyFile ?? Path.Combine(storage.DataDirectory, "kek.key");
            if (!string.IsNullOrEmpty(o.Software.Key) || File.Exists(softwareFile))
            {
                // Moving from the software KEK to the token: the old KEK keeps unwrapping until the rotation job is done.
                previous.Add(SoftwareKek.Load(o.Software.Key, softwareFile, createIfMissing: false));
            }
            return KekSet.Create(new Pkcs11Kek(token, o.Pkcs11.KekLabel, createIfMissing: true), previous);
        }
        if (storage.Provider == "postgres" && !o.AllowSoftwareInProduction)
        {
            throw new InvalidOperationException(
                "refusing to start: PostgreSQL storage (production) with the software KEK; use Kek:Provider=pkcs11, or set Kek:AllowSoftwareInProduction=true deliberately");
        }
        return KekSet.Create(
            SoftwareKek.Load(o.Software.Key, o.Software.KeyFile ?? Path.Combine(storage.DataDirectory, "kek.key"), o.Software.CreateIfMissing),
            previous);
    }

    private static Pkcs11Token CreateToken(Pkcs11KekOptions o)
    {
        var pin = !string.IsNullOrEmpty(o.Pin) ? o.Pin
            : !string.IsNullOrEmpty(o.PinFile) ? File.ReadAllText(o.PinFile).Trim()
            : throw new InvalidOperationException("Kek:Pkcs11:Pin (environment Kek__Pkcs11__Pin) or Kek:Pkcs11:PinFile is required");
        return new Pkcs11Token(new Pkcs11Options
        {
            Library = o.Library ?? throw new InvalidOperationException("Kek:Pkcs11:Library is required"),
            TokenLabel = o.TokenLabel,
            Slot = o.Slot,
            Pin = pin,
            PoolSize = o.PoolSize,
            KekLabel = o.KekLabel,
        });
    }
}
