using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Certificates;
using OpenG2P.KeyBridge.Kek;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Operations;
using OpenG2P.KeyBridge.Server.Auth;
using OpenG2P.KeyBridge.Server.Rpc;
using OpenG2P.KeyBridge.Signing;
using OpenG2P.KeyBridge.Storage;

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
        Bind<SigningOptions>(services, "Signing");

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IKeyStore>(sp => CreateStore(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.AddSingleton<IKekProvider>(sp => CreateKek(
            sp.GetRequiredService<IOptions<KekOptions>>().Value, sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.AddSingleton(sp => new MaterialCache(sp.GetRequiredService<IOptions<CacheOptions>>().Value.MaxKeyVersions));
        services.AddSingleton(sp => new KeyRing(sp.GetRequiredService<IKeyStore>(), sp.GetRequiredService<IKekProvider>(),
            sp.GetRequiredService<MaterialCache>(), TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<CacheOptions>>().Value.MetadataSeconds)));
        services.AddSingleton<KeyManager>();
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
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<CacheOptions>>().Value.MetadataSeconds)));
        services.AddSingleton(new RpcCatalog(RpcTargets.Types));
        services.AddSingleton<RpcServices>();
        services.AddSingleton<JsonRpcDispatcher>();
        services.AddSingleton<ClientDirectory>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<BearerAuthenticator>();
        services.AddSingleton<KeyBridgeInitializer>();
        services.AddControllers();
        services.AddProblemDetails();
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        return builder;
    }

    /// <summary>The HTTP surface: JSON-RPC, OAuth token endpoint, health, the public JWKS.</summary>
    public static WebApplication MapKeyBridge(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebSockets();
        app.MapControllers();
        app.MapJsonRpc();
        return app;
    }

    private static void Bind<T>(IServiceCollection services, string section) where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();

    private static IKeyStore CreateStore(StorageOptions o) => o.Provider switch
    {
        "postgres" => new PostgresKeyStore(o.ConnectionString
            ?? throw new InvalidOperationException("Storage:ConnectionString is required when Storage:Provider is 'postgres'")),
        _ => new SqliteKeyStore(Path.Combine(o.DataDirectory, "keybridge.db")),
    };

    private static IKekProvider CreateKek(KekOptions o, StorageOptions storage) => o.Provider switch
    {
        "software" => SoftwareKek.Load(o.Software.Key, o.Software.KeyFile ?? Path.Combine(storage.DataDirectory, "kek.key"), o.Software.CreateIfMissing),
        _ => throw new InvalidOperationException($"Kek:Provider '{o.Provider}' is not available in this build"),
    };
}
